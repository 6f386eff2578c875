"""Trips → visits → co-presence → encounter pairs: who runs into whom today.

Meetings are sampled within each (node, slot) co-presence group rather than enumerated pair
by pair, so a crowded park costs no more than a quiet gallery.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from sim.columns import Flag, Real
from sim.rand import JIT, binomial_draw, poisson_draw, uniform


def slot_weights(slots: int) -> np.ndarray:
    """(2, slots) probabilities of a trip's slot for non-working (row 0) and working (row 1)
    households: workers leave early and come back late, others spread over the day."""
    t = (np.arange(slots) + 0.5) / slots
    daytime = 1.0 + np.sin(np.pi * t)  # peaks mid-day
    commute = 1.0 + 2.0 * np.cos(np.pi * t) ** 2  # peaks at both ends
    w = np.vstack([daytime, commute])
    return w / w.sum(axis=1, keepdims=True)


def canonical_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique unordered pairs as (low, high) arrays, sorted."""
    lo = np.minimum(a, b).astype(np.int64)
    hi = np.maximum(a, b).astype(np.int64)
    if len(lo) == 0:
        return lo, hi
    width = int(hi.max()) + 1
    key = np.unique(lo * width + hi)
    return key // width, key % width


# trip-rate formula per destination, one row per destination (see NeighbourhoodModel.trip_rates):
#   rate = occupied * (base + work_extra*working) * (dog if needs_dog) * (children if
#          needs_children) * ((1 - cut*avoidance) * trip_multiplier if optional)
RATE_BASE, RATE_WORK, RATE_DOG, RATE_CHILD, RATE_OPTIONAL = range(5)


TRIP_DESTINATIONS = (
    "out",
    "dog_field",
    "playground",
    "mail",
    "bins",
    "bike",
    "park",
    "shops",
    "community_centre",
    "garden",
    "laundry",
    "hobby_room",
)


def destination_parameters(routines, dests: list[str]) -> np.ndarray:
    """(D, 5) rows of the trip-rate formula for `dests` (see trip_rate_matrix)."""
    par = np.zeros((len(dests), 5))
    for i, d in enumerate(dests):
        par[i, RATE_BASE] = getattr(routines, d)
        if d == "out":
            par[i, RATE_WORK] = routines.work_extra
        elif d == "dog_field":
            par[i, RATE_DOG] = 1
        else:
            par[i, RATE_OPTIONAL] = 1
            if d == "playground":
                par[i, RATE_CHILD] = 1
    return par


