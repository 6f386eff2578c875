"""Experiment files, designs and the sweep runner (sim/experiments/): designs give the runs
they should, every backend gives the same numbers, a killed sweep resumes to exactly the
runs of an uninterrupted one, a failing run is recorded while the rest complete, and bad
files get errors that name the file, the key and what is allowed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import BrokenExecutor, Executor, Future
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments import load, load_experiment, simulate, sweep
from sim.experiments.designs import points
from sim.experiments.pool import _InlineExecutor
from sim.experiments.runner import execute, plan
from sim.experiments.spec import Design, ExperimentError, Factor
from sim.experiments.store import Store

TINY = """
name = "tiny"
seeds = 2
years = 0.5
[overrides]
"run.burn_in_years" = 0.1
[[arms]]
name = "problem_flat"
scenario = "problem_flat"
reference = true
[[arms]]
name = "flatcoach"
scenario = "flatcoach"
[levers.factors."interventions.flatcoach.hours_per_week"]
values = [8, 24]
"""


def _write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("exp"), TINY)


@pytest.fixture(scope="module")
def serial(tiny_file, tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("serial")
    summary = sweep(load_experiment(tiny_file), out, workers=1)
    assert summary.failed == [] and summary.ran == summary.total
    return _outcomes(out)


def _outcomes(out: Path) -> pd.DataFrame:
    o = load(out).outcomes
    return o.sort_values(["run", "window", "group", "outcome"]).reset_index(drop=True)


# ---- designs -----------------------------------------------------------------------------
def _two(**kw) -> dict[str, Factor]:
    return {
        "contact.talk_base": Factor(low=0.02, high=0.1, **kw),
        "help.ask_tie_min": Factor(low=0.3, high=0.9),
    }


def test_a_grid_is_every_combination():
    f = {"a.x": Factor(values=[1, 2]), "a.y": Factor(low=0.0, high=1.0, levels=3)}
    p = points(Design(design="grid", factors=f), f)
    assert len(p) == 6
    assert {(v["a.x"], v["a.y"]) for v in p.values} == {
        (x, y) for x in (1.0, 2.0) for y in (0.0, 0.5, 1.0)
    }


def test_latin_hypercube_puts_one_point_in_each_stratum():
    f = _two()
    p = points(Design(design="lhs", samples=10, factors=f), f)
    assert len(p) == 10
    for path, fac in f.items():
        x = np.array([v[path] for v in p.values])
        strata = np.floor((x - fac.low) / (fac.high - fac.low) * 10).astype(int)
        assert sorted(strata) == list(range(10))


def test_sobol_has_n_times_d_plus_2_points_in_range():
    f = _two()
    p = points(Design(design="sobol", samples=8, factors=f), f)
    assert len(p) == 8 * (2 + 2)
    assert all(0.02 <= v["contact.talk_base"] <= 0.1 for v in p.values)


def test_morris_trajectories_change_one_factor_per_step():
    f = _two()
    p = points(Design(design="morris", trajectories=4, levels=4, factors=f), f)
    assert len(p) == 4 * (2 + 1)
    for t in range(4):
        block = p.matrix[t * 3 : (t + 1) * 3]
        changed = (np.abs(np.diff(block, axis=0)) > 1e-12).sum(axis=1)
        assert list(changed) == [1, 1]


def test_integer_factors_are_rounded():
    f = {"routines.slots": Factor(low=3, high=9, integer=True)}
    p = points(Design(design="lhs", samples=5, factors=f), f)
    assert all(isinstance(v["routines.slots"], int) for v in p.values)


def test_the_plan_shares_seeds_and_runs_an_untouched_arm_once(tiny_file):
    exp = load_experiment(tiny_file)
    table, specs = plan(exp)
    assert len(table) == 2 * 2 * 2  # arms x lever points x seeds
    for _, d in table.groupby(["arm", "point"]):
        assert sorted(d["seed"]) == [1, 2]
    # the lever does not touch the reference arm: its two lever points are the same runs
    ref = table[table["arm"] == "problem_flat"]
    assert ref["key"].nunique() == 2 and len(specs) == 2 + 4


def test_assumption_parameters_become_uncertainties(tmp_path):
    exp = load_experiment(
        _write(
            tmp_path,
            TINY.split("[levers")[0]
            + """
