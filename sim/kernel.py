"""The daily hot path: trips → visits → co-presence → encounter pairs → contact, help.

Compiled functions (numba) on the model's arrays; the model owns the state and the random
streams. Pairs are sampled within each (node, slot) co-presence group rather than
enumerated, so a crowded park costs no more than a quiet gallery.
"""

from __future__ import annotations

import numpy as np


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


# ======================================================================================
# Compiled day kernel (numba), fused so a day costs a handful of calls. Randomness comes
# only from the numpy Generators passed in (the model's named streams): numba's own global
# generator is never used, so a run is reproducible and common random numbers hold across
# processes and models.
# ======================================================================================
import math  # noqa: E402

import numba as nb  # noqa: E402

from sim.ties import decayed_at, lookup, upsert, write_slot  # noqa: E402

JIT = dict(cache=True, nogil=True, boundscheck=False)

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
# stays one reproducible sequence.
import ctypes  # noqa: E402

from llvmlite import ir  # noqa: E402
from numba import types  # noqa: E402
from numba.extending import intrinsic  # noqa: E402


@intrinsic
def _next_double(typingctx, fn, state):
    sig = types.float64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.DoubleType(), [ir.IntType(8).as_pointer()])
        f = builder.inttoptr(args[0], fnty.as_pointer())
        st = builder.inttoptr(args[1], ir.IntType(8).as_pointer())
        return builder.call(f, [st])

    return sig, codegen


_HANDLES: dict[int, tuple[np.random.Generator, np.ndarray]] = {}


def rng_handle(gen: np.random.Generator) -> np.ndarray:
    """uint64[2] (function, state) handle of a Generator for the compiled code. The
    generator must outlive every use of the handle (the model's streams do)."""
    hit = _HANDLES.get(id(gen))
    if hit is not None and hit[0] is gen:
        return hit[1]
    ct = gen.bit_generator.ctypes
    h = np.array([ctypes.cast(ct.next_double, ctypes.c_void_p).value, ct.state_address],
                 np.uint64)
    if len(_HANDLES) > 4096:  # forget old models' generators (keeps memory bounded)
        _HANDLES.clear()
    _HANDLES[id(gen)] = (gen, h)
    return h


@nb.njit(**JIT)
def uniform(rs):
    """One U[0, 1) draw from the generator behind handle `rs`."""
    return _next_double(rs[0], rs[1])


@nb.njit(**JIT)
def poisson_draw(rs, lam):
    """Poisson(lam) by inversion from one uniform (search from 0 for small rates, outward
    from the mode for large ones)."""
    if lam <= 0.0:
        return 0
    u = uniform(rs)
    if lam <= 30.0:
        k = 0
        p = math.exp(-lam)
        F = p
        while u > F and k < 1000:
            k += 1
            p *= lam / k
            F += p
        return k
    m = int(lam)
    pm = math.exp(-lam + m * math.log(lam) - math.lgamma(m + 1.0))
    u -= pm
    if u <= 0.0:
        return m
    lo = m
    hi = m
    plo = pm
    phi = pm
    while True:
        if lo > 0:
            plo *= lo / lam
            lo -= 1
            u -= plo
            if u <= 0.0:
                return lo
        hi += 1
        phi *= lam / hi
        u -= phi
        if u <= 0.0 or (phi < 1e-300 and (lo == 0 or plo < 1e-300)):
            return hi


@nb.njit(**JIT)
def binomial_draw(rs, N, p):
    """Binomial(N, p) by inversion from one uniform (from 0 when N*p is small, the usual
    case for a node-slot group; outward from the mode otherwise)."""
    if N <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return N
    u = uniform(rs)
    q = 1.0 - p
    r = p / q
    if N * p <= 20.0:
        P = math.exp(N * math.log1p(-p))
        F = P
        k = 0
        while u > F and k < N:
            P *= (N - k) / (k + 1.0) * r
            F += P
            k += 1
            if P < 1e-300 and F >= 1.0 - 1e-15:
                break
        return k
    m = min(int((N + 1) * p), N)
    pm = math.exp(math.lgamma(N + 1.0) - math.lgamma(m + 1.0) - math.lgamma(N - m + 1.0)
                  + m * math.log(p) + (N - m) * math.log1p(-p))
    u -= pm
    if u <= 0.0:
        return m
    lo = m
    hi = m
    plo = pm
    phi = pm
    while True:
        if lo > 0:
            plo *= lo / ((N - lo + 1.0) * r)
            lo -= 1
            u -= plo
            if u <= 0.0:
                return lo
        if hi < N:
            phi *= (N - hi) / (hi + 1.0) * r
            hi += 1
            u -= phi
            if u <= 0.0:
                return hi
        if (lo == 0 or plo < 1e-300) and (hi == N or phi < 1e-300):
            return m


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


