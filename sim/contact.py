"""Encounter outcomes, compiled, on the tie store's arrays: who dodges whom, which encounters
turn into nuisance (sim/nuisance.py holds that rule), small talk or a greeting, and how
the ties grow."""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.columns import Event, Flag, Real, Whole
from sim.nuisance import encounter_episode, nuisance_chance, suffered
from sim.rand import JIT, MAX_CHANCE, uniform
from sim.ties import (
    AHEAD,
    DAY_MASK,
    DREC,
    EGEN,
    NBR,
    absent,
    bump_count,
    decayed_at,
    decayed_record,
    dense_size,
    place,
    prefetch,
    sparse_slot,
    start_record,
    write_tie,
)


@nb.njit(**JIT)
def _read_dense(drec, d, day, dt):
    """(slot or -1, fast, bond, negative) of the dense tie at d, decayed to `day`. The hot
    path works on the dense array directly: choosing between the dense and the sparse
    array per access (as `decayed_at` does) costs ~35 ns an encounter."""
    if absent(drec, d):
        return -1, 0.0, 0.0, 0.0
    f, bo, ng = decayed_record(drec, d, day, dt)
    return d, f, bo, ng


@nb.njit(**JIT)
def _write_dense(drec, d, live, day, f, bo, ng, df, dbo, dn, kind):
    """Add increments to the dense tie at d whose values decayed to `day` were read as
    (f, bo, ng): the same sums `add_to_record` makes, without decaying a second time."""
    if live:
        r = drec[d]
        r.val[0] = f + df
        r.val[1] = bo + dbo
        r.val[2] = ng + dn
        r.day = day & DAY_MASK
        bump_count(drec, d, kind)
    else:
        start_record(drec, d, day, df, dbo, dn, kind)


@nb.njit(**JIT)
def resolve_contacts(pairs, day, c, st, store, E, used, hh, rng, counts):
    """Outcomes of today's encounters against start-of-day ties, then tie growth; `c` is
    the contact section's record, `st` the states' (complaints).

    `tie_count` (positive ties per household, refreshed weekly) and
    `c.network_capacity` limit how easily busy people strike up new acquaintances (time
    budget); capacity 0 = no limit.

    Each unordered pair meets at most once a day, so every directed tie is written at most
    once and reading-then-writing pair by pair equals reading all first. Adds to `counts`
    (sim/columns.Event); returns (E, used). `pairs` = (a, b, boost), `store` = the tie
    store's fixed arrays (H, gen, members, decay table), `hh` = the household matrices.

    One loop of ~110 lines on purpose: the same loop cut into inline helpers (tie reads,
    draws, writes, the nuisance branch) ran the contact phase 12% slower, ~5% of a flat's
    run (measured 2026-12-06; the split of 2026-12-02 cost 17%)."""
    a, b, boost = pairs
    H, gen, _, dt = store
    real, whole, flag = hh
    avoidance = real[Real.avoidance]
    nuisance_risk = real[Real.nuisance_risk]
    openness = real[Real.openness]
    talk_multiplier = real[Real.talk_multiplier]
    tie_count = real[Real.tie_count]
    pos_today = real[Real.pos_today]
    other_language = flag[Flag.other_language]
    last_talk_day = whole[Whole.last_talk_day]
    nuisance_caused = whole[Whole.nuisance_caused]
    avoid_thr = c.avoid_threshold
    P = a.shape[0]
    counts[Event.encounters] += P
    TALK, GREET, _NUIS = 1, 0, 3
    neg_v = np.empty(P, np.int64)
    neg_c = np.empty(P, np.int64)
    n_neg = 0
    D = dense_size(E)
    for k in range(P):
        x = a[k]
        y = b[k]
        if k + AHEAD < P:  # the record a few pairs ahead is fetched while this one is done
            d_next = place(H, a[k + AHEAD], b[k + AHEAD])
            if d_next >= 0:
                prefetch(E[DREC], d_next)
        u0 = uniform(rng)
        u1 = uniform(rng)
        u2 = uniform(rng)
        u3 = uniform(rng)
        u4 = uniform(rng)
        u5 = uniform(rng)
        # tie lookups written out here rather than calling `lookup`: a call that is not
        # inlined costs more than the lookup itself (reference counts of every array)
        d_ab = place(H, x, y)
        d_ba = place(H, y, x)
        n_ab = n_ba = p_ab = p_ba = f_ab = b_ab = f_ba = b_ba = 0.0
        if d_ab >= 0:  # one building: the dense block
            s_ab, f_ab, b_ab, n_ab = _read_dense(E[DREC], d_ab, day, dt)
            s_ba, f_ba, b_ba, n_ba = _read_dense(E[DREC], d_ba, day, dt)
            p_ab = f_ab + b_ab
            p_ba = f_ba + b_ba
        else:
            s_ab = sparse_slot(H, gen, E[NBR], E[EGEN], D, x, y)
            s_ba = sparse_slot(H, gen, E[NBR], E[EGEN], D, y, x)
            if s_ab >= 0:
                f, bo, n_ab = decayed_at(E, s_ab, day, dt)
                p_ab = f + bo
            if s_ba >= 0:
                f, bo, n_ba = decayed_at(E, s_ba, day, dt)
                p_ba = f + bo
        if u0 < dodge_chance(c, n_ab, p_ab, avoidance[x]) or u1 < dodge_chance(
            c, n_ba, p_ba, avoidance[y]
        ):
            counts[Event.avoided] += 1
            continue
        risk_a = nuisance_risk[x]
        risk_b = nuisance_risk[y]
        if u2 < nuisance_chance(c, risk_a, risk_b, n_ab + n_ba, p_ab + p_ba, boost[k]):
            # the causer is drawn in proportion to the two nuisance risks
            total_risk = risk_a + risk_b
            a_causes = u5 * total_risk < risk_a if total_risk > 0 else u5 < 0.5
            if a_causes:
                E, used = encounter_episode(
                    store, E, used, c, day, y, x, p_ba, (s_ba, d_ba), (s_ab, d_ab)
                )
                neg_v[n_neg], neg_c[n_neg] = y, x
            else:
                E, used = encounter_episode(
                    store, E, used, c, day, x, y, p_ab, (s_ab, d_ab), (s_ba, d_ba)
                )
                neg_v[n_neg], neg_c[n_neg] = x, y
            n_neg += 1
            counts[Event.nuisance] += 1
            if n_ab + n_ba >= avoid_thr:
                counts[Event.conflict] += 1
            continue
        p_talk, p_greet = talk_and_greet_chances(
            c,
            openness[x] + openness[y],
            other_language[x],
            other_language[y],
            p_ab + p_ba,
            max(talk_multiplier[x], talk_multiplier[y]) * boost[k],
            max(tie_count[x], tie_count[y]),
        )
        if u3 < p_talk:
            w = c.w_talk
            kind = TALK
            counts[Event.talk] += 1
            last_talk_day[x] = day
            last_talk_day[y] = day
        elif u4 < p_greet:
            w = c.w_greet
            kind = GREET
            counts[Event.greet] += 1
        else:
            continue
        fast_ab, bond = tie_growth(c, w, kind == GREET, p_ab)
        fast_ba, bond = tie_growth(c, w, kind == GREET, p_ba)
        if d_ab >= 0:
            _write_dense(E[DREC], d_ab, s_ab >= 0, day, f_ab, b_ab, n_ab, fast_ab, bond, 0.0, kind)
            _write_dense(E[DREC], d_ba, s_ba >= 0, day, f_ba, b_ba, n_ba, fast_ba, bond, 0.0, kind)
        else:  # across buildings (rare): the general writer
            E, used = write_tie(store, E, used, s_ab, -1, x, y, day, (fast_ab, bond, 0.0), kind)
            E, used = write_tie(store, E, used, s_ba, -1, y, x, day, (fast_ba, bond, 0.0), kind)
        pos_today[x] += 1.0
        pos_today[y] += 1.0
    for q in range(n_neg):
        nuisance_caused[neg_c[q]] += 1
    suffered(neg_v, neg_c, n_neg, st, real, rng)
    return E, used


