"""Sweeps (sim.compare.run_grid): the same results whatever the number of workers and the
start method, resuming after an interruption, and worker errors that name their run."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from sim import compare
from sim.compare import _InlineExecutor, run_grid
from sim.scenario import load_scenario

YEARS = 0.1
SEEDS = [1, 2]


@pytest.fixture(scope="module")
def scenarios():
    return [load_scenario(n).with_overrides(run={"burn_in_years": 0.1})
            for n in ("baseline", "problem_flat")]


def _tables(paths: list[Path]) -> dict:
    return {(p.parent.name, p.name, t): pd.read_parquet(p / f"{t}.parquet")
            for p in paths for t in ("timeseries", "households", "ties")}


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
        self.jobs.append(args[:2])
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
    assert [seed for _, seed in ex.jobs] == [2, 2] and len(ex.jobs) == 2
    _assert_same(inline, _tables(again))
    ex = _Counting()
    run_grid(scenarios, SEEDS, YEARS, tmp_path, executor=ex)
    assert ex.jobs == []


@pytest.mark.parametrize("workers", [1, 2])
def test_an_error_in_a_worker_names_its_run(scenarios, tmp_path, workers):
    # a file where the run's output folder should be: write_result fails in the worker
    bad = tmp_path / "runs" / "problem_flat" / "2"
    bad.parent.mkdir(parents=True)
    bad.write_text("in the way")
    with pytest.raises(OSError) as info:
        run_grid(scenarios, SEEDS, YEARS, tmp_path, workers=workers)
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "'problem_flat', seed 2" in notes and str(bad) in notes
    assert "resumes" in notes


def test_a_worker_refuses_another_copy_of_the_package(tmp_path):
    sc = load_scenario("baseline")
    with pytest.raises(RuntimeError, match="sim package"):
        compare._run_one(sc.model_dump_json(), 1, YEARS, str(tmp_path), "/elsewhere/sim")


def test_a_fork_server_with_older_source_is_not_used(monkeypatch):
    monkeypatch.setattr(compare, "_server_source", "0" * 16)  # as if the source changed since
    assert compare._pool_context().get_start_method() == "spawn"


def test_pool_workers_keep_to_their_share_of_the_cores():
    """A run of several buildings uses threads (sim/shards.py); in a worker of a pool that
    run_grid did not size itself (one passed in), it keeps to one, so workers do not
    crowd each other's cores; in the main process it keeps them all."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from sim.compare import _use_threads

    assert _use_threads(None) is None
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as ex:
        assert ex.submit(_use_threads, None).result() == 1
        assert ex.submit(_use_threads, 1).result() == 1
