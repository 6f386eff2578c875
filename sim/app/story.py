"""A household's story: who they are, whom they know, and what happened to them week by
week (new and faded ties, help given and received, nuisance, referral), retold from the
run's weekly history as short dated lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.app.i18n import t
from sim.app.session import Run

MAX_EVENTS = 40  # most recent lines shown
QUIET_WEEKS = 12  # weeks without any talk before a "quiet spell" line


@dataclass(frozen=True)
class Story:
    dwelling: int
    heading: str
    lines: list[str]  # who they are, whom they know
    events: list[tuple[str, str]]  # (date, what happened), oldest first
    days: list[int]
    sense_of_home: list[float]
    wellbeing: list[float]


def when(day: int, lang: str) -> str:
    """A simulated day as the page's date, counting 52 weeks to a year (the page steps
    whole weeks; year 1, week 1 is the first week shown)."""
    week = day // 7
    return t("date", lang, year=week // 52 + 1, week=week % 52 + 1)


def _place(run: Run, d: int, lang: str) -> str:
    b, f, p = run.view.dwelling_place(d)
    text = t("floor_pos", lang, floor=f, pos=p + 1)
    return f"{t('building_n', lang, n=b + 1)}, {text}" if run.view.n_buildings() > 1 else text


def household_story(run: Run, dwelling: int, lang: str = "nl") -> Story:
    view = run.view
    d = int(dwelling)
    if not 0 <= d < view.n_dwellings:
        raise ValueError(f"dwelling {d} does not exist (0..{view.n_dwellings - 1})")
    info = view.household(d)
    heading = f"{t('story', lang)}: {_place(run, d, lang)}"
    if not info["occupied"]:
        return Story(d, heading, [t("nobody", lang)], [], [], [], [])
    size = int(info["size"])
    who = (
        "who_connector"
        if info["connector"]
        else "who_motivated"
        if info["good_neighbour"]
        else "who_supported"
        if info["supported"]
        else "who_resident"
    )
    since = int(info["move_in_day"])
    since_text = (
        when(since, lang) if since >= 0 else t("before_start", lang, years=f"{-since / 365:.0f}")
    )
    people = t("persons_1", lang) if size == 1 else t("persons_n", lang, n=size)
    lines = [t(who, lang, size=people), t("lives_since", lang, when=since_text)]
    good, bad = view.partners(d)
    names = [_place(run, p, lang) for p in good[:4]]
    lines.append(t("knows_now", lang, who="; ".join(names)) if names else t("knows_nobody", lang))
    if bad:
        lines.append(t("avoids_now", lang, who="; ".join(_place(run, p, lang) for p in bad[:3])))
    days, rows = run.history.of(d, int(info["household_id"]))
    events: list[tuple[str, str]] = []
    if since >= 0 and days:
        events.append((when(since, lang), t("ev_moved_in", lang)))
    quiet_from = None
    for k in range(1, len(rows)):
        a, b, day = rows[k - 1], rows[k], days[k]
        date = when(day, lang)
        if b["pos"] > a["pos"]:
            events.append((date, t("ev_new_tie", lang, n=b["pos"])))
        elif b["pos"] < a["pos"]:
            events.append((date, t("ev_lost_tie", lang, n=b["pos"])))
        if b["neg"] > a["neg"]:
            events.append((date, t("ev_new_avoid", lang)))
        for col, key in (
            ("help_given", "ev_helped"),
            ("help_received", "ev_was_helped"),
            ("nuisance_caused", "ev_nuisance"),
        ):
            if b[col] > a[col]:
                events.append((date, t(key, lang, n=b[col] - a[col])))
        if b["referred"] and not a["referred"]:
            events.append((date, t("ev_referred", lang)))
        if day - b["last_talk_day"] >= QUIET_WEEKS * 7:
            if quiet_from is None:
                quiet_from = day
                events.append((date, t("ev_quiet", lang)))
        else:
            quiet_from = None
    return Story(
        d,
        heading,
        lines,
        events[-MAX_EVENTS:],
        days,
        [float(r["sense_of_home"]) for r in rows],
        [float(r["wellbeing"]) for r in rows],
    )


def story_chart_series(story: Story, lang: str) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    days = np.asarray(story.days, float)
    return [
        (t("sense_of_home", lang), "#0072B2", days, np.asarray(story.sense_of_home) * 100),
        (t("wellbeing", lang), "#D55E00", days, np.asarray(story.wellbeing) * 100),
    ]
