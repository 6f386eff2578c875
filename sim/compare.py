"""Compare scenarios over common seeds: parallel runs, resumable, summary with 95% intervals,
paired differences against the first scenario, plots and a Markdown report."""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

from sim.scenario import Scenario, scenario_to_toml

if TYPE_CHECKING:
    import pandas as pd

# numpy, pandas and the model are imported where used: `goedeburen compare` starts the
# workers' server (start_workers_early) before this process spends seconds importing them

KEY_OUTCOMES = ("ties_ge1", "ties_ge3", "weekly_contact", "sense_of_home", "safety",
                "nuisance_exposed", "avoidance", "lonely", "recovery", "referred")


def _run_one(scenario_json: str, seed: int, years: float | None, out_dir: str,
             package: str | None = None, threads: int | None = None) -> str:
    """Worker: run and write one (scenario, seed); picklable arguments only. `package`: the
    sim package folder the caller runs, which the worker must run too. `threads`: cores a
    run of several buildings may use (sim/shards.py; results do not depend on it); in a
    worker process of a pool the caller did not size for it, 1."""
    from sim.run import run_model, write_result

    _use_threads(threads)

    if package is not None and _package_dir() != package:
        raise RuntimeError(f"this worker runs the sim package in {_package_dir()}, the sweep "
                           f"was started with the one in {package}")

    sc = Scenario.model_validate_json(scenario_json)
    result = run_model(_resolved(sc, seed, years))
    write_result(result, Path(out_dir))
    return out_dir


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


# Modules a sweep worker needs, imported once in the fork server (see _pool_context).
WORKER_PRELOAD = ["sim.model", "sim.run", "sim.compare"]


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
    (Windows), or the server runs older source than is now on disk, spawn."""
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
    the model while the caller carries on (run_grid would start it otherwise)."""
    if _pool_context().get_start_method() == "forkserver":
        _start_forkserver()


def _start_forkserver() -> None:
    """Start the fork server (if it is not running yet) without waiting for its imports.

    The server is a new interpreter; Python 3.12 does not hand it this process's sys.path,
    so it could import another copy of `sim` (an installed one, instead of the checkout
    this process runs). PYTHONPATH, set just while it starts, puts this one first;
    _run_one checks it all the same."""
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


def _resolved(sc: Scenario, seed: int, years: float | None) -> Scenario:
    """The scenario a run of (sc, seed, years) actually simulates."""
    run = {"seed": seed} if years is None else {"seed": seed, "years": years}
    return sc.with_overrides(run=run)


def _finished(path: Path, scenario: Scenario) -> bool:
    """A run on disk counts only if it completed (its manifest is written last) with this
    very scenario and this version of the model; anything else is run again, so resuming
    never mixes in stale results."""
    from sim.run import model_fingerprint

    manifest, toml = path / "manifest.json", path / "scenario.toml"
    if not (manifest.exists() and toml.exists()):
        return False
    try:
        model = json.loads(manifest.read_text()).get("model")
    except json.JSONDecodeError:
        return False
    return model == model_fingerprint() and toml.read_text() == scenario_to_toml(scenario)


