"""Per-household daily bookkeeping and turnover draws, compiled; and the model's daily
compiled calls wrapped so that they hand back as few arrays as possible (numba turns each
returned array into a Python object at ~0.5 µs, a per-day cost in a small building)."""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.columns import Flag, Real
from sim.doorstep import doorstep_meetings, union_pairs
from sim.rand import JIT, uniform
from sim.trips import day_pairs, trip_rate_matrix


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


# sim.contact imports daily_bookkeeping from here: it is imported once that is defined (and
# its attributes are only looked up when `contacts_in_place` is compiled)
from sim import contact as _contact  # noqa: E402


@nb.njit(**JIT)
def movers_today(
    occupied, supported, sense_of_home, vacant_until, day, rate_res, rate_sup, unhappy_mult, rng
):
    """Voluntary move-outs drawn for every dwelling (vacant ones too, so the stream's use
    does not depend on occupancy). Unhappy households move more: the hazard is the
    documented rate × (1 + (unhappy_mult - 1)(1 - sense of home)), divided by that factor's
    mean over the occupied dwellings, so the average household moves at the documented
    rate and unhappiness shifts who moves, not how many."""
    n = occupied.shape[0]
    out = np.empty(n, np.int64)
    total = 0.0
    households = 0
    for i in range(n):
        if occupied[i]:
            total += 1 + (unhappy_mult - 1) * (1 - sense_of_home[i])
            households += 1
    norm = total / households if households > 0 else 1.0
    k = 0
    for i in range(n):
        base = rate_sup if supported[i] else rate_res
        rate = base * (1 + (unhappy_mult - 1) * (1 - sense_of_home[i])) / (norm * 365.0)
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


@nb.njit(**JIT)
def turnover_today(
    occupied,
    supported,
    sense_of_home,
    vacant_until,
    day,
    rate_res,
    rate_sup,
    unhappy_mult,
    rng,
    out,
):
    """`movers_today`, and `dwellings_due` if nobody moves out, in one call that returns
    counts instead of new arrays (a call from Python and each array it returns cost
    about a microsecond; most days nobody moves in or out). Returns (m, k): the movers
    are out[:m]; if m == 0, the dwellings due are out[:k] (if m > 0 the caller asks
    `dwellings_due` after the move-outs, which set the movers' vacancy, k is then 0)."""
    movers = movers_today(
        occupied, supported, sense_of_home, vacant_until, day, rate_res, rate_sup, unhappy_mult, rng
    )
    m = movers.shape[0]
    if m > 0:
        out[:m] = movers
        return m, 0
    due = dwellings_due(occupied, vacant_until, day)
    k = due.shape[0]
    out[:k] = due
    return 0, k


@nb.njit(**JIT)
def encounter_pairs(trips, hh, rng_routines, rng_encounters, doorstep):
    """`trips.trip_rate_matrix` then `trips.day_pairs`, then the doorstep meetings
    (sim/doorstep.py) in one call: today's encounter pairs (a, b), sorted, each once.
    The rate matrix never reaches Python. trips = (destination parameters, avoid_cut,
    route_ptr, route_nodes, slot weights' cumulative sums, slots, notice by node,
    max_partners, bucket workspace); doorstep = (a, b, chance) of the doorstep pairs."""
    dest_par, avoid_cut, route_ptr, route_nodes, cum, slots, notice, max_partners, bucket = trips
    real, _, flag = hh
    rates = trip_rate_matrix(dest_par, real, flag, avoid_cut, 0, flag.shape[1])
    a, b, _, _ = day_pairs(
        rates,
        route_ptr,
        route_nodes,
        flag[Flag.working],
        cum,
        slots,
        notice,
        max_partners,
        bucket,
        rng_routines,
        rng_encounters,
    )
    door_a = doorstep[0]
    da, db = doorstep_meetings(doorstep, 0, door_a.shape[0], hh, avoid_cut, rng_encounters)
    return union_pairs(a, b, da, db)


@nb.njit(**JIT)
def contacts_in_place(day, pairs, pars, store, E, used, walls, hh, rngs, counts):
    """`contact.contacts_day` (same arguments), returning (used, None) when it kept the
    tie store's entry arrays, as it does unless sparse rows had to grow, and (used, E)
    with the new arrays when it did not.

    The parameter records come as their one-element arrays (kernel_params.py): a record
    handed over from Python costs ~15 µs a call to type, an array ~1 µs."""
    E2, used2 = _contact.contacts_day(day, pairs, pars, store, E, used, walls, hh, rngs, counts)
    if (
        _same_array(E2[0], E[0])
        and _same_array(E2[1], E[1])
        and _same_array(E2[2], E[2])
        and _same_array(E2[3], E[3])
    ):
        return used2, None
    return used2, E2


@nb.njit(**JIT)
def _same_array(x, y):
    """Whether x and y are the same memory (same start and length)."""
    return x.ctypes.data == y.ctypes.data and x.shape[0] == y.shape[0]
