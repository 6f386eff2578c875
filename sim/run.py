"""Run one scenario with one seed and write its results: the unit every sweep is made of."""

from __future__ import annotations

import functools
import shutil
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim import __version__
from sim.fingerprint import source_digest
from sim.io import (
    RUN_MARKER,
    OutputError,
    WriteError,
    atomic_write_frame,
    atomic_write_json,
    atomic_write_text,
    git_revision,
    new_run_dir,
    publish_dir,
)
from sim.memory import memory_policy_for
from sim.model import NeighbourhoodModel
from sim.scenario import Scenario, scenario_to_toml
from sim.scenario_checks import site_dwellings

HEADLINE = (
    "households",
    "ties_ge1",
    "ties_ge3",
    "lonely",
    "weekly_contact",
    "sense_of_home",
    "safety",
    "trust_neighbours",
    "wellbeing",
    "avoidance",
    "nuisance_exposed",
    "recovery",
    "referred",
)


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

    def summary(self) -> str:
        """The text `goedeburen run` prints: labelled outcomes, events and costs per year."""
        return summary_text(self)

    def final(self, group: str = "all") -> pd.Series:
        ts = self.timeseries
        sel = ts[(ts["building"] == "all") & (ts["group"] == group)]
        return sel.iloc[-1]

    def to_df(self, building: str = "all") -> pd.DataFrame:
        """The time series as one long table: a row per (day, group, outcome) with its
        label and unit, and the scenario and seed (one line to plot or to stack runs)."""
        from sim.outcomes import OUTCOME, OUTCOMES

        ts = self.timeseries
        ts = ts[ts["building"] == building] if "building" in ts else ts
        names = [o.name for o in OUTCOMES if o.name in ts]
        long = ts.melt(
            id_vars=["day", "year", "group"],
            value_vars=names,
            var_name="outcome",
            value_name="value",
        ).dropna(subset=["value"])
        long["label"] = long["outcome"].map(lambda n: OUTCOME[n].label)
        long["unit"] = long["outcome"].map(lambda n: OUTCOME[n].unit)
        long.insert(0, "seed", self.seed)
        long.insert(0, "scenario", self.scenario.name)
        return long.reset_index(drop=True)

    def plot(
        self,
        outcomes: tuple[str, ...] = (
            "ties_ge1",
            "weekly_contact",
            "nuisance_episodes",
            "sense_of_home",
        ),
        groups: tuple[str, ...] = ("resident", "supported"),
        ax=None,
    ):
        """Outcomes over the years, one panel each, a line per group (matplotlib);
        returns the figure."""
        import matplotlib.pyplot as plt

        from sim.outcomes import OUTCOME

        df = self.to_df()
        if ax is None:
            fig, axes = plt.subplots(
                1, len(outcomes), figsize=(4 * len(outcomes), 3.2), squeeze=False
            )
            axes = axes[0]
        else:
            axes, fig = [ax] if len(outcomes) == 1 else ax, None
        for panel, name in zip(axes, outcomes, strict=True):
            if name not in OUTCOME:
                raise ValueError(f"unknown outcome {name!r}; known: {sorted(OUTCOME)}")
            sel = df[df["outcome"] == name]
            for g in groups if OUTCOME[name].kind == "household" else ("all",):
                part = sel[sel["group"] == g]
                panel.plot(part["year"], part["value"], label=g)
            panel.set_title(OUTCOME[name].label, fontsize=9, wrap=True)
            panel.set_xlabel("year")
            panel.set_ylabel(OUTCOME[name].unit)
            panel.legend(fontsize=8)
        if fig is not None:
            fig.suptitle(f"{self.scenario.name}, seed {self.seed}")
            fig.tight_layout()
        return fig if fig is not None else axes[0].figure

    def events_per_year(self) -> dict[str, float]:
        ts = self.timeseries
        sel = ts[(ts["building"] == "all") & (ts["group"] == "all")]
        years = max(sel["year"].iloc[-1], 1e-9)
        out = {
            k: float(sel[k].sum()) / years
            for k in ("encounters", "small_talk", "help_given", "nuisance_episodes", "conflicts")
        }
        last = sel.iloc[-1]
        out.update({k: float(last[k]) / years for k in ("move_outs", "evictions")})
        return out


@functools.cache
def model_fingerprint() -> str:
    """A hash of the model's source code: results made by other code are told apart (a
    resumed comparison must not mix them in)."""
    return source_digest()


