"""Interventions: each mechanism works, each obstacle can make it fail, late starts leave the
past untouched, parameters are checked. Short runs (2–3 years), few seeds, paired by seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.interventions import REGISTRY
from sim.model import NeighbourhoodModel
from sim.run import run_model
from sim.scenario import SCENARIO_DIR, load_scenario

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def problem():
    return load_scenario("problem_flat")


def _run(sc, interventions, seed, years, population=None):
    over = {"interventions": interventions}
    if population:
        over["population"] = population
    return run_model(sc.with_overrides(**over), seed=seed, years=years)


def _final(r, col, group="all"):
    return float(r.final(group)[col])


def _mean_over(r, col, from_year):
    ts = r.timeseries
    sel = ts[(ts["building"] == "all") & (ts["group"] == "all") & (ts["year"] >= from_year)]
    return float(sel[col].mean())


# --- the component interface --------------------------------------------------------------
def test_all_interventions_registered():
    assert {
        "allocation_by_motivation",
        "social_renovation",
        "flatcoach",
        "design",
        "connectors",
        "welcome",
    } <= set(REGISTRY)


def test_unknown_parameter_is_a_clear_error(problem):
    with pytest.raises(
        ValueError, match=r"interventions\[0\]\.hours_per_weak.*allowed:.*hours_per_week"
    ):
        problem.with_overrides(interventions=[{"type": "flatcoach", "hours_per_weak": 10}])
    with pytest.raises(ValueError, match="is unknown"):
        problem.with_overrides(interventions=[{"type": "flatcouch"}])
    with pytest.raises(ValueError, match="coverage"):
        problem.with_overrides(interventions=[{"type": "social_renovation", "coverage": 1.5}])


@pytest.mark.parametrize(
    "name",
    [
        "allocation_by_motivation",
        "social_renovation",
        "flatcoach",
        "connectors",
        "welcome",
        "design_shared_rooms",
        "design_closed_gallery",
        "design_entrance",
        "combined_package",
    ],
)
def test_shipped_scenarios_load_and_extend_the_problem_flat(name):
    sc = load_scenario(name)
    assert sc.interventions
    assert sc.population.supported_share == load_scenario("problem_flat").population.supported_share
    assert (SCENARIO_DIR / f"{name}.toml").read_text().lstrip().startswith("# Question:")


def test_late_start_leaves_the_first_years_identical(problem):
    """Every intervention starting at year 3: years 0–3 equal the baseline run, same seed."""
    ivs = [
        {"type": k, "start_year": 3.0}
        for k in (
            "allocation_by_motivation",
            "social_renovation",
            "flatcoach",
            "connectors",
            "welcome",
        )
    ]
    ivs.append(
        {
            "type": "design",
            "start_year": 3.0,
            "bench": True,
            "rooms": [{"kind": "laundry", "building": 0}],
        }
    )
    a = _run(problem, [], 5, 3.3).timeseries
    b = _run(problem, ivs, 5, 3.3).timeseries
    cut = 3 * 365
    pa = a[a["day"] <= cut].reset_index(drop=True)
    pb = b[b["day"] <= cut].reset_index(drop=True)
    pd.testing.assert_frame_equal(pa, pb)
    # and afterwards they differ (the interventions did something)
    assert (
        not a[a["day"] > cut + 60]
        .reset_index(drop=True)
        .equals(b[b["day"] > cut + 60].reset_index(drop=True))
    )


# --- flatcoach ----------------------------------------------------------------------------
def _flatcoach_effect(problem, population=None, years=2.0):
    diffs, bases = [], []
    for s in SEEDS:
        base = _run(problem, [], s, years, population)
        coach = _run(problem, [{"type": "flatcoach"}], s, years, population)
        bases.append(_final(base, "mean_ties", "supported"))
        diffs.append(_final(coach, "mean_ties", "supported") - bases[-1])
    return float(np.mean(diffs)), diffs, float(np.mean(bases))


def test_flatcoach_raises_ties_of_supported_newcomers_and_distrust_removes_it(problem):
    effect, diffs, base = _flatcoach_effect(problem)
    # relative to their ties: since greetings alone no longer make a tie, supported
    # newcomers have about half as many ties as before (0.4 ties was ~17% of them then)
    assert effect > 0.17 * base, (diffs, base)
    assert sum(d > 0 for d in diffs) == len(diffs), diffs
    low, low_diffs, _ = _flatcoach_effect(problem, {"trust_institutions_mean": 0.03})
    assert low < 0.35 * effect, (low_diffs, diffs)


def test_flatcoach_is_a_mesa_agent_present_only_while_active(problem):
    from sim.agents import Professional

    sc = problem.with_overrides(
        interventions=[{"type": "flatcoach", "start_year": 0.1, "end_year": 0.3}]
    )
    m = NeighbourhoodModel(sc, seed=1)

    def coaches():
        return [a for a in m.agents if isinstance(a, Professional)]

    assert coaches() == []
    for _ in range(60):
        m.step()
    assert len(coaches()) == 1 and coaches()[0].role == "flatcoach"
    for _ in range(60):
        m.step()
    assert coaches() == []
    res = m.intervention_frame().iloc[0]
    assert res["hours"] > 0 and res["cost_eur"] > 0


# --- allocation by motivation -------------------------------------------------------------
def test_motivated_allocation_brings_calm_in_a_problem_flat(problem):
    # motivated tenants arrive one vacancy at a time: compare years 2-4, when about a fifth
    # of the dwellings have turned over, over six seeds
    iv = [{"type": "allocation_by_motivation", "share": 0.5, "selectivity": 1.0}]

    def nuisance_late(r):
        ts = r.timeseries
        sel = ts[(ts["building"] == "all") & (ts["group"] == "all") & (ts["year"] > 2)]
        return float(sel["nuisance_episodes"].sum())

    diffs = []
    for s in (1, 2, 3, 4, 5, 6):
        diffs.append(
            nuisance_late(_run(problem, iv, s, 4.0)) - nuisance_late(_run(problem, [], s, 4.0))
        )
    assert np.mean(diffs) < 0, diffs
    # 4 of 6, not 5: nuisance is concentrated in few households, so whether one causer
    # happens to move in decides a seed's two-year sum (seeds 4 and 6: +257, +17 against
    # -710 to -1149 in the others)
    assert sum(d < 0 for d in diffs) >= 4, diffs


def test_motivated_allocation_restores_the_policy_and_needs_vacancies(problem):
    sc = problem.with_overrides(
        interventions=[{"type": "allocation_by_motivation", "end_year": 0.5}]
    )
    m = NeighbourhoodModel(sc, seed=2)
    original = m.allocation
    m.step()
    assert m.allocation is not original
    m.run(years=0.6)
    assert m.allocation is original
    # obstacle: no turnover, no vacancies, no good neighbours
    frozen = problem.with_overrides(
        turnover={"move_rate_resident": 0.0, "move_rate_supported": 0.0},
        states={"eviction_rate": 0.0},
        interventions=[{"type": "allocation_by_motivation"}],
    )
    r = run_model(frozen, seed=1, years=1.0)
    assert r.interventions.iloc[0].get("motivated_allocations", 0) == 0


# --- social renovation --------------------------------------------------------------------
def _renovation(problem, seed, population=None, **pars):
    iv = [{"type": "social_renovation", "start_year": 0.0, **pars}]
    return _run(problem, iv, seed, 2.6, population)


def test_social_renovation_refers_18_to_33_percent(problem):
    shares = [_final(_renovation(problem, s), "referred") for s in SEEDS]
    assert 0.18 <= np.mean(shares) <= 0.33, shares


def test_social_renovation_obstacles(problem):
    # no service capacity: needs surface, but nobody is ever referred
    r = _renovation(problem, 1, service_capacity=0.0)
    assert _final(r, "referred") == 0.0
    res = r.interventions.iloc[0]
    assert res["needs_surfaced"] > 0 and res.get("referrals", 0) == 0
    # deep distrust of institutions: fewer doors open, less told, fewer referred
    normal = np.mean([_final(_renovation(problem, s), "referred") for s in (1, 2)])
    distrust = np.mean(
        [
            _final(_renovation(problem, s, {"trust_institutions_mean": 0.03}), "referred")
            for s in (1, 2)
        ]
    )
    assert distrust < 0.8 * normal, (distrust, normal)


# --- welcome and guidance -----------------------------------------------------------------
def test_welcome_and_coaching_raise_supported_newcomers_ties(problem):
    # supported newcomers are few (~35), so average their ties over the second year and
    # over five seeds rather than reading one noisy final value
    def supported_ties(r):
        ts = r.timeseries
        sel = ts[(ts["building"] == "all") & (ts["group"] == "supported") & (ts["year"] >= 1)]
        return float(sel["mean_ties"].mean())

    diffs, bases = [], []
    for s in (1, 2, 3, 4, 5):
        base = _run(problem, [], s, 2.0)
        w = _run(problem, [{"type": "welcome"}], s, 2.0)
        bases.append(supported_ties(base))
        diffs.append(supported_ties(w) - bases[-1])
    # relative, not in ties: since greetings alone no longer make a tie (recognition
    # level), everybody has about half as many ties as before, and so has the effect
    assert np.mean(diffs) > 0.05 * np.mean(bases), (diffs, bases)
    assert sum(d > 0 for d in diffs) >= 4, diffs
    # obstacle: nobody trusts the corporation, nobody takes up the welcome conversation
    r = _run(
        problem,
        [{"type": "welcome", "coaching": False}],
        1,
        1.0,
        {"trust_institutions_mean": 0.001},
    )
    res = r.interventions.iloc[0]
    assert res.get("welcome_conversations", 0) <= 0.05 * res["welcome_offered"]


# --- connectors ---------------------------------------------------------------------------
def test_connectors_activities_create_encounters_and_unsupported_connectors_burn_out(problem):
    sup, unsup = [], []
    for s in (1, 2):
        base = _run(problem, [], s, 2.0)
        c = _run(problem, [{"type": "connectors"}], s, 2.0)
        assert c.events_per_year()["small_talk"] > base.events_per_year()["small_talk"]
        res = c.interventions.iloc[0]
        assert res["activities"] > 50 and res["attendances"] > 0
        sup.append(res.get("connectors_quit", 0))
        u = _run(
            problem,
            [{"type": "connectors", "supported": False, "burden_per_activity": 0.4}],
            s,
            2.0,
        ).interventions.iloc[0]
        unsup.append(u.get("connectors_quit", 0))
        assert u.get("activities_without_connector", 0) > 0
    assert sum(unsup) > sum(sup)


# --- design -------------------------------------------------------------------------------
def test_design_changes_encounter_chances_and_is_undone_at_stop(problem):
    rooms = {
        "type": "design",
        "bench": True,
        "rooms": [{"kind": "laundry", "building": 0}, {"kind": "hobby_room", "building": 0}],
    }
    closed = {"type": "design", "gallery": "closed"}
    more, less = [], []
    for s in (1, 2):
        base = _run(problem, [], s, 1.0).events_per_year()["encounters"]
        more.append(_run(problem, [rooms], s, 1.0).events_per_year()["encounters"] - base)
        less.append(_run(problem, [closed], s, 1.0).events_per_year()["encounters"] - base)
    assert min(more) > 0 and max(less) < 0, (more, less)
    sc = problem.with_overrides(interventions=[{**rooms, "end_year": 0.2}])
    m = NeighbourhoodModel(sc, seed=1)
    n0, notice0 = m.site.n_nodes, m.notice_by_node.copy()
    m.step()
    assert m.site.n_nodes == n0 + 2 and (m.notice_by_node[:n0] != notice0).any()
    m.run(years=0.25)
    assert m.site.n_nodes == n0 and np.array_equal(m.notice_by_node, notice0)


def test_costs_come_from_documented_unit_costs():
    from pathlib import Path

    from sim.interventions.common import UNIT_COSTS

    doc = (Path(__file__).resolve().parent.parent / "docs" / "INTERVENTIONS.md").read_text()
    for item in UNIT_COSTS:
        assert f"`{item}`" in doc, item
