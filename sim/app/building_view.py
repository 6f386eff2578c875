"""The building as people recognise it: one SVG drawn by a Vue template in the browser from
static geometry (sent once per site and language) and a small per-frame state (a colour
and a hover text per dwelling, two paths for all ties, the marks of what happened since the
last frame, the flatcoach). Clicking a dwelling calls back into Python."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import solara

from sim.app.geometry import Geometry, build_geometry, tie_path
from sim.app.i18n import t
from sim.app.palette import (
    GROUP_COLOURS,
    GROUPS,
    NEGATIVE_TIE,
    POSITIVE_TIE,
    state_colours,
    state_legend,
)
from sim.app.session import Run

_HERE = Path(__file__).parent
_geometry_cache: weakref.WeakKeyDictionary[Run, tuple[tuple, Geometry]] = (
    weakref.WeakKeyDictionary()
)


def geometry_for(run: Run, lang: str) -> Geometry:
    """The run's geometry, rebuilt only when its site (a design edit), the glazed
    galleries or the language change."""
    view = run.view
    key = (id(view.site), lang, view.closed_gallery())
    hit = _geometry_cache.get(run)
    if hit is None or hit[0] != key:
        hit = (key, build_geometry(view.site, lang, key[2]))
        _geometry_cache[run] = hit
    return hit[1]


def frame_state(
    run: Run, geometry: Geometry, colour_by: str, show_ties: bool, lang: str
) -> dict[str, Any]:
    """Everything of one frame that changes: JSON-ready for the Vue component."""
    view = run.view
    occupied = view.occupied
    groups = view.groups()
    if colour_by == "group":
        palette = [GROUP_COLOURS[g] for g in GROUPS]
        colours = [palette[g] for g in groups.tolist()]
    else:
        colours = state_colours(view.state(colour_by), occupied & ~np.isnan(view.state(colour_by)))
    pos_n, _ = view.tie_counts()
    titles = []
    for d in range(view.n_dwellings):
        b, f, p = view.dwelling_place(d)
        where = t("floor_pos", lang, floor=f, pos=p + 1)
        if view.n_buildings() > 1:
            where = f"{t('building_n', lang, n=b + 1)}, {where}"
        who = t(GROUPS[groups[d]], lang)
        titles.append(
            f"{where}: {who}"
            + (f", {int(pos_n[d])} × {t('positive_tie', lang)}" if occupied[d] else "")
        )
    before, now = run.before, run.now
    same = now.household_id == before.household_id
    centre = geometry.centres
    corner = centre + np.array([0.0, -8.0])

    def marks(mask: np.ndarray) -> list[list[float]]:
        return corner[np.flatnonzero(mask & occupied)].round(1).tolist()

    talked = (now.last_talk_day >= before.day) & (now.day > before.day)
    helped = same & (
        (now.help_given > before.help_given) | (now.help_received > before.help_received)
    )
    nuisance = same & (now.nuisance_caused > before.nuisance_caused)
    shift = np.array([12.0, 0.0])
    state: dict[str, Any] = {
        "day": view.day,
        "colours": colours,
        "titles": titles,
        "talked": marks(talked & ~helped & ~nuisance),
        "helped": (corner[np.flatnonzero(helped & occupied)] + shift).round(1).tolist(),
        "nuisance": (corner[np.flatnonzero(nuisance & occupied)] - shift).round(1).tolist(),
        "pos": "",
        "neg": "",
        "pos_colour": POSITIVE_TIE,
        "neg_colour": NEGATIVE_TIE,
        "coaches": [],
    }
    if show_ties:
        (pa, pb), (na, nb) = view.tie_pairs()
        state["pos"], state["neg"] = tie_path(centre, pa, pb), tie_path(centre, na, nb)
    lobbies = geometry.data["doors"]
    for building, present in view.coaches():
        doors = [d for d in lobbies if d["building"] == building]
        door = doors[0] if doors else (lobbies[0] if lobbies else {"x": 0, "y": 0, "w": 0})
        state["coaches"].append(
            {
                "x": door["x"] + door["w"] + 80,
                "y": door["y"] - 4,
                "present": present,
                "label": t("flatcoach_here" if present else "flatcoach_away", lang),
            }
        )
    return state


@solara.component_vue(str(_HERE / "building.vue"))
def BuildingSvg(
    geometry: dict,
    state: dict,
    selected: int = -1,
    max_height: int = 640,
    event_select: Callable[[int], None] | None = None,
) -> None:
    """The Vue template's properties (see building.vue)."""


@solara.component
def Legend(colour_by: str, lang: str, show_ties: bool) -> solara.Element:
    """Colour keys, tie lines and the marks, in large type."""
    with solara.Row(
        style={"flex-wrap": "wrap", "gap": "14px", "font-size": "18px", "align-items": "center"},
        classes=["gb-legend"],
    ) as row:
        if colour_by == "group":
            for g in GROUPS:
                _swatch(GROUP_COLOURS[g], t(g, lang))
        else:
            solara.Text(f"{t(colour_by, lang)}: {t('low', lang)}")
            for c in state_legend():
                _swatch(c, "")
            solara.Text(t("high", lang))
        if show_ties:
            _line(POSITIVE_TIE, "solid", t("positive_tie", lang))
            _line(NEGATIVE_TIE, "dashed", t("negative_tie", lang))
        solara.HTML(
            tag="span",
            unsafe_innerHTML=(
                f"○ {t('talked', lang)} &nbsp; <span style='color:#009E73'>▲</span> "
                f"{t('helped', lang)} &nbsp; <span style='color:#D55E00'>✕</span> "
                f"{t('nuisance', lang)} {t('since_last', lang)}"
            ),
        )
    return row


def _swatch(colour: str, label: str) -> None:
    solara.HTML(
        tag="span",
        unsafe_innerHTML=(
            f"<span style='display:inline-block;width:26px;height:20px;background:{colour};"
            f"border:1px solid #616161;vertical-align:middle'></span> {label}"
        ),
    )


def _line(colour: str, style: str, label: str) -> None:
    solara.HTML(
        tag="span",
        unsafe_innerHTML=(
            f"<span style='display:inline-block;width:34px;border-top:4px {style} {colour};"
            f"vertical-align:middle'></span> {label}"
        ),
    )
