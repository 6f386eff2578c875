"""The policy report (sim/report/): on a small sweep it has every section and figure, is
self-contained, speaks in labels rather than code names, in English and Dutch, and its
intervals suit counts (never below zero) and small samples."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim.experiments import load, load_experiment, sweep
from sim.report import build_report, stats
from sim.report.labels import OUTCOMES, outcome

SMALL = """
name = "small"
title = "A small test"
title_nl = "Een kleine test"
seeds = 3
years = 1
[overrides]
"run.burn_in_years" = 0.1
[outcomes]
at_years = [0.5]
[[arms]]
name = "problem_flat"
scenario = "problem_flat"
reference = true
label = "no intervention"
label_nl = "geen interventie"
[[arms]]
name = "flatcoach"
scenario = "flatcoach"
label = "a flatcoach 16 hours a week"
label_nl = "een flatcoach 16 uur per week"
"""

MORRIS = """
name = "screen"
seeds = 1
years = 0.5
[overrides]
"run.burn_in_years" = 0.1
[[arms]]
name = "problem_flat"
scenario = "problem_flat"
reference = true
[uncertainties]
design = "morris"
trajectories = 3
levels = 4
[uncertainties.factors."contact.talk_base"]
low = 0.02
high = 0.2
[uncertainties.factors."help.ask_tie_min"]
low = 0.3
high = 0.9
"""

SECTIONS = [
    "headlines",
    "trajectories",
    "effects",
    "costs",
    "tradeoffs",
    "sensitivity",
    "how-to-read",
    "assumptions",
    "left-out",
    "runs",
]


def _sweep(tmp_path_factory, text: str, name: str) -> Path:
    d = tmp_path_factory.mktemp(name)
    (d / "exp.toml").write_text(text)
    out = d / "results"
    summary = sweep(load_experiment(d / "exp.toml"), out, workers=1)
    assert not summary.failed
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, str]:
    out = _sweep(tmp_path_factory, SMALL, "small")
    report = build_report(out)
    return out, report.read_text()


def _visible(page: str) -> str:
    """The page's text without the experiment file (shown as written) and images."""
    page = re.sub(r"<pre>.*?</pre>", "", page, flags=re.DOTALL)
    page = re.sub(r'src="data:[^"]+"', "", page)
    return re.sub(r"<[^>]+>", " ", page)


def test_the_report_has_every_section_and_figure(small):
    out, page = small
    for section in SECTIONS:
        assert f'id="{section}"' in page, section
    for fig in ("trajectories", "trajectories_by_arm", "effects", "cost_per_unit", "tradeoffs"):
        assert (out / "figures" / f"{fig}.png").stat().st_size > 10_000
        assert f'alt="{fig}"' in page
    # self-contained: every image is embedded, nothing is fetched
    assert page.count('src="data:image/png;base64,') >= 5
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_headlines_come_in_english_and_dutch_with_intervals(small):
    _, page = small
    text = _visible(page)
    assert "With a flatcoach 16 hours a week" in text
    assert "Met een flatcoach 16 uur per week" in text
    assert "supported newcomers" in text and "begeleide nieuwkomers" in text
    head = text[text.index("Headlines") : text.index("Over the years")]
    assert re.search(r"\d+% \(-?\+?\d+(–| to )-?\+?\d+%\)", head), head


def test_the_report_uses_labels_not_code_names(small):
    _, page = small
    text = _visible(page)
    for code in (
        "ties_ge1",
        "ties_ge3",
        "nuisance_exposed",
        "weekly_contact",
        "cost_keur",
        "households_with_tie",
        "overburdened",
    ):
        assert code not in text, code


def test_costs_are_in_thousands_of_euros_a_year(small):
    out, page = small
    assert "thousand € a year" in page
    res = load(out)
    cost = res.outcomes[
        (res.outcomes["outcome"] == "cost_keur")
        & (res.outcomes["arm"] == "flatcoach")
        & (res.outcomes["window"] == "all_years")
    ]["value"]
    # 16 hours a week at a professional's hourly rate: tens of thousands a year, not millions
    assert 10 < cost.mean() < 200


def test_a_sensitivity_sweep_reports_morris_indices(tmp_path_factory):
    out = _sweep(tmp_path_factory, MORRIS, "morris")
    assert len(load(out).runs) == 3 * (2 + 1)
    page = build_report(out).read_text()
    assert (out / "figures" / "sensitivity.png").exists()
    assert "μ*" in page and "Which assumptions matter" in page


def test_count_intervals_never_go_below_zero():
    # rare events: most seeds see none
    m, lo, hi = stats.level_interval(np.array([0, 0, 1, 0, 0]), "rate")
    assert 0 <= lo < m < hi
    plain = m - 2.78 * np.std([0, 0, 1, 0, 0], ddof=1) / np.sqrt(5)
    assert plain < 0  # what a t interval would have said
    m, lo, hi = stats.level_interval(np.zeros(4), "rate")
    assert (m, lo) == (0.0, 0.0) and hi > 0
    # a share near zero with a spread that a plain t interval would carry below zero
    m, lo, hi = stats.level_interval(np.array([0.0, 0.0, 0.05]), "share")
    assert lo == 0.0 and 0 < hi <= 1


def test_a_paired_effect_uses_the_pairing():
    ref = np.array([0.2, 0.5, 0.8, 0.3])
    arm = ref + np.array([0.05, 0.06, 0.04, 0.05])  # the same small gain on every seed
    e, lo, _ = stats.paired_effect(arm, ref)
    assert lo > 0 and abs(e - 0.05) < 1e-9


def test_cost_per_unit_has_no_upper_bound_when_the_effect_may_be_nil():
    cost = np.full(5, 50_000.0)
    c = stats.cost_per_unit(cost, np.zeros(5), np.array([3.0, -2, 4, -1, 0.5]), np.zeros(5))
    assert not c["bounded"] and c["high"] == np.inf
    c = stats.cost_per_unit(cost, np.zeros(5), np.array([9.0, 10, 11, 10, 10]), np.zeros(5))
    assert c["bounded"] and c["low"] < 5000 < c["high"]


def test_every_default_outcome_has_a_label():
    from sim.experiments.spec import DEFAULT_OUTCOMES

    for name in DEFAULT_OUTCOMES:
        assert name in OUTCOMES
        assert "_" not in outcome(name).en
