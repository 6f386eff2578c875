"""The weekly update of households' states, compiled.

Written as loops over households because the same update in numpy is dozens of calls on
arrays of a few hundred elements, each costing more in call overhead than in arithmetic.
Every formula keeps the operation order of the numpy version it replaced, so results are
bit for bit the same. The exponentials are the one exception to "all in one pass": numba
calls the C library's exp, which differs from numpy's SIMD exp in the last bit for ~5 % of
inputs, so `weekly_exponents` writes the arguments, numpy takes exp in place, and
`weekly_states` reads the results.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.rand import JIT, PARALLEL
from sim.ties import (
    BLOCK,
    BSIZE,
    DBASE,
    DEG,
    DREC,
    EGEN,
    LOC,
    MBASE,
    NBR,
    SREC,
    START,
    absent,
    pair_slot,
    decayed_record,
)


@nb.njit(**JIT)
def _clip01(x: float) -> float:
    """np.clip(x, 0, 1) for one value (NaN passes through, as in numpy)."""
    if x < 0.0:
        return 0.0
    if x > 1.0:
        return 1.0
    return x


@nb.njit(**JIT)
def weekly_exponents(neg_recent: np.ndarray, pos_recent: np.ndarray,
                     anticipatory_avoidance: float) -> np.ndarray:
    """(3, n) arguments of the week's exponentials (bad, good, avoidance), for np.exp."""
    out = np.empty((3, neg_recent.shape[0]))
    for i in range(neg_recent.shape[0]):
        out[0, i] = -neg_recent[i]
        out[1, i] = -pos_recent[i] / 10.0
        out[2, i] = -anticipatory_avoidance * neg_recent[i]
    return out


@nb.njit(**JIT)
def weekly_states(exps: np.ndarray, degree: np.ndarray, building: np.ndarray,
                  occupied: np.ndarray, supported: np.ndarray, move_in_day: np.ndarray,
                  day: int, trust_neighbours: np.ndarray, safety: np.ndarray,
                  sense_of_home: np.ndarray, wellbeing: np.ndarray, avoidance: np.ndarray,
                  recovery: np.ndarray, nuisance_risk: np.ndarray,
                  financial_stress: np.ndarray, burden: np.ndarray,
                  support_level: np.ndarray, complaints: np.ndarray, pos_week: np.ndarray,
                  neg_week: np.ndarray, tie_count: np.ndarray, adapt_rate: float,
                  burden_limit: float, recovery_gain: float, recovery_loss: float,
                  recovery_support_drift: float, nuisance_risk_supported: float,
                  eviction_complaints: float) -> np.ndarray:
    """States follow targets set by recent experience (slow, bounded updates); supported
    households recover and cause less nuisance as they do; the week's contact tallies are
    reset. `exps` is `weekly_exponents`' output after np.exp. Updates the arrays in place
    and returns the occupied dwellings with complaints at the eviction threshold."""
    n = occupied.shape[0]
    n_b = 0
    for i in range(n):
        n_b = max(n_b, building[i] + 1)
    # the building's climate: share of neighbours recently bothered
    households = np.zeros(n_b)
    bothered = np.zeros(n_b)
    for i in range(n):
        o = 1.0 if occupied[i] else 0.0
        households[building[i]] += o
        bothered[building[i]] += (1 - exps[0, i]) * o
    for b in range(n_b):
        bothered[b] = bothered[b] / max(households[b], 1.0)

    rate_trust = adapt_rate * 0.5
    rate_recovery = 0.5 * adapt_rate
    risk_pull = 0.02 * nuisance_risk_supported
    at_risk = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        tie_count[i] = degree[i]
        ties = min(tie_count[i], 3.0) / 3.0
        bad = 1 - exps[0, i]            # 0..1, recent nuisance experienced
        good = 1 - exps[1, i]           # 0..1, recent pleasant contact
        climate = bothered[building[i]]
        tenure = _clip01((day - move_in_day[i]) / (5 * 365))
        avoidance[i] = 1 - exps[2, i]
        trust_t = _clip01(0.3 + 0.35 * good + 0.25 * ties - 0.45 * bad - 0.3 * climate)
        safety_t = _clip01(0.55 + 0.2 * trust_neighbours[i] + 0.15 * ties - 0.35 * bad
                           - 0.6 * climate)
        home_t = _clip01(0.25 + 0.3 * ties + 0.25 * safety[i] + 0.1 * good + 0.1 * tenure
                         - 0.35 * bad)
        burden_over = _clip01(burden[i] / burden_limit)
        wellbeing_t = _clip01(0.75 - 0.35 * financial_stress[i] - 0.3 * bad + 0.15 * ties
                              + 0.1 * good - 0.2 * burden_over)
        # vacant dwellings are multiplied by 0 rather than skipped, as numpy did
        o = 1.0 if occupied[i] else 0.0
        trust_neighbours[i] += rate_trust * (trust_t - trust_neighbours[i]) * o
        safety[i] += adapt_rate * (safety_t - safety[i]) * o
        sense_of_home[i] += adapt_rate * (home_t - sense_of_home[i]) * o
        wellbeing[i] += adapt_rate * (wellbeing_t - wellbeing[i]) * o
        if supported[i] and occupied[i]:
            # recovery follows a target set by support, ties and experiences, plus the
            # direct push of this week's contacts (soft landing vs. harm from negative
            # contact); nuisance risk falls as they recover (assumption)
            recovery_t = _clip01(0.1 + 0.3 * support_level[i] + 0.2 * ties + 0.15 * good
                                 - 0.4 * bad)
            recovery[i] = _clip01(recovery[i] + rate_recovery * (recovery_t - recovery[i])
                                  + recovery_gain * min(pos_week[i], 5.0)
                                  - recovery_loss * neg_week[i]
                                  + recovery_support_drift * support_level[i])
            nuisance_risk[i] = _clip01(nuisance_risk[i] * 0.98
                                       + risk_pull * (1.6 - 1.2 * recovery[i]))
        pos_week[i] = 0.0
        neg_week[i] = 0.0
        if occupied[i] and complaints[i] >= eviction_complaints:
            at_risk[k] = i
            k += 1
    return at_risk[:k]


