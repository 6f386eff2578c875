"""Combine buildings and outdoor spaces into one site; design edits of the site graph.

Buildings stand side by side along one street (a chain of "street" nodes, one in front of
each building). Outdoor shared spaces hang off the street near a chosen building. Design
interventions are graph edits (`add_room`, `apply_edits`), applied to a copy so the
baseline site stays untouched and node ids of existing nodes stay the same.

Sites are assembled in a `Plan` (no networkx: a district has ~120,000 nodes); `add_room`
and `add_outdoor_space` edit either a Plan or an `nx.Graph` in place.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import networkx as nx

from .layouts import LAYOUTS
from .plan import Plan
from .site import OUTDOOR_KINDS, Site

if TYPE_CHECKING:
    from sim.scenario import Scenario

BUILDING_GAP = 3.0  # drawing units between neighbouring buildings
ROOM_KINDS: tuple[str, ...] = ("laundry", "hobby_room", "garden")
"""Kinds `add_room` can add (design interventions)."""

ROOM_LINK = {"laundry": 5.0, "hobby_room": 5.0, "garden": 10.0}  # metres


def _strict_keys(
    what: str, spec: dict, required: set[str], optional: set[str] | None = None
) -> None:
    if optional is None:
        optional = set()
    if not isinstance(spec, dict):
        raise ValueError(f"{what} must be a dict, got {spec!r}")  # noqa: TRY004 (scenario errors are ValueErrors)
    missing = required - spec.keys()
    unknown = spec.keys() - required - optional
    if missing:
        raise ValueError(f"{what} is missing key(s) {sorted(missing)}: {spec!r}")
    if unknown:
        raise ValueError(
            f"{what} has unknown key(s) {sorted(unknown)}; allowed: {sorted(required | optional)}"
        )


def _nodes_of(g: nx.Graph | Plan, kind: str, building: int | None = None) -> list[Hashable]:
    """Nodes of `kind` (in `building` if given), in node order."""
    if isinstance(g, Plan):
        return g.nodes_of(kind, building)
    return [
        n
        for n, d in g.nodes(data=True)
        if d["kind"] == kind and (building is None or d["building"] == building)
    ]


def _xy(g: nx.Graph | Plan, node: Hashable) -> tuple[float, float]:
    return g.xy(node) if isinstance(g, Plan) else g.nodes[node]["xy"]


def _streets_in_front(g: nx.Graph | Plan, near: int) -> list[Hashable]:
    if isinstance(g, Plan):
        return [
            g.keys[i]
            for i, e in sorted(g.extra.items())
            if g.kind[i] == "street" and e.get("front_of") == near
        ]
    return [n for n, d in g.nodes(data=True) if d["kind"] == "street" and d.get("front_of") == near]


def _dwelling_buildings(g: nx.Graph | Plan) -> set[int]:
    if isinstance(g, Plan):
        return set(g.dw_building)
    return {d["building"] for d in g.graph["dwellings"]}


def add_room(g: nx.Graph | Plan, kind: str, building: int, length: float | None = None) -> Hashable:
    """Add a shared room to building `building` of graph or plan `g` (in place); return its id.

    laundry / hobby_room: linked to the building's lobby (or first entrance if it has no
    lobby, e.g. row houses); garden: linked to the building's (first) entrance, 10 m.
    """
    if kind not in ROOM_KINDS:
        raise ValueError(f"room kind must be one of {ROOM_KINDS}, got {kind!r}")
    anchors = [] if kind == "garden" else _nodes_of(g, "lobby", building)
    anchors = anchors or _nodes_of(g, "entrance", building)
    if not anchors:
        raise ValueError(f"building {building!r} has no lobby or entrance to attach a {kind} to")
    link = ROOM_LINK[kind] if length is None else float(length)
    if not link > 0:
        raise ValueError(f"length must be > 0, got {length!r}")
    anchor = anchors[0]
    k = len(_nodes_of(g, kind, building))
    node = f"b{building}:{kind}:{k}"
    ax, ay = _xy(g, anchor)
    xy = (ax + 0.5, -2.5) if kind == "garden" else (ax + 0.6 + 0.3 * k, ay)
    g.add_node(node, kind=kind, building=building, floor=0, xy=(float(xy[0]), float(xy[1])))
    g.add_edge(anchor, node, length=link)
    return node


def apply_edits(site: Site, extra_rooms: list[dict] | None = None) -> Site:
    """Return a new Site with design edits applied; existing node ids are unchanged.

    Each room is {"kind": one of ROOM_KINDS, "building": b, optional "length": m}.
    """
    plan = site.to_plan()
    _add_rooms(plan, extra_rooms or [])
    return Site.from_plan(plan)


def _add_rooms(g: nx.Graph | Plan, rooms: list[dict]) -> None:
    buildings = _dwelling_buildings(g)
    for r in rooms:
        _strict_keys("extra room", r, {"kind", "building"}, {"length"})
        if r["building"] not in buildings:
            raise ValueError(f"extra room {r!r}: no building {r['building']!r} in this site")
        add_room(g, r["kind"], r["building"], r.get("length"))


def build_site(
    buildings: list[dict],
    outdoor: list[dict] | None = None,
    street_length: float = 60.0,
    extra_rooms: list[dict] | None = None,
) -> Site:
    """Place buildings side by side on one street, add outdoor spaces, return the Site.

    buildings: [{"layout": name in LAYOUTS, **generator kwargs}] (building index = list
        position; `b` and `x0` are set here).
    outdoor: [{"kind": one of OUTDOOR_KINDS, "near": building index, "distance": m}],
        each a node linked to the street in front of building `near`.
    street_length: metres between the street nodes of neighbouring buildings.
    extra_rooms: design edits, see `add_room`.
    """
    if not buildings:
        raise ValueError("build_site needs at least one building")
    if not street_length > 0:
        raise ValueError(f"street_length must be > 0, got {street_length!r}")

    plan = Plan()
    streets: list[str] = []
    x0 = 0.0
    for b, spec in enumerate(buildings):
        first = plan.n_nodes
        street = _add_building(plan, b, spec, x0)
        x0 = max(plan.x[first : plan.index[street]]) + BUILDING_GAP
        if streets:
            plan.add_edge(streets[-1], street, length=float(street_length))
        streets.append(street)
    _add_outdoor(plan, outdoor or [], streets)
    _add_rooms(plan, extra_rooms or [])
    return Site.from_plan(plan)


def _add_building(plan: Plan, b: int, spec: dict, x0: float) -> str:
    """Append building `b` at drawing offset `x0` and the street node in front of it
    (returned), linked to its entrances."""
    if not isinstance(spec, dict) or "layout" not in spec:
        raise ValueError(f"building {b} must be a dict with a 'layout' key, got {spec!r}")
    kwargs = {k: v for k, v in spec.items() if k != "layout"}
    layout = spec["layout"]
    if layout not in LAYOUTS:
        raise ValueError(f"building {b}: unknown layout {layout!r}; allowed: {tuple(LAYOUTS)}")
    if {"b", "x0"} & kwargs.keys():
        raise ValueError(f"building {b}: 'b' and 'x0' are set by build_site, not by the spec")
    try:
        access, street_x = LAYOUTS[layout].build(plan, b, x0=x0, **kwargs)
    except TypeError as e:  # unknown keyword: report it as a spec error
        raise ValueError(f"building {b} ({layout}): {e}") from None
    street = plan.add_node(f"street:{b}", "street", -1, 0, (street_x, -1.5), front_of=b)
    for entrance, length in access.items():
        plan.add_edge(entrance, street, length=float(length))
    return street


def _add_outdoor(plan: Plan, outdoor: list[dict], streets: list[str]) -> None:
    """Outdoor spaces, each linked to the street in front of building `near`."""
    per_street: dict[int, int] = {}
    for j, spec in enumerate(outdoor):
        _strict_keys(f"outdoor[{j}]", spec, {"kind", "near", "distance"})
        kind, near, distance = spec["kind"], spec["near"], spec["distance"]
        if kind not in OUTDOOR_KINDS:
            raise ValueError(f"outdoor[{j}]: unknown kind {kind!r}; allowed: {OUTDOOR_KINDS}")
        if isinstance(near, bool) or not isinstance(near, int) or not 0 <= near < len(streets):
            raise ValueError(
                f"outdoor[{j}]: near must be a building index 0..{len(streets) - 1}, got {near!r}"
            )
        if isinstance(distance, bool) or not isinstance(distance, int | float) or not distance > 0:
            raise ValueError(f"outdoor[{j}]: distance must be a number > 0, got {distance!r}")
        k = per_street.get(near, 0)
        per_street[near] = k + 1
        sx = plan.xy(streets[near])[0]
        node = plan.add_node(
            f"outdoor:{j}:{kind}", kind, -1, 0, (sx + 2.0 * k, -3.0 - 0.5 * (k % 2))
        )
        plan.add_edge(streets[near], node, length=float(distance))


# ------------------------------------------------------------------------------------------
# design edits used by interventions (sim/interventions/design.py)
# ------------------------------------------------------------------------------------------
def add_outdoor_space(g: nx.Graph | Plan, kind: str, near: int, distance: float) -> Hashable:
    """Add a public outdoor space (e.g. a playground) linked to the street in front of
    building `near` of an already built graph or plan `g` (in place); return its node id."""
    if kind not in OUTDOOR_KINDS:
        raise ValueError(f"outdoor kind must be one of {OUTDOOR_KINDS}, got {kind!r}")
    if not distance > 0:
        raise ValueError(f"distance must be > 0, got {distance!r}")
    streets = _streets_in_front(g, near)
    if not streets:
        raise ValueError(f"no street in front of building {near!r}")
    s = streets[0]
    k = len(_nodes_of(g, kind))
    node = f"design:{kind}:{near}:{k}"
    sx = _xy(g, s)[0]
    g.add_node(node, kind=kind, building=-1, floor=0, xy=(float(sx) - 1.5, -3.5 - 0.5 * k))
    g.add_edge(s, node, length=float(distance))
    return node


def apply_design(
    site: Site, rooms: list[dict] | None = None, outdoor: list[dict] | None = None
) -> Site:
    """Like `apply_edits`, plus public outdoor spaces
    ({"kind": one of OUTDOOR_KINDS, "near": building, "distance": m}). Existing node ids and
    dwellings are unchanged, so a running model can swap the site in (`model.set_site`)."""
    plan = site.to_plan()
    _add_rooms(plan, rooms or [])
    for j, o in enumerate(outdoor or []):
        _strict_keys(f"design outdoor[{j}]", o, {"kind", "near", "distance"})
        add_outdoor_space(plan, o["kind"], o["near"], o["distance"])
    return Site.from_plan(plan)


def build_site_from(scenario: Scenario) -> Site:
    """The site a scenario's [site] section describes."""
    s = scenario.site
    return build_site(
        buildings=[{"layout": b.layout, **b.generator_kwargs()} for b in s.buildings],
        outdoor=[o.model_dump() for o in s.outdoor],
        street_length=s.street_length,
        extra_rooms=[r.model_dump() for r in s.rooms],
    )
