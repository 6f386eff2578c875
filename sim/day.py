"""One day of a site, compiled, shard by shard (sim/shards.py): a building of a
neighbourhood, or the whole site when it is one building or cannot be cut.

Two calls a day, around the interventions' actions and their brokered meetings:
  `day_encounters`: each shard's trips, its meetings at its own nodes and its doorstep
      meetings (its streams); then the meetings at shared nodes (the site's encounters
      stream): the day's encounter pairs.
  `contacts_day`: each shard's encounter outcomes and nuisance through walls (its
      streams); the encounters across shards (the site's contact stream: their ties are
      sparse rows, which may grow); help (each shard's choices, applied in dwelling
      order); the daily bookkeeping.
Several shards run in parallel (numba prange); one runs as a plain call (a parallel launch
costs ~10 µs, a tenth of a small building's day). The rules themselves live in trips.py,
doorstep.py, contact.py, nuisance.py, help.py and states.py; docs/ODD.md (section 3) gives
the order.

Per-shard encounters of varying number are written into per-shard slices of shared
buffers. When a shard's do not fit, `day_encounters` says so, the buffers grow and every
shard is drawn again from the states its streams had before the day (saved, see
`rand.save_states`), so the size of a buffer never changes a result.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.columns import Event, Flag
from sim.contact import resolve_contacts
from sim.doorstep import doorstep_meetings, union_pairs
from sim.help import help_apply, help_choices, help_workspace
from sim.nuisance import living_nuisance
from sim.rand import JIT, PARALLEL, save_states
from sim.shards import CONTACT, ENCOUNTERS, HELP, NUISANCE, ROUTINES
from sim.states import daily_bookkeeping
from sim.trips import _meetings as meetings_at
from sim.trips import (
    _sorted_unique_pairs,
    clear_groups,
    count_groups,
    households_met,
    members_of,
    pairs_at_nodes,
    trip_rate_matrix,
)

# the day's event counters filled by `contacts_day`, in this order (sim/columns.Event)
DAY_EVENTS = tuple(e.name for e in Event)


# --------------------------------------------------------------------------------------
# encounters
# --------------------------------------------------------------------------------------
@nb.njit(**JIT)
def shard_pairs(s, layout, trips, hh, handles, doorstep, door_start):
    """Shard s's encounter pairs (a < b, sorted, numbered from its first dwelling): its
    households' trips (its routines stream), the meetings at its own nodes and at their
    doors (its encounters stream); and the visits to shared nodes (group keys, in
    household order) with their number per household. layout: `ShardLayout.kernel`;
    trips: as in `trips.pairs_at_nodes`; doorstep = (a, b, chance) of the doorstep pairs,
    shard s's from door_start[s]."""
    dwelling_start, node_start, own_nodes = layout[0], layout[1], layout[2]
    own_routes = (layout[4], layout[5], layout[6])
    shared_routes = (layout[7], layout[8], layout[9])
    dest_par, avoid_cut = trips[0], trips[1]
    real, _, flag = hh
    lo = dwelling_start[s]
    hi = dwelling_start[s + 1]
    rates = trip_rate_matrix(dest_par, real, flag, avoid_cut, lo, hi)
    nodes = own_nodes[node_start[s] : node_start[s + 1]]
    rs = handles[s, ENCOUNTERS:]
    a, b, _, _, shared_key, n_shared = pairs_at_nodes(
        rates,
        lo,
        own_routes,
        shared_routes,
        flag[Flag.working, lo:hi],
        trips,
        nodes,
        handles[s, ROUTINES:],
        rs,
    )
    da, db = doorstep_meetings(doorstep, door_start[s], door_start[s + 1], hh, avoid_cut, rs)
    a, b = union_pairs(a, b, da - lo, db - lo)
    return a, b, shared_key, n_shared


@nb.njit(**JIT)
def _shard_encounters(s, layout, trips, hh, handles, out, doorstep, door_start):
    """`shard_pairs` of shard s written into its slices of the buffers `out` (see
    `EncounterBuffers`): pairs at out_a/out_b[s*cap_pairs:], shared visits at
    out_key[s*cap_shared:] with their number per household in shared_per_hh[its
    dwellings]; sizes[s] = (pairs, shared visits). When either exceeds its capacity
    nothing is written (the caller grows the buffers and draws every shard again)."""
    out_a, out_b, cap_pairs, out_key, shared_per_hh, cap_shared, sizes = out
    lo = layout[0][s]
    hi = layout[0][s + 1]
    a, b, shared_key, n_shared = shard_pairs(s, layout, trips, hh, handles, doorstep, door_start)
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
    out_key[s * cap_shared : s * cap_shared + q] = shared_key
    shared_per_hh[lo:hi] = n_shared