@nb.njit(**JIT)
def resolve_contacts(a, b, boost, day, par, start, deg, cap, gen, E, used,
                     dt, avoidance, nuisance_risk, openness, other_language,
                     talk_multiplier, trust_institutions, last_talk_day, pos_today,
                     neg_today, nuisance_caused, complaints, rng, tie_count=None,
                     capacity=0.0):
    """Outcomes of today's encounters against start-of-day ties, then tie growth.

    `tie_count` (positive ties per household, refreshed weekly) and `capacity` limit how
    easily busy people strike up new acquaintances (time budget); capacity 0 = no limit.

    Each unordered pair meets at most once a day, so every directed tie is written at most
    once and reading-then-writing pair by pair equals reading all first. Returns
    (E, used, counters) with counters = encounters, avoided, talk, greet,
    nuisance, conflict."""
    (thr, avoid_thr, avoid_prob, neg_base, neg_risk_w, neg_grudge_w, talk_base,
     lang_barrier, greet_base, w_talk, w_greet, w_nuis, neg_weight, buffer_, bond_tr,
     complaint_prob) = (par[0], par[1], par[2], par[3], par[4], par[5], par[6], par[7],
                        par[8], par[9], par[10], par[11], par[12], par[13], par[14], par[15])
    P = a.shape[0]
    cnt = np.zeros(6)
    cnt[0] = P
    TALK, GREET, NUIS = 1, 0, 3
    neg_v = np.empty(P, np.int64)
    neg_c = np.empty(P, np.int64)
    n_neg = 0
    for k in range(P):
        x = a[k]
        y = b[k]
        u0 = uniform(rng)
        u1 = uniform(rng)
        u2 = uniform(rng)
        u3 = uniform(rng)
        u4 = uniform(rng)
        u5 = uniform(rng)
        p_ab = 0.0
        n_ab = 0.0
        p_ba = 0.0
        n_ba = 0.0
        s_ab = lookup(start, deg, E, gen, x, y)
        if s_ab >= 0:
            f, bo, ng = decayed_at(E, s_ab, day, dt)
            p_ab = f + bo
            n_ab = ng
        s_ba = lookup(start, deg, E, gen, y, x)
        if s_ba >= 0:
            f, bo, ng = decayed_at(E, s_ba, day, dt)
            p_ba = f + bo
            n_ba = ng
        dodge_a = (avoid_prob if n_ab >= avoid_thr else 0.0) \
            + avoidance[x] * 0.5 * min(max(1 - p_ab / thr, 0.0), 1.0)
        dodge_b = (avoid_prob if n_ba >= avoid_thr else 0.0) \
            + avoidance[y] * 0.5 * min(max(1 - p_ba / thr, 0.0), 1.0)
        if u0 < min(max(dodge_a, 0.0), 0.95) or u1 < min(max(dodge_b, 0.0), 0.95):
            cnt[1] += 1
            continue
        risk_a = nuisance_risk[x]
        risk_b = nuisance_risk[y]
        friendly = min(max((p_ab + p_ba) / (2 * thr), 0.0), 1.0)
        # arranged meetings (boost > 1: an introduction, a hosted activity) are civil in
        # proportion to how much the host shapes them; anonymous passing is not
        p_neg = (neg_base + neg_risk_w * (risk_a + risk_b) + neg_grudge_w * (n_ab + n_ba)) \
            * (1 - 0.5 * friendly) / max(boost[k], 1.0)
        if u2 < min(max(p_neg, 0.0), 0.9):
            total_risk = risk_a + risk_b
            if total_risk > 0:
                a_causes = u5 * max(total_risk, 1e-12) < risk_a
            else:
                a_causes = u5 < 0.5
            if a_causes:
                causer, victim, p_vc, s_vc, s_cv = x, y, p_ba, s_ba, s_ab
            else:
                causer, victim, p_vc, s_vc, s_cv = y, x, p_ab, s_ab, s_ba
            wn = w_nuis * neg_weight * (1 - buffer_ * min(max(p_vc / thr, 0.0), 1.0))
            cnt[4] += 1
            if n_ab + n_ba >= avoid_thr:
                cnt[5] += 1
            # slots found above stay valid: an insert only moves the row it goes into
            if s_vc >= 0:
                write_slot(E, s_vc, day, 0.0, 0.0, wn, NUIS, dt)
            else:
                E, used = upsert(start, deg, cap, gen, E, used, victim, causer, day, 0.0, 0.0,
                                 wn, NUIS, dt)
            if s_cv >= 0:
                write_slot(E, s_cv, day, 0.0, 0.0, 0.3 * wn, NUIS, dt)
            else:
                E, used = upsert(start, deg, cap, gen, E, used, causer, victim, day, 0.0, 0.0,
                                 0.3 * wn, NUIS, dt)
            neg_v[n_neg] = victim
            neg_c[n_neg] = causer
            n_neg += 1
            continue
        openness_ = 0.5 + 0.5 * (openness[x] + openness[y])
        la = other_language[x]
        lbb = other_language[y]
        barrier = 0.5 if (la and lbb) else (1.0 if (la or lbb) else 0.0)
        familiarity = min(max(0.5 * (p_ab + p_ba) / (2 * thr), 0.0), 1.0)
        tm = max(talk_multiplier[x], talk_multiplier[y]) * boost[k]
        p_talk = talk_base * openness_ * (0.1 + 1.9 * familiarity) \
            * (1 - lang_barrier * barrier) * tm
        if capacity > 0.0 and tie_count is not None:
            busiest = max(tie_count[x], tie_count[y])
            p_talk *= familiarity + (1.0 - familiarity) * capacity / (capacity + busiest)
        p_greet = greet_base * openness_ * (0.5 + familiarity)
        if u3 < min(max(p_talk, 0.0), 0.95):
            w = w_talk
            kind = TALK
            cnt[2] += 1
            last_talk_day[x] = day
            last_talk_day[y] = day
        elif u4 < min(max(p_greet, 0.0), 1.0):
            w = w_greet
            kind = GREET
            cnt[3] += 1
        else:
            continue
        fast = w * (1 - bond_tr)
        bond = w * bond_tr
        if s_ab >= 0:
            write_slot(E, s_ab, day, fast, bond, 0.0, kind, dt)
        else:
            E, used = upsert(start, deg, cap, gen, E, used, x, y, day, fast, bond, 0.0, kind,
                             dt)
        if s_ba >= 0:
            write_slot(E, s_ba, day, fast, bond, 0.0, kind, dt)
        else:
            E, used = upsert(start, deg, cap, gen, E, used, y, x, day, fast, bond, 0.0, kind,
                             dt)
        pos_today[x] += 1.0
        pos_today[y] += 1.0
    for k in range(n_neg):
        v = neg_v[k]
        c = neg_c[k]
        neg_today[v] += 1.0
        nuisance_caused[c] += 1
        if uniform(rng) < complaint_prob * (0.5 + trust_institutions[v]):
            complaints[c] += 1.0
    return E, used, cnt


