"""Layout generators: one function per building type, each returning an `nx.Graph`.

Each generator is written as a builder that appends its building to a `Plan` (columns, no
networkx); `build_site` calls the builders (`LAYOUTS[name].build`) so a district of
hundreds of buildings never holds networkx graphs, and the public functions wrap the same
builder to return the building on its own as an `nx.Graph`.

Nodes are the places where residents can run into each other; dwellings are not nodes
but hang off the circulation node their front door opens onto (`graph.graph["dwellings"]`).
Edge `length` is in metres and only has to make shortest paths realistic (who walks
where), so the numbers below are rough but chosen to avoid ties.

Drawing coordinates `xy`: x in dwelling widths along the facade (offset `x0`), y = floor
(ground floor 0; lobby/entrance/street slightly below 0; outdoor spaces below y=-2).

Graph-level attributes of the returned graphs (`build_site` gets the last two from the
builder's return value):
  dwellings     list of {building, floor, position, door_node, circulation}
  street_access {entrance node: metres to the street node in front of the building}
  street_x      drawing x of that street node
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from numbers import Real

import networkx as nx

from .plan import Plan

DWELLING_WIDTH = 6.0  # m of gallery/corridor/sidewalk per dwelling
STAIRS_PER_FLOOR = 15.0  # m-equivalent effort of one flight of stairs
LIFT_BOARDING = 10.0  # m-equivalent of waiting for and boarding the lift (per trip)
LIFT_PER_FLOOR = 8.0  # m-equivalent per floor travelled in the lift
# One lift node serves all floors, so the cost of a lift ride f -> 0 is the sum of the
# two edges: LIFT_BOARDING + LIFT_PER_FLOOR * f. With stairs at 15/floor this makes
# floors 0-1 take the stairs (15 < 18) and floors >= 2 the lift (26 < 30).
# Limitation: a ride between two upper floors f, g costs 10 + 8 (f + g), not 8 |f - g|;
# fine while every destination is on the ground floor.
CORE_LINK = 3.0  # m from a gallery/corridor segment to the core
FRONT_PATH = 5.0  # m from an entrance to the street in front of the building

CORES = ("both_ends", "one_end", "middle")


Access = tuple[dict[str, float], float]
"""What a builder returns: {entrance node: metres to the street}, street drawing x."""


def _layout(build: Callable[..., Access]) -> Callable[..., nx.Graph]:
    """Public generator for the builder `build(plan, b, ...)`: the same arguments without
    the plan, returning the building alone as an `nx.Graph`. The builder stays reachable
    as `.build`, for `build_site`, which writes every building into one Plan."""

    @functools.wraps(build)
    def generator(b: int, *args: object, **kwargs: object) -> nx.Graph:
        plan = Plan(layout=build.__name__, building=b)
        access, street_x = build(plan, b, *args, **kwargs)
        g = plan.to_nx()
        g.graph["street_access"] = access
        g.graph["street_x"] = street_x
        return g

    params = list(inspect.signature(build).parameters.values())[1:]
    generator.__signature__ = inspect.Signature(params, return_annotation="nx.Graph")
    generator.build = build
    return generator


def _check_count(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def _check_common(b: object, x0: object) -> None:
    _check_count("b (building index)", b, 0)
    if isinstance(x0, bool) or not isinstance(x0, Real) or not math.isfinite(x0):
        raise ValueError(f"x0 must be a finite number, got {x0!r}")


def _lift_edge(floor: int) -> float:
    """Edge from a floor's core point to the (single) lift node; see constants above."""
    return LIFT_BOARDING / 2 + LIFT_PER_FLOOR * floor


def _add(g: Plan, node: str, kind: str, b: int, floor: int, x: float, y: float) -> str:
    return g.add_node(node, kind, b, floor, (float(x), float(y)))


def _street_access(g: Plan, entrances: list[str], street_x: float) -> Access:
    """Entrance -> street lengths as straight lines, so no detour along the facade ties."""
    access = {}
    for e in entrances:
        dx = (g.xy(e)[0] - street_x) * DWELLING_WIDTH
        access[e] = math.hypot(dx, FRONT_PATH)
    return access, float(street_x)


