"""The project's kernel (sim.trips, sim.contact, sim.ties) in the benchmark's reduced mode."""

from __future__ import annotations

import numpy as np

from benchmarks.common import SAMPLE_EVERY, WARM_UP, Setup, contact_parameters
from sim.columns import Event
from sim.contact import resolve_contacts
from sim.rand import Streams, rng_handle
from sim.ties import TieStore, dense_blocks
from sim.trips import day_pairs


def run_fast(s: Setup, days: int, seed: int, max_partners: int | None = None) -> dict:
    """Simulate `days` days. Returns encounters per household-day, ties (positive strength
    >= tie_threshold) per household and acquaintances (any stored tie) per household, both
    averaged over samples every SAMPLE_EVERY days after WARM_UP days."""
    sc = s.scenario
    c = sc.contact
    n = s.site.n_dwellings
    hh = s.households
    streams = Streams(seed)
    ties = TieStore(
        n,
        c.weak_half_life_days,
        c.bond_half_life_days,
        c.negative_half_life_days,
        blocks=dense_blocks(s.site.dwelling_building),
    )
    c_rec, s_rec = contact_parameters(sc)
    bucket = np.zeros(s.site.n_nodes * s.slots + 1, np.int64)
    # the reduced mode: no avoidance, nuisance or time budget, so the households' own
    # columns (avoidance 0 at arrival, tie_count never refreshed) are read as they are
    mp = int(sc.encounters.max_partners if max_partners is None else max_partners)
    encounters = 0
    strong: list[float] = []
    known: list[float] = []
    counts = np.zeros(len(Event))  # (the benchmark reads its own tallies)
    for day in range(days):
        a, b, _, _ = day_pairs(
            s.rates,
            s.route_ptr,
            s.route_nodes,
            hh.working,
            s.cum,
            s.slots,
            s.notice,
            mp,
            bucket,
            rng_handle(streams["routines"]),
            rng_handle(streams["encounters"]),
        )
        encounters += len(a)
        pairs = (a, b, np.ones(len(a)))
        store = (ties.H, ties.gen, ties.members, ties.dtab)
        contact_rng = rng_handle(streams["contact"])
        E, used = resolve_contacts(
            pairs, day, c_rec, s_rec, store, ties.E, ties.used, hh.kernel_data, contact_rng, counts
        )
        ties.set_arrays(E, used)
        if (day + 1) % 30 == 0:
            ties.prune(day)
        if (day + 1) % SAMPLE_EVERY == 0 and day + 1 >= WARM_UP:
            deg = ties.degree(day + 1, c.tie_threshold)
            strong.append(float(deg[s.occupied].mean()))
            known.append(float(ties.entries_per_household()[s.occupied].mean()))
    return {
        "households": s.n_households,
        "days": days,
        "encounters_per_hh_day": 2 * encounters / (s.n_households * days),
        "ties_per_hh": float(np.mean(strong)) if strong else float("nan"),
        "acquaintances_per_hh": float(np.mean(known)) if known else float("nan"),
        "tie_entries": len(ties),
        "tie_bytes": ties.nbytes(),
    }
