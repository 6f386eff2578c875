"""Doorstep meetings: neighbours along the same gallery, landing, corridor or row run into
each other at their front doors (coming and going, putting out the bins, a word on the
doorstep), the more often the closer their doors.

Walking routes share the galleries, stairs and lobby, but who you *recognise* first is who
lives next door: Festinger, Schachter & Back (1950) found friendship falling with every
door of distance (≈ 44 / 22 / 10 %), and EVIDENCE puts passive encounters with the next-door
neighbour at 2–7 a week, halving with every door. Each pair within `reach` doors meets on
a day with chance rate/7 × decay^(doors - 1) × the presence of both (at home, and not
avoiding the neighbours). These meetings join the day's route encounters (a pair meets at
most once a day) and their outcomes follow the same rules.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.columns import Flag, Real
from sim.rand import JIT, uniform

MAX_DAILY = 0.95  # no pair is certain to meet on a day


def pair_chances(doors: np.ndarray, per_week: float, decay: float) -> np.ndarray:
    """Daily meeting chance of a pair `doors` apart with both fully present."""
    return np.minimum(per_week / 7.0 * decay ** (doors - 1.0), MAX_DAILY)


@nb.njit(**JIT)
def presence(i, real, flag, avoid_cut):
    """How much household i is at its front door compared with an average one: none if
    the dwelling is empty, more for those at home by day (`at_home`: elderly, no day
    job), less when it avoids neighbours, more or less when an intervention changes its
    trips."""
    if not flag[Flag.occupied, i]:
        return 0.0
    return (
        real[Real.at_home, i]
        * (1.0 - avoid_cut * real[Real.avoidance, i])
        * real[Real.trip_multiplier, i]
    )


@nb.njit(**JIT)
def doorstep_meetings(doorstep, first, end, hh, avoid_cut, rng):
    """Today's doorstep meetings among pairs first..end-1 of doorstep = (a, b, chance),
    sorted by (a, b): one draw per pair, in order, so common random numbers stay tied to
    pairs. Returns (a, b), sorted."""
    pair_a, pair_b, chance = doorstep
    real, _, flag = hh
    a = np.empty(end - first, np.int64)
    b = np.empty(end - first, np.int64)
    k = 0
    for q in range(first, end):
        x = pair_a[q]
        y = pair_b[q]
        p = chance[q] * presence(x, real, flag, avoid_cut) * presence(y, real, flag, avoid_cut)
        if uniform(rng) < min(p, MAX_DAILY):
            a[k] = x
            b[k] = y
            k += 1
    return a[:k], b[:k]


@nb.njit(**JIT)
def union_pairs(a1, b1, a2, b2):
    """The union of two pair lists each sorted by (a, b) without duplicates: sorted, each
    pair once (met on the way and at the door: one encounter)."""
    n1 = a1.shape[0]
    n2 = a2.shape[0]
    a = np.empty(n1 + n2, np.int64)
    b = np.empty(n1 + n2, np.int64)
    i = j = k = 0
    while i < n1 or j < n2:
        if j >= n2 or (i < n1 and (a1[i] < a2[j] or (a1[i] == a2[j] and b1[i] < b2[j]))):
            a[k] = a1[i]
            b[k] = b1[i]
            i += 1
        elif i >= n1 or a2[j] < a1[i] or b2[j] < b1[i]:
            a[k] = a2[j]
            b[k] = b2[j]
            j += 1
        else:  # the same pair in both
            a[k] = a1[i]
            b[k] = b1[i]
            i += 1
            j += 1
        k += 1
    return a[:k], b[:k]
