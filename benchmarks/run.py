"""goedeburen benchmark: the project's kernel against an idiomatic Mesa reference, full model
runs from one building to a district, sweep throughput, memory and start-up cost.

    python benchmarks/run.py            # everything (about 20-30 minutes on 2 cores)
    python benchmarks/run.py --quick    # CI-sized: small sizes and fewer seeds (~1-2 min)
    goedeburen bench [--quick]

Reference and project kernel run in this process, on the same scenario, households and
seeds, one after the other; their statistics must agree (mean encounters per
household-day and mean ties per household within 2% over the seeds). Every full-model
size runs in a fresh worker process, one at a time, so its peak memory (max RSS) is its own
and nothing competes for the cores. The table is printed and written to
results/benchmark.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402 (after the path set-up above)

AGREE_TOL = 0.02


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# ------------------------------------------------------------------------------------------
# jobs that run in fresh worker processes
# ------------------------------------------------------------------------------------------
def import_seconds(repeats: int = 3) -> float:
    """`import sim.model` in a brand-new interpreter (the median of a few, the disk cache
    warm): what every spawned worker paid before its first run."""
    code = "import time; t = time.perf_counter(); import sim.model; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return float(np.median(times))


def _week() -> float:
    """One simulated week of a small model (in a worker: loads the compiled kernels unless
    they are loaded already)."""
    from sim.model import NeighbourhoodModel
    from sim.scenario import load_scenario

    t = time.perf_counter()
    sc = load_scenario("baseline").with_overrides(run={"burn_in_years": 0.0})
    NeighbourhoodModel(sc).run(years=7 / 365)
    return time.perf_counter() - t


def _pool_ready_seconds(ctx, workers: int = 2) -> tuple[float, float]:
    """Wall time from creating a pool to every worker having simulated one week, and the
    slowest worker's own time for that week."""
    from sim import compare

    t = time.perf_counter()
    if ctx.get_start_method() == "forkserver":
        compare._start_forkserver()  # as run_grid does
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        # one week per worker (a first week is slow, so each normally lands on its own worker)
        weeks = [f.result() for f in [ex.submit(_week) for _ in range(workers)]]
        ready = time.perf_counter() - t
    return ready, max(weeks)


def job_startup() -> dict:
    """Start-up in a fresh process: the import, the first simulated week (loads the compiled
    kernels from numba's on-disk cache, which is warm after the first ever run; a cold
    cache compiles everything once, 30-60 s), and how long a pool of 2 sweep workers takes
    to be ready: spawned (each worker imports and loads the kernels itself) and forked from
    the sweep's fork server (cold: the server starts, imports and loads the kernels once;
    warm: the server of an earlier pool in the same process is reused)."""
    t0 = time.perf_counter()
    import sim.model  # noqa: F401

    t1 = time.perf_counter()
    first = _week()
    second = _week()
    from sim import compare

    spawn_ready, spawn_week = _pool_ready_seconds(multiprocessing.get_context("spawn"))
    ctx = compare._pool_context()
    cold_ready, cold_week = _pool_ready_seconds(ctx)
    warm_ready, warm_week = _pool_ready_seconds(ctx)
    return {
        "import_here_s": t1 - t0,
        "import_s": import_seconds(),
        "first_week_s": first,
        "second_week_s": second,
        "method": ctx.get_start_method(),
        "spawn_ready_s": spawn_ready,
        "spawn_week_s": spawn_week,
        "cold_ready_s": cold_ready,
        "cold_week_s": cold_week,
        "warm_ready_s": warm_ready,
        "warm_week_s": warm_week,
    }


BUILDING_ROWS_FROM = 100  # districts this large keep their per-building rows yearly


