"""Many seeds in parallel, each measured by `patterns.measure`, summarised against the
targets: `validate(...)` returns the table (pattern | band | source | value with its 95%
interval over seeds | pass), indexed by target id, so a test can ask
`validate(...).table.loc["ties_by_door_1", "pass"]`."""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario import Scenario, load_scenario
from sim.validation.targets import TARGETS, Target


class InlineExecutor(Executor):
    """Runs each job in this process when it is submitted (one worker needs no pool)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            fut.set_exception(exc)
        return fut


def measure_run(scenario_json: str, seed: int, years: float | None) -> dict[str, float]:
    """Worker: observe one (scenario, seed) and measure every pattern (picklable in/out)."""
    from sim.validation.observe import observe
    from sim.validation.patterns import measure

    sc = Scenario.model_validate_json(scenario_json)
    return measure(observe(sc, seed, years))


def run_seeds(
    jobs: list[tuple[Scenario, int]],
    years: float | None,
    workers: int = 1,
    console: Any = None,
    label: str = "runs",
) -> list[dict[str, float]]:
    """Measure every (scenario, seed) job, in `workers` processes (spawned: a fresh
    interpreter each, which loads the compiled kernels from numba's cache); results in job
    order. A progress bar goes to `console` when it is a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    results: list[dict[str, float] | None] = [None] * len(jobs)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=console is None or not console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=len(jobs))
        if workers <= 1 or len(jobs) <= 1:
            for i, (sc, seed) in enumerate(jobs):
                results[i] = measure_run(sc.model_dump_json(), seed, years)
                bar.advance(task)
        else:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as ex:
                futs: dict[Future, int] = {
                    ex.submit(measure_run, sc.model_dump_json(), seed, years): i
                    for i, (sc, seed) in enumerate(jobs)
                }
                for fut in as_completed(futs):
                    i = futs[fut]
                    try:
                        results[i] = fut.result()
                    except Exception as exc:
                        sc, seed = jobs[i]
                        exc.add_note(f"in the validation run of scenario {sc.name!r}, seed {seed}")
                        raise
                    bar.advance(task)
    return [r for r in results if r is not None]


def interval(values: Iterable[float]) -> tuple[float, float, float]:
    """Mean and its 95% interval over seeds (t distribution; NaN-free values only)."""
    from scipy import stats

    v = np.asarray([x for x in values if not math.isnan(x)], float)
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    m = float(v.mean())
    if len(v) < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return m, m - half, m + half


@dataclass
class ValidationResult:
    scenario: str
    seeds: list[int]
    years: float
    table: pd.DataFrame  # one row per target, index = target id
    per_seed: pd.DataFrame  # one row per (arm, seed): every measured quantity

    def values(self) -> pd.Series:
        return self.table["value"]


def summarise(per_seed: pd.DataFrame, scenario: str, targets: Iterable[Target]) -> pd.DataFrame:
    """The validation table from the per-seed measures: model targets read the validated
    scenario's rows, intervention targets their arm's rows (minus the reference's, paired
    by seed)."""
    rows = []
    for t in targets:
        vals = per_seed_values(per_seed, scenario, t)
        if vals is None:
            continue
        mean, lo, hi = interval(vals)
        finite = vals[np.isfinite(vals)]
        rows.append(
            {
                "id": t.id,
                "pattern": t.pattern,
                "band": t.band_text(),
                "low": t.low,
                "high": t.high,
                "unit": t.unit,
                "source": t.source,
                "measure": t.measure,
                "value": mean,
                "ci_low": lo,
                "ci_high": hi,
                "seed_p2.5": float(np.percentile(finite, 2.5)) if len(finite) else math.nan,
                "seed_p97.5": float(np.percentile(finite, 97.5)) if len(finite) else math.nan,
                "n_seeds": len(finite),
                "pass": t.inside(mean) if t.banded else pd.NA,
                "miss": t.distance(mean),
            }
        )
    table = pd.DataFrame(rows).set_index("id")
    table["pass"] = table["pass"].astype("boolean")
    return table


def per_seed_values(per_seed: pd.DataFrame, scenario: str, t: Target) -> np.ndarray | None:
    """A target's value per seed (None when the runs it needs are not there)."""
    arm = t.arm or scenario
    a = per_seed[per_seed["arm"] == arm].set_index("seed")
    if len(a) == 0 or t.measured not in a:
        return None
    if t.reference is None:
        return a[t.measured].to_numpy(float)
    r = per_seed[per_seed["arm"] == t.reference].set_index("seed")
    if len(r) == 0:
        return None
    common = a.index.intersection(r.index)
    return (a.loc[common, t.measured] - r.loc[common, t.measured]).to_numpy(float)


def validate(
    scenario: str | Scenario,
    seeds: int | list[int] = 30,
    years: float | None = None,
    workers: int = 2,
    interventions: bool = False,
    targets: Iterable[Target] = TARGETS,
    console: Any = None,
) -> ValidationResult:
    """Run `scenario` over `seeds` (a count: seeds 1..n, or a list) and measure every
    target; with `interventions`, also the intervention arms the targets name (on the same
    seeds and years)."""
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    seed_list = list(range(1, seeds + 1)) if isinstance(seeds, int) else [int(s) for s in seeds]
    targets = tuple(targets)
    arms: dict[str, Scenario] = {sc.name: sc}
    if interventions:
        for t in targets:
            for name in (t.arm, t.reference):
                if name is not None and name not in arms:
                    arms[name] = load_scenario(name)
    jobs = [(a, s) for a in arms.values() for s in seed_list]
    measured = run_seeds(
        jobs,
        years,
        workers,
        console,
        label=f"validate {sc.name}" + (" + arms" if len(arms) > 1 else ""),
    )
    per_seed = pd.DataFrame(measured)
    per_seed.insert(0, "seed", [s for _, s in jobs])
    per_seed.insert(0, "arm", [a.name for a, _ in jobs])
    horizon = float(years if years is not None else sc.run.years)
    if not interventions:
        targets = tuple(t for t in targets if t.arm is None)
    return ValidationResult(
        scenario=sc.name,
        seeds=seed_list,
        years=horizon,
        table=summarise(per_seed, sc.name, targets),
        per_seed=per_seed,
    )
