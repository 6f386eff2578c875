"""Behaviour of the core model: reproducibility, conservation and emergent patterns."""

import numpy as np
import pandas as pd
import pytest

from sim.model import NeighbourhoodModel
from sim.run import run_model
from sim.scenario import Scenario


def short(sc: Scenario, years: float = 1.0, seed: int = 1) -> Scenario:
    return sc.with_overrides(run={"years": years, "seed": seed})


# --- reproducibility ----------------------------------------------------------------------
def test_same_seed_gives_identical_results(baseline):
    r1 = run_model(short(baseline, 1.0, seed=7))
    r2 = run_model(short(baseline, 1.0, seed=7))
    pd.testing.assert_frame_equal(r1.timeseries, r2.timeseries)
    pd.testing.assert_frame_equal(r1.households, r2.households)
    pd.testing.assert_frame_equal(r1.ties, r2.ties)


def test_different_seed_gives_different_run(baseline):
    r1 = run_model(short(baseline, 0.5, seed=1))
    r2 = run_model(short(baseline, 0.5, seed=2))
    assert not r1.timeseries.equals(r2.timeseries)


def test_streams_are_independent_per_mechanism():
    """Drawing from one mechanism's stream does not change another's draws."""
    m1 = NeighbourhoodModel(Scenario(), seed=3)
    m2 = NeighbourhoodModel(Scenario(), seed=3)
    m2.streams["intervention:x:0"].random(1000)
    assert np.array_equal(m1.streams["routines"].random(5), m2.streams["routines"].random(5))


# --- conservation ---------------------------------------------------------------------------
def test_conservation_over_a_run(baseline):
    m = NeighbourhoodModel(short(baseline, 2.0))
    n = m.site.n_dwellings
    for _ in range(2 * 365):
        m.step()
        assert m.households.occupied.sum() <= n
        assert len(m.agent_at) == m.households.occupied.sum()
    a, b = m.ties.split(m.ties.key)
    assert not np.any(a == b), "a household has a tie with itself"
    assert m.households.occupied[a].all() and m.households.occupied[b].all(), (
        "ties of households that moved out must be forgotten"
    )
    ts = m.outcomes.frame()
    shares = [
        "ties_ge1",
        "ties_ge3",
        "lonely",
        "weekly_contact",
        "sense_of_home",
        "safety",
        "trust_neighbours",
        "wellbeing",
        "avoidance",
        "nuisance_exposed",
        "recovery",
        "referred",
        "need_surfaced",
        "reciprocity",
        "overburdened",
    ]
    vals = ts[shares].to_numpy(dtype=float)
    vals = vals[np.isfinite(vals)]
    assert (vals >= 0).all() and (vals <= 1).all()
    assert (ts["households"] <= n).all()
    assert ts.loc[ts.group == "all", "move_ins"].is_monotonic_increasing


def test_mesa_agents_mirror_households(baseline):
    m = NeighbourhoodModel(short(baseline, 0.2))
    m.run(0.2)
    occupied = set(np.flatnonzero(m.households.occupied).tolist())
    assert {a.dwelling for a in m.agents} == occupied
    agent = next(iter(m.agents))
    assert agent.supported == bool(m.households.supported[agent.dwelling])
    assert 0 <= agent.sense_of_home <= 1


# --- emergent patterns ----------------------------------------------------------------------
def _tie_rate(m: NeighbourhoodModel, mask_fn) -> float:
    """Share of household pairs selected by mask_fn that have a positive tie (either way)."""
    occ = np.flatnonzero(m.households.occupied)
    a, b = np.meshgrid(occ, occ, indexing="ij")
    a, b = a[a < b], b[a < b]
    sel = mask_fn(a, b)
    p_ab, _ = m.ties.strength(a[sel], b[sel], m.day)
    p_ba, _ = m.ties.strength(b[sel], a[sel], m.day)
    return float(np.mean(np.maximum(p_ab, p_ba) >= m.config.contact.tie_threshold))


def test_shared_circulation_forms_more_ties(baseline):
    """Festinger's functional distance: neighbours on the same gallery know each other far
    more often than households on different floors; next-door more than far along."""
    m = NeighbourhoodModel(short(baseline, 3.0))
    m.run(3.0)
    circ, pos = m.site.dwelling_circulation, m.site.dwelling_position
    same = _tie_rate(m, lambda a, b: circ[a] == circ[b])
    other = _tie_rate(m, lambda a, b: circ[a] != circ[b])
    next_door = _tie_rate(m, lambda a, b: (circ[a] == circ[b]) & (np.abs(pos[a] - pos[b]) == 1))
    far = _tie_rate(m, lambda a, b: (circ[a] == circ[b]) & (np.abs(pos[a] - pos[b]) >= 6))
    assert same > 3 * other
    assert next_door > far


