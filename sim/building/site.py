"""A site (buildings + outdoor spaces) frozen into numpy arrays and precomputed routes.

The encounter kernel never walks the graph: it only needs, per household and trip type,
the sequence of nodes the trip passes. Routes are therefore computed once here, as CSR
arrays, from the graph the layout generators produce. Because every route is read off a
shortest-path tree rooted at the destination, neighbours' routes merge the way real
walking routes do, and *functional distance* (shared galleries, lifts, lobbies) follows
from the graph instead of being assumed.

Sites are frozen from a `Plan` (columns) and routed with compiled Dijkstra (`routing`),
so a district of 100,000 households needs no networkx; `Site.graph` builds the networkx
view on first use, for small sites and tests.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np

from .plan import Plan
from .routing import Router, adjacency, canonical_edges

NODE_KINDS: tuple[str, ...] = (
    "gallery",
    "corridor",
    "landing",
    "sidewalk",
    "stairs",
    "lift",
    "lobby",
    "mailbox",
    "bins",
    "bike_storage",
    "entrance",
    "street",
    "laundry",
    "hobby_room",
    "playground",
    "dog_field",
    "park",
    "shops",
    "community_centre",
    "garden",
)
"""Node kinds; the position in this tuple is the stable integer code in `Site.node_kind`."""

KIND_CODE: dict[str, int] = {k: i for i, k in enumerate(NODE_KINDS)}

CIRCULATION_KINDS: tuple[str, ...] = ("gallery", "corridor", "landing", "sidewalk")
"""Kinds a dwelling's front door can open onto."""

OUTDOOR_KINDS: tuple[str, ...] = (
    "playground",
    "dog_field",
    "park",
    "shops",
    "community_centre",
    "garden",
)

INDOOR_KINDS: tuple[str, ...] = (
    "gallery",
    "corridor",
    "landing",
    "stairs",
    "lift",
    "lobby",
    "mailbox",
    "bike_storage",
    "laundry",
    "hobby_room",
)
"""Kinds only the building's own residents reach (used to reason about who can meet)."""

DESTINATIONS: tuple[str, ...] = (
    "out",
    "mail",
    "bins",
    "bike",
    "laundry",
    "hobby_room",
    "playground",
    "dog_field",
    "park",
    "shops",
    "community_centre",
    "garden",
)
"""All trip destination kinds, in canonical order."""

