"""Which dwellings, nodes, routes and random streams belong to which part of a site.

The day (sim/day.py) runs part by part: a *shard* is a building whose households walk its
own galleries, stairs and lobby, meet there and touch only its own dense tie block, so
each shard draws its trips, its meetings at its own nodes, the outcomes of its own
encounters, its nuisance through walls and its help choices from its *own* streams, and
the shards are worked on in parallel. What shards share (street, outdoor spaces,
encounters across buildings) runs once, in order, on the site's streams.

A site that cannot be cut that way is one shard on the site's own streams: a single
building, dwellings not numbered building by building, a route that passes through
another building, ties that do not all fit dense blocks, or `by_building=False`. Results
depend on the seed and the cut, never on the number of threads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from sim.building import Site
from sim.rand import JIT, Streams, rng_handle
from sim.trips import route_cuts, route_table

# the streams each shard draws from, in the columns of `shard_streams`' handles
SHARD_STREAMS = ("routines", "encounters", "contact", "living_nuisance", "help")
ROUTINES, ENCOUNTERS, CONTACT, NUISANCE, HELP = range(5)
_NONE = np.zeros(0, np.int64)


@dataclass(frozen=True)
class ShardLayout:
    """Which dwellings, nodes and route parts belong to which shard.

    dwellings of shard s: dwelling_start[s] .. dwelling_start[s + 1] - 1;
    its own nodes: own_nodes[node_start[s]:node_start[s + 1]] (ascending);
    shared_nodes: nodes of no shard (street, outdoor spaces), ascending;
    routes: row d*n + i is dwelling i's route to the d-th destination the day uses,
    route_nodes[route_start[row]:route_end[row]] (the site's own array, not a copy); its
    part inside the shard ends at route_cut[row], where the shared part begins."""

    dwelling_start: np.ndarray
    node_start: np.ndarray
    own_nodes: np.ndarray
    shared_nodes: np.ndarray
    route_nodes: np.ndarray
    route_start: np.ndarray
    route_cut: np.ndarray
    route_end: np.ndarray
    shared_longest: int  # the longest shared part of a route

    @property
    def n_shards(self) -> int:
        return len(self.dwelling_start) - 1

    @property
    def kernel(self) -> tuple:
        """The layout as compiled code takes it (`day.shard_pairs`), one flat tuple (a
        parallel loop cannot take nested ones): dwelling_start, node_start, own_nodes,
        shared_nodes, each route's own part (start, cut, nodes) and its shared part (cut,
        end, the longest; empty when nothing is shared)."""
        if len(self.shared_nodes):
            shared = (self.route_cut, self.route_end, self.shared_longest)
        else:
            shared = (_NONE, _NONE, 0)
        return (
            self.dwelling_start,
            self.node_start,
            self.own_nodes,
            self.shared_nodes,
            self.route_start,
            self.route_cut,
            self.route_nodes,
            *shared,
        )


@nb.njit(**JIT)
def _inside_own_building(route_start, route_cut, route_nodes, node_building, dwelling_building):
    """Whether every route's part before its cut lies in its household's building."""
    n = dwelling_building.shape[0]
    for r in range(route_start.shape[0]):
        b = dwelling_building[r % n]
        for q in range(route_start[r], route_cut[r]):
            if node_building[route_nodes[q]] != b:
                return False
    return True


def shard_layout(site: Site, dests: list[str], by_building: bool = True) -> ShardLayout:
    """The layout of `site` for the routes to `dests`: a shard per building where that
    applies (`by_building` and the module docstring's conditions), else one shard."""
    start, end, nodes = route_table(site.routes, dests, site.n_dwellings)
    return (by_building and _by_building(site, start, end, nodes)) or _one_shard(
        site, start, end, nodes
    )


def _one_shard(site: Site, start: np.ndarray, end: np.ndarray, nodes: np.ndarray) -> ShardLayout:
    """The whole site as one shard: every node its own, nothing shared."""
    return ShardLayout(
        np.array([0, site.n_dwellings], np.int64),
        np.array([0, site.n_nodes], np.int64),
        np.arange(site.n_nodes, dtype=np.int64),
        _NONE,
        nodes,
        start,
        end,
        end,
        0,
    )


def _by_building(
    site: Site, start: np.ndarray, end: np.ndarray, nodes: np.ndarray
) -> ShardLayout | None:
    """A shard per building, or None when that does not apply: a single building,
    dwellings not numbered building by building, or a route that passes through another
    building's nodes."""
    bld = np.asarray(site.dwelling_building, np.int64)
    S = int(bld.max()) + 1 if len(bld) else 0
    if S < 2 or np.any(np.diff(bld) < 0) or len(np.unique(bld)) != S:
        return None
    dwelling_start = np.searchsorted(bld, np.arange(S + 1)).astype(np.int64)
    node_bld = np.asarray(site.node_building, np.int64)
    own = np.flatnonzero(node_bld >= 0)
    own = own[np.argsort(node_bld[own], kind="stable")]
    node_start = np.searchsorted(node_bld[own], np.arange(S + 1)).astype(np.int64)
    shared = np.flatnonzero(node_bld < 0)
    cut, bad = route_cuts(start, end, nodes, node_bld < 0)
    if bad or not _inside_own_building(start, cut, nodes, node_bld, bld):
        return None
    return ShardLayout(
        dwelling_start,
        node_start,
        own.astype(np.int64),
        shared.astype(np.int64),
        nodes,
        start,
        cut,
        end,
        int((end - cut).max(initial=0)),
    )


def shard_streams(n_shards: int, streams: Streams) -> np.ndarray:
    """Handles for compiled code of each shard's generators (SHARD_STREAMS), a (shards,
    streams) array: the site's own streams for a site of one shard (so a building on its
    own draws as it always has), "<stream>/building <s>" for each of several. `streams`
    keeps the generators alive as long as the handles are used."""
    if n_shards == 1:
        generators = [[streams[name] for name in SHARD_STREAMS]]
    else:
        generators = [
            [streams[f"{name}/building {s}"] for name in SHARD_STREAMS] for s in range(n_shards)
        ]
    return np.array([[rng_handle(g)[0] for g in row] for row in generators], np.uint64)