def pack_routes(
    routes: dict[str, tuple[np.ndarray, np.ndarray]], dests: list[str], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """One CSR over (destination, dwelling): row d*n + i is dwelling i's route to dests[d]."""
    ptrs, nodes, offset = [], [], 0
    for d in dests:
        indptr, nd = routes[d]
        ptrs.append(np.asarray(indptr[:-1], np.int64) + offset)
        nodes.append(np.asarray(nd, np.int32))
        offset += len(nd)
    route_ptr = np.concatenate(ptrs + [np.array([offset], np.int64)])
    route_nodes = np.concatenate(nodes) if nodes else np.zeros(0, np.int32)
    return route_ptr, route_nodes


def route_table(
    routes: dict[str, tuple[np.ndarray, np.ndarray]], dests: list[str], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, nodes): row d*n + i, dwelling i's route to dests[d], is
    nodes[start[row]:end[row]]. A site keeps all its routes' nodes in one array
    (`building.site`), which is used as it is; other routes are packed into one."""
    arrays = [routes[d][1] for d in dests]
    base = arrays[0].base if arrays and arrays[0].base is not None else None
    if base is None or any(a.base is not base for a in arrays):
        ptr, nodes = pack_routes(routes, dests, n)
        return ptr[:-1], ptr[1:], nodes
    at = base.__array_interface__["data"][0]
    start = np.empty(len(dests) * n, np.int64)
    end = np.empty(len(dests) * n, np.int64)
    for k, (d, a) in enumerate(zip(dests, arrays)):
        offset = (a.__array_interface__["data"][0] - at) // a.itemsize
        indptr = np.asarray(routes[d][0], np.int64)
        start[k * n : (k + 1) * n] = indptr[:-1] + offset
        end[k * n : (k + 1) * n] = indptr[1:] + offset
    return start, end, np.asarray(base)


@nb.njit(**JIT)
def trip_rate_matrix(dest_par, real, flag, avoid_cut, lo, hi):
    """(destinations, households lo..hi-1) expected trips per day, from the households'
    float and flag matrices (sim/columns.py)."""
    occupied = flag[Flag.occupied]
    working = flag[Flag.working]
    dog = flag[Flag.dog]
    children = flag[Flag.children]
    avoidance = real[Real.avoidance]
    trip_mult = real[Real.trip_multiplier]
    nd = dest_par.shape[0]
    out = np.zeros((nd, hi - lo))
    for i in range(lo, hi):
        if not occupied[i]:
            continue
        opt = (1.0 - avoid_cut * avoidance[i]) * trip_mult[i]
        for d in range(nd):
            r = dest_par[d, RATE_BASE] + dest_par[d, RATE_WORK] * working[i]
            if dest_par[d, RATE_DOG] > 0:
                r *= dog[i]
            if dest_par[d, RATE_CHILD] > 0:
                r *= children[i]
            if dest_par[d, RATE_OPTIONAL] > 0:
                r *= opt
            out[d, i - lo] = r
    return out


@nb.njit(**JIT)
def _grown(x, used, cap):
    """A copy of x[:used] with room for cap."""
    y = np.empty(cap, x.dtype)
    y[:used] = x[:used]
    return y


@nb.njit(inline="always", **JIT)
def _append_route(keys, v, route_start, route_end, route_nodes, row, s, slots, width):
    """Write the group keys node*slots + s of route `row` (route_nodes[route_start[row]:
    route_end[row]]) at keys[v:] (grown if need be); returns (keys, v after them). A
    route's length varies from trip to trip: a loop over it mispredicts its exit once a
    trip; writing `width` keys (the tail is overwritten by the next trip) does not."""
    length = route_end[row] - route_start[row]
    if v + length + width > keys.shape[0]:
        keys = _grown(keys, v, 2 * keys.shape[0] + length + width)
    return keys, _put_route(keys, v, route_start, route_end, route_nodes, row, s, slots, width)


@nb.njit(inline="always", **JIT)
def _put_route(keys, v, route_start, route_end, route_nodes, row, s, slots, width):
    """`_append_route` into an array known to have room (no growing: an array that may be
    reassigned in the trip loop slows all of it); returns v after the keys."""
    start = route_start[row]
    length = route_end[row] - start
    if length <= width and start <= route_nodes.shape[0] - width:
        for q in range(width):
            keys[v + q] = route_nodes[start + q] * slots + s
    else:
        for q in range(length):
            keys[v + q] = route_nodes[start + q] * slots + s
    return v + length


@nb.njit(**JIT)
def _draw_visits(rates, first, n_routes, routes, working, cum, slots, rs, second):
    """Each household's trips (Poisson with its total rate), each to a destination drawn in
    proportion to the rates (the same as independent Poisson counts per destination), in a
    slot drawn from `cum`; both choices count thresholds rather than search, so no branch
    mispredicts. Every visit's group key node*slots + slot is kept (int32), household by
    household, as the trip is drawn (on a large site one sequential array beats walking
    the routes again). Returns the keys, visits per household (in the trip counts' array:
    a household's count is done with once its trips are drawn), the number of trips, and
    the keys of the visits along a second set of routes (second = (out_start, out_end,
    out_longest): route_nodes[out_start[row]:out_end[row]], e.g. the shared part of every
    route, none longer than out_longest; empty out_start: none) with their number per
    household.

    rates[:, i] and working[i] are those of dwelling first + i, whose route to
    destination d is row d*n_routes + first + i: routes = (route_start, route_end,
    route_nodes), the route is route_nodes[route_start[row]:route_end[row]]."""
    route_start, route_end, route_nodes = routes
    out_start, out_end, out_longest = second
    nd, n = rates.shape
    per_hh = np.zeros(n, np.int32)  # trips, then visits, of each household
    T = 0
    for i in range(n):
        tot = 0.0
        for d in range(nd):
            tot += rates[d, i]
        if tot > 0.0:
            per_hh[i] = poisson_draw(rs, tot)
            T += per_hh[i]
    visits = np.empty(12 * T + 64, np.int32)
    two_sets = out_start.shape[0] > 0
    out_keys = np.empty(T * max(out_longest, 8) + 8 if two_sets else 0, np.int32)
    out_per_hh = np.zeros(n if two_sets else 0, np.int32)
    upto = np.empty(nd)  # the household's cumulative rates
    v = 0
    o = 0
    for i in range(n):
        trips = per_hh[i]
        if trips == 0:
            continue
        tot = 0.0
        for d in range(nd):
            tot += rates[d, i]
            upto[d] = tot
        w = 1 if working[i] else 0
        v0 = v
        o0 = o
        for _ in range(trips):
            u = uniform(rs) * tot
            d = 0
            for dd in range(nd - 1):
                d += u >= upto[dd]
            while rates[d, i] <= 0.0:  # rounding at the top end
                d -= 1
            us = uniform(rs)
            s = 0
            for q in range(slots - 1):
                s += us > cum[w, q]
            row = d * n_routes + first + i
            visits, v = _append_route(
                visits, v, route_start, route_end, route_nodes, row, s, slots, 16
            )
            if two_sets:
                o = _put_route(out_keys, o, out_start, out_end, route_nodes, row, s, slots, 8)
        per_hh[i] = v - v0
        if two_sets:
            out_per_hh[i] = o - o0
    return visits[:v], per_hh, T, out_keys[:o], out_per_hh


@nb.njit(**JIT)
def route_cuts(route_start, route_end, route_nodes, node_shared):
    """For each route (route_nodes[route_start[r]:route_end[r]]), where its shared part
    begins: the position of its first shared node (route_end[r] if none). Routes leave a
    building and do not come back; returns -1 - r for the first route r that does."""
    R = route_start.shape[0]
    cut = np.empty(R, np.int64)
    for r in range(R):
        c = route_end[r]
        for q in range(route_start[r], route_end[r]):
            if node_shared[route_nodes[q]]:
                c = q
                break
        for q in range(c, route_end[r]):
            if not node_shared[route_nodes[q]]:
                return cut, -1 - r
        cut[r] = c
    return cut, 0


@nb.njit(**JIT)
def _counting_sort(key, other, e, n, out_key, out_other, at):
    """Stable sort of the first e (key, other) by key in [0, n); at: n + 1 workspace."""
    at[:] = 0
    for q in range(e):
        at[key[q] + 1] += 1
    for x in range(n):
        at[x + 1] += at[x]
    for q in range(e):
        x = key[q]
        out_key[at[x]] = x
        out_other[at[x]] = other[q]
        at[x] += 1


@nb.njit(**JIT)
def _sorted_unique_pairs(pa, pb, e, n):
    """The first e pairs sorted by (a, b), without duplicates: two counting sorts (by b,
    then stably by a), O(e + n); np.sort of the pair keys cost a third of the day."""
    at = np.empty(n + 1, np.int64)
    tb = np.empty(e, np.int32)
    ta = np.empty(e, np.int32)
    _counting_sort(pb, pa, e, n, tb, ta, at)
    a = np.empty(e, np.int64)
    b = np.empty(e, np.int64)
    _counting_sort(ta, tb, e, n, a, b, at)
    u = 0
    for q in range(e):
        keep = u == 0 or a[q] != a[u - 1] or b[q] != b[u - 1]
        a[u] = a[q]
        b[u] = b[q]
        u += keep
    return a[:u], b[:u]


_NEVER = np.int64(1) << 62  # a skip past every pair of the day
_NO_ROUTES = np.zeros(0, np.int64)  # no second set of routes (see _draw_visits)
_NO_RATES = np.zeros((0, 5))  # no destination parameters (rates given directly)


@nb.njit(**JIT)
def _skip(rs, inv_log_q):
    """Failures before the next success of Bernoulli(p) trials, inv_log_q = 1/log(1-p):
    geometric by inversion from one uniform."""
    x = math.log(1.0 - uniform(rs)) * inv_log_q  # log, not log1p: half the cost
    return np.int64(x) if x < 4e18 else _NEVER


@nb.njit(**JIT)
def _meetings(bucket, nodes, notice_by_node, slots, max_partners, size_hint, rs):
    """The day's meetings at `nodes` (in that order), given the visit counts per (node,
    slot) group in bucket, as pairs
    (pi, pj) of positions in a `members` array of the visits of groups with meetings.
    Such a group gets a stretch of members (bucket: -1 - its start), any other -1, so a
    fill pass can put every visit somewhere without a branch (members[0] is a dump).
    Returns pi, pj, the number of pairs and the length of members.

    The work is _meetings_from's; it stops before a group whose meetings might not fit,
    and goes on where it stopped once pi and pj have grown (the loop itself never
    reallocates: an array reassigned in it costs ~15% of the day's meetings)."""
    pi = np.empty(size_hint, np.int32)
    pj = np.empty(size_hint, np.int32)
    run = np.array([0, 1, _NEVER])  # e (meetings so far), pos (members so far), skip S
    prob = np.array([-1.0, 0.0])  # the current notice probability p and 1/log(1-p)
    key = 0
    while True:
        key = _meetings_from(
            key, run, prob, pi, pj, bucket, nodes, notice_by_node, slots, max_partners, rs
        )
        if key < 0:
            return pi, pj, run[0], run[1]
        k = bucket[nodes[key // slots] * slots + key % slots]
        room = 2 * pi.shape[0] + min(k * (k - 1) // 2, max(1, k * max_partners // 2))
        pi = _grown(pi, run[0], room)
        pj = _grown(pj, run[0], room)


@nb.njit(**JIT)
def _meetings_from(key0, run, prob, pi, pj, bucket, nodes, notice_by_node, slots, max_partners, rs):
    """_meetings' loop over the groups from key0 on, with its state in run and prob;
    returns -1 when done, or the place of a group whose meetings might not fit in pi, pj.
    Places count groups along `nodes`: place = index in nodes * slots + slot.

    Most groups are visited on a day, so all are scanned, in (node, slot) order. Quiet
    groups (too small for the cap to bind) are lined up and a geometric skip jumps from one
    meeting to the next: no work for a group without one, and exactly independent coins
    per pair. Louder ones draw a binomial number of meetings (capped at k*max_partners/2)
    and that many distinct pairs (with replacement above 64, i.e. in crowded spaces)."""
    seen = np.empty(64, np.int64)
    e, pos, S = run[0], run[1], run[2]  # S: quiet pairs to pass before the next meeting
    p_run, inv_log_q = prob[0], prob[1]
    k_quiet = max_partners + 1  # groups too small for the cap to bind
    for at in range(key0 // slots, nodes.shape[0]):
        node = nodes[at]
        p = notice_by_node[node]
        if p != p_run:  # a fresh skip for a new probability (the coins are independent)
            p_run = p
            if p > 0.0:
                inv_log_q = 1.0 / math.log1p(-p) if p < 1.0 else 0.0
                S = _skip(rs, inv_log_q)
            else:
                S = _NEVER
        for place in range(max(key0, at * slots), (at + 1) * slots):
            key = node * slots + place - at * slots
            k = bucket[key]
            N = k * (k - 1) // 2
            quiet = k <= k_quiet
            if quiet and S >= N:
                bucket[key] = -1
                S -= N
                continue
            cap_m = max(1, k * max_partners // 2)
            if e + min(N, cap_m) > pi.shape[0]:  # (before any draw: the caller goes on)
                run[0], run[1], run[2] = e, pos, S
                prob[0], prob[1] = p_run, inv_log_q
                return place
            bucket[key] = -1
            e0 = e
            if quiet:
                while S < N:  # the pair with index S: visits i > j, S = i(i-1)/2 + j
                    i = int(0.5 + math.sqrt(0.25 + 2.0 * S))
                    i -= i * (i - 1) // 2 > S
                    i += (i + 1) * i // 2 <= S
                    pi[e] = pos + i
                    pj[e] = pos + S - i * (i - 1) // 2
                    e += 1
                    S += 1 + _skip(rs, inv_log_q)
                S -= N
            else:
                m = min(binomial_draw(rs, N, p), cap_m)
                for t in range(m):
                    while True:
                        x = uniform(rs) * k
                        i = int(x)
                        j = int((x - i) * (k - 1))
                        j += j >= i
                        if m > 64:
                            break
                        pij = min(i, j) * k + max(i, j)
                        dup = False
                        for q in range(t):
                            dup |= seen[q] == pij
                        if not dup:
                            seen[t] = pij
                            break
                    pi[e] = pos + i
                    pj[e] = pos + j
                    e += 1
            if e > e0:
                bucket[key] = -1 - pos
                pos += k
    run[0], run[1] = e, pos
    return -1


@nb.njit(**JIT)
def count_groups(visits, groups):
    """The groups' sizes, counted in one pass over a flat array of visit keys."""
    for q in range(visits.shape[0]):
        groups[visits[q]] += 1


@nb.njit(**JIT)
def clear_groups(groups, nodes, slots):
    """Zero the co-presence groups of `nodes` (every slot) after a day's meetings there."""
    for t in range(nodes.shape[0]):
        for sl in range(slots):
            groups[nodes[t] * slots + sl] = 0


@nb.njit(**JIT)
def members_of(visits, n_visits, groups, n_members):
    """The households of the visits to groups with meetings, at the positions _meetings
    gave them (visits of household h: the next n_visits[h] keys). Leaves those groups'
    entries in `groups` changed (the caller zeroes them)."""
    members = np.empty(n_members, np.int32)
    v = 0
    for h in range(n_visits.shape[0]):
        for _ in range(n_visits[h]):
            key = visits[v]
            c = groups[key]
            i = -1 - c
            members[i] = h
            groups[key] = c - (i > 0)  # (the dump's cursor stays)
            v += 1
    return members


@nb.njit(**JIT)
def households_met(members, pi, pj, e):
    """The first e meetings (positions in members) as household pairs (low, high) in
    place, without a household meeting itself; returns how many remain."""
    u = 0
    for q in range(e):
        a = members[pi[q]]
        b = members[pj[q]]
        if a != b:  # not one household passing twice in a slot
            pi[u] = min(a, b)
            pj[u] = max(a, b)
            u += 1
    return u


@nb.njit(**JIT)
def pairs_at_nodes(
    rates, first, routes, second, working, trips, nodes, rng_routines, rng_encounters
):
    """One day's trips → visits → co-presence groups at `nodes` → unique encounter pairs
    (a < b, sorted) of the households of dwellings first..first+n-1 (rates: (D, n) trips
    per day; working: their flags), numbered from 0 (add `first` for dwellings).

    routes = (route_start, route_end, route_nodes): dwelling i's route to the d-th
    destination is row d*N + i (N: all dwellings of the site); second: the part of every
    route whose visits are kept for a later pass, as in `_draw_visits` (e.g. the shared
    part, met with other buildings' visits). trips = (destination parameters, avoid_cut,
    slot weights' cumulative sums (2, slots), slots, notice by node, max_partners,
    groups: an int32 workspace of n_nodes*slots zeros, left zeroed at `nodes`).

    Each pair of the k visits at a (node, slot) meets with the node's notice probability
    (capped at k*max_partners/2 meetings per group, see _meetings); a pair of households
    meets at most once a day. Returns a, b, the number of trips T and of visits V, and the
    second part's visit keys with their number per household.

    Four passes, each over one flat array and mostly in cache: trips and visit counts per
    group (_draw_visits, count_groups), meetings as pairs of positions among the visits of
    the groups that have any (_meetings), those visits' households (members_of), then the
    unique pairs in order (_sorted_unique_pairs)."""
    _, _, cum, slots, notice_by_node, max_partners, groups = trips
    n = rates.shape[1]
    n_routes = routes[0].shape[0] // max(rates.shape[0], 1)
    visits, n_visits, T, second_keys, n_second = _draw_visits(
        rates, first, n_routes, routes, working, cum, slots, rng_routines, second
    )
    count_groups(visits, groups)
    V = visits.shape[0]
    pi, pj, e, n_members = _meetings(
        groups, nodes, notice_by_node, slots, max_partners, V // 4 + 16, rng_encounters
    )
    members = members_of(visits, n_visits, groups, n_members)
    clear_groups(groups, nodes, slots)
    u = households_met(members, pi, pj, e)
    a, b = _sorted_unique_pairs(pi, pj, u, n)
    return a, b, T, V, second_keys, n_second


@nb.njit(**JIT)
def day_pairs(
    rates,
    route_ptr,
    route_nodes,
    working,
    cum,
    slots,
    notice_by_node,
    max_partners,
    bucket,
    rng_routines,
    rng_encounters,
):
    """`pairs_at_nodes` for a whole site taken as one place (every node, every dwelling,
    no second part): the day's pairs a, b, trips T and visits V. route_ptr/route_nodes:
    one CSR over (destination, dwelling) as `pack_routes` makes it; bucket: an int64
    workspace of n_nodes*slots zeros (left zeroed), used as int32 counts."""
    n_nodes = notice_by_node.shape[0]
    trips = (_NO_RATES, 0.0, cum, slots, notice_by_node, max_partners, bucket.view(np.int32))
    a, b, T, V, _, _ = pairs_at_nodes(
        rates,
        0,
        (route_ptr[:-1], route_ptr[1:], route_nodes),
        (_NO_ROUTES, _NO_ROUTES, 0),
        working,
        trips,
        np.arange(n_nodes),
        rng_routines,
        rng_encounters,
    )
    return a, b, T, V
