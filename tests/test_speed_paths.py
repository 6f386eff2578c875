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


def test_turnover_today_equals_movers_then_dwellings_due():
    from sim.rand import rng_handle
    from sim.turnover import dwellings_due, movers_today, turnover_today

    for seed in range(30):
        r = np.random.default_rng(seed)
        n = 50
        occupied = r.random(n) < 0.8
        supported = r.random(n) < 0.3
        home = r.random(n)
        vacant = np.where(occupied, -1, r.integers(0, 20, n))
        rate = float(r.choice([0.0, 5.0, 60.0]))
        g1, g2 = np.random.default_rng(seed + 99), np.random.default_rng(seed + 99)
        out = np.empty(n, np.int64)
        m, k = turnover_today(
            occupied, supported, home, vacant, 10, rate, 2 * rate, 3.0, rng_handle(g1), out
        )
        movers = movers_today(
            occupied, supported, home, vacant, 10, rate, 2 * rate, 3.0, rng_handle(g2)
        )
        assert np.array_equal(out[:m], movers)
        if m == 0:
            assert np.array_equal(out[:k], dwellings_due(occupied, vacant, 10))
        else:
            assert k == 0
        assert g1.random() == g2.random()


def test_contacts_in_place_hands_back_grown_entry_arrays(monkeypatch):
    """When sparse rows must grow, the wrapper returns the new arrays, and the day is the
    one `contacts_day` would have made (a site of several buildings as one shard, where
    every tie may be sparse)."""
    from sim.day import contacts_day
    from sim.scenario import load_scenario

    monkeypatch.setattr(NeighbourhoodModel, "shard_buildings", False)

    sc = load_scenario("neighbourhood").with_overrides(run={"burn_in_years": 0.1, "seed": 3})
    new, ref = NeighbourhoodModel(sc), NeighbourhoodModel(sc)
    assert new.site_day.n_shards == 1
    grown = 0
    for _ in range(20):
        for m in (new, ref):  # no spare room: the first new cross-building tie grows them
            m.ties._resize(m.ties.used)
            m._sparse_ties = False
        a, b = new.site_day.encounters(new.households.kernel_data)
        a2, b2 = ref.site_day.encounters(ref.households.kernel_data)
        assert np.array_equal(a, a2) and np.array_equal(b, b2)
        before = new.ties.E[0]
        new._contacts_and_help(a, b, np.ones(len(a)))
        grown += new.ties.E[0] is not before
        # the plain kernel on the same arguments
        st, sd = ref.ties, ref.site_day
        E, used = contacts_day(
            (sd.layout.dwelling_start, sd.handles),
            ref.day,
            (a, b, np.ones(len(a))),
            sd.records,
            (st.H, st.gen, st.members, st.dtab),
            st.E,
            st.used,
            sd.walls,
            ref.households.kernel_data,
            sd._rng_across,
            ref._day_counts,
        )
        st.set_arrays(E, used)
        assert new.ties.used == ref.ties.used
        assert np.array_equal(new._day_counts, ref._day_counts)
        pd.testing.assert_frame_equal(
            new.ties.to_frame(new.day), ref.ties.to_frame(ref.day), check_exact=True
        )
        new.day += 1
        ref.day += 1
    assert grown > 0
    pd.testing.assert_frame_equal(new.household_frame(), ref.household_frame(), check_exact=True)


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
