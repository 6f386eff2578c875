"""The compiled day kernel: route gathering, who can meet whom, how often, and that
results do not depend on how runs are spread over worker processes."""

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pandas as pd
import pytest

from sim.model import NeighbourhoodModel
from sim.rand import binomial_draw, poisson_draw, rng_handle
from sim.run import run_model
from sim.scenario import Scenario
from sim.trips import day_pairs, destination_parameters, slot_weights, trip_rate_matrix


def one_node_site(n: int, p: float, slots: int = 1):
    """n households whose only route is node 0."""
    route_ptr = np.arange(n + 1, dtype=np.int64)
    route_nodes = np.zeros(n, np.int64)
    notice = np.array([p])
    cum = np.cumsum(slot_weights(slots), axis=1)
    return route_ptr, route_nodes, notice, cum


def test_pairs_only_among_copresent_households_no_self_pairs():
    rng_r, rng_e = np.random.default_rng(1), np.random.default_rng(2)
    n, slots = 60, 3
    # two destinations: households 0..29 route through node 0, the others node 1; every
    # node sees everyone with its route in every slot
    rates = np.zeros((1, n))
    rates[0, :] = 3.0
    route_ptr = np.arange(n + 1, dtype=np.int64)
    route_nodes = np.where(np.arange(n) < 30, 0, 1).astype(np.int64)
    notice = np.array([0.3, 0.3])
    cum = np.cumsum(slot_weights(slots), axis=1)
    bucket = np.zeros(2 * slots + 1, np.int64)
    working = np.zeros(n, bool)
    seen = 0
    for _ in range(50):
        a, b, T, V = day_pairs(
            rates,
            route_ptr,
            route_nodes,
            working,
            cum,
            slots,
            notice,
            6,
            bucket,
            rng_handle(rng_r),
            rng_handle(rng_e),
        )
        assert (a < b).all(), "pairs are canonical and never a household with itself"
        key = a * n + b
        assert (np.diff(key) > 0).all(), "sorted, one encounter per pair per day"
        assert ((a < 30) == (b < 30)).all(), "only households at the same node meet"
        assert not bucket.any(), "workspace left clean"
        assert V == T
        seen += len(a)
    assert seen > 0


def test_expected_meetings_match_binomial_mean():
    """Households pass node 0 in one slot: given T visitors, the number of meetings is
    Binomial(T(T-1)/2, p). Trip rates are low so nobody comes twice (which would allow a
    self-draw) except rarely."""
    rng_r, rng_e = np.random.default_rng(3), np.random.default_rng(4)
    n, p = 400, 0.05
    rates = np.full((1, n), 0.05)
    route_ptr, route_nodes, notice, cum = one_node_site(n, p)
    bucket = np.zeros(2, np.int64)
    got, expect = [], []
    for _ in range(3000):
        a, _, T, _ = day_pairs(
            rates,
            route_ptr,
            route_nodes,
            np.zeros(n, bool),
            cum,
            1,
            notice,
            100,
            bucket,
            rng_handle(rng_r),
            rng_handle(rng_e),
        )
        got.append(len(a))
        expect.append(p * T * (T - 1) / 2)
    got, expect = np.array(got), np.array(expect)
    se = np.sqrt(expect.sum()) / len(got)
    assert abs(got.mean() - expect.mean()) < 4 * se + 0.01 * expect.mean()


def _meet_probability(r: float, q: float) -> float:
    """P(a pair meets) when each makes Poisson(r) visits to a group and each of the Ka*Kb
    visit pairs misses with probability q: 1 - E[q^(Ka*Kb)]."""
    k = np.arange(40)
    pois = np.exp(-r + k * np.log(r) - np.cumsum(np.r_[0.0, np.log(k[1:])]))
    return 1.0 - float(pois @ (q ** np.outer(k, k)) @ pois)