TALK, GREET = 1, 0  # contact-count slots (ties.py: greet, talk, help, nuisance)


@nb.njit(inline="always", **JIT)
def dodge_chance(c, negative, positive, avoidance):
    """Chance one side dodges an encounter: a neighbour it holds a grudge against is
    avoided with avoid_prob; an avoidant household also dodges those it barely knows."""
    p = (
        c.avoid_prob if negative >= c.avoid_threshold else 0.0
    ) + avoidance * c.stranger_avoidance * min(max(1 - positive / c.tie_threshold, 0.0), 1.0)
    return min(max(p, 0.0), MAX_CHANCE)


@nb.njit(inline="always", **JIT)
def talk_and_greet_chances(c, openness_sum, lang_a, lang_b, positive, multiplier, busiest):
    """(small talk, greeting) chances of a pleasant encounter: both rise with the pair's
    openness and familiarity (mean positive strength / (familiar_at × tie threshold));
    small talk falls with a language barrier and, between people who barely know each
    other, with the busier household's number of ties (time budget, network_capacity);
    interventions multiply it (multiplier)."""
    openness = 1.0 + c.openness_effect * (openness_sum - 1.0)
    barrier = (
        c.both_other_language_barrier
        if (lang_a and lang_b)
        else (1.0 if (lang_a or lang_b) else 0.0)
    )
    familiarity = min(max(0.5 * positive / (c.familiar_at * c.tie_threshold), 0.0), 1.0)
    p_talk = (
        c.talk_base
        * openness
        * (c.talk_stranger_factor + (c.talk_familiar_factor - c.talk_stranger_factor) * familiarity)
        * (1 - c.language_barrier * barrier)
        * multiplier
    )
    if c.network_capacity > 0.0:
        cap = c.network_capacity
        p_talk *= familiarity + (1.0 - familiarity) * cap / (cap + busiest)
    p_greet = (
        c.greet_base
        * openness
        * (
            c.greet_stranger_factor
            + (c.greet_familiar_factor - c.greet_stranger_factor) * familiarity
        )
    )
    return min(max(p_talk, 0.0), MAX_CHANCE), min(max(p_greet, 0.0), 1.0)


@nb.njit(inline="always", **JIT)
def tie_growth(c, w, greeting, positive):
    """(fast, bond) increments of one directed tie for a contact of weight w: small talk
    and help split w into the acquaintance and the bond part; a greeting makes a neighbour
    familiar, not a friend: it lifts the tie's positive strength up to recognition_level
    only, into the fast part (Festinger's ladder: nodding → speaking → friends)."""
    if greeting:
        return w * max(1.0 - positive / c.recognition_level, 0.0), 0.0
    return w * (1 - c.bond_transfer), w * c.bond_transfer
