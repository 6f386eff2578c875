"""A building or site while it is being put together, as plain columns instead of networkx.

networkx keeps a dict per node and two per edge (~3 kB a node); a 100,000-household
district has ~120,000 nodes, so the layout generators and `build_site` write into a `Plan`
and `Site.from_plan` freezes it into arrays. `to_nx` gives the same graph as networkx
would have built from the same calls (node order, attributes, neighbour order), for the
public generators and for small uses.

A `Plan` understands the few graph calls the design edits make (`add_node`, `add_edge`
with the same keywords as networkx), so `add_room` works on either.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx

STANDARD_ATTRS = ("kind", "building", "floor", "xy")
"""Node attributes kept as columns; any other attribute goes to `Plan.extra`."""


class Plan:
    """Nodes, edges and dwellings in insertion order.

    Node index = insertion order (the integer id it gets in the `Site`). `keys` are the
    node ids the generators use (strings, or the ints of an existing site); `names` are
    the "name" attribute the site graph will carry (the key unless given).
    """

    def __init__(self, **graph_attrs: Any) -> None:
        self.graph: dict[str, Any] = dict(graph_attrs)  # like nx.Graph.graph, no dwellings
        self.keys: list[Hashable] = []
        self.index: dict[Hashable, int] = {}
        self.names: list[Hashable] = []
        self.kind: list[str] = []
        self.building: list[int] = []
        self.floor: list[int] = []
        self.x: list[float] = []
        self.y: list[float] = []
        self.extra: dict[int, dict[str, Any]] = {}
        self.edge_u: list[int] = []
        self.edge_v: list[int] = []
        self.edge_length: list[Any] = []
        self.dw_building: list[int] = []
        self.dw_floor: list[int] = []
        self.dw_position: list[int] = []
        self.dw_door: list[int] = []  # node index
        self.dw_circulation: list[str] = []

    # ------------------------------------------------------------------ building up
    @property
    def n_nodes(self) -> int:
        return len(self.keys)

    def add_node(
        self,
        key: Hashable,
        kind: str,
        building: int = -1,
        floor: int = 0,
        xy: tuple[float, float] = (0.0, 0.0),
        **extra: Any,
    ) -> Hashable:
        """Append a node (keys must be new: a Plan never updates a node)."""
        if key in self.index:
            raise ValueError(f"node {key!r} is already in the plan")
        i = len(self.keys)
        self.index[key] = i
        self.keys.append(key)
        self.names.append(extra.pop("name", key))
        self.kind.append(kind)
        self.building.append(building)
        self.floor.append(floor)
        self.x.append(xy[0])
        self.y.append(xy[1])
        if extra:
            self.extra[i] = extra
        return key

    def add_edge(self, u: Hashable, v: Hashable, length: Any) -> None:
        """Append an edge between existing nodes; a repeated pair updates the length (as in
        networkx), which `Site.from_plan` resolves."""
        self.edge_u.append(self.index[u])
        self.edge_v.append(self.index[v])
        self.edge_length.append(length)

    def add_dwelling(
        self, building: int, floor: int, position: int, door: Hashable, circulation: str
    ) -> None:
        self.dw_building.append(building)
        self.dw_floor.append(floor)
        self.dw_position.append(position)
        self.dw_door.append(self.index[door])
        self.dw_circulation.append(circulation)

    # ------------------------------------------------------------------ queries
    def xy(self, key: Hashable) -> tuple[float, float]:
        i = self.index[key]
        return self.x[i], self.y[i]

    def nodes_of(self, kind: str, building: int | None = None) -> list[Hashable]:
        """Keys of the nodes of `kind` (in building `building` if given), in node order."""
        return [
            k
            for k, kd, b in zip(self.keys, self.kind, self.building, strict=True)
            if kd == kind and (building is None or b == building)
        ]

    def dwellings(self) -> list[dict[str, Any]]:
        """Dwellings as the dicts of `graph.graph["dwellings"]` (door_node = node key)."""
        return [
            {
                "building": b,
                "floor": f,
                "position": p,
                "door_node": self.keys[door],
                "circulation": c,
            }
            for b, f, p, door, c in zip(
                self.dw_building,
                self.dw_floor,
                self.dw_position,
                self.dw_door,
                self.dw_circulation,
                strict=True,
            )
        ]

    # ------------------------------------------------------------------ networkx
    def to_nx(self) -> nx.Graph:
        """The networkx graph the same add_node/add_edge calls would have built."""
        g = nx.Graph(**self.graph)
        for i, key in enumerate(self.keys):
            attrs = {
                "kind": self.kind[i],
                "building": self.building[i],
                "floor": self.floor[i],
                "xy": (self.x[i], self.y[i]),
            }
            g.add_node(key, **attrs, **self.extra.get(i, {}))
        for u, v, length in zip(self.edge_u, self.edge_v, self.edge_length, strict=True):
            g.add_edge(self.keys[u], self.keys[v], length=length)
        g.graph["dwellings"] = self.dwellings()
        return g

    @classmethod
    def from_nx(cls, graph: nx.Graph) -> Plan:
        """Columns of a networkx graph, its edges in `graph.edges` order.

        Kept: node attributes (kind, building, floor, xy as columns; missing ones get the
        defaults -1, 0, (0, 0); others in `extra`), edge lengths (other edge attributes are
        dropped), graph attributes. Dwellings are not read here (see `Site.from_graph`).
        """
        plan = cls(**{k: v for k, v in graph.graph.items() if k != "dwellings"})
        for key, data in graph.nodes(data=True):
            extra = {k: v for k, v in data.items() if k not in STANDARD_ATTRS}
            plan.add_node(
                key,
                data.get("kind"),
                data.get("building", -1),
                data.get("floor", 0),
                data.get("xy", (0.0, 0.0)),
                **extra,
            )
        for u, v, data in graph.edges(data=True):
            plan.add_edge(u, v, data.get("length"))
        return plan
