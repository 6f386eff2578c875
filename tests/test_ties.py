"""The tie store: lazy decay equals eager decay; add / remove / prune keep the store equal
to a plain dict model; the key-ordered views agree with each other."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.ties import CONTACT_KINDS, TieStore

HALF = (20.0, 200.0, 60.0)


class EagerTies:
    """The obvious implementation: a dict of ties, every value decayed every day."""

    def __init__(self):
        self.f, self.b, self.n = (0.5 ** (1 / h) for h in HALF)
        self.ties: dict[tuple[int, int], list] = {}

    def add(self, a, b, fast, bond, neg, kind):
        t = self.ties.setdefault((a, b), [0.0, 0.0, 0.0, [0] * len(CONTACT_KINDS)])
        t[0] += fast
        t[1] += bond
        t[2] += neg
        if kind >= 0:
            t[3][kind] += 1

    def end_of_day(self):
        for t in self.ties.values():
            t[0] *= self.f
            t[1] *= self.b
            t[2] *= self.n

    def remove(self, hs):
        hs = set(hs)
        self.ties = {k: v for k, v in self.ties.items() if k[0] not in hs and k[1] not in hs}

    def prune(self, eps):
        self.ties = {k: v for k, v in self.ties.items() if v[0] + v[1] >= eps or v[2] >= eps}


def check_equal(store: TieStore, eager: EagerTies, day: int, n: int) -> None:
    keys = np.array(sorted(a * n + b for a, b in eager.ties), np.int64)
    assert np.array_equal(store.key, keys)
    a, b, p, ng = store.all_strengths(day)
    want_p = np.array([eager.ties[(x, y)][0] + eager.ties[(x, y)][1] for x, y in zip(a, b)])
    want_n = np.array([eager.ties[(x, y)][2] for x, y in zip(a, b)])
    np.testing.assert_allclose(p, want_p, rtol=2e-6, atol=1e-9)  # stored as float32
    np.testing.assert_allclose(ng, want_n, rtol=2e-6, atol=1e-9)
    want_c = np.array([eager.ties[(x, y)][3] for x, y in zip(a, b)]).reshape(-1, 4)
    assert np.array_equal(store.counts, want_c)
    sp, sn = store.strength(a, b, day)
    np.testing.assert_allclose(sp, p, rtol=1e-12)  # compiled vs numpy exp: last ulp
    np.testing.assert_allclose(sn, ng, rtol=1e-12)


def simulate(
    seed: int,
    n: int,
    days: int,
    per_day: int,
    moves: bool,
    check_every: int = 1,
    blocks: np.ndarray | None = None,
):
    rng = np.random.default_rng(seed)
    store = TieStore(n, *HALF, blocks=blocks)
    eager = EagerTies()
    for day in range(days):
        m = int(rng.integers(0, per_day + 1))
        a = rng.integers(0, n, m)
        b = rng.integers(0, n, m)
        keep = a != b
        a, b = a[keep], b[keep]
        fast = rng.random(len(a))
        bond = 0.1 * rng.random(len(a))
        neg = np.where(rng.random(len(a)) < 0.2, rng.random(len(a)), 0.0)
        kind = rng.integers(-1, len(CONTACT_KINDS), len(a))
        store.add(a, b, day, fast=fast, bond=bond, neg=neg, kind=kind)
        for i in range(len(a)):
            eager.add(int(a[i]), int(b[i]), fast[i], bond[i], neg[i], int(kind[i]))
        if moves and rng.random() < 0.2:
            gone = rng.choice(n, size=int(rng.integers(1, 3)), replace=False)
            store.remove_households(gone)
            eager.remove(gone.tolist())
        if day % 10 == 9:
            store.prune(day, eps=0.05)
            eager.prune(0.05)
        if day % check_every == 0:
            check_equal(store, eager, day, n)
        eager.end_of_day()
    return store, eager


def test_lazy_decay_equals_eager_decay():
    store, eager = simulate(seed=1, n=12, days=120, per_day=10, moves=False, check_every=7)
    check_equal(store, eager, 120, 12)
    # and long silences: one write, read a year later
    s = TieStore(3, *HALF)
    s.add([0], [1], 5, fast=2.0, bond=1.0, neg=0.5)
    p, ng = s.strength([0], [1], 365)
    want = 2.0 * 0.5 ** (360 / HALF[0]) + 0.5 ** (360 / HALF[1])
    assert math.isclose(p[0], want, rel_tol=1e-12)
    assert math.isclose(ng[0], 0.5 * 0.5 ** (360 / HALF[2]), rel_tol=1e-12)


def test_add_remove_prune_match_dict_model():
    simulate(seed=2, n=25, days=150, per_day=40, moves=True, check_every=5)


def test_dense_blocks_match_dict_model():
    """Ties within a block (a building) sit in a dense block, the others in sparse rows;
    both together behave exactly like the dict model, moves and pruning included."""
    n = 25
    blocks = np.where(np.arange(n) < 22, np.arange(n) // 8, -1)  # blocks of 8, 8, 6; 3 loose
    store, _ = simulate(seed=5, n=n, days=150, per_day=40, moves=True, check_every=5, blocks=blocks)
    assert store.dense == 8 * 7 + 8 * 7 + 6 * 5  # B·(B-1) directed slots per block
    assert store.used > 0  # ties across blocks exist and are sparse


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(2, 15),
    per_day=st.integers(0, 30),
    moves=st.booleans(),
    block_size=st.integers(0, 6),
)
def test_random_histories_match_dict_model(seed, n, per_day, moves, block_size):
    blocks = np.arange(n) // block_size if block_size else None
    simulate(seed=seed, n=n, days=40, per_day=per_day, moves=moves, check_every=13, blocks=blocks)


def test_rows_grow_and_compact():
    """A household with many partners forces its row to move several times; pruning
    repacks every row; nothing is lost on the way."""
    n = 300
    s = TieStore(n, *HALF)
    partners = np.arange(1, n)
    for k in range(0, len(partners), 7):
        s.add(np.zeros(len(partners[k : k + 7]), int), partners[k : k + 7], 0, fast=1.0)
    assert s.deg[0] == n - 1 and s.cap[0] >= n - 1
    assert np.array_equal(s.key, partners)
    assert s.prune(0) == 0
    assert s.cap[0] < 2 * (n - 1)
    assert np.array_equal(s.key, partners)


@pytest.mark.parametrize("blocks", [None, [0, 0, 0, 0], [0, 0, 1, 1]])
def test_moved_out_household_keeps_no_ties_and_new_occupant_starts_fresh(blocks):
    s = TieStore(4, *HALF, blocks=blocks)
    s.add([0, 1, 2], [1, 0, 1], 0, fast=3.0, kind=1)
    s.remove_households([1])
    assert len(s) == 0
    assert s.degree(0, 0.1).sum() == 0
    p, _ = s.strength([0, 1], [1, 0], 1)
    assert (p == 0).all()
    s.add([0], [1], 2, fast=0.5, kind=0)  # the new household in dwelling 1 meets 0
    assert s.counts.tolist() == [[1, 0, 0, 0]]
    p, _ = s.strength([0], [1], 2)
    assert p[0] == 0.5


def test_find_and_views_agree():
    store, _ = simulate(seed=3, n=10, days=30, per_day=8, moves=True, check_every=100)
    key = store.key
    pos, found = store.find(np.r_[key, 10 * 10 + 1])
    assert found[:-1].all() and not found[-1]
    assert np.array_equal(pos[:-1], np.arange(len(key)))
    assert len(store) == len(key) == len(store.to_frame(30))
    a, b = store.split(key)
    assert not np.any(a == b)


def test_self_tie_is_an_error():
    s = TieStore(3, *HALF)
    with pytest.raises(ValueError):
        s.add([1], [1], 0, fast=1.0)


def test_reserve_grows_in_place_and_keeps_every_tie():
    store, eager = simulate(seed=4, n=20, days=30, per_day=20, moves=True, check_every=100)
    before = store.key.copy()
    store.reserve(10 * len(store.E[0]))
    assert len(store.E[0]) >= store.used + 10 * len(before)
    assert np.array_equal(store.key, before)
    check_equal(store, eager, 30, 20)  # simulate() ends after day 29's decay


def test_model_gives_identical_runs_with_dense_or_sparse_ties(monkeypatch):
    """The dense blocks are only a faster layout: a run is bit-identical without them.
    (On the site's streams alone: the building-by-building day needs dense blocks.)"""
    import sim.ties
    from sim.model import NeighbourhoodModel
    from sim.run import run_model
    from sim.scenario import load_scenario

    monkeypatch.setattr(NeighbourhoodModel, "shard_buildings", False)

    sc = load_scenario("neighbourhood").with_overrides(run={"years": 0.3, "burn_in_years": 0.2})
    dense = run_model(sc)
    monkeypatch.setattr(sim.ties, "DENSE_LIMIT", 0)
    sparse = run_model(sc)
    pd.testing.assert_frame_equal(dense.timeseries, sparse.timeseries)
    pd.testing.assert_frame_equal(dense.ties, sparse.ties)


@pytest.mark.parametrize("blocks", [None, [0, 0, 0]])
def test_days_across_a_whole_run_and_saturating_counts(blocks):
    """Records keep days modulo 2**16 and small counts in one byte: a tie written in a
    20-year burn-in and read 100 years later decays exactly, its last day reads back, and
    help/nuisance counts stop at 255 while greetings count on."""
    first, last = -20 * 365, 100 * 365
    s = TieStore(3, *HALF, blocks=blocks)
    s.add([0], [1], first, fast=2.0, bond=4.0, neg=1.0, kind=1)
    p, n = s.strength([0], [1], last)
    age = last - first
    want_p = 2.0 * 0.5 ** (age / HALF[0]) + 4.0 * 0.5 ** (age / HALF[1])
    np.testing.assert_allclose(p, [want_p], rtol=1e-6)
    np.testing.assert_allclose(n, [0.5 ** (age / HALF[2])], rtol=1e-6)
    assert s.to_frame(last)["last_contact_day"].tolist() == [first]
    assert s.last_day(last).tolist() == [first]
    for kind in (0, 2, 3):
        s.add(np.zeros(300, np.int64), np.full(300, 2), 5, fast=0.1, kind=kind)
    assert s.counts.tolist() == [[0, 1, 0, 0], [300, 0, 255, 255]]


@pytest.mark.parametrize("name", ["baseline", "neighbourhood"])
def test_kept_degrees_follow_move_outs_and_pruning(name):
    """The next day's positive degrees kept by the weekly count are updated through
    move-outs (dense columns and sparse rows pointing at the leavers) and pruning, and
    equal a fresh count."""
    from sim.model import NeighbourhoodModel
    from sim.scenario import load_scenario
    from sim.ties import degree_counts

    m = NeighbourhoodModel(
        load_scenario(name).with_overrides(run={"burn_in_years": 0.5, "seed": 2})
    )
    thr = 0.05  # low enough that some ties across buildings count
    st = m.ties
    rng = np.random.default_rng(0)
    for _week in range(3):
        st.degree(m.day, thr)  # keeps the counts for m.day + 1
        occupied = np.flatnonzero(m.households.occupied)
        # among the leavers: households others hold a positive tie to across buildings
        ties = st.to_frame(m.day + 1, thr)
        bld = m.site.dwelling_building
        across = ties["to_dwelling"][bld[ties["from_dwelling"]] != bld[ties["to_dwelling"]]]
        held = np.unique(across.to_numpy())[:10]
        assert name == "baseline" or len(held) > 0
        others = np.setdiff1d(occupied, held)
        leavers = np.r_[held, rng.choice(others, 25 - len(held), replace=False)]
        rng.shuffle(leavers)
        st.remove_households(leavers[:20])
        st.prune(m.day, 0.01)
        st.remove_households(leavers[20:])
        m.households.vacate(leavers)
        assert st._next_degree is not None  # kept, not dropped
        fresh = degree_counts(st.H, st.gen, st.members, st.E, m.day + 1, thr, False, st.dtab)
        assert np.array_equal(st.degree(m.day + 1, thr), fresh)
        m.run(days=7)
