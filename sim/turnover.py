"""Turnover, compiled: who moves out today (voluntary moves, more often when unhappy) and
which vacant dwellings are let. Evictions are drawn with the weekly states (sim/model.py),
the letting itself by the allocation policy (sim/allocation.py)."""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.rand import JIT, uniform


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
