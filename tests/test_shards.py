"""The day shard by shard (sim/day.py, sim/shards.py): a site of several buildings runs
building by building; results depend on the seed only, not on the number of threads or the
size of the buffers, and agree in distribution with the same site as one shard on the
site's streams."""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd
import pytest

from sim.model import NeighbourhoodModel
from sim.run import run_model
from sim.scenario import load_scenario
from sim.shards import shard_layout
from sim.site_day import EncounterBuffers
from sim.trips import route_cuts


def _neighbourhood(**run):
    return load_scenario("neighbourhood").with_overrides(
        run={"years": 0.25, "burn_in_years": 0.1, "seed": 4, **run}
    )


def _tables(result):
    return result.timeseries, result.households, result.ties


def test_a_site_of_several_buildings_runs_by_building_and_one_building_as_one_shard():
    m = NeighbourhoodModel(_neighbourhood())
    assert m.site_day.n_shards == 4
    one = NeighbourhoodModel(load_scenario("baseline").with_overrides(run={"burn_in_years": 0.0}))
    assert one.site_day.n_shards == 1
    L = one.site_day.layout
    assert len(L.shared_nodes) == 0 and np.array_equal(L.own_nodes, np.arange(one.site.n_nodes))


def test_results_do_not_depend_on_the_number_of_threads():
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = run_model(_neighbourhood())
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = run_model(_neighbourhood())
    finally:
        numba.set_num_threads(threads)
    for a, b in zip(_tables(one), _tables(two)):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("capacity", [1, 150])
def test_results_do_not_depend_on_the_buffer_sizes(monkeypatch, capacity):
    """When a building's results outgrow the buffers, every building is drawn again from
    the states its streams had before the day: small buffers (grown on the first day, or
    later when only the largest building outgrows them) give the same run."""
    roomy = run_model(_neighbourhood())
    grown = []
    original = EncounterBuffers.grow

    def counting(self, cap_pairs, cap_shared):
        grown.append((cap_pairs, cap_shared))
        original(self, cap_pairs, cap_shared)

    monkeypatch.setattr(EncounterBuffers, "initial_capacity", capacity)
    monkeypatch.setattr(EncounterBuffers, "grow", counting)
    tight = run_model(_neighbourhood())
    assert len(grown) > 1  # the buffers did grow mid-run
    for a, b in zip(_tables(roomy), _tables(tight)):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("by_building", [True, False])
def test_sparse_rows_grow_inside_the_compiled_day(monkeypatch, by_building):
    """Cross-building encounters and help may need new sparse room in the compiled day
    (a site of several shards, or the same site as one shard, where every tie across
    buildings is sparse): with no spare room at all, every day ends as it does with room
    reserved, and the store's arrays did grow."""
    monkeypatch.setattr(NeighbourhoodModel, "shard_buildings", by_building)
    sc = _neighbourhood(years=0.05)
    reserved, tight = NeighbourhoodModel(sc), NeighbourhoodModel(sc)
    assert tight.site_day.n_shards == (4 if by_building else 1)
    grown = 0
    for _ in range(20):
        tight.ties._resize(tight.ties.used)
        tight._sparse_ties = False  # (no reserve before the contacts either)
        before = tight.ties.E[0]
        reserved.step()
        tight.step()
        grown += tight.ties.E[0] is not before
    assert grown > 0
    pd.testing.assert_frame_equal(
        reserved.ties.to_frame(reserved.day), tight.ties.to_frame(tight.day), check_exact=True
    )
    pd.testing.assert_frame_equal(
        reserved.household_frame(), tight.household_frame(), check_exact=True
    )


def test_routes_are_cut_where_they_leave_the_building():
    start, end = np.array([0, 3, 5]), np.array([3, 5, 5])
    nodes = np.array([1, 2, 7, 3, 8], np.int32)
    shared = np.zeros(9, bool)
    shared[[7, 8]] = True
    cut, bad = route_cuts(start, end, nodes, shared)
    assert bad == 0 and cut.tolist() == [2, 4, 5]
    _, bad = route_cuts(np.array([0]), np.array([3]), np.array([1, 7, 2], np.int32), shared)
    assert bad == -1  # route 0 comes back into a building


