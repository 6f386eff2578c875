"""Sweeps through `compare` (sim.compare.run_grid, a case of the experiment runner in
sim/experiments/): the same results whatever the number of workers and the start method,
resuming after an interruption, and failed runs that name their run while the rest finish."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from sim import compare
from sim.compare import SweepFailed, _InlineExecutor, run_grid
from sim.experiments import pool
from sim.scenario import load_scenario

YEARS = 0.1
SEEDS = [1, 2]


@pytest.fixture(scope="module")
def scenarios():
    return [
        load_scenario(n).with_overrides(run={"burn_in_years": 0.1})
        for n in ("baseline", "problem_flat")
    ]


def _tables(paths: list[Path]) -> dict:
    return {
        (p.parent.name, p.name, t): pd.read_parquet(p / f"{t}.parquet")
        for p in paths
        for t in ("timeseries", "households", "ties")
    }


@pytest.fixture(scope="module")
def inline(scenarios, tmp_path_factory):
    out = tmp_path_factory.mktemp("inline")
    return _tables(run_grid(scenarios, SEEDS, YEARS, out, workers=1))


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k, frame in a.items():
        pd.testing.assert_frame_equal(frame, b[k], obj=str(k))


def test_two_workers_give_the_inline_results(scenarios, inline, tmp_path):
    env = dict(os.environ)
    paths = run_grid(scenarios, SEEDS, YEARS, tmp_path, workers=2)
    _assert_same(inline, _tables(paths))
    # the fork server's start-up flags do not leak into this process
    assert dict(os.environ) == env


def test_spawned_workers_give_the_inline_results(scenarios, inline, tmp_path):
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        paths = run_grid(scenarios, SEEDS, YEARS, tmp_path, executor=ex)
    _assert_same(inline, _tables(paths))


def test_pool_context_prefers_a_preloading_fork_server():
    ctx = compare._pool_context()
    if "forkserver" in multiprocessing.get_all_start_methods():
        assert ctx.get_start_method() == "forkserver"
    else:
        assert ctx.get_start_method() == "spawn"


class _Counting(Executor):
    def __init__(self):
        self.inner, self.jobs = _InlineExecutor(), []

    def submit(self, fn, /, *args, **kwargs):
        self.jobs.append(args[0].label)
        return self.inner.submit(fn, *args, **kwargs)


def test_an_interrupted_sweep_resumes_with_the_missing_runs_only(scenarios, inline, tmp_path):
    paths = run_grid(scenarios, SEEDS, YEARS, tmp_path, workers=2)
    # interrupted: one run never finished (no manifest), one never started
    (paths[1] / "manifest.json").unlink()
    for f in paths[3].iterdir():
        f.unlink()
    paths[3].rmdir()
    ex = _Counting()
    again = run_grid(scenarios, SEEDS, YEARS, tmp_path, executor=ex)
    assert again == paths
    assert sorted(ex.jobs) == [
        "arm 'baseline', point 0, seed 2",
        "arm 'problem_flat', point 0, seed 2",
    ]
    _assert_same(inline, _tables(again))
    ex = _Counting()
    run_grid(scenarios, SEEDS, YEARS, tmp_path, executor=ex)
    assert ex.jobs == []


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_run_names_itself_and_the_others_finish(scenarios, tmp_path, workers):
    # a file where the run's output folder should be: write_result fails in the worker
    bad = tmp_path / "runs" / "problem_flat" / "2"
    bad.parent.mkdir(parents=True)
    bad.write_text("in the way")
    with pytest.raises(SweepFailed) as info:
        run_grid(scenarios, SEEDS, YEARS, tmp_path, workers=workers)
    text = str(info.value) + "\n".join(getattr(info.value, "__notes__", []))
    assert "1 run(s) failed" in text and "'problem_flat', point 0, seed 2" in text
    assert "resumes" in text
    for name, seed in (("baseline", 1), ("baseline", 2), ("problem_flat", 1)):
        assert (tmp_path / "runs" / name / str(seed) / "manifest.json").exists()


def test_a_worker_refuses_another_copy_of_the_package():
    from sim.experiments.runner import RunSpec, run_one
    from sim.experiments.store import model_code_fingerprint

    sc = load_scenario("baseline")
    spec = RunSpec("k", sc.model_dump_json(), model_code_fingerprint(), "/elsewhere/sim")
    with pytest.raises(RuntimeError, match="sim package"):
        run_one(spec)


def test_a_fork_server_with_older_source_is_not_used(monkeypatch):
    monkeypatch.setattr(pool, "_server_source", "0" * 16)  # as if the source changed since
    assert compare._pool_context().get_start_method() == "spawn"


def test_pool_workers_keep_to_their_share_of_the_cores():
    """A run of several buildings uses threads (sim/shards.py); in a worker of a pool that
    the runner did not size itself (one passed in), it keeps to one, so workers do not
    crowd each other's cores; in the main process it keeps them all."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from sim.compare import _use_threads

    assert _use_threads(None) is None
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as ex:
        assert ex.submit(_use_threads, None).result() == 1
        assert ex.submit(_use_threads, 1).result() == 1
