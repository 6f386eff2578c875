"""Run one scenario with one seed and write its results: the unit every sweep is made of."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from sim import __version__
from sim.fingerprint import source_digest
from sim.io import atomic_write_frame, atomic_write_json, atomic_write_text, git_revision
from sim.model import NeighbourhoodModel
from sim.scenario import Scenario, scenario_to_toml

HEADLINE = ("households", "ties_ge1", "ties_ge3", "lonely", "weekly_contact", "sense_of_home",
            "safety", "trust_neighbours", "wellbeing", "avoidance", "nuisance_exposed",
            "recovery", "referred")


@dataclass
class RunResult:
    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    households: pd.DataFrame
    ties: pd.DataFrame
    interventions: pd.DataFrame
    snapshots: pd.DataFrame
    seconds: float

    def final(self, group: str = "all") -> pd.Series:
        ts = self.timeseries
        sel = ts[(ts["building"] == "all") & (ts["group"] == group)]
        return sel.iloc[-1]

    def events_per_year(self) -> dict[str, float]:
        ts = self.timeseries
        sel = ts[(ts["building"] == "all") & (ts["group"] == "all")]
        years = max(sel["year"].iloc[-1], 1e-9)
        out = {k: float(sel[k].sum()) / years
               for k in ("encounters", "small_talk", "help_given", "nuisance_episodes",
                         "conflicts")}
        last = sel.iloc[-1]
        out.update({k: float(last[k]) / years for k in ("move_outs", "evictions")})
        return out


@functools.cache
def model_fingerprint() -> str:
    """A hash of the model's source code: results made by other code are told apart (a
    resumed comparison must not mix them in)."""
    return source_digest()


def run_model(scenario: Scenario, seed: int | None = None, years: float | None = None,
              progress: Callable[[int], None] | None = None) -> RunResult:
    """Simulate and return tables in memory (nothing is written)."""
    if years is not None:
        scenario = scenario.with_overrides(run={"years": years})
    if seed is not None:
        scenario = scenario.with_overrides(run={"seed": seed})
    t0 = time.perf_counter()
    model = NeighbourhoodModel(scenario)
    days = int(round(scenario.run.years * 365))
    snapshot_days = {int(round(y * 365)) for y in scenario.run.snapshot_years}
    snapshots = []
    done = 0  # the model's day is the number of days simulated
    for stop in sorted(d for d in snapshot_days if 0 < d <= days):
        model.run(days=stop - done, progress=progress)
        done = stop
        snap = model.household_frame()
        snap.insert(0, "day", model.day)
        snapshots.append(snap)
    model.run(days=days - done, progress=progress)
    seconds = time.perf_counter() - t0
    return RunResult(scenario=scenario, seed=scenario.run.seed,
                     timeseries=model.outcomes.frame(), households=model.household_frame(),
                     ties=model.tie_frame(scenario.run.tie_table), interventions=model.intervention_frame(),
                     snapshots=pd.concat(snapshots) if snapshots else pd.DataFrame(),
                     seconds=seconds)


def write_result(result: RunResult, out_dir: Path, csv: bool = False) -> Path:
    """Write every table atomically; the manifest is written last and marks completion."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {"timeseries": result.timeseries, "households": result.households,
              "ties": result.ties}
    if len(result.interventions):
        tables["interventions"] = result.interventions
    if len(result.snapshots):
        tables["snapshots"] = result.snapshots
    for name, df in tables.items():
        atomic_write_frame(out_dir / f"{name}.parquet", df)
        if csv:
            atomic_write_frame(out_dir / f"{name}.csv", df)
    atomic_write_text(out_dir / "scenario.toml", scenario_to_toml(result.scenario))
    atomic_write_text(out_dir / "summary.txt", summary_text(result))
    atomic_write_json(out_dir / "manifest.json", {
        "scenario": result.scenario.name, "seed": result.seed,
        "years": result.scenario.run.years, "seconds": round(result.seconds, 3),
        "goedeburen": __version__, "git": git_revision(), "model": model_fingerprint(),
        "files": sorted(p.name for p in out_dir.iterdir() if not p.name.startswith(".")),
    })
    return out_dir


def summary_text(result: RunResult) -> str:
    s = result.scenario
    lines = [f"goedeburen — scenario '{s.name}', seed {result.seed}, "
             f"{s.run.years:g} years, {result.seconds:.2f} s"]
    if s.description:
        lines.append(f"  {s.description.strip().splitlines()[0]}")
    lines.append("")
    groups = [g for g in ("all", "resident", "supported")
              if (result.timeseries["group"] == g).any()]
    finals = {g: result.final(g) for g in groups}
    lines.append(f"{'final state':<28}" + "".join(f"{g:>12}" for g in groups))
    for k in HEADLINE:
        vals = []
        for g in groups:
            v = finals[g][k]
            vals.append("—" if pd.isna(v) else (f"{int(v)}" if k == "households" else f"{v:.2f}"))
        lines.append(f"{k:<28}" + "".join(f"{v:>12}" for v in vals))
    lines.append("")
    lines.append("events per year (whole site)")
    for k, v in result.events_per_year().items():
        lines.append(f"  {k:<26}{v:>10.1f}")
    if len(result.interventions):
        lines.append("")
        lines.append("interventions")
        for _, row in result.interventions.iterrows():
            extras = ", ".join(f"{k}={v:g}" for k, v in row.items()
                               if k not in ("intervention", "type", "cost_eur")
                               and not str(k).startswith("cost_") and isinstance(v, (int, float))
                               and not pd.isna(v))
            lines.append(f"  {row['intervention']}: €{row['cost_eur']:,.0f}; {extras}")
    return "\n".join(lines) + "\n"


def default_out_dir(scenario: Scenario, seed: int, root: Path = Path("results")) -> Path:
    return root / scenario.name / str(seed)