@nb.njit(**JIT)
def help_day(day, par, start, deg, cap, gen, E, used, dt, occupied,
             age_group, supported, recovery, burden, openness, help_given, help_received,
             help_unmet, last_talk_day, pos_today, rng):
    """Help needs arise; each needy household asks its strongest eligible tie; that
    neighbour helps with a probability set by willingness, openness and burden. All choices
    are made against the start-of-phase state, then applied. Returns (E, used,
    counters) with counters = needs, helped, unmet, withdrawn."""
    (need_rate, need_eld, need_sup, ask_min, burden_limit, willingness, burden_per_help,
     w_help, bond_tr) = (par[0], par[1], par[2], par[3], par[4], par[5], par[6], par[7],
                         par[8])
    n = occupied.shape[0]
    HELP = 2
    cnt = np.zeros(4)
    needy = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        rate = (need_rate + need_eld * (age_group[i] == 2)
                + need_sup * supported[i] * (1.2 - recovery[i])) / 365.0
        u = uniform(rng)
        if occupied[i] and u < rate:
            needy[k] = i
            k += 1
    cnt[0] = k
    if k == 0:
        return E, used, cnt
    helper_of = np.full(k, -1, np.int64)
    for q in range(k):
        a = needy[q]
        best = -1
        best_s = -1e300
        s0 = start[a]
        for s in range(s0, s0 + deg[a]):
            h = E[0][s]
            if E[2][s] != gen[h]:
                continue
            f, bo, ng = decayed_at(E, s, day, dt)
            st = f + bo - ng
            over = burden[h] >= burden_limit
            if f + bo >= ask_min and over:
                cnt[3] += 1
            if st >= ask_min and occupied[h] and not over and st > best_s:
                best_s = st
                best = h
        helper_of[q] = best
    # willingness draws, in needy order, for those who had someone to ask
    yes = np.zeros(k, np.bool_)
    for q in range(k):
        h = helper_of[q]
        if h < 0:
            continue
        p = willingness * (0.6 + 0.8 * openness[h]) * min(max(
            1 - burden[h] / burden_limit, 0.0), 1.0)
        yes[q] = uniform(rng) < min(max(p, 0.0), 1.0)
    # repeated help to the same household weighs more (counts before today's help)
    repeats = np.zeros(k)
    for q in range(k):
        if yes[q]:
            s = lookup(start, deg, E, gen, helper_of[q], needy[q])
            if s >= 0:
                repeats[q] = E[3][s, HELP]
    fast = w_help * (1 - bond_tr)
    bond = w_help * bond_tr
    for q in range(k):
        a = needy[q]
        h = helper_of[q]
        if not yes[q]:
            help_unmet[a] += 1
            cnt[2] += 1
            continue
        burden[h] += burden_per_help * (1 + repeats[q] / 5.0)
        help_given[h] += 1
        help_received[a] += 1
        last_talk_day[a] = day
        last_talk_day[h] = day
        cnt[1] += 1
        pos_today[a] += 1.0
        pos_today[h] += 1.0
        E, used = upsert(start, deg, cap, gen, E, used, a, h, day,
                                      fast, bond, 0.0, HELP, dt)
        E, used = upsert(start, deg, cap, gen, E, used, h, a, day,
                                      fast, bond, 0.0, HELP, dt)
    return E, used, cnt