def run_model(
    scenario: Scenario,
    seed: int | None = None,
    years: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Simulate and return tables in memory (nothing is written)."""
    if years is not None:
        scenario = scenario.with_overrides(run={"years": years})
    if seed is not None:
        scenario = scenario.with_overrides(run={"seed": seed})
    t0 = time.perf_counter()
    memory_policy_for(site_dwellings(scenario))
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
    return RunResult(
        scenario=scenario,
        seed=scenario.run.seed,
        timeseries=model.outcomes.frame(),
        households=model.household_frame(),
        ties=model.tie_frame(scenario.run.tie_table),
        interventions=model.intervention_frame(),
        snapshots=pd.concat(snapshots) if snapshots else pd.DataFrame(),
        seconds=seconds,
    )


def write_result(result: RunResult, out_dir: Path, csv: bool = False) -> Path:
    """Write a run's folder whole: every table into a temporary folder beside `out_dir`,
    the manifest last, then renamed into place (an earlier run there is replaced as a
    whole). A run killed at any moment leaves the old folder or the new one, never a mix,
    and never a manifest listing files another run wrote."""
    out_dir = Path(out_dir)
    try:
        tmp = new_run_dir(out_dir)
    except OSError as exc:
        raise WriteError(exc.errno, exc.strerror or str(exc), str(out_dir)) from exc
    try:
        _write_tables(result, tmp, csv)
        publish_dir(tmp, out_dir)
    except WriteError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        # name the file where it was meant to go, not in the temporary folder
        name = Path(exc.filename).name if exc.filename else ""
        where = out_dir / name if name and Path(exc.filename).parent == tmp else exc.filename
        raise WriteError(exc.errno, exc.strerror, str(where)) from exc
    except OutputError:  # says what is in the way already
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise WriteError(exc.errno, exc.strerror or str(exc), str(out_dir)) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def labelled(result: RunResult, df: pd.DataFrame) -> pd.DataFrame:
    """A table with the run's scenario and seed as its first columns: tables of many runs
    concatenate (or read as one Parquet dataset) without losing which run a row is from."""
    df = df.copy()
    for pos, (col, value) in enumerate((("scenario", result.scenario.name), ("seed", result.seed))):
        if col in df.columns:
            df = df.drop(columns=col)
        df.insert(pos, col, value)
    return df


def _write_tables(result: RunResult, out_dir: Path, csv: bool) -> None:
    tables = {"timeseries": result.timeseries, "households": result.households, "ties": result.ties}
    if len(result.interventions):
        tables["interventions"] = result.interventions
    if len(result.snapshots):
        tables["snapshots"] = result.snapshots
    for name, df in tables.items():
        df = labelled(result, df)
        atomic_write_frame(out_dir / f"{name}.parquet", df)
        if csv:
            atomic_write_frame(out_dir / f"{name}.csv", df)
    atomic_write_text(out_dir / "scenario.toml", scenario_to_toml(result.scenario))
    atomic_write_text(out_dir / "summary.txt", summary_text(result))
    atomic_write_json(
        out_dir / RUN_MARKER,
        {
            "scenario": result.scenario.name,
            "seed": result.seed,
            "years": result.scenario.run.years,
            "seconds": round(result.seconds, 3),
            "goedeburen": __version__,
            "git": git_revision(),
            "model": model_fingerprint(),
            "files": sorted(
                [p.name for p in out_dir.iterdir() if not p.name.startswith(".")] + [RUN_MARKER]
            ),
        },
    )


# final-state outcomes of the summary: column, label, kind (share → %, state → 0-1, mean)
SUMMARY_STATE = (
    ("households", "households", "count"),
    ("ties_ge1", "with ≥1 neighbour tie", "share"),
    ("ties_ge3", "with ≥3 neighbour ties", "share"),
    ("lonely", "without any neighbour tie", "share"),
    ("mean_ties", "neighbour ties per household", "mean"),
    ("weekly_contact", "chatted with or helped a neighbour last week", "share"),
    ("sense_of_home", "sense of home (0–1)", "mean"),
    ("safety", "perceived safety (0–1)", "mean"),
    ("trust_neighbours", "trust in neighbours (0–1)", "mean"),
    ("wellbeing", "wellbeing (0–1)", "mean"),
    ("avoidance", "avoidance of neighbours (0–1)", "mean"),
    ("nuisance_exposed", "bothered by nuisance recently", "share"),
    ("recovery", "recovery of supported newcomers (0–1)", "mean"),
    ("referred", "referred to services", "share"),
)
SUMMARY_EVENTS = (
    ("encounters", "encounters"),
    ("small_talk", "small-talk contacts"),
    ("help_given", "help given"),
    ("nuisance_episodes", "nuisance episodes"),
    ("conflicts", "of which between households at odds"),
    ("move_outs", "move-outs"),
    ("evictions", "evictions"),
)
GROUP_LABELS = {"all": "all", "resident": "residents", "supported": "supported"}


def _cell(kind: str, v: float) -> str:
    if pd.isna(v):
        return "—"
    if kind == "count":
        return f"{int(v):,}"
    if kind == "share":
        return f"{100 * v:.0f} %"
    return f"{v:.2f}"


def summary_text(result: RunResult) -> str:
    """What a person reads after a run: labelled outcomes with units, per household where
    that is the natural unit, group sizes, events and costs per year."""
    s = result.scenario
    ts = result.timeseries
    site = ts[(ts["building"] == "all") & (ts["group"] == "all")]
    years = max(float(site["year"].iloc[-1]), 1e-9) if len(site) else 1e-9
    n_b = len(s.site.buildings)
    from sim.scenario_checks import site_dwellings

    lines = [
        f"goedeburen: scenario '{s.name}', seed {result.seed}, {s.run.years:g} "
        f"year{'' if s.run.years == 1 else 's'} "
        f"(simulated in {result.seconds:.2f} s)"
    ]
    if s.description.strip():
        first = s.description.strip().splitlines()[0]
        lines.append(first if len(first) <= 200 else first[:199] + "…")
    groups = [g for g in ("all", "resident", "supported") if (ts["group"] == g).any()]
    finals = {g: result.final(g) for g in groups}
    sizes = ", ".join(
        f"{int(finals[g]['households']):,} {GROUP_LABELS[g]}" for g in groups if g != "all"
    )
    lines.append(
        f"Site: {n_b} building{'s' if n_b != 1 else ''}, {site_dwellings(s):,} "
        f"dwellings; at the end {int(finals['all']['households']):,} households"
        + (f" ({sizes})" if sizes else "")
    )
    lines.append("")
    width = 46
    lines.append(
        f"{'At the end of the run':<{width}}" + "".join(f"{GROUP_LABELS[g]:>11}" for g in groups)
    )
    for col, label, kind in SUMMARY_STATE:
        if col not in ts.columns:
            continue
        lines.append(
            f"  {label:<{width - 2}}"
            + "".join(f"{_cell(kind, finals[g][col]):>11}" for g in groups)
        )
    lines.append("  (shares in % of the group's households; states are means on a 0–1 scale)")
    lines.append("")
    per_year = result.events_per_year()
    mean_hh = float(site["households"].mean()) if len(site) else 0.0
    lines.append(f"{'Per year, whole site':<{width}}{'total':>11}{'per household':>15}")
    for col, label in SUMMARY_EVENTS:
        if col not in per_year:
            continue
        v = per_year[col]
        per = v / mean_hh if mean_hh else float("nan")
        lines.append(f"  {label:<{width - 2}}{v:>11,.1f}{per:>15.2f}")
    if len(result.interventions):
        lines.append("")
        lines.append(f"{'Interventions':<{width}}{'per year':>11}{'whole run':>15}")
        total = 0.0
        for _, row in result.interventions.iterrows():
            cost = float(row["cost_eur"])
            total += cost
            lines.append(
                f"  {row['intervention']!s:<{width - 2}}{_eur(cost / years):>11}{_eur(cost):>15}"
            )
            extras = ", ".join(
                f"{str(k).replace('_', ' ')} {v:,.0f}"
                for k, v in row.items()
                if k not in ("intervention", "type", "cost_eur")
                and not str(k).startswith("cost_")
                and isinstance(v, (int, float))
                and not pd.isna(v)
            )
            if extras:
                lines += textwrap.wrap(extras, 96, initial_indent="    ", subsequent_indent="    ")
        if len(result.interventions) > 1:
            lines.append(
                f"  {'all together':<{width - 2}}{_eur(total / years):>11}{_eur(total):>15}"
            )
        if mean_hh:
            lines.append(
                f"  {'per household and year':<{width - 2}}{_eur(total / years / mean_hh):>11}"
            )
    return "\n".join(lines) + "\n"


def _eur(v: float) -> str:
    return f"€{v:,.0f}"


def default_out_dir(scenario: Scenario, seed: int, root: Path = Path("results")) -> Path:
    return root / scenario.name / str(seed)
