"""A site (buildings + outdoor spaces) frozen into numpy arrays and precomputed routes.

The encounter kernel never walks the graph: it only needs, per household and trip type,
the sequence of nodes the trip passes. Routes are therefore computed once here, as CSR
arrays, from the graph the layout generators produce. Because every route is read off a
shortest-path tree rooted at the destination, neighbours' routes merge the way real
walking routes do, and *functional distance* (shared galleries, lifts, lobbies) follows
from the graph instead of being assumed.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np

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
    """Arrays describing one site; build it with `Site.from_graph`.

    Node ids are the integers 0..n_nodes-1 of `graph` (insertion order of the source
    graph, so adding a node to a copy of `graph` keeps every existing id). Arrays are
    read-only; `graph` must be treated as read-only too (edit a copy, then rebuild).
    """

    graph: nx.Graph
    node_kind: np.ndarray
    node_building: np.ndarray
    node_floor: np.ndarray
    node_xy: np.ndarray
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
        nearest entrance of the own building.
        """
        if not isinstance(graph, nx.Graph) or graph.is_directed() or graph.is_multigraph():
            raise TypeError("Site.from_graph needs an undirected nx.Graph")
        if graph.number_of_nodes() == 0:
            raise ValueError("graph has no nodes")
        dwellings_in = graph.graph.get("dwellings")
        if not dwellings_in:
            raise ValueError('graph.graph["dwellings"] is missing or empty')

        mapping = {n: i for i, n in enumerate(graph.nodes)}
        g = nx.relabel_nodes(graph, mapping, copy=True)
        for old, new in mapping.items():
            g.nodes[new].setdefault("name", old)

        n = g.number_of_nodes()
        node_kind = np.empty(n, dtype=np.int16)
        node_building = np.empty(n, dtype=np.int32)
        node_floor = np.empty(n, dtype=np.int32)
        node_xy = np.empty((n, 2), dtype=np.float64)
        for i, data in g.nodes(data=True):
            kind = data.get("kind")
            if kind not in KIND_CODE:
                raise ValueError(
                    f"node {data.get('name')!r} has kind {kind!r}; allowed: {NODE_KINDS}"
                )
            node_kind[i] = KIND_CODE[kind]
            node_building[i] = int(data.get("building", -1))
            node_floor[i] = int(data.get("floor", 0))
            x, y = data.get("xy", (0.0, 0.0))
            node_xy[i] = (float(x), float(y))
        for u, v, data in g.edges(data=True):
            length = data.get("length")
            if length is None or not np.isfinite(length) or length <= 0:
                raise ValueError(
                    f"edge {g.nodes[u]['name']!r}-{g.nodes[v]['name']!r} needs a finite "
                    f"length > 0, got {length!r}"
                )

        dwellings = []
        circ_ids: dict[str, int] = {}
        for k, d in enumerate(dwellings_in):
            door = d["door_node"]
            if door not in mapping:
                raise ValueError(f"dwelling {k}: door node {door!r} is not in the graph")
            door_i = mapping[door]
            if g.nodes[door_i]["kind"] not in CIRCULATION_KINDS:
                raise ValueError(
                    f"dwelling {k}: door node {door!r} has kind {g.nodes[door_i]['kind']!r}, "
                    f"expected one of {CIRCULATION_KINDS}"
                )
            circ_ids.setdefault(str(d["circulation"]), len(circ_ids))
            dwellings.append({**d, "door_node": door_i})
        g.graph["dwellings"] = dwellings

        dw_node = np.array([d["door_node"] for d in dwellings], dtype=np.int32)
        dw_building = np.array([d["building"] for d in dwellings], dtype=np.int32)
        dw_floor = np.array([d["floor"] for d in dwellings], dtype=np.int32)
        dw_pos = np.array([d["position"] for d in dwellings], dtype=np.int32)
        dw_circ = np.array([circ_ids[str(d["circulation"])] for d in dwellings], dtype=np.int32)

        routes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        lengths: dict[str, np.ndarray] = {}
        available = []
        for dest in DESTINATIONS:
            paths, dist = _routes_for(g, dest, dw_node, dw_building, node_kind, node_building)
            if not any(paths):
                continue
            available.append(dest)
            counts = np.fromiter((len(p) for p in paths), dtype=np.int64, count=len(paths))
            indptr = np.zeros(len(paths) + 1, dtype=np.int64)
            np.cumsum(counts, out=indptr[1:])
            flat = np.fromiter((v for p in paths for v in p), dtype=np.int32, count=int(indptr[-1]))
            routes[dest] = (_frozen(indptr), _frozen(flat))
            lengths[dest] = _frozen(np.asarray(dist, dtype=np.float64))

        return cls(
            graph=g,
            node_kind=_frozen(node_kind),
            node_building=_frozen(node_building),
            node_floor=_frozen(node_floor),
            node_xy=_frozen(node_xy),
            dwelling_node=_frozen(dw_node),
            dwelling_building=_frozen(dw_building),
            dwelling_floor=_frozen(dw_floor),
            dwelling_position=_frozen(dw_pos),
            dwelling_circulation=_frozen(dw_circ),
            dwelling_circulation_names=tuple(circ_ids),
            destinations=tuple(available),
            routes=routes,
            route_length=lengths,
        )

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
            "n_edges": self.graph.number_of_edges(),
            "n_dwellings": self.n_dwellings,
            "nodes_by_kind": {k: int(counts[i]) for i, k in enumerate(NODE_KINDS) if counts[i]},
            "dwellings_by_building": {int(bi): int(ci) for bi, ci in zip(b, c, strict=True)},
            "destinations": list(self.destinations),
        }


