"""Help between neighbours, compiled: needs arise, each needy household asks its strongest
eligible tie, that neighbour says yes with a chance set by willingness, openness and burden;
helpers who carry too much withdraw. Choices are made against the start-of-phase state
(`help_choices`, which only reads it, so buildings choose in parallel), then applied in
dwelling order (`help_apply`)."""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.columns import Event, Flag, Real, Whole
from sim.rand import JIT, uniform
from sim.ties import (
    AHEAD,
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
    cnt_at,
    decayed_at,
    dense_size,
    in_dense,
    lookup,
    pair_slot,
    prefetch,
    upsert,
)

HELP_KIND = 2  # the contact-count slot of help (ties.py: greet, talk, help, nuisance)
NO_NEED = -2  # `asked` of a household without a need today (-1: nobody to ask)


@nb.njit(**JIT)
def help_workspace(n):
    """(asked, yes, repeats) for n dwellings, before anyone's need arises."""
    return np.full(n, NO_NEED, np.int64), np.zeros(n, np.bool_), np.zeros(n)


@nb.njit(**JIT)
def help_choices(first, end, day, h, store, E, hh, rng, choices, counts):
    """Help choices for the households of dwellings first..end-1, reading the state
    only, into choices = (asked, yes, repeats): whose need arises (a draw per dwelling),
    whom each needy household asks (asked[i], -1: nobody), whether that neighbour says yes
    (a draw per ask, in dwelling order) and how often they helped before (repeats[i]).
    Adds to counts[Event.help_needs] and [Event.withdrawn] (sim/columns.Event)."""
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
    HELP = HELP_KIND
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
    counts[Event.help_needs] += k
    if k == 0:
        return
    helpers = (burden, occupied, h.ask_tie_min, burden_limit)
    for i in range(first, end):
        if asked[i] != NO_NEED:
            asked[i] = _strongest_helper(store, E, i, day, helpers, counts)
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
def _strongest_helper(store, E, a, day, helpers, counts):
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
                best = _consider(E, s, members[m0 + j], day, dt, helpers, best, counts)
    D = dense_size(E)
    nbr = E[NBR]
    eg = E[EGEN]
    p0 = H[START, a]
    for p in range(p0, p0 + H[DEG, a]):
        if eg[p] == gen[nbr[p]]:
            best = _consider(E, D + p, nbr[p], day, dt, helpers, best, counts)
    return best[0]


@nb.njit(inline="always", **JIT)
def _consider(E, s, h, day, dt, helpers, best, counts):
    """The choice between partner h (entry s) and the best so far, a (household,
    net strength) pair: the strongest net tie at or above ask_min among those not
    overburdened (equal strengths: the lower partner id, as a scan in partner order keeps
    the first); a strong tie to someone overburdened counts as withdrawn.
    helpers = (burden, occupied, ask_min, burden_limit)."""
    burden, occupied, ask_min, burden_limit = helpers
    if _below_as_stored(E, s, ask_min):
        return best  # neither asked nor withdrawn, decided without decaying it
    f, bo, ng = decayed_at(E, s, day, dt)
    st = f + bo - ng
    over = burden[h] >= burden_limit
    if f + bo >= ask_min and over:
        counts[Event.withdrawn] += 1
    better = st > best[1] or (st == best[1] and h < best[0])
    if st >= ask_min and occupied[h] and not over and better:
        return (h, st)
    return best


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
def help_apply(day, h, c, store, E, used, hh, choices, counts):
    """Help choices applied, needy household by household in dwelling order: help
    given and received, the helper's burden, both ties; or a need unmet. Adds helped and
    unmet to counts[Event.help] and [Event.help_unmet]. Returns (E, used)."""
    real, whole, _ = hh
    asked, yes, repeats = choices
    burden = real[Real.burden]
    pos_today = real[Real.pos_today]
    help_given = whole[Whole.help_given]
    help_received = whole[Whole.help_received]
    help_unmet = whole[Whole.help_unmet]
    last_talk_day = whole[Whole.last_talk_day]
    H, gen, _, dt = store
    HELP = HELP_KIND
    fast = c.w_help * (1 - c.bond_transfer)
    bond = c.w_help * c.bond_transfer
    for a in range(asked.shape[0]):
        x = asked[a]
        if x == NO_NEED:
            continue
        if not yes[a]:
            help_unmet[a] += 1
            counts[Event.help_unmet] += 1
            continue
        burden[x] += h.burden_per_help * (1 + h.repeat_burden * repeats[a])
        help_given[x] += 1
        help_received[a] += 1
        last_talk_day[a] = day
        last_talk_day[x] = day
        counts[Event.help] += 1
        pos_today[a] += 1.0
        pos_today[x] += 1.0
        E, used = upsert(H, gen, E, used, a, x, day, fast, bond, 0.0, HELP, dt)
        E, used = upsert(H, gen, E, used, x, a, day, fast, bond, 0.0, HELP, dt)
    return E, used