def test_ties_decay_without_contact(baseline):
    sc = baseline.with_overrides(
        run={"years": 2},
        help={"need_rate": 0, "need_rate_elderly_extra": 0, "need_rate_supported_extra": 0},
    )
    m = NeighbourhoodModel(sc)
    m.run(1.0)
    _, _, before, _ = m.ties.all_strengths(m.day)
    keys_before = m.ties.key.copy()
    m.notice_by_node[:] = 0.0  # nobody runs into anybody any more
    m.site_day.doorstep[2][:] = 0.0  # (not at the front door either)
    m.run(0.5)
    pos, found = m.ties.find(keys_before)
    after = np.zeros(len(keys_before))
    if found.any():
        _, _, all_after, _ = m.ties.all_strengths(m.day)
        after[found] = all_after[pos[found]]
    assert after.sum() < 0.6 * before.sum()
    site = m.outcomes.frame().query("group == 'all' and building == 'all'")
    assert site["mean_ties"].iloc[-1] < site.query("day == 364")["mean_ties"].iloc[0]


def test_negative_contact_produces_avoidance(baseline):
    calm = baseline.with_overrides(
        run={"years": 1.5},
        population={
            "nuisance_causer_share_resident": 0.0,
            "nuisance_causer_share_supported": 0.0,
            "nuisance_risk_background": 0.0,
        },
        contact={"negative_base": 0.0},
    )
    rough = baseline.with_overrides(
        run={"years": 1.5},
        population={"nuisance_causer_share_resident": 0.15, "nuisance_causer_share_supported": 0.4},
    )
    r_calm, r_rough = run_model(calm), run_model(rough)
    assert r_calm.final()["avoidance"] == 0.0
    assert r_rough.final()["avoidance"] > 0.1
    assert r_rough.timeseries["avoided"].sum() > 3 * r_calm.timeseries["avoided"].sum()
    # within a run: those bothered by neighbours avoid more than those who were not
    hh = r_rough.households
    bothered = hh["neg_recent"] > 0.5
    assert hh.loc[bothered, "avoidance"].mean() > hh.loc[~bothered, "avoidance"].mean() + 0.2


def test_problem_flat_scores_worse_than_baseline(baseline, problem_flat):
    base, prob = [], []
    for seed in range(1, 7):
        base.append(run_model(short(baseline, 2.0, seed)))
        prob.append(run_model(short(problem_flat, 2.0, seed)))
    nuis_b = np.mean([r.events_per_year()["nuisance_episodes"] for r in base])
    nuis_p = np.mean([r.events_per_year()["nuisance_episodes"] for r in prob])
    home_b = np.mean([r.final()["sense_of_home"] for r in base])
    home_p = np.mean([r.final()["sense_of_home"] for r in prob])
    assert nuis_p > 1.5 * nuis_b
    assert home_p < home_b
    # and in every seed pair, not just on average
    assert (
        sum(p.final()["sense_of_home"] < b.final()["sense_of_home"] for b, p in zip(base, prob))
        >= 5
    )


def test_over_burdened_helpers_withdraw(baseline):
    sc = baseline.with_overrides(
        run={"years": 1.0}, help={"need_rate": 60, "burden_limit": 0.3, "burden_per_help": 0.2}
    )
    r = run_model(sc)
    assert r.timeseries["help_given"].sum() > 0
    ts = r.timeseries.query("group == 'all' and building == 'all'")
    assert ts["overburdened"].max() > 0
    assert ts["help_unmet"].sum() > 0.3 * (ts["help_unmet"].sum() + ts["help_given"].sum())


def test_supported_newcomers_recover_with_positive_contact(baseline):
    warm = baseline.with_overrides(
        run={"years": 2.0}, population={"supported_share": 0.3}, contact={"talk_base": 0.2}
    )
    cold = baseline.with_overrides(
        run={"years": 2.0},
        population={"supported_share": 0.3},
        contact={"talk_base": 0.0, "greet_base": 0.0},
    )
    rec_w = np.mean([run_model(warm, seed=s).final("supported")["recovery"] for s in (1, 2)])
    rec_c = np.mean([run_model(cold, seed=s).final("supported")["recovery"] for s in (1, 2)])
    assert rec_w > rec_c + 0.05