[uncertainties]
design = "morris"
trajectories = 2
include_assumptions = true
exclude = ["contact.talk_base"]
""",
        )
    )
    f = exp.uncertainty_factors
    assert "contact.greet_base" in f and "contact.talk_base" not in f
    assert not any(p.startswith(("run.", "site.")) for p in f)
    for fac in f.values():
        assert fac.low < fac.high


# ---- backends ----------------------------------------------------------------------------
def test_local_processes_give_the_serial_results(tiny_file, serial, tmp_path):
    summary = sweep(load_experiment(tiny_file), tmp_path, workers=2)
    assert summary.backend == "processes" and not summary.failed
    pd.testing.assert_frame_equal(serial, _outcomes(tmp_path))


def test_a_dask_local_cluster_gives_the_serial_results(tiny_file, serial, tmp_path):
    pytest.importorskip("distributed")
    summary = sweep(load_experiment(tiny_file), tmp_path, workers=2, dask=True)
    assert summary.backend.startswith("dask") and not summary.failed
    pd.testing.assert_frame_equal(serial, _outcomes(tmp_path))


class _Counting(Executor):
    def __init__(self):
        self.inner, self.labels = _InlineExecutor(), []

    def submit(self, fn, /, *args, **kwargs):
        self.labels.append(args[0].label)
        return self.inner.submit(fn, *args, **kwargs)


def test_a_killed_sweep_resumes_to_the_uninterrupted_runs(tiny_file, serial, tmp_path):
    code = (
        f"from sim.experiments import sweep, load_experiment; "
        f"sweep(load_experiment({str(tiny_file)!r}), {str(tmp_path)!r}, workers=1)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    runs = tmp_path / "runs"
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if runs.exists() and len(list(runs.glob("*.json"))) >= 2:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(runs.glob("*.json")))
    assert 2 <= done < 6, "the sweep should be killed halfway"
    ex = _Counting()
    summary = sweep(load_experiment(tiny_file), tmp_path, executor=ex)
    assert summary.reused == done and len(ex.labels) == 6 - done
    pd.testing.assert_frame_equal(serial, _outcomes(tmp_path))
    # a finished sweep run again does no work
    ex = _Counting()
    assert sweep(load_experiment(tiny_file), tmp_path, executor=ex).ran == 0
    assert ex.labels == []


def test_a_failing_run_is_recorded_and_the_rest_complete(tiny_file, tmp_path, monkeypatch):
    import sim.run

    real = sim.run.run_model

    def flaky(sc, *a, **kw):
        if sc.run.seed == 2 and sc.interventions and sc.interventions[0].hours_per_week == 24:
            raise ValueError("boom in the model")
        return real(sc, *a, **kw)

    monkeypatch.setattr(sim.run, "run_model", flaky)
    summary = sweep(load_experiment(tiny_file), tmp_path, workers=1)
    assert summary.ran == 5 and len(summary.failed) == 1
    label, error = summary.failed[0]
    assert "seed 2" in label and "boom in the model" in error
    runs = load(tmp_path).runs
    bad = runs[runs["status"] == "failed"]
    assert len(bad) == 1 and "ValueError: boom in the model" in bad["error"].iloc[0]
    assert bad["attempts"].iloc[0] == 3  # the first try and two retries
    assert (runs["status"] == "ok").sum() == len(runs) - 1


class _BreaksOnce(Executor):
    """An executor whose first run dies with its worker (as a killed process would)."""

    def __init__(self, broken: list):
        self.inner, self.broken = _InlineExecutor(), broken

    def submit(self, fn, /, *args, **kwargs):
        if not self.broken:
            self.broken.append(args[0].key)
            fut: Future = Future()
            fut.set_exception(BrokenExecutor("a worker died"))
            return fut
        return self.inner.submit(fn, *args, **kwargs)


def test_a_lost_worker_loses_no_runs(tiny_file, tmp_path):
    _, specs = plan(load_experiment(tiny_file))
    store = Store(tmp_path)
    broken: list = []
    renewed = []

    def renew():
        renewed.append(1)
        return _BreaksOnce(broken)

    failures = execute(list(specs.values()), store, _BreaksOnce(broken), retries=0, renew=renew)
    assert failures == [] and renewed == [1]
    assert all(store.finished(k) for k in specs)


# ---- simulate ----------------------------------------------------------------------------
def test_simulate_takes_dotted_overrides_as_keywords():
    base = simulate("problem_flat", seed=3, years=0.3)
    more = simulate("problem_flat", seed=3, years=0.3, **{"contact.talk_base": 0.3})
    assert 0 <= base["ties_ge1"] <= 1
    assert more["weekly_contact"] > base["weekly_contact"]
    with pytest.raises(ValueError, match="talk_bse"):
        simulate("problem_flat", years=0.3, **{"contact.talk_bse": 0.3})


# ---- bad files ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change, expected",
    [
        (("seeds = 2", "seeds = 2\ncolour = 'red'"), ["colour: unknown key", "allowed:", "arms"]),
        (("seeds = 2", "seeds = 'two'"), ["seeds"]),
        (("reference = true", "reference = false"), ["exactly one arm needs reference"]),
        (
            ('scenario = "flatcoach"', 'scenario = "flatcoch"'),
            ["arms[1].scenario", "no such scenario", "shipped scenarios"],
        ),
        (
            ('"interventions.flatcoach.hours_per_week"', '"contact.talk_bse"'),
            ["levers.factors.'contact.talk_bse'", "no parameter 'talk_bse'", "allowed:"],
        ),
        (
            ("values = [8, 24]", "values = [8, 99]"),
            ["levers.factors.'interventions.flatcoach.hours_per_week'", "99", "less than or equal"],
        ),
        (("values = [8, 24]", "low = 8"), ["give values = [...] or both low and high"]),
        (
            ("[levers.factors", "[outcomes]\nnames = ['ties_ge9']\n[levers.factors"),
            ["outcomes.names", "ties_ge9", "allowed:"],
        ),
    ],
)
def test_a_bad_file_names_the_file_the_key_and_what_is_allowed(tmp_path, change, expected):
    old, new = change
    assert old in TINY
    path = _write(tmp_path, TINY.replace(old, new, 1))
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    msg = str(info.value)
    assert str(path) in msg
    for part in expected:
        assert part in msg, msg


def test_a_sampled_design_checks_its_settings(tmp_path):
    text = (
        TINY.split("[levers")[0]
        + """
[uncertainties]
design = "sobol"
samples = 12
[uncertainties.factors."contact.talk_base"]
low = 0.02
high = 0.1
"""
    )
    with pytest.raises(ExperimentError, match="power of 2"):
        load_experiment(_write(tmp_path, text))


def test_the_shipped_experiments_load():
    for name, minimum in (("interventions", 20), ("sensitivity", 1), ("flatcoach_grid", 1)):
        exp = load_experiment(name)
        assert len(exp.seeds) >= minimum
    assert load_experiment("sensitivity").spec.uncertainties.design == "morris"
    arms = {a.name for a in load_experiment("interventions").spec.arms}
    assert {"baseline", "problem_flat", "flatcoach", "combined_package"} <= arms
