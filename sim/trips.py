"""Trips → visits → co-presence → encounter pairs: who runs into whom today.

Pairs are sampled within each (node, slot) co-presence group rather than enumerated, so a
crowded park costs no more than a quiet gallery.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.rand import JIT, binomial_draw, poisson_draw, uniform


def slot_weights(slots: int) -> np.ndarray:
    """(2, slots) probabilities of a trip's slot for non-working (row 0) and working (row 1)
    households: workers leave early and come back late, others spread over the day."""
    t = (np.arange(slots) + 0.5) / slots
    daytime = 1.0 + np.sin(np.pi * t)          # peaks mid-day
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


TRIP_DESTINATIONS = ("out", "dog_field", "playground", "mail", "bins", "bike", "park", "shops",
                     "community_centre", "garden", "laundry", "hobby_room")


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


def pack_routes(routes: dict[str, tuple[np.ndarray, np.ndarray]], dests: list[str],
                n: int) -> tuple[np.ndarray, np.ndarray]:
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


@nb.njit(**JIT)
def trip_rate_matrix(dest_par, occupied, working, dog, children, avoidance, trip_mult,
                     avoid_cut):
    """(destinations, households) expected trips per day."""
    nd = dest_par.shape[0]
    n = occupied.shape[0]
    out = np.zeros((nd, n))
    for i in range(n):
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
            out[d, i] = r
    return out


@nb.njit(**JIT)
def sorted_unique(x):
    """np.unique for int64 (numba's own np.unique is slow)."""
    y = np.sort(x)
    if y.shape[0] == 0:
        return y
    k = 1
    for i in range(1, y.shape[0]):
        if y[i] != y[k - 1]:
            y[k] = y[i]
            k += 1
    return y[:k]


# --- random numbers -----------------------------------------------------------------
# The compiled functions draw from the model's numpy Generators through the generator's own
# C function (`next_double` of its bit generator): passing a Generator object into numba
# costs ~9 µs per call to unbox, this costs nothing, and the draws are exactly the ones
# `Generator.random()` would give, so a stream used from Python and from compiled code

@nb.njit(**JIT)
def day_pairs(rates, route_ptr, route_nodes, working, cum, slots, notice_by_node,
              max_partners, bucket, rng_routines, rng_encounters):
    """One day's trips → visits → co-presence groups → unique encounter pairs (a < b).

    rates: (D, n) trips per day; route_ptr/route_nodes: CSR over (destination, dwelling);
    cum: (2, slots) cumulative slot probabilities (row = working); bucket: int64 workspace of
    n_nodes*slots zeros (left zeroed on return).

    Trips: each household's number of trips is Poisson with its total rate and each trip's
    destination is drawn in proportion to the rates (the same as independent Poisson counts
    per destination). Each pair of the k households present at a (node, slot) meets with the
    node's notice probability: the number of meetings is one binomial draw per group
    (capped at k*max_partners/2) and that many distinct pairs of the group's visits are
    drawn uniformly (exactly the per-pair coin flips, without flipping every coin; groups
    with more than 64 meetings, i.e. crowded spaces, draw with replacement)."""
    nd, n = rates.shape
    # 1. trips per household, then destination and slot of each trip
    total_rate = np.zeros(n)
    for i in range(n):
        s = 0.0
        for d in range(nd):
            s += rates[d, i]
        total_rate[i] = s
    n_trips = np.zeros(n, np.int64)
    T = 0
    for i in range(n):
        if total_rate[i] > 0:
            k = poisson_draw(rng_routines, total_rate[i])
            n_trips[i] = k
            T += k
    trip_hh = np.empty(T, np.int32)
    trip_route = np.empty(T, np.int64)
    trip_slot = np.empty(T, np.int64)
    t = 0
    V = 0
    for i in range(n):
        w = 1 if working[i] else 0
        for _ in range(n_trips[i]):
            u = uniform(rng_routines) * total_rate[i]
            d = 0
            acc = rates[0, i]
            while u >= acc and d < nd - 1:
                d += 1
                acc += rates[d, i]
            while rates[d, i] <= 0.0:  # guard against rounding at the top end
                d -= 1
            us = uniform(rng_routines)
            sl = 0
            while sl < slots - 1 and us > cum[w, sl]:
                sl += 1
            r = d * n + i
            trip_hh[t] = i
            trip_route[t] = r
            trip_slot[t] = sl
            V += route_ptr[r + 1] - route_ptr[r]
            t += 1
    # 2. visits, grouped by (node, slot) with a counting sort; groups are numbered in the
    #    order they are first touched (deterministic, no sort needed)
    touched = np.empty(min(V, bucket.shape[0]), np.int64)
    G = 0
    for t in range(T):
        r = trip_route[t]
        for q in range(route_ptr[r], route_ptr[r + 1]):
            key = route_nodes[q] * slots + trip_slot[t]
            if bucket[key] == 0:
                touched[G] = key
                G += 1
            bucket[key] += 1
    gstart = np.empty(G, np.int64)
    gsize = np.empty(G, np.int64)
    pos = 0
    for g in range(G):
        key = touched[g]
        c = bucket[key]
        gstart[g] = pos
        gsize[g] = c
        bucket[key] = pos  # reuse as fill cursor
        pos += c
    members = np.empty(V, np.int32)  # second walk over the trips: no per-visit key array
    for t in range(T):
        r = trip_route[t]
        h = trip_hh[t]
        for q in range(route_ptr[r], route_ptr[r + 1]):
            key = route_nodes[q] * slots + trip_slot[t]
            members[bucket[key]] = h
            bucket[key] += 1
    for g in range(G):
        bucket[touched[g]] = 0
    # 3. meetings within each group
    cnt = np.zeros(G, np.int64)
    M = 0
    for g in range(G):
        k = gsize[g]
        if k < 2:
            continue
        p = notice_by_node[touched[g] // slots]
        if p <= 0.0:
            continue
        m = binomial_draw(rng_encounters, k * (k - 1) // 2, p)
        cap_m = max(1, k * max_partners // 2)
        if m > cap_m:
            m = cap_m
        cnt[g] = m
        M += m
    pk = np.empty(M, np.int64)
    seen = np.empty(64, np.int64)
    e = 0
    for g in range(G):
        k = gsize[g]
        g0 = gstart[g]
        mg = cnt[g]
        distinct = mg <= 64  # draw distinct position pairs (exact per-pair chances)
        for t in range(mg):
            while True:
                i = int(uniform(rng_encounters) * k)
                j = int(uniform(rng_encounters) * (k - 1))
                if j >= i:
                    j += 1
                if not distinct:
                    break
                pij = min(i, j) * k + max(i, j)
                dup = False
                for q in range(t):
                    if seen[q] == pij:
                        dup = True
                        break
                if not dup:
                    seen[t] = pij
                    break
            a = np.int64(members[g0 + i])
            b = np.int64(members[g0 + j])
            if a == b:  # one household passing twice in a slot
                continue
            if a > b:
                a, b = b, a
            pk[e] = a * n + b
            e += 1
    pk = sorted_unique(pk[:e])
    return pk // n, pk % n, T, V
