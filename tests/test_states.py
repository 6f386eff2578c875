"""The compiled weekly state update and outcome collection: the same numbers as the
numpy code they replaced (kept below as the reference) and as a pandas groupby."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from benchmarks.common import district
from sim.model import NeighbourhoodModel
from sim.outcomes import GROUPS
from sim.population import Households
from sim.scenario import Scenario


# --- weekly states ------------------------------------------------------------------------
def reference_weekly_states(self) -> None:
    """NeighbourhoodModel._weekly_states as it was in numpy (commit 4a5726e), verbatim."""
    hh = self.households
    s = self.config.states
    c = self.config.contact
    occ = hh.occupied
    n = self.site.n_dwellings
    pos_week, neg_week = self._pos_week, self._neg_week
    self.tie_count[:] = self.ties.degree(self.day, c.tie_threshold)
    ties = np.minimum(self.tie_count, 3) / 3.0
    bad = 1 - np.exp(-hh.neg_recent)            # 0..1, recent nuisance experienced
    good = 1 - np.exp(-hh.pos_recent / 10.0)    # 0..1, recent pleasant contact
    # the building's climate: share of neighbours recently bothered
    bld = self.site.dwelling_building
    n_b = np.bincount(bld, weights=occ, minlength=bld.max() + 1)
    climate = np.bincount(bld, weights=bad * occ, minlength=bld.max() + 1) / np.maximum(n_b, 1)
    climate_hh = climate[bld]
    tenure = np.clip((self.day - hh.move_in_day) / (5 * 365), 0, 1)

    hh.avoidance[:] = 1 - np.exp(-c.anticipatory_avoidance * hh.neg_recent)
    trust_t = np.clip(0.3 + 0.35 * good + 0.25 * ties - 0.45 * bad - 0.3 * climate_hh, 0, 1)
    safety_t = np.clip(0.55 + 0.2 * hh.trust_neighbours + 0.15 * ties - 0.35 * bad
                       - 0.6 * climate_hh, 0, 1)
    home_t = np.clip(0.25 + 0.3 * ties + 0.25 * hh.safety + 0.1 * good + 0.1 * tenure
                     - 0.35 * bad, 0, 1)
    burden_over = np.clip(hh.burden / self.config.help.burden_limit, 0, 1)
    wellbeing_t = np.clip(0.75 - 0.35 * hh.financial_stress - 0.3 * bad + 0.15 * ties
                          + 0.1 * good - 0.2 * burden_over, 0, 1)
    rate = s.adapt_rate
    for col, target, r in (("trust_neighbours", trust_t, rate * 0.5),
                           ("safety", safety_t, rate), ("sense_of_home", home_t, rate),
                           ("wellbeing", wellbeing_t, rate)):
        arr = getattr(hh, col)
        arr += r * (target - arr) * occ

    sup = hh.supported & occ
    recovery_t = np.clip(0.1 + 0.3 * hh.support_level + 0.2 * ties + 0.15 * good
                         - 0.4 * bad, 0, 1)
    hh.recovery[sup] = np.clip(
        hh.recovery[sup] + 0.5 * rate * (recovery_t[sup] - hh.recovery[sup])
        + s.recovery_gain * np.minimum(pos_week[sup], 5) - s.recovery_loss * neg_week[sup]
        + s.recovery_support_drift * hh.support_level[sup], 0, 1)
    base = self.config.population.nuisance_risk_supported
    hh.nuisance_risk[sup] = np.clip(hh.nuisance_risk[sup] * 0.98
                                    + 0.02 * base * (1.6 - 1.2 * hh.recovery[sup]) * 1.0,
                                    0, 1)
    self._pos_week = np.zeros(n)
    self._neg_week = np.zeros(n)

    rng = self.streams["evictions"]
    at_risk = np.flatnonzero(occ & (hh.complaints >= s.eviction_complaints))
    if len(at_risk):
        evict = at_risk[rng.random(len(at_risk)) < s.eviction_rate / 52.0]
        self.move_out(evict, evicted=True)


def random_model(seed: int, n: int = 300, n_buildings: int = 5) -> SimpleNamespace:
    """Just what _weekly_states reads, filled with random values that reach every branch:
    clipped targets at both ends, vacant dwellings, a building with nobody in it and one
    with a single household, tenure in the future, complaints above the eviction
    threshold."""
    rng = np.random.default_rng(seed)
    hh = Households(n)
    hh.occupied[:] = rng.random(n) < 0.8
    bld = rng.integers(0, n_buildings, n).astype(np.int32)
    bld.flags.writeable = False   # as in a Site
    hh.occupied[bld == 2] = False
    hh.occupied[np.flatnonzero(bld == 3)[1:]] = False   # one household alone
    hh.supported[:] = rng.random(n) < 0.4
    for col in ("trust_neighbours", "safety", "sense_of_home", "wellbeing", "avoidance",
                "recovery", "nuisance_risk", "financial_stress", "support_level"):
        getattr(hh, col)[:] = rng.random(n)
    hh.neg_recent[:] = rng.exponential(1.5, n) * (rng.random(n) < 0.7)
    hh.pos_recent[:] = rng.exponential(15.0, n)
    hh.burden[:] = rng.random(n) * 3.0
    hh.complaints[:] = rng.random(n) * 6.0
    day = 700
    hh.move_in_day[:] = rng.integers(day - 3000, day + 50, n)
    degree = rng.integers(0, 7, n)
    states = SimpleNamespace(adapt_rate=rng.uniform(0.01, 0.6), recovery_gain=rng.uniform(0, 0.2),
                             recovery_loss=rng.uniform(0, 0.2),
                             recovery_support_drift=rng.uniform(0, 0.05),
                             eviction_complaints=4.0, eviction_rate=26.0)
    config = SimpleNamespace(
        states=states,
        contact=SimpleNamespace(tie_threshold=0.5, anticipatory_avoidance=rng.uniform(0.1, 2)),
        help=SimpleNamespace(burden_limit=1.5),
        population=SimpleNamespace(nuisance_risk_supported=rng.uniform(0.1, 0.9)))
    m = SimpleNamespace(
        households=hh, config=config, day=day, evicted=[],
        site=SimpleNamespace(n_dwellings=n, dwelling_building=bld),
        ties=SimpleNamespace(degree=lambda today, threshold: degree.copy()),
        tie_count=np.zeros(n), _pos_week=rng.integers(0, 9, n).astype(float),
        _neg_week=rng.integers(0, 4, n).astype(float),
        streams={"evictions": np.random.default_rng(seed + 1000)})
    m.move_out = lambda d, evicted=False: m.evicted.append((np.asarray(d).tolist(), evicted))
    return m


@pytest.mark.parametrize("seed", range(6))
def test_compiled_weekly_update_equals_numpy_reference(seed):
    new, ref = random_model(seed), random_model(seed)
    pos_week, neg_week = new._pos_week, new._neg_week
    NeighbourhoodModel._weekly_states(new)
    reference_weekly_states(ref)
    for col in new.households.columns():
        a, b = getattr(new.households, col), getattr(ref.households, col)
        assert a.tobytes() == b.tobytes(), f"{col} differs (max {np.max(np.abs(a - b))})"
    assert new.tie_count.tobytes() == ref.tie_count.tobytes()
    # the week's tallies are reset in place, not replaced
    assert new._pos_week is pos_week and new._neg_week is neg_week
    assert not pos_week.any() and not neg_week.any()
    # evictions: same households, and the stream is left where the reference left it
    assert new.evicted == ref.evicted and len(new.evicted[0][0]) > 0
    assert new.streams["evictions"].random() == ref.streams["evictions"].random()


def test_weekly_update_is_identical_in_a_running_model():
    """Two models on one seed, one with the reference update, stay bit-identical."""
    sc = Scenario().with_overrides(run={"burn_in_years": 0.2, "seed": 4})
    new, ref = NeighbourhoodModel(sc), NeighbourhoodModel(sc)
    ref._weekly_states = lambda: reference_weekly_states(ref)
    for _ in range(120):
        new.step()
        ref.step()
    pd.testing.assert_frame_equal(new.outcomes.frame(), ref.outcomes.frame(), check_exact=True)
    pd.testing.assert_frame_equal(new.household_frame(), ref.household_frame(),
                                  check_exact=True)


# --- outcome collection ---------------------------------------------------------------------
def groupby_reference(m: NeighbourhoodModel) -> pd.DataFrame:
    """Today's outcomes per (building, group) straight from the household arrays."""
    hh = m.households
    occ = np.flatnonzero(hh.occupied)
    deg = m.ties.degree(m.day, m.config.contact.tie_threshold)[occ]
    given, received = hh.help_given[occ].astype(float), hh.help_received[occ].astype(float)
    exchanged = given + received
    df = pd.DataFrame({
        "building": m.site.dwelling_building[occ].astype(str),
        "group": np.where(hh.supported[occ], "supported", "resident"),
        "households": 1, "ties_ge1": deg >= 1, "ties_ge3": deg >= 3, "mean_ties": deg,
        "lonely": deg == 0, "weekly_contact": m.day - hh.last_talk_day[occ] < 7,
        "help_received_total": received,
        "reciprocity": np.where(exchanged > 0, 1 - np.abs(given - received)
                                / np.maximum(exchanged, 1), np.nan),
        "overburdened": np.where(given > 0, hh.burden[occ] >= m.config.help.burden_limit,
                                 np.nan),
        **{col: getattr(hh, col)[occ] for col in (
            "sense_of_home", "safety", "trust_neighbours", "trust_institutions", "wellbeing",
            "avoidance")},
        "nuisance_exposed": hh.neg_recent[occ] >= 0.25,
        "recovery": np.where(hh.supported[occ], hh.recovery[occ], np.nan),
        "hidden_need": hh.hidden_need[occ] & ~hh.need_surfaced[occ],
        "need_surfaced": hh.need_surfaced[occ], "referred": hh.referred[occ],
    })
    per_building = m.site.dwelling_building.max() > 0
    parts = []
    for building, sub in [("all", df)] + (list(df.groupby("building")) if per_building else []):
        for group in GROUPS:
            rows = sub if group == "all" else sub[sub.group == group]
            means = rows.drop(columns=["building", "group"]).astype(float).mean()
            means["households"] = len(rows)
            if np.isnan(means["overburdened"]):  # no helpers
                means["overburdened"] = 0.0
            sup = sub[sub.group == "supported"]
            means["recovery"] = np.nan if group == "resident" else sup["recovery"].mean()
            parts.append(pd.Series({"building": building, "group": group, **means}))
    return pd.DataFrame(parts).set_index(["building", "group"])


