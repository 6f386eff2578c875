"""Local worker processes for sweeps: forked from a warm server, keeping to their cores.

Moved here from sim/compare.py (which re-exports these names) when `compare` became a case
of the experiment runner; the measurements behind each choice are in the docstrings.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path


def _use_threads(threads: int | None) -> int | None:
    """Set the cores this process's runs of several buildings use: `threads`, or 1 in a
    worker process of a pool the caller did not size (its siblings share the cores, and
    threads that wait for each other on a busy machine spin), else all. Returns the
    number set (None: unchanged)."""
    if threads is None and multiprocessing.parent_process() is not None:
        threads = 1
    if threads is None:
        return None
    import numba

    threads = max(1, min(threads, numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(threads)
    return threads


def _package_dir() -> str:
    import sim

    return str(Path(sim.__file__).resolve().parent)


class _InlineExecutor(Executor):
    """Runs each job in this process: one worker needs no pool (and no start-up cost)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - to the caller via the future; Ctrl-C is not
            fut.set_exception(exc)
        return fut


# Modules a sweep worker needs, imported once in the fork server (see _pool_context); the
# last one loads the compiled kernels there (the flag at the bottom of this module).
WORKER_PRELOAD = ["sim.model", "sim.run", "sim.experiments.runner", "sim.experiments.pool"]


def _pool_context() -> multiprocessing.context.BaseContext:
    """The start method for sweep workers.

    A spawned worker is a fresh interpreter that must import sim.model (mesa, pandas,
    scipy, numba: 1-2 s) before its first run. With "forkserver" one server process
    imports those modules and loads the compiled kernels from numba's on-disk cache once
    (simulating one week of a small model, see _warm_kernels), and every worker is forked
    from it in milliseconds, holding both. The server is itself a fresh interpreter
    (exec'd, not forked from this process, so no threads or state of this one), and every
    run draws only from its own generators, so results do not depend on the start method or
    the number of workers (tests/test_sweep.py). Where forkserver is unavailable
    (Windows), or the server runs older source than is now on disk, spawn.

    What it saves is fixed, about 3 s per command (the server starts while the command
    imports, start_workers_early; spawned workers import and load everything each, on the
    same cores), so it pays for short commands only. Whole-command wall time, fork server
    vs spawn, interleaved pairs on 2 cores shared with other work (load average 1-5),
    2026-12-06, min / median s:
      compare baseline problem_flat --seeds 10 (20 runs, n=20): 17.5 / 34.9 vs 19.3 / 37.1;
        paired difference 2.5 s median, 8.5% of the command: kept (issue 13: >= 5%)
      sweep experiments/interventions.toml --seeds 5 (55 runs, n=12): 60.7 / 112.3 vs
        65.8 / 111.2; the ~3 s (3%) lost in the noise of the shared machine
      sweep experiments/interventions.toml --seeds 1 --years 0.1 (11 short runs, n=16):
        6.9 / 8.0 vs 9.6 / 11.3; paired difference 3.5 s median (1.3-5.1)"""
    if "forkserver" not in multiprocessing.get_all_start_methods() or _server_is_stale():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # only takes effect if the server is not running yet; a server started without it
    # still works, its workers import what they need themselves
    ctx.set_forkserver_preload(WORKER_PRELOAD)
    return ctx


# the source digest of the sim package when this process started the fork server
_server_source: str | None = None


def _server_is_stale() -> bool:
    """Whether the sim source changed since this process started the fork server (an edit
    in a long session): its workers would run the old code, so spawn fresh ones instead."""
    from sim.fingerprint import source_digest

    return _server_source is not None and _server_source != source_digest()


def start_workers_early() -> None:
    """Start the fork server for sweep workers now, without waiting: it imports and loads
    the model while the caller carries on (the runner would start it otherwise)."""
    if _pool_context().get_start_method() == "forkserver":
        _start_forkserver()