def job_model(
    n_buildings: int, years: float, burn_in_years: float, seed: int = 1, threads: int | None = None
) -> dict:
    """One full model run (all mechanisms, site outcomes collected weekly; per-building rows
    weekly too, yearly from BUILDING_ROWS_FROM buildings), on `threads` cores (default:
    all; only a site of several buildings uses more than one, see sim/shards.py)."""
    import numba

    from benchmarks.common import district
    from sim.memory import memory_policy_for
    from sim.model import NeighbourhoodModel
    from sim.scenario import load_scenario
    from sim.scenario_checks import site_dwellings

    if threads is not None:
        numba.set_num_threads(threads)

    base = load_scenario("baseline")
    sc = base if n_buildings == 1 else district(n_buildings, base)
    run = {"seed": seed, "burn_in_years": burn_in_years}
    if n_buildings >= BUILDING_ROWS_FROM:
        run["collect_buildings_every_days"] = 364
    sc = sc.with_overrides(run=run)
    # warm the compiled kernels on a small model of the same kind (one building, or
    # several with cross-building ties) through a weekly update and a pruning, so the
    # timings below exclude loading (or, on a cold cache, compiling) them
    small = base if n_buildings == 1 else district(2, base)
    NeighbourhoodModel(small.with_overrides(run={"burn_in_years": 0.0})).run(days=35)
    memory_policy_for(site_dwellings(sc))
    rss0 = _maxrss_bytes()
    t0 = time.perf_counter()
    m = NeighbourhoodModel(sc)
    t1 = time.perf_counter()
    m.run(years=years)
    t2 = time.perf_counter()
    df = m.outcomes.frame()
    t3 = time.perf_counter()
    hh = m.households
    n = int(hh.occupied.sum())
    state = sum(getattr(hh, c).nbytes for c in hh.columns())
    return {
        "dwellings": m.site.n_dwellings,
        "households": n,
        "days": round(years * 365),
        "threads": numba.get_num_threads() if m.site_day.n_shards > 1 else 1,
        "init_s": t1 - t0,
        "run_s": t2 - t1,
        "frame_s": t3 - t2,
        "burn_in_years": burn_in_years,
        "rows": len(df),
        "state_bytes_per_hh": state / m.site.n_dwellings,
        "tie_bytes_per_hh": m.ties.nbytes() / m.site.n_dwellings,
        "ties_per_hh": len(m.ties) / max(n, 1),
        "peak_rss_mb": _maxrss_bytes() / 2**20,
        "rss_growth_mb": (_maxrss_bytes() - rss0) / 2**20,
    }


def job_sweep(
    scenario_names: list[str], seeds: list[int], years: float | None, workers: int, start: str
) -> dict:
    """A sweep through the real path, `sim.compare.run_grid` (what `goedeburen compare`
    runs), writing every run to a temporary folder, in a fresh process that has loaded the
    scenarios first (as the command has before its sweep starts). start: "inline" (1
    process: the runs in this process), "pool" (run_grid's own pool: fork server), or
    "spawn" (a pool of spawned workers handed to run_grid, the start method before the fork
    server). The timed part includes this process importing the model (run_grid checks
    which runs are done already), creating and shutting down the pool and everything
    workers do before their first run."""
    import json
    import tempfile

    from sim.compare import run_grid
    from sim.scenario import load_scenario

    scs = [load_scenario(n) for n in scenario_names]
    with tempfile.TemporaryDirectory(prefix="goedeburen-sweep-") as tmp:
        out = Path(tmp)
        t_wall, t = time.time(), time.perf_counter()
        if start == "spawn":
            with ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn")
            ) as ex:
                paths = run_grid(scs, seeds, years, out, executor=ex)
        else:
            paths = run_grid(scs, seeds, years, out, workers=1 if start == "inline" else workers)
        total = time.perf_counter() - t
        # a manifest is written last: its time stamp is the moment the run finished
        done = sorted((p / "manifest.json").stat().st_mtime - t_wall for p in paths)
        run_s = [json.loads((p / "manifest.json").read_text())["seconds"] for p in paths]
    n, w = len(done), workers
    # sustained: runs finished per second from the moment every worker has finished its first
    # run (start-up behind it) to the end of the sweep (the tail, when one worker is idle,
    # included)
    sustained = (
        (n - w) / (done[-1] - done[w - 1]) if n > w and done[-1] > done[w - 1] else float("nan")
    )
    return {
        "start": start,
        "workers": workers,
        "runs": n,
        "total_s": total,
        "first_done_s": done[0],
        "sustained_runs_per_s": sustained,
        "mean_run_s": float(np.mean(run_s)),
    }