@pytest.mark.parametrize(
    "layout", ["stairwell_block", "corridor_tower", "row_houses", "neighbourhood"]
)
def test_every_layout_runs_and_forms_ties(layout):
    from sim.scenario import load_scenario

    r = run_model(load_scenario(layout), years=0.5)
    assert r.final()["ties_ge1"] > 0.2
    assert set(r.households["building"]) == set(range(len(r.scenario.site.buildings)))


def test_vacancies_are_relet(baseline):
    """With ~7% moving out a year and 30-day voids, nearly every dwelling stays occupied."""
    r = run_model(short(baseline, 3.0))
    ts = r.timeseries.query("group == 'all' and building == 'all'")
    n = 140
    assert ts["households"].min() >= 0.9 * n
    assert ts["households"].mean() >= 0.95 * n
    assert ts["move_ins"].iloc[-1] >= ts["move_outs"].iloc[-1] - 5


def test_nuisance_through_walls_reaches_only_direct_neighbours(baseline):
    sc = baseline.with_overrides(
        run={"years": 1.0},
        contact={"negative_base": 0.0, "negative_risk_weight": 0.0, "negative_grudge_weight": 0.0},
    )
    m = NeighbourhoodModel(sc)
    m.run(1.0)
    ptr, nearby = m.site_day.walls
    ties = m.tie_frame()
    hit = ties[ties["n_nuisance"] > 0]
    assert len(hit) > 10
    for victim, causer in zip(hit["from_dwelling"], hit["to_dwelling"]):
        assert victim in nearby[ptr[causer] : ptr[causer + 1]]


def test_adjacent_dwellings_on_a_gallery(baseline):
    from sim.building.neighbours import adjacent_dwellings

    m = NeighbourhoodModel(baseline.with_overrides(run={"burn_in_years": 0}))
    site = m.site
    ptr, nearby = adjacent_dwellings(site)
    counts = np.diff(ptr)
    middle = np.flatnonzero((site.dwelling_floor == 5) & (site.dwelling_position == 7))[0]
    assert counts[middle] == 4  # left, right, above, below
    corner = np.flatnonzero((site.dwelling_floor == 0) & (site.dwelling_position == 0))[0]
    assert counts[corner] == 2
    # symmetric: if a is adjacent to b then b is adjacent to a
    pairs = {(a, int(b)) for a in range(site.n_dwellings) for b in nearby[ptr[a] : ptr[a + 1]]}
    assert all((b, a) in pairs for a, b in pairs)


def test_network_capacity_limits_new_acquaintances(baseline):
    """A time budget: with a small capacity, busy households strike up fewer new ties."""
    free = run_model(baseline.with_overrides(contact={"network_capacity": 0}), years=1.0)
    tight = run_model(baseline.with_overrides(contact={"network_capacity": 1}), years=1.0)
    assert tight.final()["mean_ties"] < 0.9 * free.final()["mean_ties"]


def test_tie_table_choices_keep_the_columns_and_select_ties():
    from sim.run import run_model

    sc = Scenario().with_overrides(run={"years": 0.3, "burn_in_years": 0.2, "seed": 2})
    tables = {
        w: run_model(sc.with_overrides(run={"tie_table": w})).ties for w in ("all", "ties", "none")
    }
    assert list(tables["ties"].columns) == list(tables["all"].columns)
    assert list(tables["none"].columns) == list(tables["all"].columns)
    assert len(tables["none"]) == 0
    c = sc.contact
    full = tables["all"]
    strong = full[(full["positive"] >= c.tie_threshold) | (full["negative"] >= c.avoid_threshold)]
    assert 0 < len(tables["ties"]) < len(full)
    pd.testing.assert_frame_equal(tables["ties"], strong.reset_index(drop=True))
    with pytest.raises(ValueError, match="tie_table"):
        sc.with_overrides(run={"tie_table": "some"})


def test_tie_table_auto_keeps_a_district_table_small(monkeypatch):
    """The default writes every remembered tie of a building, and only the ties of a
    site from FULL_TIE_TABLE_BELOW dwellings on."""
    import sim.tables

    m = NeighbourhoodModel(Scenario().with_overrides(run={"burn_in_years": 0.2, "seed": 2}))
    assert Scenario().run.tie_table == "auto"
    pd.testing.assert_frame_equal(m.tie_frame("auto"), m.tie_frame("all"))
    monkeypatch.setattr(sim.tables, "FULL_TIE_TABLE_BELOW", m.site.n_dwellings)
    pd.testing.assert_frame_equal(m.tie_frame("auto"), m.tie_frame("ties"))