def _lobby_block(g: Plan, b: int, x: float, bike: bool = True) -> tuple[str, str]:
    """Entrance hall with mailbox wall, bins, bike storage and the front door area."""
    lobby = _add(g, f"b{b}:lobby", "lobby", b, 0, x, -0.5)
    mailbox = _add(g, f"b{b}:mailbox", "mailbox", b, 0, x - 0.3, -0.8)
    g.add_edge(lobby, mailbox, length=2.0)
    bins = _add(g, f"b{b}:bins", "bins", b, 0, x + 0.6, -0.8)
    g.add_edge(lobby, bins, length=8.0)
    if bike:
        bike_node = _add(g, f"b{b}:bike_storage", "bike_storage", b, 0, x + 0.3, -0.8)
        g.add_edge(lobby, bike_node, length=5.0)
    entrance = _add(g, f"b{b}:entrance", "entrance", b, 0, x, -1.0)
    g.add_edge(lobby, entrance, length=3.0)
    return lobby, entrance


@_layout
def gallery_flat(
    g: Plan,
    b: int,
    floors: int = 10,
    dwellings_per_floor: int = 14,
    cores: str = "both_ends",
    lifts: bool = True,
    x0: float = 0.0,
) -> Access:
    """Galerijflat (Overvecht slab): an open gallery per floor, vertical core(s), one lobby.

    Everyone on a floor shares the gallery towards their core, and everyone in a core
    shares its stairs foot (and lift): that is where gallery neighbours meet.
    """
    _check_common(b, x0)
    _check_count("floors", floors)
    _check_count("dwellings_per_floor", dwellings_per_floor)
    if cores not in CORES:
        raise ValueError(f"cores must be one of {CORES}, got {cores!r}")
    if not isinstance(lifts, bool):
        raise ValueError(f"lifts must be True or False, got {lifts!r}")  # noqa: TRY004 (scenario errors are ValueErrors)

    n = dwellings_per_floor
    for f in range(floors):
        prev = None
        circulation = f"b{b}:gallery:f{f}"
        for i in range(n):
            seg = _add(g, f"b{b}:gallery:f{f}:{i}", "gallery", b, f, x0 + i, f)
            if prev is not None:
                g.add_edge(prev, seg, length=DWELLING_WIDTH)
            prev = seg
            g.add_dwelling(b, f, i, seg, circulation)

    # core: (drawing x, gallery segments it attaches to, metres to each)
    mid = (n - 1) // 2
    left = (x0 - 1.0, [0], CORE_LINK)
    right = (x0 + n, [n - 1], CORE_LINK)
    middle = (x0 + mid + 0.5, [mid, mid + 1] if n > 1 else [mid], 4.0)  # 4+4 > 6: no tie
    core_specs = {"both_ends": [left, right], "one_end": [left], "middle": [middle]}[cores]
    lobby_x = x0 - 1.0 if cores == "one_end" else x0 + (n - 1) / 2

    lobby, entrance = _lobby_block(g, b, lobby_x)
    for c, (cx, segs, link) in enumerate(core_specs):
        lift = None
        if lifts:
            lift = _add(g, f"b{b}:lift:c{c}", "lift", b, 0, cx + 0.35, (floors - 1) / 2)
        below = None
        for f in range(floors):
            st = _add(g, f"b{b}:stairs:c{c}:f{f}", "stairs", b, f, cx, f)
            for s in segs:
                g.add_edge(st, f"b{b}:gallery:f{f}:{s}", length=link)
            if below is not None:
                g.add_edge(below, st, length=STAIRS_PER_FLOOR)
            if lift is not None:
                g.add_edge(st, lift, length=_lift_edge(f))
            below = st
        # ground-floor passage from the foot of the core to the lobby
        passage = max(abs(cx - lobby_x) * DWELLING_WIDTH, CORE_LINK)
        g.add_edge(f"b{b}:stairs:c{c}:f0", lobby, length=passage)

    return _street_access(g, [entrance], lobby_x)


@_layout
def stairwell_block(
    g: Plan,
    b: int,
    stairwells: int = 4,
    floors: int = 4,
    dwellings_per_landing: int = 2,
    x0: float = 0.0,
) -> Access:
    """Portiekflat: each stairwell has its own landings, hall, mailboxes and front door.

    Residents of different stairwells share no indoor space; they only meet outside,
    along the front of the building (entrances are chained) or in the street.
    """
    _check_common(b, x0)
    _check_count("stairwells", stairwells)
    _check_count("floors", floors)
    _check_count("dwellings_per_landing", dwellings_per_landing)

    k = dwellings_per_landing
    entrances = []
    for s in range(stairwells):
        lx = x0 + s * k + (k - 1) / 2
        below = None
        for f in range(floors):
            landing = _add(g, f"b{b}:landing:s{s}:f{f}", "landing", b, f, lx, f)
            if below is not None:
                g.add_edge(below, landing, length=STAIRS_PER_FLOOR)
            below = landing
            for i in range(k):
                g.add_dwelling(b, f, s * k + i, landing, f"b{b}:landing:s{s}:f{f}")
        lobby = _add(g, f"b{b}:lobby:s{s}", "lobby", b, 0, lx, -0.5)
        g.add_edge(f"b{b}:landing:s{s}:f0", lobby, length=3.0)
        mailbox = _add(g, f"b{b}:mailbox:s{s}", "mailbox", b, 0, lx - 0.3, -0.8)
        g.add_edge(lobby, mailbox, length=1.0)
        entrance = _add(g, f"b{b}:entrance:s{s}", "entrance", b, 0, lx, -1.0)
        g.add_edge(lobby, entrance, length=2.0)
        if entrances:
            g.add_edge(entrances[-1], entrance, length=k * DWELLING_WIDTH)
        entrances.append(entrance)

    bins = _add(g, f"b{b}:bins", "bins", b, 0, g.xy(entrances[0])[0] - 0.6, -1.2)
    g.add_edge(entrances[0], bins, length=5.0)

    return _street_access(g, entrances, x0 + (stairwells * k - 1) / 2)


