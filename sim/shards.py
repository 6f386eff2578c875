"""A day of a multi-building site on several cores: each building is a shard.

Most of a day happens inside buildings: households walk their galleries, stairs and lobby,
meet the neighbours they pass there, and the outcomes of those meetings only touch the
building's own households and its own dense tie block. So each building draws its own
trips, its own meetings at its own nodes and the outcomes of its own encounters from its
*own* random streams, and the buildings are worked on in parallel (numba `prange`).
The same holds for its nuisance through walls (to the dwellings next door, above and
below) and for its households' help choices (which only read the state). What buildings
share runs once, in order, on the site's streams: meetings at shared nodes (street,
outdoor spaces), encounters between households of different buildings (their ties live in
sparse rows, which may grow), the help given (helpers may live elsewhere) and the daily
bookkeeping. docs/ODD.md (section 3) gives the order.

Results depend on the seed, never on the number of threads: a building's work depends only
on its streams and on state that no other building writes in the same phase. They are not
the same numbers as a run on one stream per mechanism (the single-building path), but the
same mechanism: each pair at a node-slot still meets with the node's notice probability,
each encounter's outcome is still drawn from the same formulas.

Per-building results of varying size are written into per-shard slices of shared buffers.
When a building's results do not fit, the buffers grow and every building is drawn again
from the states its streams had before the day (saved, see `rand.save_states`), so the
size of a buffer never changes a result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from sim.building import Site
from sim.columns import Flag
from sim.contact import (
    add_wall_counts,
    help_apply,
    help_choices,
    help_workspace,
    living_nuisance,
    resolve_contacts,
)
from sim.daily import daily_bookkeeping
from sim.doorstep import doorstep_meetings, union_pairs
from sim.rand import JIT, PARALLEL, restore_states, rng_handle, save_states
from sim.rng import Streams
from sim.trips import (
    _draw_visits,
    _meetings,
    _sorted_unique_pairs,
    clear_groups,
    count_groups,
    households_met,
    members_of,
    route_cuts,
    route_table,
    trip_rate_matrix,
)

# the streams each building draws from, in the columns of `ShardedDay.handles`
SHARD_STREAMS = ("routines", "encounters", "contact", "living_nuisance", "help")
ROUTINES, ENCOUNTERS, CONTACT, NUISANCE, HELP = range(5)


@dataclass(frozen=True)
class ShardLayout:
    """Which dwellings, nodes and route parts belong to which building.

    dwellings of building s: dwelling_start[s] .. dwelling_start[s + 1] - 1;
    its own nodes: own_nodes[node_start[s]:node_start[s + 1]] (ascending);
    shared_nodes: nodes of no building (street, outdoor spaces), ascending;
    routes: row d*n + i is dwelling i's route to the d-th destination the kernel uses,
    route_nodes[route_start[row]:route_end[row]] (the site's own array, not a copy); its
    part inside the building ends at route_cut[row], where the shared part begins."""

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
        """The layout as compiled code takes it (`_building_encounters`)."""
        return (
            self.dwelling_start,
            self.node_start,
            self.own_nodes,
            self.route_nodes,
            self.route_start,
            self.route_cut,
            self.route_end,
            self.shared_longest,
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


def shard_layout(site: Site, dests: list[str]) -> ShardLayout | None:
    """The layout of `site` by building for the routes to `dests`, or None when sharding
    does not apply: a single building, dwellings not numbered building by building, or a
    route that passes through another building's nodes."""
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
    start, end, nodes = route_table(site.routes, dests, site.n_dwellings)
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


# --------------------------------------------------------------------------------------
# encounters
# --------------------------------------------------------------------------------------
@nb.njit(**JIT)
def _building_encounters(s, layout, trips, hh, handles, out, doorstep, door_start):
    """Building s's day up to its encounter pairs: its households' trips (its routines
    stream), the meetings at its own nodes (its encounters stream), the unique pairs met
    there (a < b, sorted) into out_a/out_b[s*cap_pairs:], and the visits to shared nodes
    (group keys, in household order) into out_key[s*cap_shared:], with their number per
    household in shared_per_hh[its dwellings]. sizes[s] = (pairs, shared visits); when
    either exceeds its capacity nothing is written (the caller grows the buffers and draws
    the building again). Touches only its own nodes' groups. layout: `ShardLayout.kernel`;
    trips, hh, doorstep: as in `daily.encounter_pairs`; out: `ShardedDay._buffers`."""
    dwelling_start, node_start, own_nodes, route_nodes, route_start, route_cut, route_end = layout[
        :7
    ]
    dest_par, avoid_cut, _, _, cum, slots, notice, max_partners, _ = trips
    groups, out_a, out_b, cap_pairs, out_key, shared_per_hh, cap_shared, sizes = out
    real, _, flag = hh
    lo = dwelling_start[s]
    hi = dwelling_start[s + 1]
    rates = trip_rate_matrix(dest_par, real, flag, avoid_cut, lo, hi)
    visits, n_visits, _, shared_key, n_shared = _draw_visits(
        rates,
        lo,
        flag.shape[1],
        (route_start, route_cut, route_nodes),
        flag[Flag.working, lo:hi],
        cum,
        slots,
        handles[s, ROUTINES:],
        (route_cut, route_end, layout[7]),
    )
    count_groups(visits, groups)
    nodes = own_nodes[node_start[s] : node_start[s + 1]]
    size_hint = visits.shape[0] // 4 + 16
    rs = handles[s, ENCOUNTERS:]
    pi, pj, e, n_members = _meetings(groups, nodes, notice, slots, max_partners, size_hint, rs)
    members = members_of(visits, n_visits, groups, n_members)
    clear_groups(groups, nodes, slots)
    u = households_met(members, pi, pj, e)
    a, b = _sorted_unique_pairs(pi, pj, u, hi - lo)
    da, db = doorstep_meetings(doorstep, door_start[s], door_start[s + 1], hh, avoid_cut, rs)
    a, b = union_pairs(a, b, da - lo, db - lo)
    m = a.shape[0]
    q = shared_key.shape[0]
    sizes[s, 0] = m
    sizes[s, 1] = q
    if m > cap_pairs or q > cap_shared:
        return
    o = s * cap_pairs
    for t in range(m):
        out_a[o + t] = lo + a[t]
        out_b[o + t] = lo + b[t]
    o = s * cap_shared
    out_key[o : o + q] = shared_key
    shared_per_hh[lo:hi] = n_shared


@nb.njit(**PARALLEL)
def _buildings_encounters(layout, trips, hh, handles, out, doorstep, door_start):
    """`_building_encounters` for every building, in parallel."""
    for s in nb.prange(layout[0].shape[0] - 1):
        _building_encounters(s, layout, trips, hh, handles, out, doorstep, door_start)


@nb.njit(**JIT)
def _site_pairs(dwelling_start, out, shared_nodes, trips, rng_encounters):
    """The meetings at shared nodes (the site's encounters stream), from every building's
    visits there in building order, merged with the buildings' own pairs: the day's unique
    encounter pairs (a < b), sorted."""
    groups, out_a, out_b, cap_pairs, out_key, shared_per_hh, cap_shared, sizes = out
    _, _, _, _, _, slots, notice_by_node, max_partners, _ = trips
    S = sizes.shape[0]
    n_dwellings = dwelling_start[S]
    Q = 0
    for s in range(S):
        Q += sizes[s, 1]
    keys = np.empty(Q, np.int32)  # in dwelling order, as shared_per_hh counts them
    q = 0
    for s in range(S):
        o = s * cap_shared
        keys[q : q + sizes[s, 1]] = out_key[o : o + sizes[s, 1]]
        q += sizes[s, 1]
    count_groups(keys, groups)
    pi, pj, e, n_members = _meetings(
        groups, shared_nodes, notice_by_node, slots, max_partners, Q // 4 + 16, rng_encounters
    )
    members = members_of(keys, shared_per_hh, groups, n_members)
    clear_groups(groups, shared_nodes, slots)
    u = households_met(members, pi, pj, e)
    sa, sb = _sorted_unique_pairs(pi, pj, u, n_dwellings)
    # merge: the buildings' pairs are sorted within a building and the buildings are
    # dwelling ranges in order, so their concatenation is sorted too
    total = sa.shape[0]
    for s in range(S):
        total += sizes[s, 0]
    a = np.empty(total, np.int64)
    b = np.empty(total, np.int64)
    k = 0
    j = 0
    for s in range(S):
        o = s * cap_pairs
        for t in range(o, o + sizes[s, 0]):
            x = out_a[t]
            y = out_b[t]
            while j < sa.shape[0] and (sa[j] < x or (sa[j] == x and sb[j] < y)):
                a[k] = sa[j]
                b[k] = sb[j]
                k += 1
                j += 1
            if j < sa.shape[0] and sa[j] == x and sb[j] == y:
                j += 1  # met at home and out: one encounter
            a[k] = x
            b[k] = y
            k += 1
    while j < sa.shape[0]:
        a[k] = sa[j]
        b[k] = sb[j]
        k += 1
        j += 1
    return a[:k], b[:k]


# --------------------------------------------------------------------------------------
# encounter outcomes
# --------------------------------------------------------------------------------------
@nb.njit(**JIT)
def _select_pairs(pairs, pair_start, dwelling_start, first, end, within):
    """(a, b, boost) of the `pairs` (a, b, boost) whose lower household lives in
    buildings first..end-1 (pair_start[s]: where building s's pairs begin in a, sorted)
    and whose other household lives in the same building (within) or in another one (not
    within)."""
    a, b, boost = pairs
    m = 0
    for s in range(first, end):
        hi = dwelling_start[s + 1]
        for t in range(pair_start[s], pair_start[s + 1]):
            m += (b[t] < hi) == within
    sa = np.empty(m, np.int64)
    sb = np.empty(m, np.int64)
    sboost = np.empty(m)
    k = 0
    for s in range(first, end):
        hi = dwelling_start[s + 1]
        for t in range(pair_start[s], pair_start[s + 1]):
            if (b[t] < hi) == within:
                sa[k] = a[t]
                sb[k] = b[t]
                sboost[k] = boost[t]
                k += 1
    return sa, sb, sboost


@nb.njit(**JIT)
def _building_contacts(s, shard, pairs, pair_start, day, pars, store, E, used, walls, hh, counters):
    """Building s's encounter outcomes between its own households (its contact stream)
    and its nuisance through walls (its living_nuisance stream), on its dense tie block;
    counters[s] = resolve_contacts' six counters, then living_nuisance's two. shard =
    (dwelling_start, stream handles); the rest as in `contact.contacts_day`."""
    dwelling_start, handles = shard
    cp, sp = pars[0][0], pars[2][0]
    sel = _select_pairs(pairs, pair_start, dwelling_start, s, s + 1, True)
    _, _, c = resolve_contacts(sel, day, cp, sp, store, E, used, hh, handles[s, CONTACT:])
    for i in range(6):
        counters[s, i] = c[i]
    lo, hi = dwelling_start[s], dwelling_start[s + 1]
    rs = handles[s, NUISANCE:]
    _, _, c = living_nuisance(day, cp, sp, store, E, used, walls, hh, rs, lo, hi)
    counters[s, 6] = c[0]
    counters[s, 7] = c[1]


@nb.njit(**PARALLEL)
def _buildings_contacts(shard, pairs, pair_start, day, pars, store, E, used, walls, hh, counters):
    """`_building_contacts` for every building, in parallel (their writes stay in their
    own dense blocks, which never reallocate: E is the same arrays afterwards)."""
    for s in nb.prange(shard[0].shape[0] - 1):
        _building_contacts(
            s, shard, pairs, pair_start, day, pars, store, E, used, walls, hh, counters
        )


@nb.njit(**PARALLEL)
def _buildings_help(shard, day, hp, store, E, hh, choices, counters):
    """`contact.help_choices` for every building's households (its help stream), in
    parallel: they only read the state. counters[s] = its help counters."""
    dwelling_start, handles = shard
    for s in nb.prange(dwelling_start.shape[0] - 1):
        lo, hi = dwelling_start[s], dwelling_start[s + 1]
        help_choices(lo, hi, day, hp[0], store, E, hh, handles[s, HELP:], choices, counters[s])


@nb.njit(**JIT)
def contacts_day_sharded(shard, day, pairs, pars, store, E, used, walls, hh, rngs, counts):
    """`contact.contacts_day` for a site sharded by building (its arguments after shard =
    (the layout's `dwelling_start`, the buildings' stream handles); a, b sorted by a,
    then b). In parallel, each building on its own streams: the encounters between its
    households and its nuisance through walls. Then the encounters between buildings on
    the site's contact stream (their ties are sparse rows, which may grow; they read and
    write nothing the nuisance through walls touches). Then help: every building's choices
    in parallel, applied in dwelling order. Then the daily bookkeeping. Returns (E, used)."""
    dwelling_start = shard[0]
    cp, hp, sp = pars[0][0], pars[1][0], pars[2][0]
    S = dwelling_start.shape[0] - 1
    pair_start = np.searchsorted(pairs[0], dwelling_start)
    counters = np.zeros((S, 8))
    _buildings_contacts(shard, pairs, pair_start, day, pars, store, E, used, walls, hh, counters)
    across = _select_pairs(pairs, pair_start, dwelling_start, 0, S, False)
    E, used, c = resolve_contacts(across, day, cp, sp, store, E, used, hh, rngs[0])
    for i in range(6):
        counts[i] += c[i]
    for s in range(S):
        for i in range(6):
            counts[i] += counters[s, i]
        add_wall_counts(counts, counters[s, 6], counters[s, 7])
    choices = help_workspace(dwelling_start[S])
    help_counters = np.zeros((S, 4))
    _buildings_help(shard, day, pars[1], store, E, hh, choices, help_counters)
    c = np.zeros(4)
    for s in range(S):
        for i in range(4):
            c[i] += help_counters[s, i]
    if c[0] > 0:
        E, used = help_apply(day, hp, cp, store, E, used, hh, choices, c)
    for i in range(4):
        counts[7 + i] += c[i]
    daily_bookkeeping(hh[0], sp.recent_decay, hp.burden_decay, sp.complaint_decay)
    return E, used


# --------------------------------------------------------------------------------------
# the Python face
# --------------------------------------------------------------------------------------
class ShardedDay:
    """A sharded site's layout, every building's streams and the buffers the buildings
    write their encounters into (grown when a day needs more room); `encounters` gives
    the day's pairs, `contacts_day_sharded` (given `layout.dwelling_start` and `handles`)
    their outcomes and the rest of the day."""

    initial_capacity = 64  # results per building before the buffers first grow

    def __init__(self, layout: ShardLayout, streams: Streams):
        self.layout = layout
        S = layout.n_shards
        self._generators = [
            [streams[f"{name}/building {s}"] for name in SHARD_STREAMS] for s in range(S)
        ]
        self.handles = np.array(
            [[rng_handle(g)[0] for g in row] for row in self._generators], np.uint64
        )
        self._saved = np.zeros((S * len(SHARD_STREAMS), 2), np.uint64)
        self._flat_handles = self.handles.reshape(-1)
        self.sizes = np.zeros((S, 2), np.int64)
        self.shared_per_hh = np.zeros(layout.dwelling_start[-1], np.int32)
        self.cap_pairs = 0
        self.cap_shared = 0
        self._grow(self.initial_capacity, self.initial_capacity)

    def _grow(self, cap_pairs: int, cap_shared: int) -> None:
        S = self.layout.n_shards
        if cap_pairs > self.cap_pairs:
            self.cap_pairs = cap_pairs
            self.out_a = np.empty(S * cap_pairs, np.int32)
            self.out_b = np.empty(S * cap_pairs, np.int32)
        if cap_shared > self.cap_shared:
            self.cap_shared = cap_shared
            self.out_key = np.empty(S * cap_shared, np.int32)

    def _buffers(self, groups: np.ndarray) -> tuple:
        """Where the buildings write their encounters (see `_building_encounters`)."""
        return (
            groups,
            self.out_a,
            self.out_b,
            self.cap_pairs,
            self.out_key,
            self.shared_per_hh,
            self.cap_shared,
            self.sizes,
        )

    def encounters(
        self, trips: tuple, hh: tuple, rng_routines, rng_encounters, doorstep: tuple
    ) -> tuple[np.ndarray, np.ndarray]:
        """Today's encounter pairs (a < b, sorted), on `daily.encounter_pairs`' arguments
        (not its routes, which the layout holds cut in two, nor its routines stream:
        every building has its own). Doorstep pairs never cross buildings."""
        L = self.layout
        groups = trips[-1].view(np.int32)
        door_start = np.searchsorted(doorstep[0], L.dwelling_start)
        save_states(self._flat_handles, self._saved)
        while True:
            out = self._buffers(groups)
            _buildings_encounters(L.kernel, trips, hh, self.handles, out, doorstep, door_start)
            need = self.sizes.max(axis=0)
            if need[0] <= self.cap_pairs and need[1] <= self.cap_shared:
                break
            # rare (the buffers settle within the first days): every building is drawn
            # again, into buffers laid out anew
            self._grow(int(need[0] * 1.5) + 16, int(need[1] * 1.5) + 16)
            restore_states(self._flat_handles, self._saved)
        return _site_pairs(L.dwelling_start, out, L.shared_nodes, trips, rng_encounters)
