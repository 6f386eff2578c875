"""The model's shortcuts give the same results as the plain paths they stand in for."""

import numpy as np
import pandas as pd

from sim.degrees import degree_two_days
from sim.model import NeighbourhoodModel
from sim.scenario import Scenario
from sim.ties import TieStore


def small_model(seed: int = 2) -> NeighbourhoodModel:
    return NeighbourhoodModel(Scenario().with_overrides(run={"burn_in_years": 0.3, "seed": seed}))


def test_degree_two_days_equals_two_single_days():
    m = small_model()
    t = m.ties
    thr = m.config.contact.tie_threshold
    for day in list(range(m.day - 2, m.day + 3)) + [m.day + 200, m.day + 5000]:
        both = degree_two_days(t.H, t.gen, t.members, t.E, day, thr, t.dtab)
        assert np.array_equal(both[0], TieStore.degree(t, day, thr))
        assert np.array_equal(both[1], TieStore.degree(t, day + 1, thr))
        assert both[0].sum() > 0 or day > m.day + 100


def test_remembered_degree_is_only_used_while_the_store_is_unchanged():
    m = small_model()
    t = m.ties
    thr = m.config.contact.tie_threshold
    t.degree(m.day, thr)
    assert t._next_degree is not None
    fresh = TieStore.degree(t, m.day + 1, thr)
    occupied = np.flatnonzero(m.households.occupied)
    well_known = occupied[np.argsort(-fresh[occupied], kind="stable")[:3]]
    m.move_out(well_known)  # changes the store: the remembered counts are stale
    after = t.degree(m.day + 1, thr)
    assert np.array_equal(after, TieStore.degree(t, m.day + 1, thr))
    assert not np.array_equal(after, fresh)
    assert np.array_equal(
        t.degree(m.day, thr, negative=True), TieStore.degree(t, m.day, thr, negative=True)
    )


def test_run_model_snapshots_and_progress_match_stepping():
    from sim.run import run_model

    sc = Scenario().with_overrides(
        run={"burn_in_years": 0.1, "seed": 4, "years": 0.25, "snapshot_years": [0.1, 0.25]}
    )
    ticks = []
    result = run_model(sc, progress=ticks.append)
    days, first = int(round(0.25 * 365)), int(round(0.1 * 365))
    assert sum(ticks) == days
    assert sorted(result.snapshots["day"].unique()) == [first, days]
    m = NeighbourhoodModel(sc)
    for _ in range(days):
        m.step()
        if m.day == first:
            snap = m.household_frame()
    pd.testing.assert_frame_equal(result.timeseries, m.outcomes.frame(), check_exact=True)
    pd.testing.assert_frame_equal(
        result.snapshots[result.snapshots["day"] == first]
        .drop(columns="day")
        .reset_index(drop=True),
        snap.reset_index(drop=True),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(result.households, m.household_frame(), check_exact=True)