def _fresh(fn, *args):
    """Run fn(*args) in a fresh (spawned) process, so memory and start-up are its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as ex:
        return ex.submit(fn, *args).result()


# ------------------------------------------------------------------------------------------
# parts
# ------------------------------------------------------------------------------------------
def agreement(seeds: list[int], days: int, n_buildings: int = 1) -> dict:
    from benchmarks.common import SAMPLE_EVERY, WARM_UP, district, setup
    from benchmarks.fast import run_fast
    from benchmarks.reference_mesa import run_reference
    from sim.scenario import load_scenario

    base = load_scenario("baseline")
    sc = base if n_buildings == 1 else district(n_buildings, base)
    run_fast(setup(sc, 0), WARM_UP + SAMPLE_EVERY, 0)  # loads every kernel the timing uses
    fast, ref = [], []
    t_fast = t_ref = 0.0
    for seed in seeds:
        s = setup(sc, seed)
        t = time.perf_counter()
        fast.append(run_fast(s, days, seed))
        t_fast += time.perf_counter() - t
        t = time.perf_counter()
        ref.append(run_reference(s, days, seed))
        t_ref += time.perf_counter() - t
    out = {
        "households": fast[0]["households"],
        "days": days,
        "seeds": len(seeds),
        "fast_s": t_fast,
        "ref_s": t_ref,
        "stats": {},
    }
    for k in ("encounters_per_hh_day", "ties_per_hh", "acquaintances_per_hh"):
        f = np.array([r[k] for r in fast])
        r = np.array([r[k] for r in ref])
        se = np.std(f - r, ddof=1) / np.sqrt(len(seeds)) if len(seeds) > 1 else float("nan")
        out["stats"][k] = (f.mean(), r.mean(), f.mean() / r.mean() - 1, se / r.mean())
    out["fast_tie_bytes_per_hh"] = float(np.mean([r["tie_bytes"] / r["households"] for r in fast]))
    return out


def _timed_run(seed: int, years: float) -> tuple[float, float]:
    """One baseline run: (wall, CPU) seconds of this process."""
    from sim.run import run_model
    from sim.scenario import load_scenario

    t, c = time.perf_counter(), time.process_time()
    run_model(load_scenario("baseline"), seed=seed, years=years)
    return time.perf_counter() - t, time.process_time() - c


def job_parallel_cpu(years: float, runs: int = 4) -> dict:
    """The same runs alone (in this process) and two at a time (a pool of 2, warmed up):
    wall and CPU seconds per run. CPU seconds that hardly grow with two at a time mean the
    cores do not slow each other down, so a 2-process throughput well below 2× comes from
    start-up, the idle tail or other work on the machine."""
    from sim import compare

    seeds = list(range(1, runs + 1))
    _week()
    alone = [_timed_run(s, years) for s in seeds]
    with ProcessPoolExecutor(max_workers=2, mp_context=compare._pool_context()) as ex:
        for f in [ex.submit(_week) for _ in range(2)]:  # start both workers
            f.result()
        pair = list(ex.map(_timed_run, seeds, [years] * runs))
    return {
        "runs": runs,
        "years": years,
        "alone_wall_s": float(np.mean([w for w, _ in alone])),
        "alone_cpu_s": float(np.mean([c for _, c in alone])),
        "pair_wall_s": float(np.mean([w for w, _ in pair])),
        "pair_cpu_s": float(np.mean([c for _, c in pair])),
    }


def sweep(
    scenario_names: list[str], seeds: list[int], years: float | None, spawn: bool = True
) -> dict:
    """The same sweep on 1 process and on 2 (run_grid's fork-server pool; and, for
    comparison, a pool of spawned workers), each in a fresh process: see job_sweep."""
    _fresh(_week)  # make sure the numba cache is warm on disk
    out = {
        "scenarios": len(scenario_names),
        "seeds": len(seeds),
        "years": years,
        "rows": [
            _fresh(job_sweep, scenario_names, seeds, years, 1, "inline"),
            _fresh(job_sweep, scenario_names, seeds, years, 2, "pool"),
        ],
    }
    if spawn:
        out["rows"].append(_fresh(job_sweep, scenario_names, seeds, years, 2, "spawn"))
    out["cpu"] = _fresh(job_parallel_cpu, 10.0 if years is None else years)
    return out


# ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the slow sizes, fewer seeds")
    ap.add_argument("--out", default=str(ROOT / "results" / "benchmark.md"))
    ap.add_argument(
        "--district-years",
        type=float,
        default=10.0,
        help="years simulated at 100,000 households (default 10, ~10-15 min)",
    )
    args = ap.parse_args(argv)
    quick = args.quick
    lines: list[str] = []

    def say(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    say(f"# goedeburen benchmark{' (--quick)' if quick else ''}")
    say()
    say(
        f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.python_implementation()} "
        f"{platform.python_version()} · {os.cpu_count()} cores · {platform.machine()} · "
        f"load average at start {os.getloadavg()[0]:.2f} (other work on the machine slows "
        f"every row, and the 2-process sweep most)"
    )
    say()

    # 1. start-up
    st = _fresh(job_startup)
    # 2. reference vs kernel
    seeds = [1, 2, 3] if quick else [1, 2, 3, 4, 5, 6, 7, 8]
    days = 240 if quick else 365
    ag = agreement(seeds, days)
    hd = ag["households"] * ag["days"] * ag["seeds"]
    say("## Kernel vs idiomatic Mesa reference (encounters + ties only, same households and seeds)")
    say()
    say(
        "| implementation | households | days × seeds | seconds | ns per household-day | speed-up |"
    )
    say("|---|---:|---:|---:|---:|---:|")
    say(
        f"| Mesa reference (agents, shuffle_do, dict ties, eager decay) | {ag['households']} "
        f"| {days} × {ag['seeds']} | {ag['ref_s']:.2f} | {ag['ref_s'] / hd * 1e9:,.0f} | 1.0× |"
    )
    say(
        f"| goedeburen kernel (numba, per-building tie blocks, lazy decay) | {ag['households']} "
        f"| {days} × {ag['seeds']} | {ag['fast_s']:.3f} | {ag['fast_s'] / hd * 1e9:,.0f} "
        f"| **{ag['ref_s'] / ag['fast_s']:.0f}×** |"
    )
    say()
    say(
        "| statistic (mean over seeds) | kernel | reference | difference | ± s.e. "
        "| within 2% (or < 3 s.e.) |"
    )
    say("|---|---:|---:|---:|---:|:-:|")
    ok_all = True
    for k, label in (
        ("encounters_per_hh_day", "encounters per household-day"),
        ("ties_per_hh", "ties (≥ tie threshold) per household"),
        ("acquaintances_per_hh", "acquaintances (any tie) per household"),
    ):
        f, r, d, se = ag["stats"][k]
        # within 2%, or not distinguishable from 0 at 3 standard errors (few seeds, or a
        # rare statistic: the calibrated model makes ~0.03 ties per household in this
        # reduced mode, which 8 seeds pin down to ±20%)
        ok = abs(d) <= AGREE_TOL or abs(d) <= 3 * se
        if k != "acquaintances_per_hh":
            ok_all &= ok
        say(f"| {label} | {f:.3f} | {r:.3f} | {d:+.2%} | {se:.2%} | {'yes' if ok else 'NO'} |")
    say()

    # 3. full model runs
    # (buildings, years, burn-in, threads): a site of several buildings runs building by
    # building on every core; the 1-thread rows show that day's cost on one core
    sizes = [(1, 10.0, 1.0, None), (7, 10.0, 1.0, None), (7, 10.0, 1.0, 1)]
    if not quick:
        sizes += [(70, 10.0, 1.0, None), (70, 10.0, 1.0, 1), (700, args.district_years, 1.0, None)]
    say("## Full model (all mechanisms, weekly outcomes), fresh process per size, JIT warm")
    say()
    say(
        f"From {BUILDING_ROWS_FROM} buildings on, the per-building outcome rows are kept yearly "
        "(`run.collect_buildings_every_days = 364`); the site's rows stay weekly."
    )
    say()
    say(
        "A site of several buildings runs building by building on all cores (sim/shards.py: "
        "each building on its own random streams, so the results depend on the seed, not on "
        "the number of threads); its 1-thread row is the same run on one core."
    )
    say()
    say(
        "| buildings | households | simulated | threads | init s (site + burn-in) | run s "
        "| ns per household-day | state + ties bytes per dwelling (allocated) "
        "| ties per household | peak RSS MB |"
    )
    say("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for nb, years, burn, threads in sizes:
        r = _fresh(job_model, nb, years, burn, 1, threads)
        results.append(r)
        note = f"{years:g} y" + (f" (burn-in {burn:g} y)" if burn != 1.0 else "")
        say(
            f"| {nb} | {r['households']:,} | {note} | {r['threads']} | {r['init_s']:.2f} "
            f"| {r['run_s']:.2f} "
            f"| {r['run_s'] / (r['households'] * r['days']) * 1e9:,.0f} "
            f"| {r['state_bytes_per_hh'] + r['tie_bytes_per_hh']:,.0f} "
            f"| {r['ties_per_hh']:.0f} | {r['peak_rss_mb']:,.0f} |"
        )
    say()
    base = results[0]
    say(
        f"Workshop scale (one flat, {base['households']} households): "
        f"{base['days'] / base['run_s']:,.0f} simulated days per second."
    )
    say()

    # 4. sweep throughput: a real comparison is 15 scenarios × 5 seeds
    from sim.scenario import SCENARIO_DIR

    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    load0 = os.getloadavg()[0]
    if quick:
        sw = sweep(["baseline", "problem_flat"], [1, 2, 3, 4], 1.0)
    else:
        sw = sweep(names, [1, 2, 3, 4, 5], None)
    load1 = os.getloadavg()[0]
    what = (
        f"{sw['scenarios']} scenarios × {sw['seeds']} seeds, "
        + (f"{sw['years']:g} y each" if sw["years"] else "their own years")
        + " + burn-in"
    )
    say(f"## Sweep: {what}, through `sim.compare.run_grid` (what `goedeburen compare` runs)")
    say()
    say(
        "Each row is a fresh process that has loaded the scenarios (as the command has) and then "
        "times the whole sweep: importing the model, creating the pool, every worker's "
        "start-up, all runs with their output written, shutting the pool down (not the "
        "summary, plots and report that `compare` writes afterwards). *Sustained* is runs "
        "finished per second from "
        "the moment every worker has finished its first run to the end of the sweep (start-up "
        "excluded, the idle tail included). Per-run seconds are the simulation alone, as each "
        f"run measured it. Load average {load0:.2f} before, {load1:.2f} after the sweep rows."
    )
    say()
    say(
        "| processes | workers start by | total s (incl. start-up) | throughput vs 1 process "
        "| first run done after s | sustained runs per s | sustained vs 1 process "
        "| mean s per run |"
    )
    say("|---:|---|---:|---:|---:|---:|---:|---:|")
    one = sw["rows"][0]
    how = {
        "inline": "— (runs in the process itself)",
        "pool": f"fork from a warm server ({st['method']})",
        "spawn": "spawn (fresh interpreter each; before)",
    }
    for r in sw["rows"]:
        say(
            f"| {r['workers']} | {how[r['start']]} | {r['total_s']:.2f} "
            f"| {one['total_s'] / r['total_s']:.2f}× | {r['first_done_s']:.2f} "
            f"| {r['sustained_runs_per_s']:.2f} "
            f"| {r['sustained_runs_per_s'] / one['sustained_runs_per_s']:.2f}× "
            f"| {r['mean_run_s']:.2f} |"
        )
    say()
    c = sw["cpu"]
    say(
        f"Baseline runs ({c['years']:g} y + burn-in, {c['runs']} seeds), alone vs two at a time on "
        f"a warm pool: {c['alone_wall_s']:.2f} vs {c['pair_wall_s']:.2f} s wall, "
        f"{c['alone_cpu_s']:.2f} vs {c['pair_cpu_s']:.2f} s CPU per run. When the CPU seconds "
        "hardly grow, two runs do not slow each other down; a wall time that grows more means "
        "other work shared the cores."
    )
    say()
    say("## Start-up per process (numba cache warm)")
    say()
    say(
        f"import sim.model in a new interpreter: {st['import_s']:.2f} s (median of 3) · first "
        f"simulated week (loads the compiled kernels from numba's cache): "
        f"{st['first_week_s']:.2f} s · next week: {st['second_week_s'] * 1000:.1f} ms"
    )
    say()
    say(
        "| pool of 2 sweep workers | ready after s (pool created → each worker has simulated "
        "a week) | slowest worker's week s |"
    )
    say("|---|---:|---:|")
    say(
        f"| spawned (each imports sim.model and loads the kernels) | {st['spawn_ready_s']:.2f} "
        f"| {st['spawn_week_s']:.2f} |"
    )
    say(
        f"| {st['method']}, server not running yet (it imports and loads the kernels once) "
        f"| {st['cold_ready_s']:.2f} | {st['cold_week_s']:.2f} |"
    )
    say(
        f"| {st['method']}, server already running (a later pool in the same process) "
        f"| {st['warm_ready_s']:.2f} | {st['warm_week_s']:.2f} |"
    )
    say()
    say(f"Load average at the end: {os.getloadavg()[0]:.2f}.")
    say()
    say(f"Kernel vs reference agreement: {'PASS' if ok_all else 'FAIL'} (tolerance 2%).")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"written to {out}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
