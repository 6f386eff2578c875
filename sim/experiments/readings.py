"""Outcome readings: one number per (window, group, outcome) from a run's weekly series.

A window is a span of simulated years: `last_year` (the default reading: a garden group
that runs April-September counts, a single week in December would not), `year_<t>` (the
year ending at t) and `all_years` (the whole horizon). States and shares are the mean of
the weekly collections in the window; events (help, nuisance, evictions, cost) are a rate
per year over it, whether the series counts them per period or cumulatively.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.outcomes import CUMULATIVE_COLUMNS, EVENT_COLUMNS, OUTCOME_DESCRIPTIONS

# outcomes computed from others: name -> (column, multiplied by households)
DERIVED = {
    "households_with_tie": "ties_ge1",
    "households_referred": "referred",
    "households_lonely": "lonely",
}
KNOWN_OUTCOMES = {*OUTCOME_DESCRIPTIONS, *DERIVED, "cost_keur"}
RATES = {*EVENT_COLUMNS, *CUMULATIVE_COLUMNS, "cost_keur"}


def windows(years: float, at_years: list[float]) -> dict[str, tuple[float, float]]:
    """Window name -> (start, end) in years, (start, end] read; day 0 is the start state."""
    out = {"last_year": (years - 1.0, years)}
    for t in at_years:
        out[f"year_{t:g}"] = (t - 1.0, t)
    out["all_years"] = (0.0, years)
    return {k: (max(a, 0.0), b) for k, (a, b) in out.items()}


def _window_rows(ts: pd.DataFrame, start: float, end: float) -> tuple[pd.DataFrame, float, int]:
    """The rows in (start, end] years, the years they cover, and the day before them."""
    day = ts["day"].to_numpy()
    lo, hi = start * 365.0, end * 365.0 + 1e-6
    before = day[day <= lo]
    prev = int(before.max()) if len(before) else 0
    inside = ts[(day > lo) & (day <= hi)]
    last = int(inside["day"].max()) if len(inside) else prev
    return inside, max(last - prev, 1) / 365.0, prev


def read_run(
    ts: pd.DataFrame, names: list[str], groups: list[str], wins: dict[str, tuple[float, float]]
) -> pd.DataFrame:
    """Tidy readings of one run: columns window, group, outcome, value."""
    ts = ts[ts["building"] == "all"] if "building" in ts else ts
    rows = []
    for group in groups:
        g = ts[ts["group"] == group].sort_values("day")
        if g.empty:
            continue
        for wname, (start, end) in wins.items():
            inside, span, prev = _window_rows(g, start, end)
            if inside.empty:
                continue
            at_prev = g[g["day"] == prev]
            for name in names:
                value = _reading(name, inside, at_prev, span)
                if value is not None and np.isfinite(value):
                    rows.append((wname, group, name, float(value)))
    return pd.DataFrame(rows, columns=["window", "group", "outcome", "value"])


def _reading(name: str, inside: pd.DataFrame, at_prev: pd.DataFrame, span: float) -> float | None:
    if name in DERIVED:
        col = DERIVED[name]
        return float((inside[col] * inside["households"]).mean())
    if name == "cost_keur":
        eur = _reading("cost_eur", inside, at_prev, span)
        return None if eur is None else eur / 1000.0
    if name not in inside:
        return None
    col = inside[name].astype(float)
    if col.isna().all():
        return None
    if name in CUMULATIVE_COLUMNS:
        start = 0.0 if at_prev.empty else float(at_prev[name].iloc[0])
        return (float(col.iloc[-1]) - start) / span
    if name in EVENT_COLUMNS:
        return float(col.sum()) / span
    return float(col.mean())
