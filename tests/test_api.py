"""The Python API (sim.run, sim.compare, sim.load_results) and docs/python.md, whose code
blocks run here as written."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import sim

DOC = Path(__file__).resolve().parent.parent / "docs" / "python.md"


def test_python_doc_runs_as_written(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for i, code in enumerate(blocks):
        try:
            exec(compile(code, f"docs/python.md block {i + 1}", "exec"), namespace)  # noqa: S102
        except Exception as exc:
            raise AssertionError(f"docs/python.md block {i + 1} fails:\n{code}") from exc
    out = capsys.readouterr().out
    assert "At the end of the run" in out and "report:" in out
    assert (tmp_path / "results" / "comparison" / "effects.csv").exists()


def test_run_matches_the_model_runner():
    """sim.run is run_model with the scenario's overrides: the same seed, the same table."""
    from sim.run import run_model
    from sim.scenario import load_scenario

    a = sim.run("baseline", seed=5, years=0.2, run={"burn_in_years": 0.1})
    b = run_model(
        load_scenario("baseline").with_overrides(
            run={"seed": 5, "years": 0.2, "burn_in_years": 0.1}
        )
    )
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    assert a.scenario.run.seed == 5


def test_run_warns_about_an_intervention_that_never_starts():
    with pytest.warns(UserWarning, match=r"interventions\[0\] \(welcome\) starts in year 5"):
        sim.run(
            "baseline",
            years=0.1,
            run={"burn_in_years": 0.0},
            interventions=[{"type": "welcome", "start_year": 5}],
        )


def test_load_results_is_one_long_table_with_parameter_columns(tmp_path):
    for seed, share in ((1, 0.1), (2, 0.3)):
        sim.run(
            "baseline",
            seed=seed,
            years=0.1,
            run={"burn_in_years": 0.0},
            population={"supported_share": share},
            out=tmp_path / "r" / str(seed),
        )
    ts = sim.load_results(tmp_path)
    assert list(ts.columns[:3]) == ["scenario", "seed", "population.supported_share"]
    assert ts.groupby("seed")["population.supported_share"].first().to_dict() == {1: 0.1, 2: 0.3}
    finals = sim.load_results(tmp_path, table="finals", params="none")
    assert (
        len(finals) == 2 * finals["group"].nunique()
        and "population.supported_share" not in finals.columns
    )
    one = sim.load_results(tmp_path / "r" / "1", table="households")
    assert set(one["seed"]) == {1} and "dwelling" in one.columns
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no runs here"):
        sim.load_results(tmp_path / "empty")
    with pytest.raises(ValueError, match="table must be one of"):
        sim.load_results(tmp_path, table="nope")


def test_run_out_refuses_a_folder_holding_other_files(tmp_path):
    from sim.io import OutputError

    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="--overwrite"):
        sim.run("baseline", years=0.05, out=tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_compare_refuses_two_scenarios_of_one_name(tmp_path):
    with pytest.raises(ValueError, match="two scenarios are named 'baseline'"):
        sim.compare("baseline", "baseline", seeds=1, out=tmp_path)


def test_submodules_stay_reachable():
    """sim.run / sim.compare are the API functions and still lead to their modules."""
    import sim.compare as compare_module
    import sim.run as run_module
    from sim.run import run_model

    assert callable(sim.run) and callable(sim.compare) and callable(sim.load_results)
    assert run_module.run_model is run_model and sim.run.write_result is not None
    assert compare_module.compare_scenarios is not None
