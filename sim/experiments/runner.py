"""The sweep runner: every arm x design point x seed of an experiment, on any
concurrent.futures.Executor (this process, local worker processes, a Dask cluster).

One picklable `run_one(spec) -> record` does a run; the driver writes what it returns
(workers need no shared disk, which a cluster may not have) and keeps going when a run
raises: it is retried up to the experiment's limit, then recorded with its error. A worker
that dies takes only its runs in flight with it, and they are submitted again.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.designs import points
from sim.experiments.paths import applies_to, with_values
from sim.experiments.pool import _InlineExecutor, _package_dir, _use_threads, local_pool
from sim.experiments.readings import windows
from sim.experiments.spec import LoadedExperiment
from sim.experiments.store import Store, consolidate, model_code_fingerprint, run_key
from sim.io import WriteError, clear_leftovers, locked_folder
from sim.scenario import Scenario


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs for one run, as plain picklable values."""

    key: str
    scenario_json: str  # resolved: seed and horizon set
    fingerprint: str  # the model code the key was made with
    package: str | None  # the sim package folder the driver runs (None: any, on a cluster)
    threads: int | None = None  # cores a run of several buildings may use
    run_dir: str | None = None  # also write the run's full tables there (`compare`)
    label: str = ""  # "arm 'x', seed 3" for messages


def run_one(spec: RunSpec) -> dict[str, Any]:
    """Run one simulation and return its record: weekly series of the whole site, the
    interventions' table, and where and how long it ran. Raises on any problem (the
    driver records it)."""
    from sim.run import run_model, write_result

    _use_threads(spec.threads)
    if spec.package is not None and _package_dir() != spec.package:
        raise RuntimeError(
            f"this worker runs the sim package in {_package_dir()}, the sweep "
            f"was started with the one in {spec.package}"
        )
    if model_code_fingerprint() != spec.fingerprint:
        raise RuntimeError(
            f"this worker runs other model code ({model_code_fingerprint()}) "
            f"than the sweep was started with ({spec.fingerprint})"
        )
    sc = Scenario.model_validate_json(spec.scenario_json)
    result = run_model(sc)
    if spec.run_dir is not None:
        write_result(result, Path(spec.run_dir))
    ts = result.timeseries
    return {
        "key": spec.key,
        "timeseries": ts[ts["building"] == "all"],
        "interventions": result.interventions,
        "seconds": round(result.seconds, 3),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }


def plan(
    exp: LoadedExperiment, fingerprint: str | None = None, run_dirs: Path | None = None
) -> tuple[pd.DataFrame, dict[str, RunSpec]]:
    """The experiments table (one row per arm x point x seed: its factor values and run
    key) and one RunSpec per distinct key (an arm a lever does not touch runs once)."""
    fingerprint = fingerprint or model_code_fingerprint()
    spec = exp.spec
    levers = points(spec.levers, spec.levers.factors)
    uncs = points(spec.uncertainties, exp.uncertainty_factors)
    package = _package_dir()
    rows, specs = [], {}
    run = 0
    for arm in spec.arms:
        base = exp.scenarios[arm.name]
        base = with_values(base, {**spec.overrides, **arm.overrides})
        for li, lever in enumerate(levers.values):
            for ui, unc in enumerate(uncs.values):
                values = {p: v for p, v in {**lever, **unc}.items() if applies_to(base, p)}
                sc = with_values(base, values).with_overrides(
                    run={"years": exp.horizon} if spec.years else {}
                )
                for seed in exp.seeds:
                    resolved = sc.with_overrides(run={"seed": seed})
                    js = resolved.model_dump_json()
                    run_dir = (
                        None if run_dirs is None else str(run_dirs / resolved.name / str(seed))
                    )
                    key = run_key(js, fingerprint, run_dir or "")
                    point = li * len(uncs) + ui
                    rows.append(
                        {
                            "run": run,
                            "arm": arm.name,
                            "point": point,
                            "lever_point": li,
                            "uncertainty_point": ui,
                            "seed": seed,
                            **{f"lever:{p}": v for p, v in lever.items()},
                            **{f"uncertainty:{p}": v for p, v in unc.items()},
                            "key": key,
                        }
                    )
                    run += 1
                    if key not in specs:
                        specs[key] = RunSpec(
                            key,
                            js,
                            fingerprint,
                            package,
                            run_dir=run_dir,
                            label=f"arm {arm.name!r}, point {point}, seed {seed}",
                        )
    return pd.DataFrame(rows), specs


