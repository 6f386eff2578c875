"""The validation patterns on hand-made inputs with known answers, the observer's ledger
against the model's own counts, and the validation table on a reduced configuration."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.scenario import load_scenario
from sim.validation import patterns as pt
from sim.validation.targets import BY_ID, TARGETS, Target


def _gallery(n: int = 4, cores: tuple[int, ...] = (0, 0, 1, 1)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dwelling": np.arange(n),
            "building": 0,
            "circulation": "g0",
            "floor": 0,
            "position": np.arange(n),
            "supported": False,
            "core": list(cores),
        }
    )


def _ties(rows: list[tuple[int, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["from_dwelling", "to_dwelling", "positive", "negative"])


def test_tie_share_by_door_distance_counts_ordered_pairs():
    pairs = pt.gallery_pairs(_gallery())
    assert len(pairs) == 12  # 4 households, ordered pairs
    # 0<->1 tied both ways, 2->3 one way, 0->2 (two doors) tied, one faint tie ignored
    ties = _ties([(0, 1, 2.0, 0), (1, 0, 2.0, 0), (2, 3, 1.5, 0), (0, 2, 3.0, 0), (3, 0, 1.0, 0)])
    shares = pt.tie_share_by_distance(pairs, ties, threshold=1.5)
    assert shares[1] == pytest.approx(3 / 6)
    assert shares[2] == pytest.approx(1 / 4)
    assert shares[3] == pytest.approx(0 / 2)
    assert math.isnan(shares[4])  # nobody is 4 doors apart on a 4-wide gallery
    same, other = pt.next_door_share_by_core(pairs, ties, 1.5)
    assert same == pytest.approx(3 / 4) and other == 0.0


def test_pairs_only_on_the_same_gallery_and_floor():
    h = pd.concat([_gallery(2, (0, 0)), _gallery(2, (0, 0)).assign(dwelling=[2, 3], floor=1)])
    pairs = pt.gallery_pairs(h)
    assert set(map(tuple, pairs[["from_dwelling", "to_dwelling"]].to_numpy())) == {
        (0, 1),
        (1, 0),
        (2, 3),
        (3, 2),
    }


def test_smallest_drop_and_decline():
    assert pt.smallest_drop(pd.Series({1: 0.44, 2: 0.22, 3: 0.10, 4: 0.05})) == pytest.approx(0.05)
    assert pt.smallest_drop(pd.Series({1: 0.3, 2: 0.5, 3: 0.4, 4: 0.1})) == pytest.approx(-0.2)


def test_negative_shares_from_event_counts():
    ts = pd.DataFrame(
        {
            "greetings": [50, 10],
            "small_talk": [10, 5],
            "help_given": [5, 0],
            "nuisance_episodes": [20, 5],
            "living_nuisance": [10, 0],
            "help_unmet": [5, 5],
        }
    )
    assert pt.negative_share_of_contacts(ts) == pytest.approx(25 / 105)
    assert pt.negative_share_of_encounters(ts) == pytest.approx(15 / 90)
    assert pt.negative_share_of_conversations(ts) == pytest.approx(25 / 45)
    assert pt.help_needs_met(ts) == pytest.approx(5 / 15)


def test_households_with_negative_tie():
    ties = _ties([(0, 1, 0, 0.6), (1, 0, 0, 0.2), (2, 3, 0, 0.5)])
    assert pt.households_with_negative_tie(ties, _gallery(), 0.5) == pytest.approx(0.5)


def test_top_share_and_ledger_shares():
    caused = np.array([50, 30, 5, 5, 5, 5] + [0] * 14)  # 20 households, top 5% = 1
    assert pt.top_share(caused, 0.05) == pytest.approx(0.5)
    assert math.isnan(pt.top_share(np.zeros(5)))
    ledger = pd.DataFrame(
        {
            "household_id": range(5),
            "supported": [False, False, False, True, True],
            "first_day": [0, 0, 0, 0, 200],
            "last_day": [365, 365, 100, 365, 365],
            "caused": [0, 4, 9, 3, 1],
            "caused_window": [0, 4, 9, 3, 1],
            "bothered_days_window": [0, 2, 1, 15, 0],
            "helped_window": [True, False, True, False, False],
            "at_window_start": [True, True, True, True, False],
            "left": [False, False, True, False, False],
        }
    )
    # the whole-window sample: households 0, 1, 3 (2 left, 4 arrived during it)
    assert pt.share_bothered(ledger, 1) == pytest.approx(2 / 3)
    assert pt.share_bothered(ledger, 12) == pytest.approx(1 / 3)
    assert pt.share_helped(ledger) == pytest.approx(1 / 3)
    assert pt.share_causing(ledger, 3, supported=False) == pytest.approx(1 / 2)
    assert pt.share_causing(ledger, 3, supported=True) == pytest.approx(1.0)
    assert len(pt.in_window(ledger, 100)) == 5
    # residents 0, 1, 2 lived 365 + 365 + 100 days; one of them left
    assert pt.move_out_rate(ledger, 365, supported=False) == pytest.approx(1 / (830 / 365))
    assert pt.supported_share_of_move_ins(ledger) == 1.0


def test_every_target_names_a_source_and_a_measure():
    for t in TARGETS:
        assert t.source.strip(), t.id
        assert t.measure.strip(), t.id
        if t.banded:
            assert "for information" not in t.source, t.id
        if t.low is not None and t.high is not None:
            assert t.low <= t.high, t.id
    assert BY_ID["ties_by_door_1"].band_text() == "0.35–0.5"


def test_target_band_and_distance():
    t = Target("x", "x", 0.2, 0.4, "s", "m")
    assert t.inside(0.3) and not t.inside(0.5) and not t.inside(float("nan"))
    assert t.distance(0.3) == 0.0
    assert t.distance(0.5) == pytest.approx(0.5)  # 0.1 outside a band 0.2 wide
    assert t.distance(0.1) == pytest.approx(0.5)
    open_high = Target("y", "y", 0.5, None, "s", "m")
    assert open_high.inside(0.9) and open_high.distance(0.25) == pytest.approx(0.5)


def test_observer_ledger_agrees_with_the_models_counts():
    from sim.validation.observe import observe

    sc = load_scenario("baseline")
    obs = observe(sc, seed=3, years=52 * 7 / 365)  # a whole number of weekly collections
    led, ts = obs.ledger, obs.timeseries
    # every episode caused is in the ledger, and every household that left
    # (nuisance_episodes counts what victims experience: an episode through walls is
    # heard in every dwelling around, so it counts once per victim, once for its causer)
    assert 0 < led["caused"].sum() <= ts["nuisance_episodes"].sum()
    assert led["left"].sum() == obs.counters["move_outs"] + obs.counters["evictions"]
    assert (led["first_day"] > 0).sum() == obs.counters["move_ins"]
    assert (~led["left"]).sum() == len(obs.households)
    assert (led["caused_window"] <= led["caused"]).all()
    # the core is a node off the gallery; the two ends of a both-ends gallery differ
    h = obs.households
    row = h[(h["floor"] == 0) & h["position"].isin([0, 13])]
    if len(row) == 2:
        assert row["core"].nunique() == 2


def test_validation_table_on_a_reduced_configuration():
    from sim.validation.report import markdown_table
    from sim.validation.runner import validate
    from sim.validation.targets import model_targets

    result = validate("baseline", seeds=2, years=1.0, workers=1)
    table = result.table
    assert list(table.index) == [t.id for t in model_targets()]
    for col in ("pattern", "band", "source", "value", "ci_low", "ci_high", "pass", "miss"):
        assert col in table.columns
    assert table["n_seeds"].min() >= 1
    assert isinstance(bool(table.loc["ties_by_door_1", "pass"]), bool)
    assert table["value"].notna().sum() >= len(table) - 2
    banded = table[table["pass"].notna()]
    assert ((banded["miss"] == 0) == banded["pass"].astype(bool)).all()
    md = markdown_table(result)
    assert md.count("\n") == len(table) + 1 and "ties_by_door_1" in md


def test_morris_analysis_ranks_a_known_linear_model():
    from SALib.sample import morris as sample

    from sim.validation.morris import analyse

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    X = sample.sample(problem, 8, num_levels=4, seed=1)
    Y = 10 * X[:, 0] + 1 * X[:, 1]
    r = analyse(problem, X, Y, 4).set_index("parameter")
    assert r.loc["a", "mu_star"] == pytest.approx(10)
    assert r.loc["b", "mu_star"] == pytest.approx(1)
    assert r.loc["c", "mu_star"] == pytest.approx(0)


def test_morris_effects_pair_arm_and_reference_per_point():
    from types import SimpleNamespace

    from sim.validation.morris import WINDOW, effects

    runs = pd.DataFrame(
        {
            "run": range(8),
            "arm": ["ref"] * 4 + ["arm"] * 4,
            "lever_point": 0,
            "uncertainty_point": [0, 0, 1, 1] * 2,
            "seed": [1, 2] * 4,
            "uncertainty:x": [0.1, 0.1, 0.2, 0.2] * 2,
        }
    )
    value = [0.2, 0.4, 0.5, 0.5, 0.5, 0.5, 0.5, 0.9]  # effects: point 0 +0.2, point 1 +0.2
    outcomes = pd.DataFrame(
        {
            "run": range(8),
            "arm": runs["arm"],
            "window": WINDOW,
            "group": "all",
            "outcome": "ties_ge1",
            "value": value,
        }
    )
    diff, names, X = effects(SimpleNamespace(runs=runs, outcomes=outcomes), "arm", "ref")
    assert names == ["x"]
    assert X[:, 0].tolist() == [0.1, 0.2]
    assert diff["ties_ge1"].tolist() == pytest.approx([0.2, 0.2])


def test_tenure_and_group_gaps():
    h = pd.DataFrame({"tenure_years": [0.5, 0.2, 6.0, 8.0, 3.0], "positive_ties": [0, 1, 3, 5, 9]})
    assert pt.tenure_gap(h) == pytest.approx(4.0 - 0.5)
    ts = pd.DataFrame(
        {
            "year": [0.5, 1.5, 1.5, 1.8, 1.8],
            "group": ["supported", "supported", "resident", "supported", "resident"],
            "ties_ge1": [0.0, 0.4, 0.8, 0.6, 0.8],
        }
    )
    assert pt.group_gap(ts, "ties_ge1", years=2.0) == pytest.approx(0.5 - 0.8)