def test_site_routes_are_one_array_the_layout_uses_as_it_is():
    m = NeighbourhoodModel(_neighbourhood())
    L = m.site_day.layout
    assert all(nodes.base is L.route_nodes for _, nodes in m.site.routes.values())
    n = m.site.n_dwellings
    dests = m.site_day.dests
    for k, d in enumerate(dests):
        for i in (0, n // 2, n - 1):
            row = k * n + i
            route = L.route_nodes[L.route_start[row] : L.route_end[row]]
            assert np.array_equal(route, m.site.route(i, d))


def test_layout_by_building():
    m = NeighbourhoodModel(_neighbourhood())
    L = m.site_day.layout
    site = m.site
    bld = site.dwelling_building
    for s in range(L.n_shards):
        assert (bld[L.dwelling_start[s] : L.dwelling_start[s + 1]] == s).all()
        assert (site.node_building[L.own_nodes[L.node_start[s] : L.node_start[s + 1]]] == s).all()
    assert (site.node_building[L.shared_nodes] < 0).all()
    assert len(L.own_nodes) + len(L.shared_nodes) == site.n_nodes
    one = load_scenario("baseline")
    single = NeighbourhoodModel(one.with_overrides(run={"burn_in_years": 0.0})).site
    assert shard_layout(single, ["out"]).n_shards == 1
    assert shard_layout(site, ["out"], by_building=False).n_shards == 1


def _site_means(sharded: bool, seed: int) -> dict[str, float]:
    NeighbourhoodModel.shard_buildings = sharded
    try:
        res = run_model(
            load_scenario("neighbourhood").with_overrides(
                run={"years": 1.0, "burn_in_years": 0.5, "seed": seed}
            )
        )
    finally:
        NeighbourhoodModel.shard_buildings = True
    ts = res.timeseries
    site = ts[(ts["building"] == "all") & (ts["group"] == "all")].iloc[1:]
    per_hh_week = (
        site[["encounters", "small_talk", "help_given", "nuisance_episodes"]]
        .div(site["households"], axis=0)
        .mean()
    )
    return {
        **per_hh_week.to_dict(),
        "mean_ties": site["mean_ties"].mean(),
        "ties_ge1": site["ties_ge1"].mean(),
    }


def test_day_by_building_agrees_in_distribution_with_one_shard_on_the_site_streams():
    """Same mechanism, other random numbers: over seeds, encounters, talk, help, nuisance
    and ties per household agree within 4 standard errors of the difference (replicate
    variance) and within 5%."""
    seeds = range(1, 7)
    a = pd.DataFrame([_site_means(True, s) for s in seeds])
    b = pd.DataFrame([_site_means(False, s) for s in seeds])
    diff = a.mean() - b.mean()
    se = np.sqrt(a.var() / len(a) + b.var() / len(b))
    assert (diff.abs() <= 4 * se + 1e-12).all(), pd.DataFrame({"diff": diff, "se": se})
    assert ((diff / b.mean()).abs() < 0.05).all(), diff / b.mean()


FORK_AFTER_ONE_BUILDING = """
import os
from sim.model import NeighbourhoodModel
from sim.scenario import load_scenario
NeighbourhoodModel(load_scenario("baseline").with_overrides(run={"burn_in_years": 0.0})).run(days=7)
pid = os.fork()
if pid == 0:
    sc = load_scenario("neighbourhood").with_overrides(run={"burn_in_years": 0.0})
    NeighbourhoodModel(sc).run(days=7)
    os._exit(0)
print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""


def test_a_process_that_ran_one_building_can_fork_a_run_of_several():
    """Sweep workers are forked from a server warmed on one building (sim/experiments/
    pool.py). The one-shard day must not load a parallel kernel: that starts OpenMP's
    threads, and a forked child that then runs several buildings is killed by GNU OpenMP."""
    import subprocess
    import sys
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", FORK_AFTER_ONE_BUILDING],
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert out.stdout.strip().splitlines()[-1] == "0", out.stderr[-2000:]