@nb.njit(**PARALLEL)
def _shards_encounters(layout, trips, hh, handles, out, doorstep, door_start):
    """`_shard_encounters` for every shard, in parallel."""
    for s in nb.prange(layout[0].shape[0] - 1):
        _shard_encounters(s, layout, trips, hh, handles, out, doorstep, door_start)


@nb.njit(**JIT)
def day_encounters(
    layout, trips, hh, handles, out, doorstep, door_start, rng_encounters, saved, several
):
    """Today's encounter pairs (a < b, sorted, each once) and True; or (empty, empty,
    False) when a shard's did not fit the buffers `out` (the caller grows them, restores
    the shards' streams from `saved` and asks again). One shard: `shard_pairs`. Several:
    each shard in parallel, then the meetings at shared nodes (the site's encounters
    stream) from every shard's visits there, merged in (`_site_pairs`). several: None for
    one shard (see `contacts_day`), True for several."""
    S = layout[0].shape[0] - 1
    if several is None:
        a, b, _, _ = shard_pairs(0, layout, trips, hh, handles, doorstep, door_start)
        return a, b, True
    save_states(handles.reshape(-1), saved)
    _shards_encounters(layout, trips, hh, handles, out, doorstep, door_start)
    sizes = out[6]
    for s in range(S):
        if sizes[s, 0] > out[2] or sizes[s, 1] > out[5]:
            return np.empty(0, np.int64), np.empty(0, np.int64), False
    a, b = _site_pairs(layout[0], out, layout[3], trips, rng_encounters)
    return a, b, True


@nb.njit(**JIT)
def _site_pairs(dwelling_start, out, shared_nodes, trips, rng_encounters):
    """The meetings at shared nodes (the site's encounters stream), from every shard's
    visits there in shard order, merged with the shards' own pairs: the day's unique
    encounter pairs (a < b), sorted."""
    out_a, out_b, cap_pairs, out_key, shared_per_hh, cap_shared, sizes = out
    _, _, _, slots, notice_by_node, max_partners, groups = trips
    S = sizes.shape[0]
    Q = 0
    for s in range(S):
        Q += sizes[s, 1]
    keys = np.empty(Q, np.int32)  # in dwelling order, as shared_per_hh counts them
    q = 0
    for s in range(S):
        keys[q : q + sizes[s, 1]] = out_key[s * cap_shared : s * cap_shared + sizes[s, 1]]
        q += sizes[s, 1]
    count_groups(keys, groups)
    pi, pj, e, n_members = meetings_at(
        groups, shared_nodes, notice_by_node, slots, max_partners, Q // 4 + 16, rng_encounters
    )
    members = members_of(keys, shared_per_hh, groups, n_members)
    clear_groups(groups, shared_nodes, slots)
    u = households_met(members, pi, pj, e)
    sa, sb = _sorted_unique_pairs(pi, pj, u, dwelling_start[S])
    return _merge_pairs(out, sa, sb)


@nb.njit(**JIT)
def _merge_pairs(out, sa, sb):
    """The shards' pairs (each shard's sorted, shards in dwelling order, so their
    concatenation is sorted) merged with the sorted pairs (sa, sb); a pair in both (met
    at home and out) once."""
    out_a, out_b, cap_pairs = out[0], out[1], out[2]
    sizes = out[6]
    total = sa.shape[0]
    for s in range(sizes.shape[0]):
        total += sizes[s, 0]
    a = np.empty(total, np.int64)
    b = np.empty(total, np.int64)
    k = 0
    j = 0
    for s in range(sizes.shape[0]):
        for t in range(s * cap_pairs, s * cap_pairs + sizes[s, 0]):
            x = out_a[t]
            y = out_b[t]
            while j < sa.shape[0] and (sa[j] < x or (sa[j] == x and sb[j] < y)):
                a[k] = sa[j]
                b[k] = sb[j]
                k += 1
                j += 1
            j += j < sa.shape[0] and sa[j] == x and sb[j] == y
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
# encounter outcomes, nuisance through walls, help, bookkeeping
# --------------------------------------------------------------------------------------
@nb.njit(**JIT)
def _select_pairs(pairs, pair_start, dwelling_start, first, end, within):
    """(a, b, boost) of the `pairs` (a, b, boost) whose lower household lives in shards
    first..end-1 (pair_start[s]: where shard s's pairs begin in a, sorted) and whose other
    household lives in the same shard (within) or in another one (not within)."""
    a, b, boost = pairs
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
def _shard_contacts(s, shard, pairs, pair_start, day, pars, store, E, used, walls, hh, counters):
    """Shard s's encounter outcomes between its own households (its contact stream) and
    its nuisance through walls (its living_nuisance stream), counted in counters[s]
    (sim/columns.Event). shard = (dwelling_start, stream handles); the rest as in
    `contacts_day`. Returns (E, used)."""
    dwelling_start, handles = shard
    cp, sp = pars[0][0], pars[2][0]
    lo, hi = dwelling_start[s], dwelling_start[s + 1]
    if dwelling_start.shape[0] == 2:  # one shard: every pair is its own
        own = pairs
    else:
        own = _select_pairs(pairs, pair_start, dwelling_start, s, s + 1, True)
    c = counters[s]
    E, used = resolve_contacts(own, day, cp, sp, store, E, used, hh, handles[s, CONTACT:], c)
    rs = handles[s, NUISANCE:]
    return living_nuisance(day, cp, sp, store, E, used, walls, hh, rs, lo, hi, c)