# destination -> (node kind, scope). Scopes:
#   "own":       only the household's own building (a mailbox wall or a locked bike
#                storage of another building is of no use to you);
#   "own_first": own building if it has one, else the nearest one anywhere;
#   "nearest":   nearest by path length anywhere (public outdoor spaces).
# "out" is special: the street node in front of the own building.
_DEST_RULES: dict[str, tuple[str, str]] = {
    "mail": ("mailbox", "own"),
    "bins": ("bins", "own_first"),
    "bike": ("bike_storage", "own"),
    "laundry": ("laundry", "own_first"),
    "hobby_room": ("hobby_room", "own_first"),
    **{k: (k, "nearest") for k in OUTDOOR_KINDS},
}


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Site:
    """Arrays describing one site; build it with `Site.from_graph` or `Site.from_plan`.

    Node ids are the integers 0..n_nodes-1 (insertion order of the source graph or plan,
    so adding a node to a copy keeps every existing id). Edges are listed in the order
    networkx's `graph.edges` gives them. Arrays are read-only; `graph` must be treated as
    read-only too (edit a copy, or `to_plan()`, then rebuild).
    """

    node_kind: np.ndarray
    node_building: np.ndarray
    node_floor: np.ndarray
    node_xy: np.ndarray
    node_name: tuple[Hashable, ...]
    node_extra: dict[int, dict[str, Any]]  # other node attributes, e.g. a street's front_of
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    graph_attrs: dict[str, Any]  # graph-level attributes of the source graph
    dwelling_node: np.ndarray
    dwelling_building: np.ndarray
    dwelling_floor: np.ndarray
    dwelling_position: np.ndarray
    dwelling_circulation: np.ndarray
    dwelling_circulation_names: tuple[str, ...]
    destinations: tuple[str, ...]
    routes: dict[str, tuple[np.ndarray, np.ndarray]]
    route_length: dict[str, np.ndarray]

    @property
    def n_nodes(self) -> int:
        return int(self.node_kind.shape[0])

    @property
    def n_dwellings(self) -> int:
        return int(self.dwelling_node.shape[0])

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_graph(cls, graph: nx.Graph) -> Site:
        """Relabel `graph` to ints 0..N-1 (insertion order) and precompute all routes.

        `graph.graph["dwellings"]` must list dicts with keys building, floor, position,
        door_node, circulation. Street nodes may carry `front_of=b` (the street in front
        of building b, the target of "out" trips); without one, "out" goes to the
        nearest entrance of the own building. `site.graph` keeps every node attribute
        (kind/building/floor/xy default to -1/0/(0, 0) if missing) but only edge lengths
        and the five dwelling keys.
        """
        if not isinstance(graph, nx.Graph) or graph.is_directed() or graph.is_multigraph():
            raise TypeError("Site.from_graph needs an undirected nx.Graph")
        if graph.number_of_nodes() == 0:
            raise ValueError("graph has no nodes")
        dwellings_in = graph.graph.get("dwellings")
        if not dwellings_in:
            raise ValueError('graph.graph["dwellings"] is missing or empty')
        plan = Plan.from_nx(graph)
        for k, d in enumerate(dwellings_in):
            door = d["door_node"]
            if door not in plan.index:
                raise ValueError(f"dwelling {k}: door node {door!r} is not in the graph")
            plan.add_dwelling(d["building"], d["floor"], d["position"], door, str(d["circulation"]))
        return cls.from_plan(plan)

    @classmethod
    def from_plan(cls, plan: Plan) -> Site:
        """Freeze `plan` into arrays (node i = i-th node added) and precompute all routes."""
        if plan.n_nodes == 0:
            raise ValueError("graph has no nodes")
        if not plan.dw_door:
            raise ValueError('graph.graph["dwellings"] is missing or empty')
        n = plan.n_nodes
        node_kind = _kind_codes(plan)
        node_building = np.array(plan.building, dtype=np.int32)
        node_xy = np.column_stack(
            [np.array(plan.x, dtype=np.float64), np.array(plan.y, dtype=np.float64)]
        )
        eu, ev, elen = _checked_edges(plan)
        dw_node = np.array(plan.dw_door, dtype=np.int32)
        _check_doors(plan, node_kind, dw_node)
        dw_building = np.array(plan.dw_building, dtype=np.int32)
        circ_names, dw_circ = _first_seen_codes([str(c) for c in plan.dw_circulation])

        router = Router(*adjacency(n, eu, ev, elen), node_building, dw_node)
        routes, lengths = _site_routes(router, node_kind, node_building, plan.extra, dw_building)
        return cls(
            node_kind=_frozen(node_kind),
            node_building=_frozen(node_building),
            node_floor=_frozen(np.array(plan.floor, dtype=np.int32)),
            node_xy=_frozen(node_xy),
            node_name=tuple(plan.names),
            node_extra={i: dict(e) for i, e in plan.extra.items()},
            edge_u=_frozen(eu),
            edge_v=_frozen(ev),
            edge_length=_frozen(elen),
            graph_attrs=dict(plan.graph),
            dwelling_node=_frozen(dw_node),
            dwelling_building=_frozen(dw_building),
            dwelling_floor=_frozen(np.array(plan.dw_floor, dtype=np.int32)),
            dwelling_position=_frozen(np.array(plan.dw_position, dtype=np.int32)),
            dwelling_circulation=_frozen(dw_circ),
            dwelling_circulation_names=circ_names,
            destinations=tuple(routes),
            routes=routes,
            route_length=lengths,
        )

    def to_plan(self) -> Plan:
        """A Plan holding this site (node keys = the ids 0..n-1), to edit and refreeze."""
        plan = Plan(**self.graph_attrs)
        plan.keys = list(range(self.n_nodes))
        plan.index = {i: i for i in plan.keys}
        plan.names = list(self.node_name)
        plan.kind = [NODE_KINDS[c] for c in self.node_kind.tolist()]
        plan.building = self.node_building.tolist()
        plan.floor = self.node_floor.tolist()
        plan.x, plan.y = self.node_xy[:, 0].tolist(), self.node_xy[:, 1].tolist()
        plan.extra = {i: dict(e) for i, e in self.node_extra.items()}
        plan.edge_u, plan.edge_v = self.edge_u.tolist(), self.edge_v.tolist()
        plan.edge_length = self.edge_length.tolist()
        plan.dw_building = self.dwelling_building.tolist()
        plan.dw_floor = self.dwelling_floor.tolist()
        plan.dw_position = self.dwelling_position.tolist()
        plan.dw_door = self.dwelling_node.tolist()
        names = self.dwelling_circulation_names
        plan.dw_circulation = [names[c] for c in self.dwelling_circulation.tolist()]
        return plan

    @cached_property
    def graph(self) -> nx.Graph:
        """The site as a networkx graph, built on first use (a district never needs it).

        Nodes 0..n-1 with kind, building, floor, xy, name (+ `node_extra`); edges with
        length, in the order of the edge arrays; `graph["dwellings"]` as dicts.
        """
        g = nx.Graph(**self.graph_attrs)
        names = self.dwelling_circulation_names
        g.graph["dwellings"] = [
            {"building": b, "floor": f, "position": p, "door_node": door, "circulation": names[c]}
            for b, f, p, door, c in zip(
                self.dwelling_building.tolist(),
                self.dwelling_floor.tolist(),
                self.dwelling_position.tolist(),
                self.dwelling_node.tolist(),
                self.dwelling_circulation.tolist(),
                strict=True,
            )
        ]
        kinds, xy = self.node_kind.tolist(), self.node_xy.tolist()
        g.add_nodes_from(
            (
                i,
                {
                    "kind": NODE_KINDS[kinds[i]],
                    "building": b,
                    "floor": f,
                    "xy": tuple(xy[i]),
                    **self.node_extra.get(i, {}),
                    "name": self.node_name[i],
                },
            )
            for i, (b, f) in enumerate(
                zip(self.node_building.tolist(), self.node_floor.tolist(), strict=True)
            )
        )
        g.add_edges_from(
            (u, v, {"length": w})
            for u, v, w in zip(
                self.edge_u.tolist(), self.edge_v.tolist(), self.edge_length.tolist(), strict=True
            )
        )
        return g

    # ------------------------------------------------------------------ queries
    def route(self, d: int, dest: str) -> np.ndarray:
        """Node sequence (door ... destination) of dwelling `d`'s trip; empty if none."""
        if dest not in self.routes:
            raise KeyError(f"destination {dest!r} not in this site; available: {self.destinations}")
        if not 0 <= d < self.n_dwellings:
            raise IndexError(f"dwelling {d} out of range 0..{self.n_dwellings - 1}")
        indptr, nodes = self.routes[dest]
        return nodes[indptr[d] : indptr[d + 1]]

    def nodes_of_kind(self, kind: str) -> np.ndarray:
        """Ids of all nodes of `kind`."""
        if kind not in KIND_CODE:
            raise ValueError(f"unknown kind {kind!r}; allowed: {NODE_KINDS}")
        return np.flatnonzero(self.node_kind == KIND_CODE[kind]).astype(np.int32)

    def summary(self) -> dict:
        """Counts for a quick look (and for regression tests of generated layouts)."""
        counts = np.bincount(self.node_kind, minlength=len(NODE_KINDS))
        b, c = np.unique(self.dwelling_building, return_counts=True)
        return {
            "n_nodes": self.n_nodes,
            "n_edges": int(self.edge_u.shape[0]),
            "n_dwellings": self.n_dwellings,
            "nodes_by_kind": {k: int(counts[i]) for i, k in enumerate(NODE_KINDS) if counts[i]},
            "dwellings_by_building": {int(bi): int(ci) for bi, ci in zip(b, c, strict=True)},
            "destinations": list(self.destinations),
        }