def _start_forkserver() -> None:
    """Start the fork server (if it is not running yet) without waiting for its imports.

    The server is a new interpreter; Python 3.12 does not hand it this process's sys.path,
    so it could import another copy of `sim` (an installed one, instead of the checkout
    this process runs). PYTHONPATH, set just while it starts, puts this one first; the
    runner's run_one checks it all the same."""
    from multiprocessing import forkserver

    old = os.environ.get("PYTHONPATH")
    root = str(Path(_package_dir()).parent)
    os.environ["PYTHONPATH"] = root + (os.pathsep + old if old else "")
    os.environ[_WARM_FLAG] = "1"
    try:
        before = getattr(forkserver._forkserver, "_forkserver_pid", None)
        forkserver.ensure_running()
        if getattr(forkserver._forkserver, "_forkserver_pid", None) != before:
            from sim.fingerprint import source_digest

            global _server_source
            _server_source = source_digest()
    finally:
        del os.environ[_WARM_FLAG]
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old


_WARM_FLAG = "_GOEDEBUREN_WARM_FORKSERVER"


def _warm_kernels() -> None:
    """Load the compiled kernels from numba's on-disk cache by simulating one week of a
    small model, so that the processes forked from this one start with them loaded. One
    building on purpose: a site of several would start OpenMP's threads here
    (sim/shards.py), and GNU OpenMP does not survive a fork (the workers would hang)."""
    from sim.model import NeighbourhoodModel
    from sim.scenario import load_scenario

    sc = load_scenario("baseline").with_overrides(run={"burn_in_years": 0.0})
    NeighbourhoodModel(sc).run(years=7 / 365)


def local_pool(workers: int):
    """A process pool of `workers` forked from the warm server (spawned where there is
    none), with the threads each run of several buildings may use: the cores shared out."""
    ctx = _pool_context()
    if ctx.get_start_method() == "forkserver":
        _start_forkserver()
    threads = max(1, (os.cpu_count() or 1) // workers)
    return _Pool(workers, ctx), threads


# exit status of a worker whose driver is gone (EX_SOFTWARE would suggest a bug; this is not)
ORPHAN_EXIT = 75


class _Pool(ProcessPoolExecutor):
    """A ProcessPoolExecutor whose workers exit as soon as this process is gone.

    A plain pool's workers outlive a driver killed with SIGKILL: they wait forever on a
    queue nobody writes to (or to hand back a result nobody reads), and each holds the fork
    server's "alive" pipe, so the server waits for them in turn. Here every worker gets the
    read end of a pipe (its lifeline) whose only write end stays in this process; a thread
    in the worker blocks on it and ends the process when it reads end-of-file, which the
    kernel delivers the moment this process dies, however it died (no polling, no pid that
    could be reused). Once the workers are gone the fork server sees its pipe close and
    exits too. Shutting the pool down closes the lifeline as well, so workers of a pool given
    up after a crash stop rather than finish runs nobody collects."""

    def __init__(self, workers: int, ctx: multiprocessing.context.BaseContext):
        self._lifeline_r, self._lifeline_w = ctx.Pipe(duplex=False)
        super().__init__(
            max_workers=workers,
            mp_context=ctx,
            initializer=_exit_with_driver,
            initargs=(self._lifeline_r,),
        )

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        for end in (self._lifeline_w, self._lifeline_r):
            end.close()


def _exit_with_driver(lifeline) -> None:
    """Pool initializer: watch the lifeline in a daemon thread and leave when it closes."""

    def watch() -> None:
        try:
            while True:
                lifeline.recv_bytes()  # nothing is ever sent: this returns at EOF only
        except (EOFError, OSError):
            pass
        os._exit(ORPHAN_EXIT)

    threading.Thread(target=watch, name="goedeburen-lifeline", daemon=True).start()


# The fork server imports this module (WORKER_PRELOAD) with _WARM_FLAG set just for it by
# _start_forkserver: it loads the kernels once for all the workers it forks. The flag is
# removed at once, so the workers and anything they start do not see it.
if os.environ.pop(_WARM_FLAG, None) == "1":
    try:
        from sim.experiments.store import model_code_fingerprint
        from sim.run import model_fingerprint

        model_fingerprint()  # cached now: workers label their runs with the code they hold
        model_code_fingerprint()
        _warm_kernels()
    except Exception:  # noqa: BLE001, S110 - only an optimisation: each worker then loads them
        pass
