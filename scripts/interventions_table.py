"""The effects table of docs/INTERVENTIONS.md, computed from `goedeburen compare` output.

The table used to be assembled by hand from `compare` reports; every change to the model's
random sequences made it stale. This script derives every cell from the runs on disk, so the
table is reproduced by two commands (shown in docs/INTERVENTIONS.md):

    goedeburen compare problem_flat allocation_by_motivation ... --seeds 20 --out OUT_DIR
    .venv/bin/python scripts/interventions_table.py OUT_DIR --update docs/INTERVENTIONS.md

Final values and nuisance per year come from `sim.compare.collect_finals` and the intervals
from `sim.compare.summarise` / `paired_differences`, so the numbers agree with the
`finals.csv` / `effects.csv` that `compare` writes next to the runs. Only the two outcomes
that `collect_finals` does not keep (mean ties per household, peak share referred) are read
here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.compare import collect_finals, paired_differences, summarise
from sim.io import atomic_write_text

REFERENCE = "problem_flat"
# the doc's row order; scenarios found in OUT_DIR but not listed here follow alphabetically
DOC_ORDER = (
    "problem_flat",
    "allocation_by_motivation",
    "social_renovation",
    "flatcoach",
    "connectors",
    "welcome",
    "design_shared_rooms",
    "design_entrance",
    "design_closed_gallery",
    "combined_package",
)
START, END = "<!-- effects:start -->", "<!-- effects:end -->"


class TableError(Exception):
    """Input the table cannot be made from; the message names the file or folder."""


@dataclass(frozen=True)
class Column:
    """A column shown as a level in the reference row and as a paired difference below."""

    header: str
    outcome: str
    level_decimals: int
    diff_decimals: int


DIFF_COLUMNS = (
    Column("ties/household", "mean_ties", 2, 2),
    Column("share ≥3 ties", "ties_ge3", 2, 3),
    Column("supported with ≥1 tie", "supported_ties_ge1", 2, 3),
    Column("nuisance/yr", "nuisance_per_year", 0, 0),
    Column("sense of home", "sense_of_home", 2, 3),
    Column("recovery (supported)", "supported_recovery", 2, 3),
)


# ------------------------------------------------------------------------------------------
# reading the runs
# ------------------------------------------------------------------------------------------
def find_runs(out_dir: Path, scenarios: list[str] | None = None) -> dict[str, list[Path]]:
    """Run folders per scenario (reference first), checked to be finished and to share the
    same seeds and years: pairing by seed is only meaningful over the same seeds, and
    `compare` resumes runs on disk without checking they were made with the same options."""
    runs = out_dir / "runs"
    if not out_dir.is_dir():
        raise TableError(
            f"{out_dir} is not a folder: give the --out folder of `goedeburen compare`"
        )
    if not runs.is_dir():
        raise TableError(
            f"{out_dir} has no runs/ folder: expected the --out folder of "
            "`goedeburen compare` (runs/<scenario>/<seed>/)"
        )
    present = sorted(p.name for p in runs.iterdir() if p.is_dir())
    if scenarios is None:
        scenarios = [s for s in DOC_ORDER if s in present] + [
            s for s in present if s not in DOC_ORDER
        ]
    scenarios = [REFERENCE] + [s for s in dict.fromkeys(scenarios) if s != REFERENCE]

    found: dict[str, list[Path]] = {}
    for name in scenarios:
        folder = runs / name
        if not folder.is_dir():
            what = "the reference every row is compared with" if name == REFERENCE else "asked for"
            raise TableError(
                f"{folder} not found ({name} is {what}); run `goedeburen "
                f"compare` with {name} among the scenarios"
            )
        seeds = sorted(
            (p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()),
            key=lambda p: int(p.name),
        )
        if not seeds:
            raise TableError(f"{folder} has no seed folders (runs/{name}/<seed>/)")
        for run in seeds:
            for needed in ("manifest.json", "timeseries.parquet"):
                if not (run / needed).exists():
                    raise TableError(
                        f"{run / needed} is missing: the run did not finish; "
                        "run the same `goedeburen compare` command again to "
                        "finish it"
                    )
        found[name] = seeds

    ref_seeds = [p.name for p in found[REFERENCE]]
    for name, seeds in found.items():
        if [p.name for p in seeds] != ref_seeds:
            raise TableError(
                f"{runs / name} has seeds {_seed_list(seeds)} but "
                f"{runs / REFERENCE} has {_seed_list(found[REFERENCE])}: "
                "paired differences need the same seeds in every scenario"
            )
    years = {_manifest(run)["years"] for seeds in found.values() for run in seeds}
    if len(years) > 1:
        raise TableError(
            f"the runs in {runs} have different lengths ({sorted(years)} "
            "years); use a fresh --out folder for `goedeburen compare`"
        )
    return found


def _manifest(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text())


def _seed_list(paths: list[Path]) -> str:
    return ", ".join(p.name for p in paths)


def _peak_and_mean_ties(run: Path) -> dict[str, object]:
    """The two outcomes `collect_finals` does not keep: final mean ties per household and
    the highest share referred at any collection (referred households move out, so the
    final share understates how many a programme reached)."""
    manifest = _manifest(run)
    ts = pd.read_parquet(
        run / "timeseries.parquet", columns=["day", "building", "group", "mean_ties", "referred"]
    )
    site = ts[(ts["building"] == "all") & (ts["group"] == "all")].sort_values("day")
    return {
        "scenario": manifest["scenario"],
        "seed": manifest["seed"],
        "mean_ties": float(site["mean_ties"].iloc[-1]),
        "referred_peak": float(site["referred"].max()),
    }


def run_outcomes(runs: dict[str, list[Path]]) -> pd.DataFrame:
    """One row per (scenario, seed) with the table's outcomes, in the `finals` layout
    (a `group` column, all "all") that `summarise` and `paired_differences` expect."""
    paths = [run for seeds in runs.values() for run in seeds]
    finals = collect_finals(paths).set_index(["scenario", "seed", "group"])
    site = finals.xs("all", level="group")
    supported = finals.xs("supported", level="group")
    extra = pd.DataFrame([_peak_and_mean_ties(p) for p in paths]).set_index(["scenario", "seed"])
    table = pd.DataFrame(
        {
            "mean_ties": extra["mean_ties"],
            "ties_ge3": site["ties_ge3"],
            "supported_ties_ge1": supported["ties_ge1"],
            "nuisance_per_year": site["nuisance_per_year"],
            "sense_of_home": site["sense_of_home"],
            "supported_recovery": supported["recovery"],
            "referred_peak": extra["referred_peak"],
            "referred_final": site["referred"],
            "cost_eur": site["cost_eur"],
        },
        index=extra.index,
    ).astype(float)
    return table.reset_index().assign(group="all")


# ------------------------------------------------------------------------------------------
# the table
# ------------------------------------------------------------------------------------------
def _num(x: float, decimals: int, signed: bool = False) -> str:
    """Fixed decimals; `z` keeps a rounded-away tiny value from printing as -0.000."""
    return format(x, f"{'+' if signed else ''}z.{decimals}f")


def _with_interval(mean: float, low: float, high: float, decimals: int, signed: bool) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):  # one seed: no interval
        return _num(mean, decimals, signed)
    return (
        f"{_num(mean, decimals, signed)} [{_num(low, decimals, signed)}, "
        f"{_num(high, decimals, signed)}]"
    )


def _cost(euros: float) -> str:
    return "€0" if euros == 0 else f"€{euros / 1000:,.0f}k"


def render_table(outcomes: pd.DataFrame, scenarios: list[str], years: float) -> str:
    """Markdown table: the reference's levels, then each scenario's paired differences
    from the reference (95% t-intervals over seeds); referred and cost are levels. `years`
    (the runs' length) names the cost column, so a short check run cannot pass for the
    doc's 10 years."""
    headers = (
        "scenario",
        *(c.header for c in DIFF_COLUMNS),
        "referred, peak (final)",
        f"cost over {years:g} y",
    )
    levels = summarise(outcomes).set_index(["scenario", "outcome"])
    effects = paired_differences(outcomes, REFERENCE).set_index(["scenario", "outcome"])

    def referred(sc: str, with_interval: bool) -> str:
        peak = levels.loc[(sc, "referred_peak")]
        final = _num(levels.loc[(sc, "referred_final"), "mean"], 3)
        shown = (
            _with_interval(peak["mean"], peak["ci_low"], peak["ci_high"], 3, False)
            if with_interval
            else _num(peak["mean"], 3)
        )
        return f"{shown} ({final})"

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    ref_cells = [
        _num(levels.loc[(REFERENCE, c.outcome), "mean"], c.level_decimals) for c in DIFF_COLUMNS
    ]
    ref_cells += [
        referred(REFERENCE, with_interval=False),
        _cost(levels.loc[(REFERENCE, "cost_eur"), "mean"]),
    ]
    lines.append(f"| {REFERENCE} (level) | " + " | ".join(ref_cells) + " |")
    for sc in scenarios:
        if sc == REFERENCE:
            continue
        cells = []
        for c in DIFF_COLUMNS:
            if (sc, c.outcome) not in effects.index:  # no seed with a value (e.g. NaN)
                cells.append("—")
                continue
            e = effects.loc[(sc, c.outcome)]
            cells.append(
                _with_interval(e["effect"], e["ci_low"], e["ci_high"], c.diff_decimals, signed=True)
            )
        cells += [referred(sc, with_interval=True), _cost(levels.loc[(sc, "cost_eur"), "mean"])]
        lines.append(f"| {sc} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def effects_table(out_dir: Path, scenarios: list[str] | None = None) -> str:
    """The Markdown table for the runs in `out_dir` (see `find_runs` for what it checks)."""
    runs = find_runs(out_dir, scenarios)
    return render_table(run_outcomes(runs), list(runs), run_years(runs))


def run_years(runs: dict[str, list[Path]]) -> float:
    """The simulated years of the runs (`find_runs` checked they are all the same)."""
    return float(_manifest(runs[REFERENCE][0])["years"])


def describe_runs(runs: dict[str, list[Path]]) -> str:
    """One line on what the table was made from, to check against the doc's heading."""
    manifests = [_manifest(run) for seeds in runs.values() for run in seeds]
    seeds = _seed_list(runs[REFERENCE])
    revisions = sorted({str(m.get("git")) for m in manifests})
    return (
        f"{len(runs)} scenarios × {len(runs[REFERENCE])} seeds ({seeds}) × "
        f"{manifests[0]['years']:g} years; model git revision(s): {', '.join(revisions)}"
    )


# ------------------------------------------------------------------------------------------
# updating the doc
# ------------------------------------------------------------------------------------------
def replace_between_markers(text: str, table: str, where: str = "the file") -> str:
    """`text` with everything between the effects markers replaced by `table`."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise TableError(
            f"{where} needs exactly one {START} line followed by one {END} line "
            "around the effects table"
        )
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}{END}{tail}"


def update_file(path: Path, table: str) -> None:
    """Replace the table in `path` atomically (temp file + os.replace), keeping its mode."""
    if not path.is_file():
        raise TableError(f"{path} not found")
    mode = path.stat().st_mode
    atomic_write_text(
        path, replace_between_markers(path.read_text(encoding="utf-8"), table, str(path))
    )
    os.chmod(path, mode & 0o7777)  # the temp file was created private (0600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Print the effects table of docs/INTERVENTIONS.md from the runs that "
        "`goedeburen compare` wrote into OUT_DIR."
    )
    parser.add_argument(
        "out_dir", type=Path, metavar="OUT_DIR", help="the --out folder of `goedeburen compare`"
    )
    parser.add_argument(
        "--update",
        type=Path,
        metavar="MARKDOWN",
        help=f"also replace the table between {START} and {END} in this file",
    )
    parser.add_argument(
        "--scenarios",
        nargs="+",
        metavar="NAME",
        help="rows and their order (default: every scenario in OUT_DIR, in "
        "the doc's order); problem_flat always comes first",
    )
    args = parser.parse_args(argv)
    try:
        runs = find_runs(args.out_dir, args.scenarios)
        table = render_table(run_outcomes(runs), list(runs), run_years(runs))
        print(describe_runs(runs), file=sys.stderr)
        sys.stdout.write(table)
        if args.update is not None:
            update_file(args.update, table)
            print(f"updated the effects table in {args.update}", file=sys.stderr)
    except TableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