@pytest.mark.parametrize("max_partners", [1000, 4])
def test_each_pair_of_visits_meets_independently(max_partners):
    """Households 0..29 pass nodes 0 and 1 on every trip, 30..59 node 2; notice differs per
    node. A pair meets iff any of its visit pairs at any shared node does (once a day):
    exact for quiet groups (max_partners 1000: skips between meetings) and for louder
    ones (max_partners 4: a binomial count of distinct pairs, cap hardly ever reached)."""
    rng_r, rng_e = np.random.default_rng(11), np.random.default_rng(12)
    n, r, days = 60, 1.0, 4000
    rates = np.full((1, n), r)
    lengths = np.where(np.arange(n) < 30, 2, 1)
    route_ptr = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    route_nodes = np.concatenate([[0, 1] if i < 30 else [2] for i in range(n)]).astype(np.int32)
    notice = np.array([0.1, 0.02, 0.03])
    cum = np.cumsum(slot_weights(1), axis=1)
    bucket = np.zeros(3 + 1, np.int64)
    met = np.zeros((days, 2))
    for day in range(days):
        a, b, _, _ = day_pairs(
            rates,
            route_ptr,
            route_nodes,
            np.zeros(n, bool),
            cum,
            1,
            notice,
            max_partners,
            bucket,
            rng_handle(rng_r),
            rng_handle(rng_e),
        )
        assert ((a < 30) == (b < 30)).all()
        met[day] = (a < 30).sum() / 435, (a >= 30).sum() / 435
    want = [_meet_probability(r, 0.9 * 0.98), _meet_probability(r, 0.97)]
    se = met.std(axis=0) / np.sqrt(days)
    assert (abs(met.mean(axis=0) - want) < 4 * se).all(), (met.mean(axis=0), want)


def test_trips_follow_rates_and_slot_weights():
    """Trips are Poisson with the total rate, split over destinations by rate (route lengths
    1 and 3 → visits), in slots drawn from the household's row of `cum`: with notice 1 on
    the one node (and no cap), two households meet iff they share a slot."""
    rng_r, rng_e = np.random.default_rng(13), np.random.default_rng(14)
    n, slots, days = 40, 3, 1500
    rates = np.vstack([np.full(n, 0.4), np.full(n, 0.2)])
    route_ptr = np.r_[np.arange(n + 1), n + 3 * np.arange(1, n + 1)].astype(np.int64)
    route_nodes = np.zeros(4 * n, np.int32)
    working = np.arange(n) >= n // 2
    w = np.array([[0.1, 0.3, 0.6], [0.6, 0.3, 0.1]])
    cum = np.cumsum(w, axis=1)
    bucket = np.zeros(slots + 1, np.int64)
    T, V = np.zeros(days), np.zeros(days)
    met = np.zeros((days, 3))  # non-working pairs, working pairs, mixed
    for day in range(days):
        a, b, T[day], V[day] = day_pairs(
            rates,
            route_ptr,
            route_nodes,
            working,
            cum,
            slots,
            np.ones(1),
            1000,
            bucket,
            rng_handle(rng_r),
            rng_handle(rng_e),
        )
        kind = working[a].astype(int) + working[b]
        met[day] = (kind == 0).sum() / 190, (kind == 2).sum() / 190, (kind == 1).sum() / 400
    assert abs(T.mean() - 0.6 * n) < 4 * np.sqrt(0.6 * n / days)
    assert abs(V.mean() - n * (0.4 * 1 + 0.2 * 3)) < 4 * V.std() / np.sqrt(days)
    busy = 1 - np.exp(-0.6 * w)  # P(some trip in the slot), by row
    want = [
        1 - np.prod(1 - busy[0] ** 2),
        1 - np.prod(1 - busy[1] ** 2),
        1 - np.prod(1 - busy[0] * busy[1]),
    ]
    se = met.std(axis=0) / np.sqrt(days)
    assert (abs(met.mean(axis=0) - want) < 4 * se).all(), (met.mean(axis=0), want)