@nb.njit(**JIT)
def _positive_at(rec, i, today, thr, dt):
    """Bit 0: record i's positive part is at or above thr on `today`; bit 1: on the next
    day; decided as `ties._counts_as_tie` decides it (same early exit, same decay). Both
    days are decayed: a part below zero grows towards it, so the sum can rise."""
    v = rec[i].val
    if v[0] >= 0.0 and v[1] >= 0.0 and np.float64(v[0]) + np.float64(v[1]) < thr:
        return 0
    f, bo, _ = decayed_record(rec, i, today, dt)
    f1, bo1, _ = decayed_record(rec, i, today + 1, dt)
    return (1 if f + bo >= thr else 0) + (2 if f1 + bo1 >= thr else 0)


@nb.njit(**JIT)
def drop_from_degrees(H, gen, members, E, hs, day, thr, dt, deg):
    """Households hs (distinct) are about to move out: take their ties out of `deg`, the
    positive degrees on `day` (as `degree_two_days` counts them), before the store forgets
    them. Their own degrees become 0; every household with a positive tie to one of them
    loses one: found in the dense column of each, and by one scan of the sparse rows
    (there is no index of who points at whom across buildings)."""
    rec = E[DREC]
    srec = E[SREC]
    nbr = E[NBR]
    eg = E[EGEN]
    n = H.shape[1]
    leaving = np.zeros(n, np.bool_)
    for q in range(hs.shape[0]):
        leaving[hs[q]] = True
    for q in range(hs.shape[0]):
        x = hs[q]
        if H[BLOCK, x] < 0:
            continue
        B = H[BSIZE, x]
        base = H[DBASE, x]
        lx = H[LOC, x]
        m0 = H[MBASE, x]
        for j in range(B):
            if j != lx:
                s = pair_slot(base, B, j, lx)  # j -> x
                if not absent(rec, s) and _positive_at(rec, s, day, thr, dt) & 1:
                    deg[members[m0 + j]] -= 1
    for a in range(n):
        p0 = H[START, a]
        for p in range(p0, p0 + H[DEG, a]):
            b = nbr[p]
            if leaving[b] and eg[p] == gen[b] and _positive_at(srec, p, day, thr, dt) & 1:
                deg[a] -= 1
    for q in range(hs.shape[0]):
        deg[hs[q]] = 0


@nb.njit(**JIT)
def degree_two_days(H, gen, members, E, today, thr, dt):
    """(2, n): `ties.degree_counts` (positive ties) for `today` and for the next day, in
    one pass over the store. The weekly update needs today's degrees and the outcome
    collection the next morning needs the next day's; when the store does not change in
    between (most weeks) the second pass is saved. It repeats degree_counts' walk on
    purpose: one walker generic over the number of days made a one-flat run 13% slower."""
    n = H.shape[1]
    out = np.zeros((2, n), np.int64)
    _degree_rows(H, gen, members, E, today, thr, dt, 0, n, out[0], out[1])
    return out


@nb.njit(**PARALLEL)
def degree_two_days_by_range(H, gen, members, E, today, thr, dt, starts):
    """`degree_two_days` with the dwelling ranges starts[r]..starts[r+1]-1 done in
    parallel; each range must hold whole dense blocks (a sharded site's buildings)."""
    n = H.shape[1]
    out = np.zeros((2, n), np.int64)
    for r in nb.prange(starts.shape[0] - 1):
        _degree_rows(H, gen, members, E, today, thr, dt, starts[r], starts[r + 1], out[0],
                     out[1])
    return out


@nb.njit(**JIT)
def _degree_rows(H, gen, members, E, today, thr, dt, first, end, d0, d1):
    """`degree_two_days`' walk for the dwellings first..end-1: the dense blocks they lead
    and their sparse rows, counted into d0 (today) and d1 (the next day)."""
    nbr = E[NBR]
    eg = E[EGEN]
    rec = E[DREC]
    srec = E[SREC]
    for a in range(first, end):
        if H[BLOCK, a] >= 0 and H[LOC, a] == 0:
            B = H[BSIZE, a]
            m0 = H[MBASE, a]
            s = H[DBASE, a]
            for lo in range(B):
                for hi in range(lo + 1, B):
                    if not absent(rec, s):
                        k = _positive_at(rec, s, today, thr, dt)
                        if k:
                            d0[members[m0 + lo]] += k & 1
                            d1[members[m0 + lo]] += k >> 1
                    if not absent(rec, s + 1):
                        k = _positive_at(rec, s + 1, today, thr, dt)
                        if k:
                            d0[members[m0 + hi]] += k & 1
                            d1[members[m0 + hi]] += k >> 1
                    s += 2
        p0 = H[START, a]
        for p in range(p0, p0 + H[DEG, a]):
            if eg[p] == gen[nbr[p]]:
                k = _positive_at(srec, p, today, thr, dt)
                if k:
                    d0[a] += k & 1
                    d1[a] += k >> 1