# ---------------------------------------------------------------------- freezing helpers
def _kind_codes(plan: Plan) -> np.ndarray:
    codes = np.array([KIND_CODE.get(k, -1) for k in plan.kind], dtype=np.int16)
    bad = np.flatnonzero(codes < 0)
    if len(bad):
        i = int(bad[0])
        raise ValueError(f"node {plan.names[i]!r} has kind {plan.kind[i]!r}; allowed: {NODE_KINDS}")
    return codes


def _checked_edges(plan: Plan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges in networkx order; every length must be a finite number > 0."""
    try:
        raw = np.asarray(plan.edge_length, dtype=np.float64)
    except (TypeError, ValueError):
        raw = np.array([_as_float(x) for x in plan.edge_length], dtype=np.float64)
    u, v, length, source = canonical_edges(
        plan.n_nodes,
        np.asarray(plan.edge_u, dtype=np.int64),
        np.asarray(plan.edge_v, dtype=np.int64),
        raw.reshape(-1),
    )
    bad = np.flatnonzero(~(np.isfinite(length) & (length > 0)))
    if len(bad):
        k = int(bad[0])
        raise ValueError(
            f"edge {plan.names[u[k]]!r}-{plan.names[v[k]]!r} needs a finite "
            f"length > 0, got {plan.edge_length[source[k]]!r}"
        )
    return u, v, length


def _as_float(x: object) -> float:
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _check_doors(plan: Plan, node_kind: np.ndarray, dw_node: np.ndarray) -> None:
    circulation = np.array([KIND_CODE[k] for k in CIRCULATION_KINDS], dtype=np.int16)
    bad = np.flatnonzero(~np.isin(node_kind[dw_node], circulation))
    if len(bad):
        k = int(bad[0])
        door = int(dw_node[k])
        raise ValueError(
            f"dwelling {k}: door node {plan.keys[door]!r} has kind {plan.kind[door]!r}, "
            f"expected one of {CIRCULATION_KINDS}"
        )


def _first_seen_codes(values: list[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """Distinct values in order of first appearance, and each value's position in them."""
    uniq, first, inverse = np.unique(
        np.array(values, dtype=str), return_index=True, return_inverse=True
    )
    order = np.argsort(first)
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return tuple(str(s) for s in uniq[order]), rank[inverse.ravel()]


# ---------------------------------------------------------------------- routing rules
def _site_routes(
    router: Router,
    node_kind: np.ndarray,
    node_building: np.ndarray,
    node_extra: dict[int, dict[str, Any]],
    dw_building: np.ndarray,
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, np.ndarray]]:
    """Routes for every destination some dwelling can reach (see `_DEST_RULES`)."""
    groups = _dwellings_by_building(dw_building)
    routes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    lengths: dict[str, np.ndarray] = {}
    for dest in DESTINATIONS:
        router.begin()
        if dest == "out":
            _route_out(router, groups, node_kind, node_building, node_extra)
        else:
            _route_to(router, dest, groups, node_kind, node_building, len(dw_building))
        found = router.result()
        if found is not None:
            indptr, nodes, length = found
            routes[dest] = (_frozen(indptr), nodes)
            lengths[dest] = _frozen(length)
    # every destination's nodes are one stretch of a single array, in this order: the
    # daily kernel walks that array as it is instead of a copy (sim/shards.py)
    packed = _frozen(
        np.concatenate([nodes for _, nodes in routes.values()]) if routes else np.zeros(0, np.int32)
    )
    at = 0
    for dest, (indptr, nodes) in routes.items():
        routes[dest] = (indptr, packed[at : at + len(nodes)])
        at += len(nodes)
    return routes, lengths