# ---------------------------------------------------------------------- routing helpers
def _tree(g: nx.Graph, sources: Iterable[Hashable]) -> tuple[dict, dict]:
    """Shortest-path tree from the destination node(s): one Dijkstra serves all homes."""
    dist, paths = nx.multi_source_dijkstra(g, set(sources), weight="length")
    return dist, paths


def _routes_for(
    g: nx.Graph,
    dest: str,
    dw_node: np.ndarray,
    dw_building: np.ndarray,
    node_kind: np.ndarray,
    node_building: np.ndarray,
) -> tuple[list[list[int]], list[float]]:
    """Per dwelling: path (door -> destination) and its length; [] / inf if none."""
    nd = len(dw_node)
    paths: list[list[int]] = [[] for _ in range(nd)]
    dist = [float("inf")] * nd

    def fill(dwellings: np.ndarray, tree: tuple[dict, dict]) -> np.ndarray:
        """Write routes for `dwellings` from `tree`; return those left unreached."""
        t_dist, t_paths = tree
        missing = []
        for d in dwellings:
            door = int(dw_node[d])
            if door in t_paths:
                paths[d] = t_paths[door][::-1]
                dist[d] = float(t_dist[door])
            else:
                missing.append(d)
        return np.asarray(missing, dtype=np.int64)

    buildings = np.unique(dw_building)
    if dest == "out":
        street = {
            int(data["front_of"]): i
            for i, data in g.nodes(data=True)
            if data["kind"] == "street" and data.get("front_of") is not None
        }
        entrance = KIND_CODE["entrance"]
        for b in buildings:
            mine = np.flatnonzero(dw_building == b)
            if int(b) in street:
                targets = [street[int(b)]]
            else:
                targets = np.flatnonzero((node_kind == entrance) & (node_building == b)).tolist()
            if targets:
                _fill_local(g, fill, mine, targets, node_building, int(b))
        return paths, dist

    kind, scope = _DEST_RULES[dest]
    code = KIND_CODE[kind]
    all_targets = np.flatnonzero(node_kind == code).tolist()
    if not all_targets:
        return paths, dist
    if scope == "nearest":
        fill(np.arange(nd), _tree(g, all_targets))
        return paths, dist

    global_tree = None
    for b in buildings:
        mine = np.flatnonzero(dw_building == b)
        own = np.flatnonzero((node_kind == code) & (node_building == b)).tolist()
        left = mine
        if own:
            left = _fill_local(g, fill, mine, own, node_building, int(b))
        if scope == "own_first" and len(left) and not own:
            if global_tree is None:
                global_tree = _tree(g, all_targets)
            fill(left, global_tree)
    return paths, dist


def _fill_local(g, fill, mine, targets, node_building, b) -> np.ndarray:
    """Route within the building (plus the targets) first: trips to one's own building's
    facilities don't detour through the street, and this keeps each Dijkstra small on
    large sites. Falls back to the whole graph for dwellings the building can't reach."""
    local = set(np.flatnonzero(node_building == b).tolist()) | set(targets)
    left = fill(mine, _tree(g.subgraph(local), targets))
    if len(left):
        left = fill(left, _tree(g, targets))
    return left
