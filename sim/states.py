"""The weekly update of households' states and the daily upkeep of the memories it reads
(recent contacts, burden, complaints), compiled.

Written as loops over households because the same update in numpy is dozens of calls on
arrays of a few hundred elements, each costing more in call overhead than in arithmetic.
Every coefficient is a named parameter of the states section (a numba record).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.columns import Flag, Real, Whole
from sim.rand import JIT


@nb.njit(**JIT)
def daily_bookkeeping(real, recent_decay, burden_decay, complaint_decay):
    """Recent-experience memories decay and take in today's contacts; today's tallies are
    added to the week's and reset (`real`: the households' float matrix)."""
    pos_recent = real[Real.pos_recent]
    neg_recent = real[Real.neg_recent]
    pos_today = real[Real.pos_today]
    neg_today = real[Real.neg_today]
    pos_week = real[Real.pos_week]
    neg_week = real[Real.neg_week]
    burden = real[Real.burden]
    complaints = real[Real.complaints]
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
def _clip01(x: float) -> float:
    """np.clip(x, 0, 1) for one value (NaN passes through, as in numpy)."""
    if x < 0.0:
        return 0.0
    if x > 1.0:
        return 1.0
    return x


@nb.njit(**JIT)
def _half(x: float, half: float) -> float:
    """x / (x + half): 0 at none, 0.5 at `half`, approaching 1 without a ceiling that
    ordinary values reach (unlike a cap, or 1 - exp(-x) at a small scale)."""
    return x / (x + half) if x > 0.0 else 0.0


@nb.njit(**JIT)
def _climate(building, occupied, bad):
    """Per building: the share of its households recently bothered (their mean 'bad')."""
    n = occupied.shape[0]
    n_b = 0
    for i in range(n):
        n_b = max(n_b, building[i] + 1)
    households = np.zeros(n_b)
    bothered = np.zeros(n_b)
    for i in range(n):
        if occupied[i]:
            households[building[i]] += 1.0
            bothered[building[i]] += bad[i]
    for b in range(n_b):
        bothered[b] = bothered[b] / max(households[b], 1.0)
    return bothered


@nb.njit(**JIT)
def weekly_states(s_arr, degree, building, day, hh):
    """States follow targets set by recent experience (slow, bounded updates); `s` is the
    states section's record with anticipatory_avoidance and burden_limit added (as its
    one-element array: cheaper to hand over from Python), `hh` the household matrices
    (sim/columns.py). Each target is clip(base + Σ weight × driver) over the drivers good
    and bad contact (weekly rates of the recent memories, rate / (rate + half)), ties
    (ties / (ties + half)), climate (the building's share bothered), tenure, safety,
    trust, stress, burden and support (see docs/ODD.md). Trust in institutions returns to
    the household's own level, lowered by recent nuisance, at its half-life. Supported
    households recover (or not) and their nuisance risk follows. The week's tallies are
    reset. Updates in place and returns the occupied dwellings with complaints at the
    eviction threshold."""
    s = s_arr[0]
    real, whole, flag = hh
    occupied = flag[Flag.occupied]
    n = occupied.shape[0]
    weekly = 7.0 * (1.0 - s.recent_decay)  # a recent memory → contacts per week
    good = np.empty(n)
    bad = np.empty(n)
    for i in range(n):
        good[i] = _half(real[Real.pos_recent, i] * weekly, s.good_contact_half_per_week)
        bad[i] = _half(real[Real.neg_recent, i] * weekly, s.bad_contact_half_per_week)
    climate_by_building = _climate(building, occupied, bad)
    tie_count = real[Real.tie_count]
    pos_week = real[Real.pos_week]
    neg_week = real[Real.neg_week]
    at_risk = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        tie_count[i] = degree[i]
        pos_week_i = pos_week[i]
        pos_week[i] = 0.0
        neg_week_i = neg_week[i]
        neg_week[i] = 0.0
        if not occupied[i]:
            continue
        ties = _half(tie_count[i], s.ties_half)
        climate = climate_by_building[building[i]]
        tenure = _clip01((day - whole[Whole.move_in_day, i]) / (s.tenure_full_years * 365))
        real[Real.avoidance, i] = 1 - np.exp(-s.anticipatory_avoidance * real[Real.neg_recent, i])
        _settle(s, i, real, good[i], bad[i], ties, climate, tenure)
        if flag[Flag.supported, i]:
            _recover(s, i, real, good[i], bad[i], ties, pos_week_i, neg_week_i)
        if real[Real.complaints, i] >= s.eviction_complaints:
            at_risk[k] = i
            k += 1
    return at_risk[:k]


@nb.njit(**JIT)
def _settle(s, i, real, good, bad, ties, climate, tenure):
    """Household i's trust in neighbours, safety, sense of home and wellbeing move a step
    towards their targets; trust in institutions towards its own level."""
    rate = s.adapt_rate
    trust_t = _clip01(
        s.trust_base
        + s.trust_good * good
        + s.trust_ties * ties
        + s.trust_bad * bad
        + s.trust_climate * climate
    )
    safety_t = _clip01(
        s.safety_base
        + s.safety_trust * real[Real.trust_neighbours, i]
        + s.safety_ties * ties
        + s.safety_bad * bad
        + s.safety_climate * climate
    )
    home_t = _clip01(
        s.home_base
        + s.home_ties * ties
        + s.home_safety * real[Real.safety, i]
        + s.home_good * good
        + s.home_tenure * tenure
        + s.home_bad * bad
    )
    burden_over = _clip01(real[Real.burden, i] / s.burden_limit)
    wellbeing_t = _clip01(
        s.wellbeing_base
        + s.wellbeing_stress * real[Real.financial_stress, i]
        + s.wellbeing_bad * bad
        + s.wellbeing_ties * ties
        + s.wellbeing_good * good
        + s.wellbeing_burden * burden_over
    )
    _approach(real, Real.trust_neighbours, i, rate * s.trust_rate_factor, trust_t)
    _approach(real, Real.safety, i, rate, safety_t)
    _approach(real, Real.sense_of_home, i, rate, home_t)
    _approach(real, Real.wellbeing, i, rate, wellbeing_t)
    institutions_t = _clip01(real[Real.trust_institutions_level, i] - s.institution_trust_bad * bad)
    rate_institutions = 1.0 - s.institution_trust_decay**7
    _approach(real, Real.trust_institutions, i, rate_institutions, institutions_t)


@nb.njit(inline="always", **JIT)
def _approach(real, column, i, rate, target):
    """One weekly step of a state towards its target."""
    real[column, i] += rate * (target - real[column, i])


@nb.njit(**JIT)
def _recover(s, i, real, good, bad, ties, pos_week, neg_week):
    """A supported household's recovery follows a target set by support, ties and
    experiences, plus the direct push of this week's contacts (soft landing vs. harm from
    negative contact); its nuisance risk follows recovery (assumption)."""
    support = real[Real.support_level, i]
    recovery_t = _clip01(
        s.recovery_base
        + s.recovery_support * support
        + s.recovery_ties * ties
        + s.recovery_good * good
        + s.recovery_bad * bad
    )
    recovery = real[Real.recovery, i]
    recovery = _clip01(
        recovery
        + s.adapt_rate * s.recovery_rate_factor * (recovery_t - recovery)
        + s.recovery_gain * min(pos_week, s.recovery_week_cap)
        - s.recovery_loss * neg_week
        + s.recovery_support_drift * support
    )
    real[Real.recovery, i] = recovery
    risk_t = (
        real[Real.nuisance_propensity, i]
        * s.risk_at_recovery_0
        * (1.0 - s.risk_recovery_drop * recovery)
    )
    risk = real[Real.nuisance_risk, i]
    real[Real.nuisance_risk, i] = _clip01(risk + s.risk_pull * (risk_t - risk))