@dataclass
class Summary:
    """What a sweep did, for the closing lines and the caller."""

    total: int  # distinct runs the experiment needs
    reused: int  # already on disk
    ran: int
    failed: list[tuple[str, str]] = field(default_factory=list)  # (label, error's last line)
    seconds: float = 0.0
    backend: str = "serial"
    workers: int = 1
    out: Path | None = None

    @property
    def rate(self) -> float:
        return self.ran / self.seconds if self.seconds > 0 else 0.0


def _error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)).strip()


# how often a run may be lost with its worker (a killed or crashed process) before it counts
# as failed
LOST_LIMIT = 3


def execute(
    specs: list[RunSpec],
    store: Store,
    executor: Executor,
    retries: int,
    on_done: Callable[[bool], None] = lambda ok: None,
    renew: Callable[[], Executor] | None = None,
    in_flight: int = 4,
) -> list[tuple]:
    """Run every spec on `executor`, writing each record as it arrives. A run that raises
    is submitted again up to `retries` times, then recorded as failed; when the executor
    breaks (a local worker killed), `renew` gives a new one and the runs in flight are
    submitted again (up to LOST_LIMIT times each). Returns the failures as (label, error)."""
    queue = deque(specs)
    attempts: dict[str, int] = {}
    lost: dict[str, int] = {}
    flying: dict[Any, RunSpec] = {}
    failures = []
    while queue or flying:
        broken = False
        while queue and len(flying) < in_flight and not broken:
            spec = queue.popleft()
            try:
                fut = executor.submit(run_one, spec)
            except BrokenExecutor:  # the pool broke between two submissions
                queue.appendleft(spec)
                broken = True
                break
            flying[fut] = spec
        if flying:
            done, _ = wait(list(flying), return_when=FIRST_COMPLETED)
        else:
            done = set()
        for fut in done:
            spec = flying.pop(fut)
            exc = fut.exception()
            if exc is None:
                rec = fut.result()
                store.write_run(
                    spec.key,
                    rec.pop("timeseries"),
                    rec.pop("interventions"),
                    {**rec, "label": spec.label, "attempts": attempts.get(spec.key, 0) + 1},
                )
                on_done(True)
                continue
            if isinstance(exc, WriteError) and exc.stops_everything:
                # a worker could not write the run's folder (a full disk, a folder made
                # read-only): every other run would fail the same way, so stop; the runs
                # recorded so far stay, and the same command resumes once it is fixed
                raise exc
            if isinstance(exc, BrokenExecutor):
                # lost with its worker: not the run's fault, unless it keeps happening (a
                # run that crashes its process): then it fails like any other
                broken = True
                lost[spec.key] = lost.get(spec.key, 0) + 1
                if lost[spec.key] <= LOST_LIMIT:
                    queue.appendleft(spec)
                    continue
            attempts[spec.key] = attempts.get(spec.key, 0) + 1
            if attempts[spec.key] <= retries and not isinstance(exc, BrokenExecutor):
                queue.append(spec)
                continue
            text = _error_text(exc)
            store.write_failure(spec.key, {"label": spec.label}, text, attempts[spec.key])
            failures.append((spec.label, text.splitlines()[-1]))
            on_done(False)
        if broken:
            if renew is None:
                raise RuntimeError("the executor broke and cannot be renewed")
            for _fut, spec in list(flying.items()):  # these died with the pool
                queue.appendleft(spec)
            flying.clear()
            _shutdown(executor, wait=False)
            executor = renew()
    return failures


def _shutdown(ex: Executor, wait: bool = True) -> None:
    """Shut an executor down without running what is still queued (after Ctrl-C, the
    queue would otherwise run first); Dask's executor has no cancel_futures."""
    try:
        ex.shutdown(wait=wait, cancel_futures=True)
    except TypeError:
        ex.shutdown(wait=wait)


