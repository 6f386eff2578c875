"""Encounter outcomes and help between neighbours, compiled, on the tie store's arrays."""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from sim.columns import Flag, Real, Whole
from sim.daily import daily_bookkeeping
from sim.rand import JIT, uniform
from sim.ties import (
    BLOCK,
    BSIZE,
    DAY_MASK,
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
    bump_count,
    cnt_at,
    decayed_at,
    decayed_record,
    dense_size,
    in_dense,
    lookup,
    pair_slot,
    place,
    prefetch,
    sparse_slot,
    start_record,
    upsert,
    write_tie,
)

AHEAD = 8  # pairs between a prefetch and its use
MAX_CHANCE = 0.95  # no outcome is certain: a chance formula's value is capped here
NUISANCE_KIND = (
    3  # the contact-count slot of a nuisance episode (ties.py: greet, talk, help, nuisance)
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


@nb.njit(inline="always", **JIT)
def _episode(store, E, used, c, day, victim, causer, p_vc, at_vc, at_cv):
    """One nuisance episode in an encounter written on both ties (victim→causer: the
    episode's weight; causer→victim: the backlash), at the (slot, dense slot) pairs at_vc,
    at_cv found when they were read (an insert only moves the row it goes into, so they
    stay valid). Returns (E, used)."""
    H, gen, _, dt = store
    wn = episode_weight(c, p_vc)
    s, d = at_vc
    E, used = write_tie(H, gen, E, used, s, d, victim, causer, day, 0.0, 0.0, wn, NUISANCE_KIND, dt)
    s, d = at_cv
    back = c.backlash_share * wn
    return write_tie(H, gen, E, used, s, d, causer, victim, day, 0.0, 0.0, back, NUISANCE_KIND, dt)


@nb.njit(**JIT)
def resolve_contacts(pairs, day, c, st, store, E, used, hh, rng):
    """Outcomes of today's encounters against start-of-day ties, then tie growth; `c` is
    the contact section's record, `st` the states' (complaints).

    `tie_count` (positive ties per household, refreshed weekly) and
    `c.network_capacity` limit how easily busy people strike up new acquaintances (time
    budget); capacity 0 = no limit.

    Each unordered pair meets at most once a day, so every directed tie is written at most
    once and reading-then-writing pair by pair equals reading all first. Returns
    (E, used, counters) with counters = encounters, avoided, talk, greet,
    nuisance, conflict. `pairs` = (a, b, boost), `store` = the tie store's fixed arrays
    (H, gen, members, decay table), `hh` = the household matrices (sim/columns.py)."""
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
    cnt = np.zeros(6)
    cnt[0] = P
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
            cnt[1] += 1
            continue
        risk_a = nuisance_risk[x]
        risk_b = nuisance_risk[y]
        if u2 < nuisance_chance(c, risk_a, risk_b, n_ab + n_ba, p_ab + p_ba, boost[k]):
            # the causer is drawn in proportion to the two nuisance risks
            total_risk = risk_a + risk_b
            a_causes = u5 * total_risk < risk_a if total_risk > 0 else u5 < 0.5
            if a_causes:
                E, used = _episode(store, E, used, c, day, y, x, p_ba, (s_ba, d_ba), (s_ab, d_ab))
                neg_v[n_neg], neg_c[n_neg] = y, x
            else:
                E, used = _episode(store, E, used, c, day, x, y, p_ab, (s_ab, d_ab), (s_ba, d_ba))
                neg_v[n_neg], neg_c[n_neg] = x, y
            n_neg += 1
            cnt[4] += 1
            if n_ab + n_ba >= avoid_thr:
                cnt[5] += 1
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
            cnt[2] += 1
            last_talk_day[x] = day
            last_talk_day[y] = day
        elif u4 < p_greet:
            w = c.w_greet
            kind = GREET
            cnt[3] += 1
        else:
            continue
        fast_ab, bond = tie_growth(c, w, kind == GREET, p_ab)
        fast_ba, bond = tie_growth(c, w, kind == GREET, p_ba)
        if d_ab >= 0:
            _write_dense(E[DREC], d_ab, s_ab >= 0, day, f_ab, b_ab, n_ab, fast_ab, bond, 0.0, kind)
            _write_dense(E[DREC], d_ba, s_ba >= 0, day, f_ba, b_ba, n_ba, fast_ba, bond, 0.0, kind)
        else:  # across buildings (rare): the general writer
            E, used = write_tie(H, gen, E, used, s_ab, -1, x, y, day, fast_ab, bond, 0.0, kind, dt)
            E, used = write_tie(H, gen, E, used, s_ba, -1, y, x, day, fast_ba, bond, 0.0, kind, dt)
        pos_today[x] += 1.0
        pos_today[y] += 1.0
    for q in range(n_neg):
        nuisance_caused[neg_c[q]] += 1
    suffered(neg_v, neg_c, n_neg, st, real, rng)
    return E, used, cnt


@nb.njit(inline="always", **JIT)
def dodge_chance(c, negative, positive, avoidance):
    """Chance one side dodges an encounter: a neighbour it holds a grudge against is
    avoided with avoid_prob; an avoidant household also dodges those it barely knows."""
    p = (
        c.avoid_prob if negative >= c.avoid_threshold else 0.0
    ) + avoidance * c.stranger_avoidance * min(max(1 - positive / c.tie_threshold, 0.0), 1.0)
    return min(max(p, 0.0), MAX_CHANCE)


@nb.njit(inline="always", **JIT)
def nuisance_chance(c, risk_a, risk_b, grudges, positive, boost):
    """Chance an encounter turns into a nuisance episode: a base, plus the pair's
    nuisance risks and grudges, less between friends; arranged meetings (boost > 1: an
    introduction, a hosted activity) are civil in proportion to how much the host shapes
    them, anonymous passing is not. `grudges` and `positive` are the pair's sums."""
    friendly = min(max(positive / (2 * c.tie_threshold), 0.0), 1.0)
    p = (
        (
            c.negative_base
            + c.negative_risk_weight * (risk_a + risk_b)
            + c.negative_grudge_weight * grudges
        )
        * (1 - c.friendly_civility * friendly)
        / max(boost, 1.0)
    )
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


@nb.njit(inline="always", **JIT)
def episode_weight(c, positive_victim_causer):
    """Negative strength one nuisance episode adds to the victim's tie to the causer:
    negative events weigh more than positive ones, less between friends (buffering)."""
    return (
        c.w_nuisance
        * c.negative_weight
        * (1 - c.buffer * min(max(positive_victim_causer / c.tie_threshold, 0.0), 1.0))
    )


@nb.njit(**JIT)
def suffered(victims, causers, m, st, real, rng):
    """The first m nuisance episodes' aftermath for their victims, the same for encounters
    and for nuisance through walls: the victim's bad day and a complaint against the
    causer with a chance that grows with the victim's trust in institutions (one draw per
    victim, in order). (The causer's own tally counts episodes, not victims: the callers
    keep it.) `real`: the households' float matrix."""
    trust_institutions = real[Real.trust_institutions]
    neg_today = real[Real.neg_today]
    complaints = real[Real.complaints]
    for q in range(m):
        v = victims[q]
        x = causers[q]
        neg_today[v] += 1.0
        if uniform(rng) < st.complaint_prob * (st.complaint_trust_base + trust_institutions[v]):
            complaints[x] += 1.0


@nb.njit(inline="always", **JIT)
def _consider(E, s, h, day, dt, helpers, best, cnt):
    """help_day's choice between partner h (entry s) and the best so far, a (household,
    net strength) pair: the strongest net tie at or above ask_min among those not
    overburdened (equal strengths: the lower partner id, as a scan in partner order keeps
    the first); a strong tie to someone overburdened counts as withdrawn (cnt[3]).
    helpers = (burden, occupied, ask_min, burden_limit)."""
    burden, occupied, ask_min, burden_limit = helpers
    if _below_as_stored(E, s, ask_min):
        return best  # neither asked nor withdrawn, decided without decaying it
    f, bo, ng = decayed_at(E, s, day, dt)
    st = f + bo - ng
    over = burden[h] >= burden_limit
    if f + bo >= ask_min and over:
        cnt[3] += 1
    better = st > best[1] or (st == best[1] and h < best[0])
    if st >= ask_min and occupied[h] and not over and better:
        return (h, st)
    return best


@nb.njit(**JIT)
def _strongest_helper(store, E, a, day, helpers, cnt):
    """The partner household a asks for help (-1: nobody): its dense row, then its sparse
    row, each entry weighed by `_consider` (the order does not change the choice)."""
    H, gen, members, dt = store
    best = (-1, -1e300)
    rec = E[DREC]
    if H[BLOCK, a] >= 0:
        B = H[BSIZE, a]
        base = H[DBASE, a]
        la = H[LOC, a]
        m0 = H[MBASE, a]
        for j in range(B):
            if j + AHEAD < B and j + AHEAD != la:  # the row is scattered over the block
                prefetch(rec, pair_slot(base, B, la, j + AHEAD))
            if j == la:
                continue
            s = pair_slot(base, B, la, j)
            if not absent(rec, s) and not _faint(rec, s, helpers[2]):
                best = _consider(E, s, members[m0 + j], day, dt, helpers, best, cnt)
    D = dense_size(E)
    nbr = E[NBR]
    eg = E[EGEN]
    p0 = H[START, a]
    for p in range(p0, p0 + H[DEG, a]):
        if eg[p] == gen[nbr[p]]:
            best = _consider(E, D + p, nbr[p], day, dt, helpers, best, cnt)
    return best[0]


@nb.njit(inline="always", **JIT)
def _below_as_stored(E, s, threshold):
    """Whether the positive strength of entry s is below `threshold` already as stored.
    Decay only shrinks non-negative values (and rounding is monotonic), so such an entry
    is below it today too, and so is its net strength (positive minus a non-negative
    grudge): most of a row is faint acquaintances, decided without decaying them."""
    if in_dense(E, s):
        return _faint(E[DREC], s, threshold)
    return _faint(E[SREC], s - E[DREC].shape[0], threshold)


@nb.njit(inline="always", **JIT)
def _faint(rec, i, threshold):
    """`_below_as_stored` for record i of one array."""
    v = rec[i].val
    f = np.float64(v[0])
    bo = np.float64(v[1])
    return f >= 0.0 and bo >= 0.0 and v[2] >= 0.0 and f + bo < threshold


@nb.njit(**JIT)
def help_day(day, h, c, store, E, used, hh, rng):
    """Help needs arise; each needy household asks its strongest eligible tie; that
    neighbour helps with a probability set by willingness, openness and burden. All choices
    are made against the start-of-phase state (`help_choices`), then applied
    (`help_apply`). Returns (E, used, counters) with counters = needs, helped, unmet,
    withdrawn."""
    n = hh[0].shape[1]
    cnt = np.zeros(4)
    choices = help_workspace(n)
    help_choices(0, n, day, h, store, E, hh, rng, choices, cnt)
    if cnt[0] == 0:
        return E, used, cnt
    E, used = help_apply(day, h, c, store, E, used, hh, choices, cnt)
    return E, used, cnt


NO_NEED = -2  # `asked` of a household without a need today (-1: nobody to ask)


@nb.njit(**JIT)
def help_workspace(n):
    """(asked, yes, repeats) for n dwellings, before anyone's need arises."""
    return np.full(n, NO_NEED, np.int64), np.zeros(n, np.bool_), np.zeros(n)


@nb.njit(**JIT)
def help_choices(first, end, day, h, store, E, hh, rng, choices, cnt):
    """help_day's choices for the households of dwellings first..end-1, reading the state
    only, into choices = (asked, yes, repeats): whose need arises (a draw per dwelling),
    whom each needy household asks (asked[i], -1: nobody), whether that neighbour says yes
    (a draw per ask, in dwelling order) and how often they helped before (repeats[i]).
    Adds needs and withdrawn helpers to cnt[0] and cnt[3]."""
    real, whole, flag = hh
    asked, yes, repeats = choices
    occupied = flag[Flag.occupied]
    supported = flag[Flag.supported]
    age_group = whole[Whole.age_group]
    recovery = real[Real.recovery]
    burden = real[Real.burden]
    openness = real[Real.openness]
    H, gen, _, _ = store
    burden_limit = h.burden_limit
    HELP = 2
    k = 0
    for i in range(first, end):
        rate = (
            h.need_rate
            + h.need_rate_elderly_extra * (age_group[i] == 2)
            + h.need_rate_supported_extra
            * supported[i]
            * (1.0 - recovery[i] + h.need_supported_floor)
        ) / 365.0
        u = uniform(rng)
        if occupied[i] and u < rate:
            asked[i] = -1
            k += 1
    cnt[0] += k
    if k == 0:
        return
    helpers = (burden, occupied, h.ask_tie_min, burden_limit)
    for i in range(first, end):
        if asked[i] != NO_NEED:
            asked[i] = _strongest_helper(store, E, i, day, helpers, cnt)
    # willingness draws, in needy order, for those who had someone to ask
    for i in range(first, end):
        helper = asked[i]
        if helper < 0:
            continue
        p = (
            h.willingness
            * (1.0 + h.willingness_openness_effect * (openness[helper] - 0.5))
            * min(max(1 - burden[helper] / burden_limit, 0.0), 1.0)
        )
        yes[i] = uniform(rng) < min(max(p, 0.0), 1.0)
    # repeated help to the same household weighs more (counts before today's help)
    for i in range(first, end):
        if yes[i]:
            s = lookup(H, gen, E, asked[i], i)
            if s >= 0:
                repeats[i] = cnt_at(E, s, HELP)


@nb.njit(**JIT)
def help_apply(day, h, c, store, E, used, hh, choices, cnt):
    """help_day's choices applied, needy household by household in dwelling order: help
    given and received, the helper's burden, both ties; or a need unmet. Adds helped and
    unmet to cnt[1] and cnt[2]. Returns (E, used)."""
    real, whole, _ = hh
    asked, yes, repeats = choices
    burden = real[Real.burden]
    pos_today = real[Real.pos_today]
    help_given = whole[Whole.help_given]
    help_received = whole[Whole.help_received]
    help_unmet = whole[Whole.help_unmet]
    last_talk_day = whole[Whole.last_talk_day]
    H, gen, _, dt = store
    HELP = 2
    fast = c.w_help * (1 - c.bond_transfer)
    bond = c.w_help * c.bond_transfer
    for a in range(asked.shape[0]):
        x = asked[a]
        if x == NO_NEED:
            continue
        if not yes[a]:
            help_unmet[a] += 1
            cnt[2] += 1
            continue
        burden[x] += h.burden_per_help * (1 + h.repeat_burden * repeats[a])
        help_given[x] += 1
        help_received[a] += 1
        last_talk_day[a] = day
        last_talk_day[x] = day
        cnt[1] += 1
        pos_today[a] += 1.0
        pos_today[x] += 1.0
        E, used = upsert(H, gen, E, used, a, x, day, fast, bond, 0.0, HELP, dt)
        E, used = upsert(H, gen, E, used, x, a, day, fast, bond, 0.0, HELP, dt)
    return E, used


@nb.njit(**JIT)
def poisson_small(rs, lam):
    """Poisson(lam) for lam < 10 exactly as numpy's Generator.poisson draws it (product of
    uniforms), so moving a numpy call into compiled code keeps the same random sequence."""
    if lam <= 0.0:
        return 0
    enlam = math.exp(-lam)
    k = 0
    prod = 1.0
    while True:
        prod *= uniform(rs)
        if prod > enlam:
            k += 1
        else:
            return k


@nb.njit(**JIT)
def living_nuisance(day, c, st, store, E, used, walls, hh, rng, first, end):
    """Noise, smells and mess through walls: each dwelling's household (of dwellings
    first..end-1) causes Poisson-many episodes (rate × its risk), each heard in every
    dwelling next door, above and below (walls = the adjacency CSR (ptr, dwellings)), so a
    noisy household bothers the same few neighbours again and again (what 'often
    bothered' is made of); an occupied victim holds it against the causer like an
    encounter's nuisance, and may complain. Strengths are read before any write; draws
    per dwelling, in dwelling order, so common random numbers stay tied to households.
    Returns (E, used, counters) with counters = episodes (per victim), conflicts."""
    real, whole, flag = hh
    cnt = np.zeros(2)
    n_ep, causer, victim = _wall_episodes(c, real, flag, walls, rng, first, end)
    m = causer.shape[0]
    if m == 0:
        return E, used, cnt
    H, gen, _, dt = store
    NUIS = 3
    weight = np.empty(m)
    for q in range(m):  # strengths as they were before today's episodes
        v = victim[q]
        x = causer[q]
        p_vc = n_vc = n_cv = 0.0
        s = lookup(H, gen, E, v, x)
        if s >= 0:
            f, bo, n_vc = decayed_at(E, s, day, dt)
            p_vc = f + bo
        s = lookup(H, gen, E, x, v)
        if s >= 0:
            n_cv = decayed_at(E, s, day, dt)[2]
        weight[q] = episode_weight(c, p_vc)
        if n_vc + n_cv >= c.avoid_threshold:
            cnt[1] += 1
    for q in range(m):
        E, used = upsert(H, gen, E, used, victim[q], causer[q], day, 0.0, 0.0, weight[q], NUIS, dt)
    for q in range(m):
        back = c.backlash_share * weight[q]
        E, used = upsert(H, gen, E, used, causer[q], victim[q], day, 0.0, 0.0, back, NUIS, dt)
    nuisance_caused = whole[Whole.nuisance_caused]
    last = -1
    for q in range(m):  # an episode heard by several neighbours is one episode caused
        if causer[q] != last:
            last = causer[q]
            nuisance_caused[last] += n_ep[last - first]
    suffered(victim, causer, m, st, real, rng)
    cnt[0] = m
    return E, used, cnt


@nb.njit(**JIT)
def _wall_episodes(c, real, flag, walls, rng, first, end):
    """`living_nuisance`'s draws: (episodes per dwelling of first..end-1, causer, victim)
    with one (causer, victim) entry per episode and occupied dwelling that hears it, in
    causer order."""
    adj_ptr, adj = walls
    occupied = flag[Flag.occupied]
    nuisance_risk = real[Real.nuisance_risk]
    rate = c.living_nuisance_rate
    n_ep = np.zeros(end - first, np.int64)
    reach = 0
    for i in range(first, end):
        lam = rate * nuisance_risk[i] / 365.0 if occupied[i] else 0.0
        n_ep[i - first] = poisson_small(rng, lam)
        reach += n_ep[i - first] * (adj_ptr[i + 1] - adj_ptr[i])
    causer = np.empty(reach, np.int64)
    victim = np.empty(reach, np.int64)
    m = 0
    for i in range(first, end):  # noise goes through every wall, floor and ceiling
        for _ in range(n_ep[i - first]):
            for q in range(adj_ptr[i], adj_ptr[i + 1]):
                if occupied[adj[q]]:  # it bothers an occupied dwelling only
                    causer[m] = i
                    victim[m] = adj[q]
                    m += 1
    return n_ep, causer[:m], victim[:m]


# the day's event counters filled by `contacts_day`, in this order
DAY_EVENTS = (
    "encounters",
    "avoided",
    "talk",
    "greet",
    "nuisance",
    "conflict",
    "living_nuisance",
    "help_needs",
    "help",
    "help_unmet",
    "withdrawn",
)


@nb.njit(**JIT)
def contacts_day(day, pairs, pars, store, E, used, walls, hh, rngs, counts):
    """The day after the encounters, in one compiled call (a call from Python costs
    microseconds, which is most of a small building's day): encounter outcomes, nuisance
    through walls, help, then the daily bookkeeping. pars: the contact, help and states
    sections' records as one-element arrays (sim/kernel_params.py); pairs, store, hh: as
    in `resolve_contacts`. Adds to `counts` (DAY_EVENTS order); rngs rows: contact,
    living_nuisance, help. Returns (E, used)."""
    c, h, s = pars[0][0], pars[1][0], pars[2][0]
    E, used, cnt = resolve_contacts(pairs, day, c, s, store, E, used, hh, rngs[0])
    for i in range(6):
        counts[i] += cnt[i]
    n = hh[0].shape[1]
    E, used, cnt = living_nuisance(day, c, s, store, E, used, walls, hh, rngs[1], 0, n)
    add_wall_counts(counts, cnt[0], cnt[1])
    E, used, cnt = help_day(day, h, c, store, E, used, hh, rngs[2])
    for i in range(4):
        counts[7 + i] += cnt[i]
    daily_bookkeeping(hh[0], s.recent_decay, h.burden_decay, s.complaint_decay)
    return E, used


@nb.njit(inline="always", **JIT)
def add_wall_counts(counts, episodes, conflicts):
    """Nuisance through walls in the day's counters: nuisance and conflict (with the
    encounters'), and living_nuisance on its own (DAY_EVENTS order)."""
    counts[4] += episodes
    counts[5] += conflicts
    counts[6] += episodes