def collected_now(m: NeighbourhoodModel) -> pd.DataFrame:
    """The block collect() adds now, indexed by (building, group)."""
    m.outcomes.collect()
    f = m.outcomes.frame().tail(m.outcomes.rows[-1]["rows"])
    return f.astype({"building": str, "group": str}).set_index(["building", "group"])


def assert_same_means(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Equal up to summation order (pandas sums pairwise, collect in dwelling order)."""
    for col in want.columns:
        np.testing.assert_allclose(got[col].to_numpy(float),
                                   want.loc[got.index, col].to_numpy(float),
                                   rtol=1e-12, atol=0, equal_nan=True, err_msg=col)


def small_district() -> NeighbourhoodModel:
    sc = district(3, floors=3, per_floor=6).with_overrides(run={"burn_in_years": 0.5,
                                                                "seed": 3})
    m = NeighbourhoodModel(sc)
    m.run(0.25)
    return m


def test_outcome_means_equal_a_groupby_per_building_and_group():
    m = small_district()
    hh = m.households
    bld = m.site.dwelling_building
    # corner cases: a building without supported households, one nobody ever helped in
    hh.supported[bld == 1] = False
    hh.help_given[bld == 2] = 0
    got, want = collected_now(m), groupby_reference(m)
    assert list(got.index) == [(b, g) for b in ("all", "0", "1", "2") for g in GROUPS]
    assert np.isnan(got.loc[("1", "supported"), "sense_of_home"])
    assert got.loc[("2", "all"), "overburdened"] == 0.0
    assert_same_means(got, want)
    assert got["households"].dtype == np.int64


def test_building_blocks_add_up_to_the_whole_site():
    m = small_district()
    got = collected_now(m)
    buildings = [b for b in got.index.get_level_values(0).unique() if b != "all"]
    assert buildings == ["0", "1", "2"]
    for group in GROUPS:
        k = got.loc[[(b, group) for b in buildings], "households"].to_numpy()
        assert k.sum() == got.loc[("all", group), "households"]
        for col in ("mean_ties", "sense_of_home", "weekly_contact"):
            v = got.loc[[(b, group) for b in buildings], col].to_numpy()
            np.testing.assert_allclose((k * v).sum() / k.sum(), got.loc[("all", group), col],
                                       rtol=1e-12)
    # event counts sit on the first row of the block only
    assert got["encounters"].notna().sum() == 1 and np.isfinite(got["encounters"].iloc[0])


def test_one_building_has_only_the_site_rows():
    m = NeighbourhoodModel(Scenario().with_overrides(run={"burn_in_years": 0.2}))
    got, want = collected_now(m), groupby_reference(m)
    assert list(got.index) == [("all", g) for g in GROUPS]
    assert_same_means(got, want)


def test_building_rows_on_their_own_period():
    """A district can keep per-building rows less often than the site's rows."""
    from sim.scenario import load_scenario

    sc = load_scenario("neighbourhood").with_overrides(
        run={"years": 0.2, "burn_in_years": 0.1, "collect_buildings_every_days": 14})
    m = NeighbourhoodModel(sc)
    m.run()
    f = m.outcomes.frame()
    site_days = sorted(f.loc[f["building"] == "all", "day"].unique())
    building_days = sorted(f.loc[f["building"] != "all", "day"].unique())
    assert site_days == list(range(0, 7 * len(site_days), 7))
    assert building_days == [d for d in site_days if d % 14 == 0] and building_days
    assert (f.groupby("day").size().loc[building_days] == 3 * 5).all()  # all + 4 buildings