def _dask_executor(scheduler: str | None, workers: int):
    """A concurrent.futures executor on a Dask cluster: the one at `scheduler`, or a
    LocalCluster of `workers` single-threaded processes bound to 127.0.0.1."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise RuntimeError("Dask is not installed: pip install 'goedeburen[dist]'") from None
    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        )
        client = Client(cluster)
    # pure=False: a run submitted again after an error is a new task, not the failed one
    return client.get_executor(pure=False), client, cluster


def sweep(
    exp: LoadedExperiment,
    out: Path | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    scheduler: str | None = None,
    dask: bool = False,
    console=None,
    run_dirs: Path | None = None,
) -> Summary:
    """Run what is not already on disk, then write the tidy tables. Backends: `executor`
    (any concurrent.futures.Executor), `scheduler` (a Dask cluster's address), `dask` (a
    local Dask cluster), else local processes (`workers`, default all cores; 1: this
    process). The output folder is locked meanwhile (sim.io.locked_folder: a second sweep
    into it is refused); a file that cannot be written (full disk) raises sim.io.WriteError
    and keeps every run recorded before it."""
    out = Path(out or Path("results") / exp.name)
    with locked_folder(out):
        return _sweep(exp, out, workers, executor, scheduler, dask, console, run_dirs)


def _sweep(
    exp: LoadedExperiment,
    out: Path,
    workers: int | None,
    executor: Executor | None,
    scheduler: str | None,
    dask: bool,
    console,
    run_dirs: Path | None,
) -> Summary:
    # nobody else writes here now (the lock): what a killed sweep was writing is rubbish
    clear_leftovers(out)
    if run_dirs is not None and run_dirs.resolve() != out.resolve():
        clear_leftovers(run_dirs)
    store = Store(out)
    fingerprint = model_code_fingerprint()
    table, specs = plan(exp, fingerprint, run_dirs)
    todo = [
        s
        for s in specs.values()
        if not (store.finished(s.key) and (s.run_dir is None or _run_dir_current(s)))
    ]
    workers = workers or os.cpu_count() or 1
    summary = Summary(
        total=len(specs),
        reused=len(specs) - len(todo),
        ran=0,
        out=out,
        workers=workers,
        backend="nothing to run",
    )
    t0 = time.perf_counter()
    if todo:
        client = cluster = None
        renew = None
        if executor is not None:
            backend, ex = "executor", executor
        elif scheduler or dask:
            ex, client, cluster = _dask_executor(scheduler, workers)
            # a cluster's workers may hold the package elsewhere: the model-code
            # fingerprint, not the folder, tells whether they run the same model
            todo = [replace(s, package=None) for s in todo]
            backend = f"dask {scheduler or 'LocalCluster'}"
            workers = len(client.scheduler_info().get("workers", {})) or workers
        elif workers > 1:
            backend = "processes"
            ex, threads = local_pool(workers)
            todo = [_with_threads(s, threads) for s in todo]

            def renew() -> Executor:
                return local_pool(workers)[0]
        else:
            backend, ex, workers = "serial", _InlineExecutor(), 1
        summary.backend, summary.workers = backend, workers
        if console is not None and summary.reused:
            console.print(
                f"resuming: {summary.reused} of {summary.total} runs already done "
                "(same configuration, seed and model code)"
            )
        try:
            with _progress(console) as bar:
                task = bar.add_task(exp.name, total=len(todo), failed=0)

                plain = console is not None and not console.is_terminal
                step = max(1, len(todo) // 10)

                def on_done(ok: bool) -> None:
                    bar.advance(task)
                    if not ok:
                        bar.update(task, failed=bar.tasks[0].fields["failed"] + 1)
                    t = bar.tasks[0]
                    if plain and (t.completed % step == 0 or t.completed == t.total):
                        # a log or CI has no live bar: a line every tenth of the sweep
                        rate = t.completed / max(time.perf_counter() - t0, 1e-9)
                        eta = (t.total - t.completed) / rate if rate > 0 else float("nan")
                        console.print(
                            f"{exp.name}: {t.completed:.0f}/{t.total:.0f} runs, "
                            f"{rate:.2f} runs/s, ETA {eta / 60:.1f} min, "
                            f"{t.fields['failed']} failed",
                            highlight=False,
                        )

                summary.failed = execute(
                    todo, store, ex, exp.spec.retries, on_done, renew, in_flight=max(2, 2 * workers)
                )
        finally:
            if executor is None:
                _shutdown(ex)
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
        summary.ran = len(todo) - len(summary.failed)
    summary.seconds = time.perf_counter() - t0
    wins = windows(exp.horizon, exp.spec.outcomes.at_years)
    consolidate(
        store,
        table,
        exp.text,
        exp.source,
        exp.spec.outcomes.names,
        exp.spec.outcomes.groups,
        wins,
        {
            "reference": exp.reference,
            "experiment": exp.name,
            "arms": [a.model_dump() for a in exp.spec.arms],
            "title": exp.spec.title,
            "title_nl": exp.spec.title_nl,
            "description": exp.spec.description,
            "years": exp.horizon,
            "seeds": exp.seeds,
            "outcomes": exp.spec.outcomes.model_dump(),
            "levers": {
                "design": exp.spec.levers.design,
                "factors": {k: f.model_dump() for k, f in exp.spec.levers.factors.items()},
            },
            "uncertainties": {
                "design": exp.spec.uncertainties.design,
                "levels": exp.spec.uncertainties.levels,
                "factors": {k: f.model_dump() for k, f in exp.uncertainty_factors.items()},
            },
        },
    )
    return summary


def _run_dir_current(spec: RunSpec) -> bool:
    """Whether the full run folder of a `compare` run is complete (its manifest is written
    last) with this very scenario and this model (`sim.run.model_fingerprint`); a folder
    changed or left by other code is run again, so resuming never mixes in stale tables."""
    import json

    from sim.run import model_fingerprint
    from sim.scenario import scenario_to_toml

    folder = Path(spec.run_dir)
    try:
        model = json.loads((folder / "manifest.json").read_text()).get("model")
        toml = (folder / "scenario.toml").read_text()
    except (OSError, ValueError):
        return False
    sc = Scenario.model_validate_json(spec.scenario_json)
    return model == model_fingerprint() and toml == scenario_to_toml(sc)


def _with_threads(spec: RunSpec, threads: int) -> RunSpec:
    return replace(spec, threads=threads)


def _progress(console):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    class Rate(TextColumn):
        def render(self, task):  # runs per second, as the sweep goes
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text(f"{speed:.2f} runs/s" if speed else "… runs/s")

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(""),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        console=console,
        disable=console is None or not console.is_terminal,
    )


def print_summary(summary: Summary, console) -> None:
    """The closing lines of a sweep: what ran, how fast, and every failure."""
    cores = os.cpu_count() or 1
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    console.print(
        f"[bold]{summary.total}[/] runs: {summary.ran} ran, {summary.reused} reused from "
        f"disk, {len(summary.failed)} failed; {summary.seconds:.1f} s on "
        f"{summary.backend} ({summary.workers} worker(s)); "
        f"{summary.rate:.2f} runs/s, {summary.rate / cores:.2f} runs/s per core "
        f"({cores} cores, load average {load})",
        highlight=False,
    )
    for label, error in summary.failed:
        console.print(f"  [red]failed[/] {label}: {error}", highlight=False)
    if summary.failed:
        console.print(
            "  the errors are in runs.parquet (column error); the same command "
            "retries the failed runs"
        )
    console.print(f"results in [bold]{summary.out}[/]", highlight=False)


def simulate(
    scenario: str | Scenario = "baseline",
    seed: int = 1,
    years: float | None = None,
    group: str = "all",
    **overrides: float,
) -> dict[str, float]:
    """A model function as EMA Workbench expects one: keyword overrides by dotted scenario
    path in, outcome readings (the mean of the last simulated year) out, e.g.
    `simulate("baseline", seed=3, **{"contact.talk_base": 0.2})`."""
    from sim.experiments.paths import check_path
    from sim.experiments.readings import KNOWN_OUTCOMES, read_run
    from sim.run import run_model
    from sim.scenario import load_scenario

    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    for path in overrides:
        why = check_path(path)
        if why:
            raise ValueError(f"{path}: {why}")
    sc = with_values(sc, dict(overrides))
    run = {"seed": seed} if years is None else {"seed": seed, "years": years}
    result = run_model(sc.with_overrides(run=run))
    wins = windows(result.scenario.run.years, [])
    r = read_run(
        result.timeseries, sorted(KNOWN_OUTCOMES), [group], {"last_year": wins["last_year"]}
    )
    return dict(zip(r["outcome"], r["value"]))
