"""Compare scenarios over common seeds: a case of the experiment runner (sim/experiments/)
with one arm per scenario, the first the reference, plus the per-run folders and the tables
(finals, summary with 95% intervals, paired differences) that scripts read."""

from __future__ import annotations

import json
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING

# the worker-pool machinery moved to sim/experiments/pool.py; these names stay importable
# from here (benchmarks/run.py and tests use them)
from sim.experiments.pool import (  # noqa: F401
    WORKER_PRELOAD,
    _InlineExecutor,
    _package_dir,
    _pool_context,
    _server_is_stale,
    _start_forkserver,
    _use_threads,
    _warm_kernels,
    start_workers_early,
)
from sim.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiments.spec import LoadedExperiment

# numpy, pandas and the model are imported where used: `goedeburen compare` starts the
# workers' server (start_workers_early) before this process spends seconds importing them

KEY_OUTCOMES = (
    "ties_ge1",
    "ties_ge3",
    "weekly_contact",
    "sense_of_home",
    "safety",
    "nuisance_exposed",
    "avoidance",
    "lonely",
    "recovery",
    "referred",
)


class SweepFailed(RuntimeError):
    """Some runs of a comparison raised (each retried first); the others are on disk."""


def comparison_experiment(
    scenarios: list[Scenario], seeds: list[int], years: float | None
) -> LoadedExperiment:
    """The in-memory experiment `compare` runs: one arm per scenario, the first the
    reference, the same seeds in each."""
    import tomli_w

    from sim.experiments.spec import parse_experiment

    data = {
        "name": "comparison",
        "title": "Scenario comparison",
        "title_nl": "Vergelijking van scenario's",
        "description": "; ".join(
            f"{sc.name}: {sc.description.strip().splitlines()[0]}"
            for sc in scenarios
            if sc.description.strip()
        ),
        "seeds": list(seeds),
        "arms": [
            {
                "name": sc.name,
                "scenario": sc.name,
                "reference": i == 0,
                # the report says "With <label>, ..."; a scenario has only its name
                "label": f"the scenario {sc.name}",
                "label_nl": f"het scenario {sc.name}",
            }
            for i, sc in enumerate(scenarios)
        ],
    }
    if years is not None:
        data["years"] = years
    return parse_experiment(
        data,
        "goedeburen compare",
        Path.cwd(),
        text=tomli_w.dumps(data),
        scenarios={sc.name: sc for sc in scenarios},
    )


def run_grid(
    scenarios: list[Scenario],
    seeds: list[int],
    years: float | None,
    out: Path,
    executor: Executor | None = None,
    workers: int = 2,
    console=None,
) -> list[Path]:
    """Run every scenario x seed not already on disk (resume) through the experiment
    runner, each also written in full to out/runs/<scenario>/<seed>/; return those folders.
    Raises SweepFailed after the sweep if any run failed."""
    from sim.experiments.runner import print_summary, sweep

    exp = comparison_experiment(scenarios, seeds, years)
    summary = sweep(
        exp, out, workers=workers, executor=executor, console=console, run_dirs=out / "runs"
    )
    if console is not None:
        print_summary(summary, console)
    if summary.failed:
        lines = "\n".join(f"  {label}: {error}" for label, error in summary.failed)
        err = SweepFailed(f"{len(summary.failed)} run(s) failed:\n{lines}")
        err.add_note(
            f"their tracebacks are in {out / 'runs.parquet'} (column error); "
            "finished runs are kept: the same command resumes"
        )
        raise err
    return [out / "runs" / sc.name / str(seed) for sc in scenarios for seed in seeds]


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
            row = {"scenario": manifest["scenario"], "seed": manifest["seed"], "group": r["group"]}
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
        out.append(
            {
                "scenario": sc,
                "group": g,
                "outcome": o,
                "n": n,
                "mean": x.mean(),
                "ci_low": x.mean() - half,
                "ci_high": x.mean() + half,
            }
        )
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
            rows.append(
                {
                    "scenario": sc,
                    "outcome": col,
                    "n": n,
                    "effect": diff.mean(),
                    "ci_low": diff.mean() - half,
                    "ci_high": diff.mean() + half,
                }
            )
    return pd.DataFrame(rows)


def compare_scenarios(
    scenarios: list[Scenario],
    seeds: int = 5,
    years: float | None = None,
    out: Path = Path("results/comparison"),
    workers: int = 2,
    console=None,
) -> Path:
    """Run the comparison, write finals/summary/effects tables and the HTML report. The
    output folder is locked throughout (a second comparison into it is refused with the
    holder's pid: sim.io.FolderLocked), and every file is written atomically."""
    from sim.io import atomic_write_bytes, atomic_write_frame, locked_folder
    from sim.report import build_report

    seed_list = list(range(1, seeds + 1))
    with locked_folder(out):
        paths = run_grid(scenarios, seed_list, years, out, workers=workers, console=console)
        finals = collect_finals(paths)
        atomic_write_frame(out / "finals.csv", finals)
        atomic_write_frame(out / "summary.csv", summarise(finals))
        atomic_write_frame(out / "effects.csv", paired_differences(finals, scenarios[0].name))
        report = build_report(out)
        # the figure where `compare` used to put it (next to the tables), also atomically:
        # a kill while copying must not leave a 0-byte picture
        figure = out / "figures" / "trajectories.png"
        atomic_write_bytes(out / "trajectories.png", figure.read_bytes())
    return report