def test_same_generator_state_same_pairs():
    n, p = 200, 0.05
    rates = np.full((1, n), 0.3)
    route_ptr, route_nodes, notice, cum = one_node_site(n, p, slots=2)
    bucket = np.zeros(3, np.int64)

    def day(seed):
        return day_pairs(
            rates,
            route_ptr,
            route_nodes,
            np.zeros(n, bool),
            cum,
            2,
            notice,
            6,
            bucket,
            rng_handle(np.random.default_rng(seed)),
            rng_handle(np.random.default_rng(seed + 1)),
        )

    a1, b1, T1, V1 = day(7)
    a2, b2, T2, V2 = day(7)
    assert (a1 == a2).all() and (b1 == b2).all() and (T1, V1) == (T2, V2)
    a3, b3, _, _ = day(8)
    assert len(a1) != len(a3) or (a1 != a3).any() or (b1 != b3).any()


def test_poisson_and_binomial_draws_have_the_right_moments():
    rng = np.random.default_rng(5)
    h = rng_handle(rng)
    for lam in (0.3, 4.5, 50.0, 2000.0):
        x = np.array([poisson_draw(h, lam) for _ in range(20000)])
        assert abs(x.mean() - lam) < 4 * np.sqrt(lam / len(x))
        assert abs(x.var() - lam) < 0.1 * lam
    for N, p in ((1, 0.3), (45, 0.05), (4000, 0.008), (100000, 0.001)):
        x = np.array([binomial_draw(h, N, p) for _ in range(20000)])
        mu, var = N * p, N * p * (1 - p)
        assert abs(x.mean() - mu) < 4 * np.sqrt(var / len(x))
        assert abs(x.var() - var) < 0.1 * var


def test_compiled_trip_rates_follow_the_trip_rate_formula():
    """The compiled rates are the routines' formula: every trip needs an occupied home,
    going out more with a job, the dog field only with a dog, the playground only with
    children, and optional trips fall with avoidance and scale with the trip multiplier."""
    m = NeighbourhoodModel(Scenario().with_overrides(run={"burn_in_years": 0.1}))
    hh = m.households
    hh.avoidance[:] = np.linspace(0, 1, len(hh.avoidance))
    m.trip_multiplier = np.linspace(0.5, 1.5, len(m.trip_multiplier))
    r = m.config.routines
    dests = m.site_day.dests
    par = destination_parameters(r, dests)
    mat = trip_rate_matrix(par, hh.real, hh.flag, r.avoid_trip_cut, 0, hh.n)
    occ = hh.occupied.astype(float)
    optional = occ * (1.0 - r.avoid_trip_cut * hh.avoidance) * m.trip_multiplier
    want = {
        "out": occ * (r.out + r.work_extra * hh.working),
        "dog_field": occ * hh.dog * r.dog_field,
        "playground": optional * hh.children * r.playground,
    }
    for d in dests:
        expected = want.get(d, optional * getattr(r, d))
        np.testing.assert_allclose(mat[dests.index(d)], expected, rtol=1e-12, err_msg=d)
    assert {"out", "mail", "bins"} <= set(dests)


def _run(seed: int) -> pd.DataFrame:
    sc = Scenario().with_overrides(run={"burn_in_years": 0.1})
    return run_model(sc, seed=seed, years=0.15).timeseries


def test_results_do_not_depend_on_worker_processes():
    serial = [_run(s) for s in (1, 2)]
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as ex:
        pooled = list(ex.map(_run, (1, 2)))
    for a, b in zip(serial, pooled):
        pd.testing.assert_frame_equal(a, b)
    assert not serial[0].equals(serial[1])


def test_compiled_draws_are_the_generators_own_stream():
    """Compiled code draws exactly what Generator.random() would, and advances it."""
    from sim.rand import uniform

    g1, g2 = np.random.default_rng(9), np.random.default_rng(9)
    h = rng_handle(g1)
    got = [uniform(h) for _ in range(5)]
    assert got == g2.random(5).tolist()
    assert g1.random() == g2.random()