@nb.njit(**PARALLEL)
def _shards_contacts(shard, pairs, pair_start, day, pars, store, E, used, walls, hh, counters):
    """`_shard_contacts` for every shard, in parallel: their writes stay in their own
    dense blocks, which never reallocate, so E is the same arrays afterwards (a site is cut
    into several shards only when all its ties live in dense blocks)."""
    for s in nb.prange(shard[0].shape[0] - 1):
        _shard_contacts(s, shard, pairs, pair_start, day, pars, store, E, used, walls, hh, counters)


@nb.njit(**PARALLEL)
def _shards_help(shard, day, hp, store, E, hh, choices, counters):
    """`help.help_choices` for every shard's households (its help stream), in parallel:
    they only read the state. Counted in counters[s]."""
    dwelling_start, handles = shard
    for s in nb.prange(dwelling_start.shape[0] - 1):
        lo, hi = dwelling_start[s], dwelling_start[s + 1]
        help_choices(lo, hi, day, hp[0], store, E, hh, handles[s, HELP:], choices, counters[s])


@nb.njit(**JIT)
def contacts_day(shard, day, pairs, pars, store, E, used, walls, hh, rng_across, counts, several):
    """The day after the encounters: each shard's encounter outcomes and nuisance through
    walls (its streams); the encounters across shards (`rng_across`: the site's contact
    stream; they read and write nothing the nuisance through walls touches); help, every
    shard's choices (its stream) then applied in dwelling order; the daily bookkeeping.
    Several shards run each phase in parallel, one runs it as a plain call.

    shard = (dwelling_start, the shards' stream handles); pairs = (a, b, boost), a < b,
    sorted; pars: the contact, help and states records as one-element arrays
    (sim/kernel_params.py); store = the tie store's fixed arrays (H, gen, members, decay
    table), E and used its entries; walls: the adjacency CSR (ptr, dwellings); hh: the
    household matrices (sim/columns.py). Adds to `counts` (sim/columns.Event). Returns
    (E, used).

    several: None for a site of one shard, True for several. numba prunes the branches on
    `several is None` when it compiles, so the one-shard day never refers to a parallel
    function: loading one starts OpenMP's threads, and GNU OpenMP does not survive a fork
    (the sweep workers forked from a server warmed on one building would die)."""
    dwelling_start, handles = shard
    cp, hp, sp = pars[0][0], pars[1][0], pars[2][0]
    S = dwelling_start.shape[0] - 1
    n = dwelling_start[S]
    pair_start = np.searchsorted(pairs[0], dwelling_start)
    counters = np.zeros((S, counts.shape[0]))
    if several is None:
        E, used = _shard_contacts(
            0, shard, pairs, pair_start, day, pars, store, E, used, walls, hh, counters
        )
    else:
        _shards_contacts(shard, pairs, pair_start, day, pars, store, E, used, walls, hh, counters)
        across = _select_pairs(pairs, pair_start, dwelling_start, 0, S, False)
        E, used = resolve_contacts(across, day, cp, sp, store, E, used, hh, rng_across, counts)
    choices = help_workspace(n)
    if several is None:
        help_choices(0, n, day, hp, store, E, hh, handles[0, HELP:], choices, counters[0])
    else:
        _shards_help(shard, day, pars[1], store, E, hh, choices, counters)
    for s in range(S):
        counts += counters[s]
    if counters[:, Event.help_needs].sum() > 0:
        E, used = help_apply(day, hp, cp, store, E, used, hh, choices, counts)
    daily_bookkeeping(hh[0], sp.recent_decay, hp.burden_decay, sp.complaint_decay)
    return E, used
