"""Static drawing geometry of a site, computed once per site (and language) and sent to the
browser once: dwellings as rectangles on their floor, galleries/landings under them, stairs,
lifts, the entrance area and the outdoor spaces. Only colours and lines change per frame.

Coordinates follow the layout generators' drawing convention (x in dwelling widths along the
facade, y = floor, outdoor spaces below y = -2), flipped and scaled to SVG user units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.app.i18n import t
from sim.building.site import NODE_KINDS

S = 40.0  # SVG user units per dwelling width and per floor
DW_HALF = 0.44  # half width of a dwelling with its own front door
DW_HALF_SHARED = 0.36  # ... of dwellings sharing a landing (leaves room for the stairwell)
DW_TOP, DW_BOTTOM = 0.95, 0.2  # dwelling box within its floor (floor = 0..1)
_PLACE_KINDS = ("playground", "dog_field", "park", "shops", "community_centre", "garden")
_ROOM_KINDS = ("laundry", "hobby_room")
_SMALL = {"mailbox": "mailbox", "bins": "bins", "bike_storage": "bike_storage"}
_PLACE_LABEL = {
    "garden": "garden_place",
    "laundry": "laundry_place",
    "hobby_room": "hobby_room_place",
}


@dataclass(frozen=True)
class Geometry:
    """What the building view draws that does not change between frames."""

    n_dwellings: int
    centres: np.ndarray  # (n, 2) SVG coordinates of each dwelling's centre
    data: dict[str, Any]  # JSON-ready geometry for the Vue component


def dwelling_x(site: Any) -> tuple[np.ndarray, np.ndarray]:
    """x (dwelling widths) of each dwelling and its half width: dwellings sharing a front
    door node (a stairwell landing) are spread around it in order of position."""
    door = np.asarray(site.dwelling_node)
    pos = np.asarray(site.dwelling_position)
    door_x = np.asarray(site.node_xy)[door, 0]
    x = door_x.astype(float).copy()
    half = np.full(len(door), DW_HALF)
    order = np.lexsort((pos, door))
    sorted_door = door[order]
    starts = np.flatnonzero(np.r_[True, sorted_door[1:] != sorted_door[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for s, e in zip(starts.tolist(), ends.tolist()):
        k = e - s
        if k > 1:
            idx = order[s:e]
            x[idx] = door_x[idx] + (np.arange(k) - (k - 1) / 2.0)
            half[idx] = DW_HALF_SHARED
    return x, half


ROW_WIDTH = 60.0  # dwelling widths: a wider site is drawn in rows of buildings
ROW_GAP = 3.0  # floors between a row's ground floor and the top of the row below


def _layout_rows(
    site: Any, dx: np.ndarray, half: np.ndarray
) -> tuple[dict[int, tuple[float, float]], list[tuple[float, float, float]], np.ndarray]:
    """An (x, y) offset per building that lays a wide site out in rows of buildings (a
    district would otherwise be a thin strip), the rows as (y offset, x from, x to), and
    each node's building (streets count for the building they front). A site narrower than
    ROW_WIDTH keeps its own layout."""
    xy = np.asarray(site.node_xy, float)
    nb = np.asarray(site.node_building).copy()
    for i, extra in site.node_extra.items():
        if nb[i] < 0 and "front_of" in extra:
            nb[i] = int(extra["front_of"])
    db = np.asarray(site.dwelling_building)
    floor = np.asarray(site.dwelling_floor, float)
    buildings = sorted(set(db.tolist()))
    lo, hi, top = {}, {}, {}
    for b in buildings:
        xs = np.r_[dx[db == b] - half[db == b], dx[db == b] + half[db == b], xy[nb == b, 0]]
        lo[b], hi[b], top[b] = float(xs.min()), float(xs.max()), float(floor[db == b].max())
    if max(hi.values()) - min(lo.values()) <= ROW_WIDTH:
        return ({b: (0.0, 0.0) for b in buildings}, [(0.0, min(lo.values()), max(hi.values()))], nb)
    groups: list[list[int]] = [[]]
    width = 0.0
    for b in buildings:
        w = hi[b] - lo[b] + 2.0
        if groups[-1] and width + w > ROW_WIDTH:
            groups.append([])
            width = 0.0
        groups[-1].append(b)
        width += w
    off: dict[int, tuple[float, float]] = {}
    rows = []
    oy = 0.0
    for k, group in enumerate(groups):
        if k:
            oy -= max(top[b] for b in group) + 1.0 + ROW_GAP
        x = 0.0
        for b in group:
            off[b] = (x - lo[b], oy)
            x += hi[b] - lo[b] + 2.0
        rows.append((oy, 0.0, x - 2.0))
    return off, rows, nb


def build_geometry(
    site: Any, lang: str = "nl", closed_gallery: frozenset[int] = frozenset()
) -> Geometry:
    """Geometry of `site` with labels in `lang`; galleries of the buildings in
    `closed_gallery` are drawn glazed."""
    kinds = [NODE_KINDS[k] for k in np.asarray(site.node_kind).tolist()]
    dx, half = dwelling_x(site)
    off, rows, nb = _layout_rows(site, dx, half)
    db = np.asarray(site.dwelling_building)
    xy = np.asarray(site.node_xy, float).copy()
    nf = np.asarray(site.node_floor, float).copy()
    bottom_oy = rows[-1][0]
    for i in range(len(xy)):
        ox, oy = off.get(int(nb[i]), (0.0, bottom_oy))  # outdoor spaces under the last row
        xy[i, 0] += ox
        xy[i, 1] += oy
        nf[i] += oy
    dw_off = np.array([off[int(b)] for b in db.tolist()])
    dx = dx + dw_off[:, 0]
    floor = np.asarray(site.dwelling_floor, float) + dw_off[:, 1]
    top_floor = float(max(floor.max(), xy[:, 1].max() - 1.0)) + 1.0
    y_top = top_floor + 0.6

    def X(v: float) -> float:
        return round(float(v) * S, 1)

    def Y(v: float) -> float:
        return round((y_top - float(v)) * S, 1)

    dwellings = [
        [X(x - h), Y(f + DW_TOP), X(2 * h), round((DW_TOP - DW_BOTTOM) * S, 1)]
        for x, h, f in zip(dx.tolist(), half.tolist(), floor.tolist())
    ]
    centres = np.column_stack([dx * S, (y_top - floor - (DW_TOP + DW_BOTTOM) / 2) * S])

    strips, stairs, lifts, small, places, doors = [], [], [], [], [], []
    top_of_building: dict[int, float] = {}
    for b, f in zip(db.tolist(), floor.tolist()):
        top_of_building[b] = max(top_of_building.get(b, -1e9), f)
    for i, kind in enumerate(kinds):
        x, y, b = xy[i, 0], xy[i, 1], int(nb[i])
        if kind in ("gallery", "corridor", "sidewalk"):
            glazed = b in closed_gallery and kind == "gallery"
            strips.append(
                {
                    "x": X(x - 0.5),
                    "y": Y(y + 0.17),
                    "w": X(1.0),
                    "h": 0.12 * S,
                    "kind": "glazed" if glazed else kind,
                }
            )
        elif kind == "landing":
            stairs.append({"x": X(x - 0.13), "y": Y(y + 1.0), "w": X(0.26), "h": S})
        elif kind == "stairs":
            stairs.append({"x": X(x - 0.25), "y": Y(nf[i] + 1.0), "w": X(0.5), "h": S})
        elif kind == "lift":
            base = off.get(b, (0.0, 0.0))[1]
            top = top_of_building.get(b, base) + 1.0
            lifts.append(
                {"x": X(x - 0.13), "y": Y(top), "w": X(0.26), "h": round((top - base) * S, 1)}
            )
        elif kind == "entrance":
            doors.append(
                {
                    "x": X(x - 0.2),
                    "y": Y(y + 0.35),
                    "w": X(0.4),
                    "h": 0.35 * S,
                    "label": t("entrance", lang),
                    "building": b,
                }
            )
        elif kind in _SMALL:
            small.append(
                {
                    "x": X(x - 0.14),
                    "y": Y(y + 0.14),
                    "w": X(0.28),
                    "h": 0.28 * S,
                    "kind": kind,
                    "label": t(_SMALL[kind], lang),
                }
            )
        elif kind in _PLACE_KINDS or kind in _ROOM_KINDS:
            w = 1.9 if kind in _PLACE_KINDS and kind != "garden" else 1.0
            label = t(_PLACE_LABEL.get(kind, kind), lang)
            fs = round(min(0.4 * S, 0.95 * w * S / (0.55 * max(len(label), 1))), 1)
            places.append(
                {
                    "x": X(x - w / 2),
                    "y": Y(y + 0.3),
                    "w": X(w),
                    "h": 0.6 * S,
                    "cx": X(x),
                    "cy": Y(y - 0.14),
                    "kind": kind,
                    "label": label,
                    "fs": fs,
                }
            )  # long labels shrink to fit their box
    lobbies = [
        {"x": X(xy[i, 0] - 0.6), "y": Y(xy[i, 1] + 0.5), "w": X(1.2), "h": 0.75 * S}
        for i, k in enumerate(kinds)
        if k == "lobby"
    ]
    xs = np.r_[dx - 1.0, dx + 1.0, xy[:, 0] - 1.0, xy[:, 0] + 1.0]
    x_min, x_max = float(xs.min()), float(xs.max())
    y_bottom = float(min(xy[:, 1].min(), bottom_oy - 1.0)) - 0.7
    streets = [
        {
            "x": X(x_min),
            "y": Y(oy - 1.35),
            "w": X(x_max - x_min),
            "h": 0.3 * S,
            "label": t("street", lang),
            "lx": X(x_min + 0.2),
            "ly": Y(oy - 1.62),
        }
        for oy, _, _ in rows
    ]
    buildings = []
    for b in sorted(top_of_building):
        mask = db == b
        bx0 = float((dx[mask] - half[mask]).min())
        buildings.append(
            {
                "label": t("building_n", lang, n=b + 1),
                "x": X(bx0),
                "y": Y(top_of_building[b] + 1.25),
            }
        )
    data = {
        "viewbox": f"{X(x_min)} 0 {X(x_max - x_min)} {Y(y_bottom)}",
        "dwellings": dwellings,
        "strips": strips,
        "stairs": stairs,
        "lifts": lifts,
        "small": small,
        "places": places,
        "doors": doors,
        "lobbies": lobbies,
        "streets": streets,
        "buildings": buildings if len(buildings) > 1 else [],
        "door_labels": len(doors) <= 2,
        "font": round(0.4 * S, 1),
        "mark": round(0.11 * S, 1),
    }
    return Geometry(n_dwellings=len(dwellings), centres=centres, data=data)


def tie_path(centres: np.ndarray, a: np.ndarray, b: np.ndarray) -> str:
    """One SVG path of gently curved lines between dwelling centres a[k] and b[k] (one path
    element for all ties keeps a frame small, whatever the number of ties)."""
    if len(a) == 0:
        return ""
    p, q = centres[a], centres[b]
    mid = (p + q) / 2.0
    d = q - p
    length = np.hypot(d[:, 0], d[:, 1]) + 1e-9
    bend = 0.2 * length
    normal = np.column_stack([-d[:, 1], d[:, 0]]) / length[:, None]
    normal[normal[:, 1] > 0] *= -1.0  # every arc bulges upwards: arches, not waves
    ctrl = mid + normal * bend[:, None]
    parts = np.column_stack([p, ctrl, q]).round(1)
    return " ".join(f"M{r[0]} {r[1]}Q{r[2]} {r[3]} {r[4]} {r[5]}" for r in parts.tolist())
