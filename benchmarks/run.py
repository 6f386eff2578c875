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

import numpy as np

AGREE_TOL = 0.02


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# ------------------------------------------------------------------------------------------
# jobs that run in fresh worker processes
# ------------------------------------------------------------------------------------------
def import_seconds() -> float:
    """`import sim.model` in a brand-new interpreter."""
    code = "import time; t = time.perf_counter(); import sim.model; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def job_startup() -> dict:
    """JIT-load cost in a fresh process (numba's on-disk cache is warm after the first ever
    run; a cold cache compiles everything once, ~20-30 s)."""
    import sim.model
    from sim.scenario import load_scenario
    t1 = time.perf_counter()
    sc = load_scenario("baseline").with_overrides(run={"burn_in_years": 0.0})
    m = sim.model.NeighbourhoodModel(sc)
    for _ in range(7):
        m.step()
    t2 = time.perf_counter()
    for _ in range(7):
        m.step()
    t3 = time.perf_counter()
    return {"import_s": import_seconds(), "first_week_s": t2 - t1, "second_week_s": t3 - t2}


BUILDING_ROWS_FROM = 100  # districts this large keep their per-building rows yearly


def job_model(n_buildings: int, years: float, burn_in_years: float, seed: int = 1) -> dict:
    """One full model run (all mechanisms, site outcomes collected weekly; per-building rows
    weekly too, yearly from BUILDING_ROWS_FROM buildings)."""
    from benchmarks.common import district
    from sim.model import NeighbourhoodModel
    from sim.scenario import load_scenario

    base = load_scenario("baseline")
    sc = base if n_buildings == 1 else district(n_buildings, base)
    run = {"seed": seed, "burn_in_years": burn_in_years}
    if n_buildings >= BUILDING_ROWS_FROM:
        run["collect_buildings_every_days"] = 364
    sc = sc.with_overrides(run=run)
    # warm the compiled kernel on a tiny model so the timings below exclude JIT loading
    NeighbourhoodModel(base.with_overrides(run={"burn_in_years": 0.0})).run(years=7 / 365)
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
    return {"dwellings": m.site.n_dwellings, "households": n, "days": round(years * 365),
            "init_s": t1 - t0, "run_s": t2 - t1, "frame_s": t3 - t2,
            "burn_in_years": burn_in_years, "rows": len(df),
            "state_bytes_per_hh": state / m.site.n_dwellings,
            "tie_bytes_per_hh": m.ties.nbytes() / m.site.n_dwellings,
            "ties_per_hh": len(m.ties) / max(n, 1),
            "peak_rss_mb": _maxrss_bytes() / 2**20, "rss_growth_mb": (_maxrss_bytes() - rss0) / 2**20}


def job_sweep_run(seed: int, years: float) -> float:
    from sim.run import run_model
    from sim.scenario import load_scenario
    t = time.perf_counter()
    run_model(load_scenario("baseline"), seed=seed, years=years)
    return time.perf_counter() - t


def _fresh(fn, *args):
    """Run fn(*args) in a fresh (spawned) process, so memory and start-up are its own."""
    with ProcessPoolExecutor(max_workers=1,
                             mp_context=multiprocessing.get_context("spawn")) as ex:
        return ex.submit(fn, *args).result()


# ------------------------------------------------------------------------------------------
# parts
# ------------------------------------------------------------------------------------------
def agreement(seeds: list[int], days: int, n_buildings: int = 1) -> dict:
    from benchmarks.common import district, setup
    from benchmarks.fast import run_fast
    from benchmarks.reference_mesa import run_reference
    from sim.scenario import load_scenario

    base = load_scenario("baseline")
    sc = base if n_buildings == 1 else district(n_buildings, base)
    run_fast(setup(sc, 0), 3, 0)  # JIT warm-up
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
    out = {"households": fast[0]["households"], "days": days, "seeds": len(seeds),
           "fast_s": t_fast, "ref_s": t_ref, "stats": {}}
    for k in ("encounters_per_hh_day", "ties_per_hh", "acquaintances_per_hh"):
        f = np.array([r[k] for r in fast])
        r = np.array([r[k] for r in ref])
        se = np.std(f - r, ddof=1) / np.sqrt(len(seeds)) if len(seeds) > 1 else float("nan")
        out["stats"][k] = (f.mean(), r.mean(), f.mean() / r.mean() - 1, se / r.mean())
    out["fast_tie_bytes_per_hh"] = float(np.mean([r["tie_bytes"] / r["households"]
                                                   for r in fast]))
    return out


def sweep(years: float, runs: int = 4) -> dict:
    """The same runs on a pool of 1 and of 2 fresh (spawned) worker processes; the time
    includes each worker's start-up (import + loading the compiled kernel)."""
    seeds = list(range(1, runs + 1))
    ctx = multiprocessing.get_context("spawn")
    _fresh(job_sweep_run, 99, 0.02)  # make sure the numba cache is warm on disk
    times = {}
    for workers in (1, 2):
        t = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
            list(ex.map(job_sweep_run, seeds, [years] * runs))
        times[workers] = time.perf_counter() - t
    return {"runs": runs, "years": years, "one_s": times[1], "two_s": times[2],
            "speedup": times[1] / times[2]}


# ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the slow sizes, fewer seeds")
    ap.add_argument("--out", default=str(ROOT / "results" / "benchmark.md"))
    ap.add_argument("--district-years", type=float, default=10.0,
                    help="years simulated at 100,000 households (default 10, ~10-15 min)")
    args = ap.parse_args(argv)
    quick = args.quick
    lines: list[str] = []

    def say(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    say(f"# goedeburen benchmark{' (--quick)' if quick else ''}")
    say()
    say(f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.python_implementation()} "
        f"{platform.python_version()} · {os.cpu_count()} cores · {platform.machine()} · "
        f"load average at start {os.getloadavg()[0]:.2f} (other work on the machine slows "
        f"every row, and the 2-process sweep most)")
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
    say("| implementation | households | days × seeds | seconds | ns per household-day | speed-up |")
    say("|---|---:|---:|---:|---:|---:|")
    say(f"| Mesa reference (agents, shuffle_do, dict ties, eager decay) | {ag['households']} "
        f"| {days} × {ag['seeds']} | {ag['ref_s']:.2f} | {ag['ref_s'] / hd * 1e9:,.0f} | 1.0× |")
    say(f"| goedeburen kernel (numba, per-building tie blocks, lazy decay) | {ag['households']} "
        f"| {days} × {ag['seeds']} | {ag['fast_s']:.3f} | {ag['fast_s'] / hd * 1e9:,.0f} "
        f"| **{ag['ref_s'] / ag['fast_s']:.0f}×** |")
    say()
    say("| statistic (mean over seeds) | kernel | reference | difference | ± s.e. | within 2%"
        + (" (or < 3 s.e.)" if quick else "") + " |")
    say("|---|---:|---:|---:|---:|:-:|")
    ok_all = True
    for k, label in (("encounters_per_hh_day", "encounters per household-day"),
                     ("ties_per_hh", "ties (≥ tie threshold) per household"),
                     ("acquaintances_per_hh", "acquaintances (any tie) per household")):
        f, r, d, se = ag["stats"][k]
        # within 2%, or (few seeds) not distinguishable from 0 at 3 standard errors
        ok = abs(d) <= AGREE_TOL or (quick and abs(d) <= 3 * se)
        if k != "acquaintances_per_hh":
            ok_all &= ok
        say(f"| {label} | {f:.3f} | {r:.3f} | {d:+.2%} | {se:.2%} | {'yes' if ok else 'NO'} |")
    say()

    # 3. full model runs
    sizes = [(1, 10.0, 1.0), (7, 10.0, 1.0)]
    if not quick:
        sizes += [(70, 10.0, 1.0), (700, args.district_years, 1.0)]
    say("## Full model (all mechanisms, weekly outcomes), fresh process per size, JIT warm")
    say()
    say(f"From {BUILDING_ROWS_FROM} buildings on, the per-building outcome rows are kept yearly "
        "(`run.collect_buildings_every_days = 364`); the site's rows stay weekly.")
    say()
    say("| buildings | households | simulated | init s (site + burn-in) | run s | ns per household-day "
        "| state + ties bytes per dwelling (allocated) | ties per household | peak RSS MB |")
    say("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    results = []
    for nb, years, burn in sizes:
        r = _fresh(job_model, nb, years, burn)
        results.append(r)
        note = f"{years:g} y" + (f" (burn-in {burn:g} y)" if burn != 1.0 else "")
        say(f"| {nb} | {r['households']:,} | {note} | {r['init_s']:.2f} | {r['run_s']:.2f} "
            f"| {r['run_s'] / (r['households'] * r['days']) * 1e9:,.0f} "
            f"| {r['state_bytes_per_hh'] + r['tie_bytes_per_hh']:,.0f} "
            f"| {r['ties_per_hh']:.0f} | {r['peak_rss_mb']:,.0f} |")
    say()
    base = results[0]
    say(f"Workshop scale (one flat, {base['households']} households): "
        f"{base['days'] / base['run_s']:,.0f} simulated days per second.")
    say()

    # 4. sweep throughput
    # long enough that a worker's start-up (import + cached kernel, ~1.6 s) is not the story
    sw = sweep(1.0 if quick else 10.0, runs=4 if quick else 16)
    say(f"## Sweep: {sw['runs']} runs of the baseline ({sw['years']:g} y + burn-in each)")
    say()
    say("| processes | seconds | throughput vs 1 process |")
    say("|---:|---:|---:|")
    say(f"| 1 | {sw['one_s']:.2f} | 1.00× |")
    say(f"| 2 | {sw['two_s']:.2f} | {sw['speedup']:.2f}× |")
    say()
    say("## Start-up per process (numba cache warm)")
    say()
    say(f"import sim.model: {st['import_s']:.2f} s · first simulated week (loads the compiled "
        f"kernel from numba's cache): {st['first_week_s']:.2f} s · next week: "
        f"{st['second_week_s'] * 1000:.1f} ms")
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
