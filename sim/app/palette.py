"""Colours of the app: Okabe–Ito for categories (safe for the common colour-vision
deficiencies, and distinct on a washed-out projector), cividis for states (low → high reads
as dark → light for everyone, also in greyscale)."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps

GROUPS = ("resident", "supported", "motivated", "connector", "vacant")
GROUP_COLOURS = {
    "resident": "#56B4E9",  # sky blue
    "supported": "#E69F00",  # orange
    "motivated": "#009E73",  # bluish green
    "connector": "#CC79A7",  # reddish purple
    "vacant": "#F2F2F2",  # near white
}
POSITIVE_TIE = "#0072B2"  # blue, solid line
NEGATIVE_TIE = "#D55E00"  # vermillion, dashed line
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")  # left run, right run, ...
_CIVIDIS = colormaps["cividis"]
STATE_STEPS = 5  # legend steps of a state scale


def state_colours(values: np.ndarray, occupied: np.ndarray) -> list[str]:
    """Hex colour per dwelling for states in 0..1 (vacant dwellings near white)."""
    v = np.clip(np.nan_to_num(np.asarray(values, float), nan=0.0), 0.0, 1.0)
    rgb = (_CIVIDIS(v)[:, :3] * 255).round().astype(int)
    out = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.tolist()]
    vacant = GROUP_COLOURS["vacant"]
    return [c if o else vacant for c, o in zip(out, np.asarray(occupied).tolist())]


def state_legend() -> list[str]:
    """Colours of the legend's steps, low to high."""
    return state_colours(np.linspace(0.0, 1.0, STATE_STEPS), np.ones(STATE_STEPS, bool))
