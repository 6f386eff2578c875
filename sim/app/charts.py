"""Time series panels as small SVG line charts drawn in the browser: Python scales the
points (a few hundred per line), the Vue template only draws them, so a frame costs a
few kilobytes and no image encoding."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import solara

from sim.app.i18n import t

_HERE = Path(__file__).parent
CHARTS = (
    "mean_ties",
    "weekly_contact",
    "help_given",
    "nuisance_episodes",
    "sense_of_home",
    "recovery",
    "referred",
    "cost_eur",
)
_TITLE = {"sense_of_home": "sense_of_home_chart", "recovery": "recovery_chart"}
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 420, 190, 64, 24, 10


def _nice(lo: float, hi: float) -> tuple[float, float, float]:
    """Axis range and tick step around [lo, hi] (three to five ticks)."""
    if not np.isfinite(lo) or not np.isfinite(hi):
        lo, hi = 0.0, 1.0
    if hi - lo < 1e-9:
        hi = lo + (abs(lo) * 0.1 or 1.0)
    raw = (hi - lo) / 4
    mag = 10 ** np.floor(np.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    return np.floor(lo / step) * step, np.ceil(hi / step) * step, step


def _label(v: float) -> str:
    if abs(v) >= 10_000:
        return f"{v / 1000:.0f}k"
    if abs(v) >= 10 or v == int(v):
        return f"{v:.0f}"
    return f"{v:.1f}" if abs(v) >= 1 else f"{v:.2f}"


def chart_data(
    key: str,
    title: str,
    series: Sequence[tuple[str, str, np.ndarray, np.ndarray]],
    zero_line: bool = False,
) -> dict:
    """Scaled polylines of (name, colour, days, values) series, with ticks in years."""
    days = [np.asarray(d, float) for _, _, d, _ in series]
    vals = [np.asarray(v, float) for _, _, _, v in series]
    finite = np.concatenate([v[np.isfinite(v)] for v in vals] + [np.zeros(0)])
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if zero_line or lo >= 0:
        lo = min(lo, 0.0)
    y0, y1, ystep = _nice(lo, hi)
    x_end = max([float(d.max()) for d in days if len(d)] + [365.0])
    years = max(1, int(np.ceil(x_end / 365)))
    x_end = years * 365.0

    def sx(d: np.ndarray) -> np.ndarray:
        return LEFT + d / x_end * (WIDTH - LEFT - 8)

    def sy(v: np.ndarray) -> np.ndarray:
        return TOP + (y1 - v) / (y1 - y0) * (HEIGHT - TOP - BOTTOM)

    out = []
    for (name, colour, _, _), d, v in zip(series, days, vals):
        ok = np.isfinite(v)
        pts = np.column_stack([sx(d[ok]), sy(v[ok])]).round(1)
        out.append(
            {
                "name": name,
                "colour": colour,
                "points": " ".join(f"{x},{y}" for x, y in pts.tolist()),
            }
        )
    every = max(1, years // 5)
    return {
        "key": key,
        "title": title,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "series": out,
        "yticks": [
            {"y": round(float(sy(np.float64(v))), 1), "label": _label(float(v))}
            for v in np.arange(y0, y1 + ystep / 2, ystep)
        ],
        "xticks": [
            {"x": round(float(sx(np.float64(y * 365.0))), 1), "label": str(y)}
            for y in range(0, years + 1, every)
        ],
        "zero": round(float(sy(np.float64(0.0))), 1) if zero_line and y0 < 0 < y1 else None,
    }


def chart_title(key: str, lang: str) -> str:
    return t(_TITLE.get(key, key), lang)


@solara.component_vue(str(_HERE / "linechart.vue"))
def LineChart(chart: dict) -> None:
    """The Vue template's properties (see linechart.vue)."""
