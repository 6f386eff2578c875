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
from sim.contact import (
    NO_NEED,
    help_apply,
    help_choices,
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
def _building_encounters(
    s,
    dwelling_start,
    node_start,
    own_nodes,
    dest_par,
    occupied,
    working,
    dog,
    children,
    avoidance,
    trip_mult,
    avoid_cut,
    route_nodes,
    route_start,
    route_cut,
    route_end,
    shared_longest,
    cum,
    slots,
    notice_by_node,
    max_partners,
    groups,
    handles,
    out_a,
    out_b,
    cap_pairs,
    out_key,
    shared_per_hh,
    cap_shared,
    sizes,
    door_a,
    door_b,
    door_chance,
    at_home,
    door_start,
):
    """Building s's day up to its encounter pairs: its households' trips (its routines
    stream), the meetings at its own nodes (its encounters stream), the unique pairs met
    there (a < b, sorted) into out_a/out_b[s*cap_pairs:], and the visits to shared nodes
    (group keys, in household order) into out_key[s*cap_shared:], with their number per
    household in shared_per_hh[its dwellings]. sizes[s] = (pairs, shared
    visits); when either exceeds its capacity nothing is written (the caller grows the
    buffers and draws the building again). Touches only its own nodes' groups."""
    lo = dwelling_start[s]
    hi = dwelling_start[s + 1]
    rates = trip_rate_matrix(
        dest_par,
        occupied[lo:hi],
        working[lo:hi],
        dog[lo:hi],
        children[lo:hi],
        avoidance[lo:hi],
        trip_mult[lo:hi],
        avoid_cut,
    )
    visits, n_visits, _, shared_key, n_shared = _draw_visits(
        rates,
        lo,
        occupied.shape[0],
        route_start,
        route_cut,
        route_nodes,
        working[lo:hi],
        cum,
        slots,
        handles[s, ROUTINES:],
        route_cut,
        route_end,
        shared_longest,
    )
    count_groups(visits, groups)
    nodes = own_nodes[node_start[s] : node_start[s + 1]]
    pi, pj, e, n_members = _meetings(
        groups,
        nodes,
        notice_by_node,
        slots,
        max_partners,
        visits.shape[0] // 4 + 16,
        handles[s, ENCOUNTERS:],
    )
    members = members_of(visits, n_visits, groups, n_members)
    clear_groups(groups, nodes, slots)
    u = households_met(members, pi, pj, e)
    a, b = _sorted_unique_pairs(pi, pj, u, hi - lo)
    da, db = doorstep_meetings(
        door_a,
        door_b,
        door_chance,
        at_home,
        door_start[s],
        door_start[s + 1],
        occupied,
        avoidance,
        trip_mult,
        avoid_cut,
        handles[s, ENCOUNTERS:],
    )
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
def _buildings_encounters(
    dwelling_start,
    node_start,
    own_nodes,
    dest_par,
    occupied,
    working,
    dog,
    children,
    avoidance,
    trip_mult,
    avoid_cut,
    route_nodes,
    route_start,
    route_cut,
    route_end,
    shared_longest,
    cum,
    slots,
    notice_by_node,
    max_partners,
    groups,
    handles,
    out_a,
    out_b,
    cap_pairs,
    out_key,
    shared_per_hh,
    cap_shared,
    sizes,
    door_a,
    door_b,
    door_chance,
    at_home,
    door_start,
):
    """`_building_encounters` for every building, in parallel."""
    for s in nb.prange(dwelling_start.shape[0] - 1):
        _building_encounters(
            s,
            dwelling_start,
            node_start,
            own_nodes,
            dest_par,
            occupied,
            working,
            dog,
            children,
            avoidance,
            trip_mult,
            avoid_cut,
            route_nodes,
            route_start,
            route_cut,
            route_end,
            shared_longest,
            cum,
            slots,
            notice_by_node,
            max_partners,
            groups,
            handles,
            out_a,
            out_b,
            cap_pairs,
            out_key,
            shared_per_hh,
            cap_shared,
            sizes,
            door_a,
            door_b,
            door_chance,
            at_home,
            door_start,
        )


@nb.njit(**JIT)
def _site_pairs(
    dwelling_start,
    sizes,
    out_a,
    out_b,
    cap_pairs,
    out_key,
    shared_per_hh,
    cap_shared,
    shared_nodes,
    notice_by_node,
    slots,
    max_partners,
    groups,
    rng_encounters,
):
    """The meetings at shared nodes (the site's encounters stream), from every building's
    visits there in building order, merged with the buildings' own pairs: the day's unique
    encounter pairs (a < b), sorted."""
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
def _select_pairs(a, b, boost, pair_start, dwelling_start, first, end, within):
    """(a, b, boost) of the pairs whose lower household lives in buildings first..end-1
    (pair_start[s]: where building s's pairs begin in a, sorted) and whose other household
    lives in the same building (within) or in another one (not within)."""
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
def _building_contacts(
    s,
    dwelling_start,
    pair_start,
    a,
    b,
    boost,
    day,
    cp,
    sp,
    H,
    gen,
    E,
    used,
    dt,
    adj_ptr,
    adj,
    occupied,
    avoidance,
    nuisance_risk,
    openness,
    other_language,
    talk_multiplier,
    trust_institutions,
    last_talk_day,
    pos_today,
    neg_today,
    nuisance_caused,
    complaints,
    handles,
    tie_count,
    counters,
):
    """Building s's encounter outcomes between its own households (its contact stream)
    and its nuisance through walls (its living_nuisance stream), on its dense tie block;
    counters[s] = resolve_contacts' six counters, then living_nuisance's two."""
    lo = dwelling_start[s]
    hi = dwelling_start[s + 1]
    sa, sb, sboost = _select_pairs(a, b, boost, pair_start, dwelling_start, s, s + 1, True)
    _, _, c = resolve_contacts(
        sa,
        sb,
        sboost,
        day,
        cp,
        sp,
        H,
        gen,
        E,
        used,
        dt,
        avoidance,
        nuisance_risk,
        openness,
        other_language,
        talk_multiplier,
        trust_institutions,
        last_talk_day,
        pos_today,
        neg_today,
        nuisance_caused,
        complaints,
        handles[s, CONTACT:],
        tie_count,
    )
    for i in range(6):
        counters[s, i] = c[i]
    _, _, c = living_nuisance(
        day,
        cp,
        sp,
        H,
        gen,
        E,
        used,
        dt,
        occupied,
        nuisance_risk,
        adj_ptr,
        adj,
        trust_institutions,
        neg_today,
        nuisance_caused,
        complaints,
        handles[s, NUISANCE:],
        lo,
        hi,
    )
    counters[s, 6] = c[0]
    counters[s, 7] = c[1]


@nb.njit(**PARALLEL)
def _buildings_contacts(
    dwelling_start,
    pair_start,
    a,
    b,
    boost,
    day,
    cp,
    sp,
    H,
    gen,
    E,
    used,
    dt,
    adj_ptr,
    adj,
    occupied,
    avoidance,
    nuisance_risk,
    openness,
    other_language,
    talk_multiplier,
    trust_institutions,
    last_talk_day,
    pos_today,
    neg_today,
    nuisance_caused,
    complaints,
    handles,
    tie_count,
    counters,
):
    """`_building_contacts` for every building, in parallel."""
    for s in nb.prange(dwelling_start.shape[0] - 1):
        _building_contacts(
            s,
            dwelling_start,
            pair_start,
            a,
            b,
            boost,
            day,
            cp[0],
            sp[0],
            H,
            gen,
            E,
            used,
            dt,
            adj_ptr,
            adj,
            occupied,
            avoidance,
            nuisance_risk,
            openness,
            other_language,
            talk_multiplier,
            trust_institutions,
            last_talk_day,
            pos_today,
            neg_today,
            nuisance_caused,
            complaints,
            handles,
            tie_count,
            counters,
        )


@nb.njit(**PARALLEL)
def _buildings_help(
    dwelling_start,
    day,
    hp,
    H,
    gen,
    members,
    E,
    dt,
    occupied,
    age_group,
    supported,
    recovery,
    burden,
    openness,
    handles,
    asked,
    yes,
    repeats,
    counters,
):
    """`contact.help_choices` for every building's households (its help stream), in
    parallel: they only read the state. counters[s] = its help counters."""
    for s in nb.prange(dwelling_start.shape[0] - 1):
        help_choices(
            dwelling_start[s],
            dwelling_start[s + 1],
            day,
            hp[0],
            H,
            gen,
            members,
            E,
            dt,
            occupied,
            age_group,
            supported,
            recovery,
            burden,
            openness,
            handles[s, HELP:],
            asked,
            yes,
            repeats,
            counters[s],
        )


@nb.njit(**JIT)
def contacts_day_sharded(
    dwelling_start,
    handles,
    day,
    a,
    b,
    boost,
    cp,
    hp,
    sp,
    H,
    gen,
    members,
    E,
    used,
    dt,
    adj_ptr,
    adj,
    occupied,
    age_group,
    supported,
    avoidance,
    nuisance_risk,
    openness,
    other_language,
    trust_institutions,
    recovery,
    burden,
    complaints,
    nuisance_caused,
    help_given,
    help_received,
    help_unmet,
    last_talk_day,
    pos_recent,
    neg_recent,
    talk_multiplier,
    tie_count,
    pos_today,
    neg_today,
    pos_week,
    neg_week,
    rngs,
    counts,
):
    """`contact.contacts_day` for a site sharded by building (its arguments after the
    layout's `dwelling_start` and the buildings' stream `handles`, with the parameter
    records as their one-element arrays, see sim/kernel_params.py; a, b sorted by a, then
    b). In parallel, each building on its own streams: the encounters between its
    households and its nuisance through walls. Then the encounters between buildings on
    the site's contact stream (their ties are sparse rows, which may grow; they read and
    write nothing the nuisance through walls touches). Then help: every building's choices
    in parallel, applied in dwelling order. Then the daily bookkeeping. Returns (E, used)."""
    S = dwelling_start.shape[0] - 1
    pair_start = np.searchsorted(a, dwelling_start)
    counters = np.zeros((S, 8))
    _buildings_contacts(
        dwelling_start,
        pair_start,
        a,
        b,
        boost,
        day,
        cp,
        sp,
        H,
        gen,
        E,
        used,
        dt,
        adj_ptr,
        adj,
        occupied,
        avoidance,
        nuisance_risk,
        openness,
        other_language,
        talk_multiplier,
        trust_institutions,
        last_talk_day,
        pos_today,
        neg_today,
        nuisance_caused,
        complaints,
        handles,
        tie_count,
        counters,
    )
    xa, xb, xboost = _select_pairs(a, b, boost, pair_start, dwelling_start, 0, S, False)
    E, used, c = resolve_contacts(
        xa,
        xb,
        xboost,
        day,
        cp[0],
        sp[0],
        H,
        gen,
        E,
        used,
        dt,
        avoidance,
        nuisance_risk,
        openness,
        other_language,
        talk_multiplier,
        trust_institutions,
        last_talk_day,
        pos_today,
        neg_today,
        nuisance_caused,
        complaints,
        rngs[0],
        tie_count,
    )
    for i in range(6):
        counts[i] += c[i]
    for s in range(S):
        for i in range(6):
            counts[i] += counters[s, i]
        counts[4] += counters[s, 6]  # (DAY_EVENTS: nuisance, conflict, living_nuisance)
        counts[5] += counters[s, 7]
        counts[6] += counters[s, 6]
    n = occupied.shape[0]
    asked = np.full(n, NO_NEED, np.int64)
    yes = np.zeros(n, np.bool_)
    repeats = np.zeros(n)
    help_counters = np.zeros((S, 4))
    _buildings_help(
        dwelling_start,
        day,
        hp,
        H,
        gen,
        members,
        E,
        dt,
        occupied,
        age_group,
        supported,
        recovery,
        burden,
        openness,
        handles,
        asked,
        yes,
        repeats,
        help_counters,
    )
    c = np.zeros(4)
    for s in range(S):
        for i in range(4):
            c[i] += help_counters[s, i]
    if c[0] > 0:
        E, used = help_apply(
            day,
            hp[0],
            cp[0],
            H,
            gen,
            E,
            used,
            dt,
            asked,
            yes,
            repeats,
            burden,
            help_given,
            help_received,
            help_unmet,
            last_talk_day,
            pos_today,
            c,
        )
    for i in range(4):
        counts[7 + i] += c[i]
    daily_bookkeeping(
        pos_recent,
        neg_recent,
        pos_today,
        neg_today,
        pos_week,
        neg_week,
        burden,
        complaints,
        sp[0].recent_decay,
        hp[0].burden_decay,
        sp[0].complaint_decay,
    )
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

    def encounters(
        self,
        dest_par,
        occupied,
        working,
        dog,
        children,
        avoidance,
        trip_mult,
        avoid_cut,
        route_ptr,
        route_nodes,
        cum,
        slots,
        notice_by_node,
        max_partners,
        bucket,
        rng_routines,
        rng_encounters,
        door_a,
        door_b,
        door_chance,
        at_home,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Today's encounter pairs (a < b, sorted), on `daily.encounter_pairs`' arguments
        (not its routes, which the layout holds cut in two, nor its routines stream:
        every building has its own). Doorstep pairs never cross buildings."""
        L = self.layout
        groups = bucket.view(np.int32)
        door_start = np.searchsorted(door_a, L.dwelling_start)
        save_states(self._flat_handles, self._saved)
        while True:
            _buildings_encounters(
                L.dwelling_start,
                L.node_start,
                L.own_nodes,
                dest_par,
                occupied,
                working,
                dog,
                children,
                avoidance,
                trip_mult,
                avoid_cut,
                L.route_nodes,
                L.route_start,
                L.route_cut,
                L.route_end,
                L.shared_longest,
                cum,
                slots,
                notice_by_node,
                max_partners,
                groups,
                self.handles,
                self.out_a,
                self.out_b,
                self.cap_pairs,
                self.out_key,
                self.shared_per_hh,
                self.cap_shared,
                self.sizes,
                door_a,
                door_b,
                door_chance,
                at_home,
                door_start,
            )
            need = self.sizes.max(axis=0)
            if need[0] <= self.cap_pairs and need[1] <= self.cap_shared:
                break
            # rare (the buffers settle within the first days): every building is drawn
            # again, into buffers laid out anew
            self._grow(int(need[0] * 1.5) + 16, int(need[1] * 1.5) + 16)
            restore_states(self._flat_handles, self._saved)
        return _site_pairs(
            L.dwelling_start,
            self.sizes,
            self.out_a,
            self.out_b,
            self.cap_pairs,
            self.out_key,
            self.shared_per_hh,
            self.cap_shared,
            L.shared_nodes,
            notice_by_node,
            slots,
            max_partners,
            groups,
            rng_encounters,
        )
