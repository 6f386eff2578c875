"""The live app in a real browser: `goedeburen app`'s server as a subprocess, driven with
Playwright in Debian's headless Chromium. The server may not fall back to the public CDN
(`server_env(offline_only=True)`), and every request the page makes must stay on
127.0.0.1, so these tests fail if the offline assets are incomplete. They fail, never skip,
when Chromium or Playwright is missing (scripts/test.sh installs both)."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sim.app.server import command, server_env

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]
FIRST_LOAD_S = 240  # a fresh clone compiles the kernels on the first page load


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    log_dir = ROOT / ".pytest_cache"
    log_dir.mkdir(exist_ok=True)
    with open(log_dir / "app-server.log", "w") as log:  # the server's output, for a failure
        proc = subprocess.Popen(
            command("127.0.0.1", port),
            env=server_env(offline_only=True),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the app server did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run scripts/test.sh"
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=30_000)

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


class Tab:
    """One browser tab on the app, recording errors and every request it makes."""

    def __init__(self, browser, url: str):
        self.page = browser.new_page(viewport={"width": 1600, "height": 1000})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on(
            "console",
            lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        self.page.wait_for_selector(".gb-dwelling", timeout=FIRST_LOAD_S * 1000)
        self.page.wait_for_timeout(500)

    def date(self) -> str:
        return self.page.locator(".gb-date").inner_text()

    def dwellings(self) -> int:
        return self.page.locator(".gb-dwelling").count()

    def click_button(self, text: str) -> None:
        self.page.locator(
            "button", has_text=re.compile(f"^\\s*{re.escape(text)}\\s*$", re.IGNORECASE)
        ).first.click()

    def choose(self, select_index: int, option: str) -> None:
        """Pick `option` in the settings card's `select_index`-th drop-down, and wait until
        the page shows it (the menu closed, the server answered), as a person would."""
        select = self.page.locator(".gb-settings .v-select").nth(select_index)
        select.click()
        self.page.locator(
            ".menuable__content__active .v-list-item",
            has_text=re.compile(f"^\\s*{re.escape(option)}\\s*$"),
        ).first.click()
        expect(self.page.locator(".menuable__content__active")).to_have_count(0)
        expect(select.locator(".v-select__selection")).to_have_text(option)
        expect(self.page.locator(".gb-pending")).to_have_count(1)
        self.page.wait_for_timeout(300)

    def switch_on(self, measure: str, slider_label: str | None = None) -> None:
        """Switch a measure on and wait for the page to show it (with its slider)."""
        self.page.locator(f".gb-measure-{measure} input").first.check(force=True)
        expect(self.page.locator(".gb-pending")).to_have_count(1)
        if slider_label:
            expect(self.page.get_by_text(slider_label)).to_have_count(1)
        self.page.wait_for_timeout(300)

    def reset(self) -> None:
        """Apply the changed settings (the page says they are pending until then)."""
        pending = self.page.locator(".gb-pending")
        expect(pending).to_have_count(1)
        self.click_button("Opnieuw beginnen")
        expect(pending).to_have_count(0, timeout=90_000)
        self.page.wait_for_timeout(300)

    def step_and_wait(self) -> None:
        before = self.date()
        self.click_button("Stap")
        self.page.wait_for_function(
            "(d) => document.querySelector('.gb-date').innerText !== d", arg=before, timeout=30_000
        )

    def points(self, key: str) -> str:
        return (
            self.page.locator(f".gb-chart[data-key='{key}'] polyline").first.get_attribute("points")
            or ""
        )

    def wait_points(self, key: str, n: int) -> str:
        """The first line of chart `key` once it has at least `n` points."""
        self.page.wait_for_function(
            "([k, n]) => { const p = document.querySelector(`.gb-chart[data-key='${k}'] "
            "polyline`); return p && p.getAttribute('points').trim().split(/\\s+/).length >= n; }",
            arg=[key, n],
            timeout=30_000,
        )
        return self.points(key)

    def close(self) -> None:
        outside = [
            u
            for u in self.requests
            if not re.match(r"^(https?|wss?)://127\.0\.0\.1[:/]", u)
            and not u.startswith(("data:", "blob:"))
        ]
        self.page.close()
        assert outside == [], f"requests outside localhost: {outside[:5]}"
        assert self.errors == [], self.errors[:5]


@pytest.fixture
def tab(browser, server):
    t = Tab(browser, server)
    yield t
    t.close()


def test_page_loads_offline_with_the_building(tab):
    assert tab.dwellings() == 140  # baseline: 10 floors x 14 dwellings
    assert tab.date() == "Jaar 1, week 1"
    expect(tab.page.locator(".gb-chart")).to_have_count(8)
    assert any("/_solara/cdn/" in u for u in tab.requests)  # the frontend came from the proxy


def test_another_layout_shows_its_dwellings(tab):
    tab.choose(0, "stairwell_block")
    tab.page.wait_for_selector(".gb-pending", timeout=10_000)  # applies on reset, not before
    assert tab.dwellings() == 140
    tab.reset()
    expect(tab.page.locator(".gb-dwelling")).to_have_count(64)  # 2 x 4 stairwells x 4 x 2


def test_step_advances_the_date_and_a_plot(tab):
    before = tab.points("mean_ties")
    tab.step_and_wait()
    assert tab.date() == "Jaar 1, week 2"
    after = tab.wait_points("mean_ties", 2)
    assert after != before and len(after.split()) == 2


def test_switching_the_flatcoach_on_changes_the_view(tab):
    expect(tab.page.locator(".gb-coaches g")).to_have_count(0)
    tab.switch_on("flatcoach", "Uren per week: 16")
    tab.reset()
    tab.step_and_wait()
    expect(tab.page.locator(".gb-coaches g")).to_have_count(1)
    cost = tab.wait_points("cost_eur", 2).split()
    assert float(cost[-1].split(",")[1]) < float(cost[0].split(",")[1])  # cost went up


def test_side_by_side_runs_two_models(tab):
    tab.choose(1, "Zelfde flat zonder maatregelen")
    tab.switch_on("flatcoach", "Uren per week: 16")
    tab.reset()
    expect(tab.page.locator(".gb-building")).to_have_count(2)
    for _ in range(2):
        tab.step_and_wait()
    expect(tab.page.locator(".gb-building[data-day='14']")).to_have_count(2)
    expect(tab.page.locator(".gb-gap")).to_have_count(1)
    expect(tab.page.locator(".gb-chart[data-key='cost_eur'] polyline")).to_have_count(2)


def test_language_switch_changes_labels(tab):
    expect(tab.page.locator("button", has_text="Stap")).to_have_count(1)
    tab.click_button("English")
    expect(tab.page.locator(".gb-date")).to_have_text("Year 1, week 1")
    expect(tab.page.locator("button", has_text="Step")).to_have_count(1)
    expect(tab.page.locator("button", has_text="Who lives here")).to_have_count(1)
    expect(tab.page.locator("text=Wie woont er")).to_have_count(0)


def test_clicking_a_dwelling_opens_its_story(tab):
    tab.step_and_wait()
    occupied = tab.page.locator(".gb-dwelling:not([fill='#F2F2F2'])").first
    occupied.click()
    story = tab.page.locator(".gb-story")
    story.wait_for(timeout=30_000)
    assert "Verhaal van dit huishouden" in story.inner_text()
    assert "Woont hier sinds" in story.inner_text()


def test_play_runs_and_each_tab_has_its_own_model(browser, server, tab):
    other = Tab(browser, server)
    tab.click_button("Afspelen")
    tab.page.wait_for_timeout(3000)
    tab.click_button("Pauze")
    tab.page.wait_for_timeout(500)
    day = int(tab.page.locator(".gb-building").first.get_attribute("data-day"))
    assert day >= 28  # several weekly frames in 3 s
    assert other.date() == "Jaar 1, week 1"  # the other tab's model did not move
    other.close()


def test_a_bad_combination_shows_a_message_and_the_app_goes_on(tab):
    seed = tab.page.locator(".gb-seed input")
    seed.fill("-5")
    seed.press("Enter")
    tab.click_button("Opnieuw beginnen")
    expect(tab.page.locator(".gb-error")).to_contain_text("seed")
    expect(tab.page.locator(".gb-dwelling")).to_have_count(140)  # the old run is still there
    tab.step_and_wait()
    assert tab.date() == "Jaar 1, week 2"