def _dwellings_by_building(dw_building: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(building, its dwellings in increasing order) for each building, ascending."""
    order = np.argsort(dw_building, kind="stable")
    buildings, starts = np.unique(dw_building[order], return_index=True)
    ends = [*starts[1:].tolist(), len(order)]
    return [(int(b), order[s:e]) for b, s, e in zip(buildings, starts, ends, strict=True)]


def _nodes_by_building(nodes: np.ndarray, node_building: np.ndarray) -> dict[int, list[int]]:
    by: dict[int, list[int]] = {}
    for i, b in zip(nodes.tolist(), node_building[nodes].tolist(), strict=True):
        by.setdefault(b, []).append(i)
    return by


def _route_out(
    router: Router,
    groups: list[tuple[int, np.ndarray]],
    node_kind: np.ndarray,
    node_building: np.ndarray,
    node_extra: dict[int, dict[str, Any]],
) -> None:
    """ "out": to the street in front of the own building, else its nearest entrance."""
    street = {
        int(data["front_of"]): i
        for i, data in sorted(node_extra.items())
        if node_kind[i] == KIND_CODE["street"] and data.get("front_of") is not None
    }
    entrances = _nodes_by_building(
        np.flatnonzero(node_kind == KIND_CODE["entrance"]), node_building
    )
    for b, mine in groups:
        targets = [street[b]] if b in street else entrances.get(b, [])
        if targets:
            _take_local(router, mine, targets, b)


def _route_to(
    router: Router,
    dest: str,
    groups: list[tuple[int, np.ndarray]],
    node_kind: np.ndarray,
    node_building: np.ndarray,
    n_dwellings: int,
) -> None:
    kind, scope = _DEST_RULES[dest]
    targets = np.flatnonzero(node_kind == KIND_CODE[kind])
    if not len(targets):
        return
    if scope == "nearest":
        router.tree(targets.tolist())
        router.take(np.arange(n_dwellings))
        return
    own_by_building = _nodes_by_building(targets, node_building)
    elsewhere = []
    for b, mine in groups:
        own = own_by_building.get(b)
        if own:
            _take_local(router, mine, own, b)
        elif scope == "own_first":
            elsewhere.append(mine)
    if elsewhere:  # one tree from all of them serves every building without its own
        router.tree(targets.tolist())
        router.take(np.concatenate(elsewhere))


def _take_local(router: Router, mine: np.ndarray, targets: list[int], b: int) -> None:
    """Route within the building (plus the targets) first: trips to one's own building's
    facilities don't detour through the street, and this keeps each tree small on large
    sites. Falls back to the whole graph for dwellings the building can't reach."""
    router.tree(targets, building=b)
    left = router.take(mine)
    if len(left):
        router.tree(targets)
        router.take(left)