def run_grid(scenarios: list[Scenario], seeds: list[int], years: float | None, out: Path,
             executor: Executor | None = None, workers: int = 2, console=None) -> list[Path]:
    """Run every scenario × seed not already on disk (resume), return all run folders."""
    jobs = []
    for sc in scenarios:
        for seed in seeds:
            path = out / "runs" / sc.name / str(seed)
            jobs.append((sc, seed, path))
    todo = [j for j in jobs if not _finished(j[2], _resolved(j[0], j[1], years))]
    if console is not None and len(todo) < len(jobs):
        console.print(f"resuming: {len(jobs) - len(todo)} of {len(jobs)} runs already done "
                      "(same scenario, same model version)")
    if todo:
        from rich.progress import Progress

        own = executor is None
        if own and workers > 1:
            ctx = _pool_context()
            if ctx.get_start_method() == "forkserver":
                _start_forkserver()
            ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        else:
            ex = executor or _InlineExecutor()
        failed = False
        try:
            with Progress(console=console, disable=console is None
                          or not console.is_terminal) as bar:
                task = bar.add_task("runs", total=len(todo))

                def finish(fut: Future, sc: Scenario, seed: int, path: Path) -> None:
                    exc = fut.exception()
                    if exc is not None:
                        where = f"scenario {sc.name!r}, seed {seed} (output folder {path})"
                        exc.add_note(
                            f"a worker process stopped abruptly (crash, out of memory or "
                            f"killed) with runs in flight, among them {where}"
                            if isinstance(exc, BrokenExecutor) else f"in the run of {where}")
                        exc.add_note("finished runs are kept: the same command resumes")
                        raise exc
                    bar.advance(task)

                pending = {}
                package = _package_dir()
                # workers share the cores: a run of several buildings in a pool of as many
                # workers as cores keeps to one (threads would only wait for each other);
                # the workers of a pool passed in keep to one (see _run_one)
                threads = None if ex is executor or workers <= 1 else max(
                    1, (os.cpu_count() or 1) // workers)
                for sc, seed, path in todo:
                    fut = ex.submit(_run_one, sc.model_dump_json(), seed, years, str(path),
                                    package, threads)
                    if fut.done():  # the inline executor runs it on submit: stop at an error
                        finish(fut, sc, seed, path)
                    else:
                        pending[fut] = (sc, seed, path)
                for fut in as_completed(pending):
                    finish(fut, *pending[fut])
        except BaseException:
            failed = True
            raise
        finally:
            if own:
                # after a failure (or Ctrl-C) do not run the queued runs first
                ex.shutdown(wait=True, cancel_futures=failed)
    return [j[2] for j in jobs]


def collect_finals(paths: list[Path]) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for p in paths:
        manifest = json.loads((p / "manifest.json").read_text())
        ts = pd.read_parquet(p / "timeseries.parquet")
        ts = ts[ts["building"] == "all"]
        last_day = ts["day"].max()
        final = ts[ts["day"] == last_day]
        whole = ts[ts["group"] == "all"]
        years = max(float(whole["year"].iloc[-1]), 1e-9)
        for _, r in final.iterrows():
            row = {"scenario": manifest["scenario"], "seed": manifest["seed"],
                   "group": r["group"]}
            row.update({k: r[k] for k in KEY_OUTCOMES})
            if r["group"] == "all":
                row["nuisance_per_year"] = whole["nuisance_episodes"].sum() / years
                row["help_per_year"] = whole["help_given"].sum() / years
                row["evictions"] = r["evictions"]
                row["cost_eur"] = r["cost_eur"]
            rows.append(row)
    return pd.DataFrame(rows)


def summarise(finals: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% interval (t-based, over seeds) per scenario, group and outcome."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    long = finals.melt(id_vars=["scenario", "seed", "group"], var_name="outcome").dropna()
    out = []
    for (sc, g, o), d in long.groupby(["scenario", "group", "outcome"], sort=False):
        x = d["value"].astype(float).to_numpy()
        n = len(x)
        half = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        out.append({"scenario": sc, "group": g, "outcome": o, "n": n, "mean": x.mean(),
                    "ci_low": x.mean() - half, "ci_high": x.mean() + half})
    return pd.DataFrame(out)


def paired_differences(finals: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Per seed, scenario minus reference (same seeds ⇒ common random numbers)."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    f = finals[finals["group"] == "all"].drop(columns="group")
    ref = f[f["scenario"] == reference].set_index("seed")
    rows = []
    for sc, d in f.groupby("scenario", sort=False):
        if sc == reference:
            continue
        d = d.set_index("seed")
        common = d.index.intersection(ref.index)
        for col in d.columns.drop("scenario"):
            diff = (d.loc[common, col].astype(float) - ref.loc[common, col].astype(float)).dropna()
            n = len(diff)
            if n == 0:
                continue
            half = (stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
            rows.append({"scenario": sc, "outcome": col, "n": n, "effect": diff.mean(),
                         "ci_low": diff.mean() - half, "ci_high": diff.mean() + half})
    return pd.DataFrame(rows)


def plot_trajectories(paths: list[Path], out: Path) -> Path:
    import matplotlib
    import numpy as np
    import pandas as pd

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frames = []
    for p in paths:
        m = json.loads((p / "manifest.json").read_text())
        ts = pd.read_parquet(p / "timeseries.parquet")
        ts = ts[(ts["building"] == "all") & (ts["group"] == "all")]
        ts = ts.assign(scenario=m["scenario"], seed=m["seed"])
        frames.append(ts)
    df = pd.concat(frames)
    shown = ("ties_ge3", "weekly_contact", "sense_of_home", "safety", "nuisance_exposed",
             "avoidance")
    fig, axes = plt.subplots(2, 3, figsize=(15, 7.5), sharex=True)
    names = list(dict.fromkeys(df["scenario"]))
    colours = plt.get_cmap("tab20")(np.linspace(0, 1, 20))
    styles = ["-", "--", ":"]
    for ax, col in zip(axes.flat, shown):
        for i, (sc, d) in enumerate(df.groupby("scenario", sort=False)):
            g = d.groupby("year")[col]
            mean, lo, hi = g.mean(), g.quantile(0.1), g.quantile(0.9)
            colour = colours[(2 * i) % 20 + (i // 10) % 2]
            ax.plot(mean.index, mean.values, label=sc, color=colour,
                    linestyle=styles[(i // 20) % 3], linewidth=2.2 if i == 0 else 1.3)
            ax.fill_between(mean.index, lo.values, hi.values, alpha=0.12, color=colour)
        ax.set_title(col.replace("_", " "))
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("year")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", fontsize=8, frameon=False)
    fig.suptitle(f"Mean over seeds, band = 10–90% of seeds (thick line: {names[0]}, "
                 "the reference)")
    fig.tight_layout(rect=(0, 0, 0.84, 1))
    path = out / "trajectories.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def compare_scenarios(scenarios: list[Scenario], seeds: int = 5, years: float | None = None,
                      out: Path = Path("results/comparison"), workers: int = 2,
                      console=None) -> Path:
    from sim.io import atomic_write_frame, atomic_write_text

    out.mkdir(parents=True, exist_ok=True)
    seed_list = list(range(1, seeds + 1))
    paths = run_grid(scenarios, seed_list, years, out, workers=workers, console=console)
    finals = collect_finals(paths)
    summary = summarise(finals)
    reference = scenarios[0].name
    effects = paired_differences(finals, reference)
    atomic_write_frame(out / "finals.csv", finals)
    atomic_write_frame(out / "summary.csv", summary)
    atomic_write_frame(out / "effects.csv", effects)
    fig = plot_trajectories(paths, out)
    report = out / "report.md"
    atomic_write_text(report, render_report(scenarios, summary, effects, reference, seeds,
                                            fig.name))
    return report


def render_report(scenarios: list[Scenario], summary: pd.DataFrame, effects: pd.DataFrame,
                  reference: str, seeds: int, figure: str) -> str:
    import numpy as np

    lines = ["# goedeburen — scenario comparison", "",
             f"{len(scenarios)} scenarios × {seeds} seeds (the same seeds in every scenario). "
             "Values are at the end of the run, for all households; brackets are 95% intervals "
             "over seeds.", ""]
    lines += ["| scenario | what it asks |", "|---|---|"]
    for sc in scenarios:
        lines.append(f"| {sc.name} | {sc.description.strip().splitlines()[0] if sc.description else ''} |")
    lines += ["", f"![trajectories]({figure})", "", "## Final state", ""]
    s = summary[summary["group"] == "all"]
    outcomes = list(dict.fromkeys(s["outcome"]))
    lines.append("| scenario | " + " | ".join(outcomes) + " |")
    lines.append("|---|" + "---|" * len(outcomes))
    for sc in dict.fromkeys(s["scenario"]):
        d = s[s["scenario"] == sc].set_index("outcome")
        cells = []
        for o in outcomes:
            if o in d.index:
                r = d.loc[o]
                fmt = "{:.0f}" if abs(r["mean"]) >= 100 else "{:.2f}"
                cells.append(fmt.format(r["mean"]) + (f" [{fmt.format(r['ci_low'])}, "
                             f"{fmt.format(r['ci_high'])}]" if np.isfinite(r["ci_low"]) else ""))
            else:
                cells.append("—")
        lines.append(f"| {sc} | " + " | ".join(cells) + " |")
    if len(effects):
        lines += ["", f"## Effects against `{reference}` (paired by seed)", "",
                  "| scenario | outcome | effect | 95% interval |", "|---|---|---|---|"]
        for _, r in effects.iterrows():
            lines.append(f"| {r['scenario']} | {r['outcome']} | {r['effect']:+.3f} | "
                         f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}] |")
    return "\n".join(lines) + "\n"


# The fork server imports this module (WORKER_PRELOAD) with _WARM_FLAG set just for it by
# _start_forkserver: it loads the kernels once for all the workers it forks. The flag is
# removed at once, so the workers and anything they start do not see it.
if os.environ.pop(_WARM_FLAG, None) == "1":
    try:
        from sim.run import model_fingerprint

        model_fingerprint()  # cached now: workers label their runs with the code they hold
        _warm_kernels()
    except Exception:  # noqa: BLE001, S110 - only an optimisation: each worker then loads them
        pass