@_layout
def corridor_tower(
    g: Plan,
    b: int,
    floors: int = 12,
    dwellings_per_floor: int = 8,
    x0: float = 0.0,
) -> Access:
    """Interior-corridor tower: closed corridors split by a central core (lift + stairs).

    Unlike an open gallery, the corridor is indoors and the core sits in the middle, so
    each floor is two short dead-end corridors that meet only at the core.
    """
    _check_common(b, x0)
    _check_count("floors", floors)
    _check_count("dwellings_per_floor", dwellings_per_floor)

    n = dwellings_per_floor
    half = n // 2  # segments 0..half-1 left of the core, half..n-1 right of it
    cx = x0 + half
    lobby, entrance = _lobby_block(g, b, cx)
    lift = _add(g, f"b{b}:lift:c0", "lift", b, 0, cx + 0.35, (floors - 1) / 2)
    below = None
    for f in range(floors):
        st = _add(g, f"b{b}:stairs:c0:f{f}", "stairs", b, f, cx, f)
        segs = []
        circulation = f"b{b}:corridor:f{f}"
        for i in range(n):
            x = x0 + i + (1 if i >= half else 0)
            segs.append(_add(g, f"b{b}:corridor:f{f}:{i}", "corridor", b, f, x, f))
            g.add_dwelling(b, f, i, segs[-1], circulation)
        for i in range(1, n):
            if i != half:  # the core splits the corridor between half-1 and half
                g.add_edge(segs[i - 1], segs[i], length=DWELLING_WIDTH)
        for i in (half - 1, half):
            if 0 <= i < n:
                g.add_edge(segs[i], st, length=CORE_LINK)
        if below is not None:
            g.add_edge(below, st, length=STAIRS_PER_FLOOR)
        g.add_edge(st, lift, length=_lift_edge(f))
        below = st
    g.add_edge(f"b{b}:stairs:c0:f0", lobby, length=CORE_LINK)

    return _street_access(g, [entrance], cx)


@_layout
def row_houses(g: Plan, b: int, houses: int = 20, x0: float = 0.0) -> Access:
    """A street of row houses, for contrast: front doors on the pavement, no shared hall.

    Letterboxes are in the doors, so there is no mailbox node; each end of the row is an
    "entrance"-kind node where the row meets the street.
    """
    _check_common(b, x0)
    _check_count("houses", houses)

    prev = None
    for i in range(houses):
        seg = _add(g, f"b{b}:sidewalk:{i}", "sidewalk", b, 0, x0 + i, 0)
        if prev is not None:
            g.add_edge(prev, seg, length=DWELLING_WIDTH)
        prev = seg
        g.add_dwelling(b, 0, i, seg, f"b{b}:row")
    end0 = _add(g, f"b{b}:entrance:end0", "entrance", b, 0, x0 - 1.0, -1.0)
    end1 = _add(g, f"b{b}:entrance:end1", "entrance", b, 0, x0 + houses, -1.0)
    g.add_edge(end0, f"b{b}:sidewalk:0", length=CORE_LINK)
    g.add_edge(end1, f"b{b}:sidewalk:{houses - 1}", length=CORE_LINK)
    bins = _add(g, f"b{b}:bins", "bins", b, 0, x0 - 1.6, -1.2)
    g.add_edge(end0, bins, length=5.0)

    return _street_access(g, [end0, end1], x0 + (houses - 1) / 2)


LAYOUTS = {
    "gallery_flat": gallery_flat,
    "stairwell_block": stairwell_block,
    "corridor_tower": corridor_tower,
    "row_houses": row_houses,
}
"""Layout name -> generator, for scenario files that name layouts as strings; each
generator's `.build` writes the building into a `Plan` instead."""