@nb.njit(**JIT)
def daily_bookkeeping(pos_recent, neg_recent, pos_today, neg_today, pos_week, neg_week,
                      burden, complaints, recent_decay, burden_decay, complaint_decay):
    """Recent-experience memories decay and take in today's contacts; today's tallies are
    added to the week's and reset."""
    for i in range(pos_recent.shape[0]):
        pos_recent[i] = pos_recent[i] * recent_decay + pos_today[i]
        neg_recent[i] = neg_recent[i] * recent_decay + neg_today[i]
        pos_week[i] += pos_today[i]
        neg_week[i] += neg_today[i]
        pos_today[i] = 0.0
        neg_today[i] = 0.0
        burden[i] *= burden_decay
        complaints[i] *= complaint_decay


@nb.njit(**JIT)
def movers_today(occupied, supported, sense_of_home, vacant_until, day, rate_res, rate_sup,
                 unhappy_mult, rng):
    """Voluntary move-outs drawn for every dwelling (vacant ones too, so the stream's use
    does not depend on occupancy)."""
    n = occupied.shape[0]
    out = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        base = rate_sup if supported[i] else rate_res
        rate = base * (1 + (unhappy_mult - 1) * (1 - sense_of_home[i])) / 365.0
        u = uniform(rng)
        if occupied[i] and u < rate:
            out[k] = i
            k += 1
    return out[:k]


@nb.njit(**JIT)
def dwellings_due(occupied, vacant_until, day):
    """Vacant dwellings whose vacancy ends today or earlier (ascending)."""
    n = occupied.shape[0]
    out = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if not occupied[i] and vacant_until[i] <= day:
            out[k] = i
            k += 1
    return out[:k]
