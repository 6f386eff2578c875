"""The Python API: run a scenario, compare scenarios, load results as one long table.

`sim.run`, `sim.compare` and `sim.load_results` are these functions (see docs/python.md).
They use what the command line uses (load_scenario, run_model, write_result, the
comparison runner), so a notebook and `goedeburen run` give the same numbers.
"""

from __future__ import annotations

import json
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

    from sim.run import RunResult
    from sim.scenario import Scenario

TABLES = ("timeseries", "households", "ties", "interventions", "snapshots", "finals")


class ScenarioWarning(UserWarning):
    """Valid but probably not meant (an intervention starting after the run ends, ...)."""


def _scenario(scenario: str | Path | Scenario) -> Scenario:
    from sim.scenario import Scenario, load_scenario

    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def run(
    scenario: str | Path | Scenario = "baseline",
    *,
    seed: int | None = None,
    years: float | None = None,
    out: str | Path | None = None,
    overwrite: bool = False,
    csv: bool = False,
    **sections: dict[str, Any],
) -> RunResult:
    """Simulate one scenario (a shipped name, a file or a Scenario) and return its tables.

    `sections` override parts of the scenario, e.g. `population={"supported_share": 0.3}`.
    With `out`, the run is also written there as `goedeburen run --out` writes it (an
    earlier run in that folder is replaced only with `overwrite=True`)."""
    from sim.io import check_out_dir
    from sim.run import run_model, write_result

    sc = _scenario(scenario)
    runs = {k: v for k, v in (("seed", seed), ("years", years)) if v is not None}
    if runs:
        sections = {**sections, "run": {**sections.get("run", {}), **runs}}
    if sections:
        sc = sc.with_overrides(**sections)
    for w in sc.warnings():
        warnings.warn(w, ScenarioWarning, stacklevel=2)
    if out is not None:
        check_out_dir(Path(out), overwrite)
    result = run_model(sc)
    if out is not None:
        write_result(result, Path(out), csv=csv)
    return result


@dataclass
class Comparison:
    """What `compare` wrote, as tables: one row per scenario x seed x group (finals), mean
    and 95% interval per scenario and outcome (summary), and the paired differences against
    the reference scenario (effects)."""

    finals: pd.DataFrame
    summary: pd.DataFrame
    effects: pd.DataFrame
    report: Path
    out: Path


def compare(
    *scenarios: str | Path | Scenario,
    seeds: int = 5,
    years: float | None = None,
    out: str | Path = "results/comparison",
    workers: int = 2,
    reference: str | None = None,
) -> Comparison:
    """Run scenarios over the same seeds (1..seeds) and compare them with the first one
    (or `reference`, a scenario name), paired by seed; resumes what is already in `out`."""
    import pandas as pd

    from sim.compare import compare_scenarios

    if not scenarios:
        raise ValueError("compare needs at least one scenario (names, files or Scenarios)")
    if seeds < 1 or workers < 1:
        raise ValueError(f"seeds and workers must be at least 1 (got {seeds}, {workers})")
    scs = [_scenario(s) for s in scenarios]
    names = [sc.name for sc in scs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(
            f"two scenarios are named {', '.join(map(repr, twice))}: their runs "
            "would be mixed; give each a name of its own"
        )
    ref = reference or names[0]
    if ref not in names:
        raise ValueError(
            f"reference {ref!r} is not among the compared scenarios ({', '.join(names)})"
        )
    scs.sort(key=lambda sc: sc.name != ref)
    out = Path(out)
    report = compare_scenarios(scs, seeds=seeds, years=years, out=out, workers=workers)
    read = {
        k: pd.read_csv(out / f"{k}.csv")
        if (out / f"{k}.csv").stat().st_size > 1
        else pd.DataFrame()
        for k in ("finals", "summary", "effects")
    }
    return Comparison(read["finals"], read["summary"], read["effects"], Path(report), out)


def load_results(
    path: str | Path = "results",
    table: str = "timeseries",
    params: Literal["varying", "all", "none"] | list[str] = "varying",
) -> pd.DataFrame:
    """One long DataFrame of every run found at `path` (a run folder, or any folder holding
    run folders: results/, results/comparison/, ...): `scenario` and `seed` columns, then
    the scenario parameters as `section.key` columns (by default those that differ between
    the runs found; "all", "none" or a list of names), then the table's own columns.

    `table`: timeseries, households, ties, interventions, snapshots, or finals (the last
    row of the whole site's time series per run and group)."""
    import pandas as pd

    if table not in TABLES:
        raise ValueError(f"table must be one of {', '.join(TABLES)}, got {table!r}")
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"{root}: no such folder")
    folders = (
        [root]
        if (root / "manifest.json").is_file()
        else sorted(p.parent for p in root.rglob("manifest.json") if not _hidden(p, root))
    )
    if not folders:
        raise FileNotFoundError(
            f"{root}: no runs here (a run folder holds manifest.json; `goedeburen run` writes one)"
        )
    frames, settings = [], []
    for folder in folders:
        manifest = json.loads((folder / "manifest.json").read_text())
        df = _read_table(folder, table)
        for pos, col in enumerate(("scenario", "seed")):
            if col not in df.columns:
                df.insert(pos, col, manifest[col])
        frames.append(df)
        settings.append(_flat(tomllib.loads((folder / "scenario.toml").read_text())))
    keys = _param_columns(settings, params)
    for df, flat in zip(frames, settings):
        for j, k in enumerate(keys):
            df.insert(2 + j, k, flat.get(k))
    return pd.concat(frames, ignore_index=True)


def _hidden(manifest: Path, root: Path) -> bool:
    """Runs being written or set aside live in hidden folders (sim/io.py): not results."""
    return any(part.startswith(".") for part in manifest.relative_to(root).parts[:-1])


def _read_table(folder: Path, table: str) -> pd.DataFrame:
    import pandas as pd

    if table == "finals":
        ts = pd.read_parquet(folder / "timeseries.parquet")
        ts = ts[ts["building"] == "all"]
        return ts[ts["day"] == ts["day"].max()].reset_index(drop=True)
    p = folder / f"{table}.parquet"
    return pd.read_parquet(p) if p.exists() else pd.DataFrame()


def _flat(data: dict, prefix: str = "") -> dict[str, Any]:
    """Scalar scenario values by dotted key ("population.supported_share"); tables of
    values (e.g. encounters.notice) included, lists and interventions left out."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flat(v, f"{key}."))
        elif not isinstance(v, list) and k not in ("name", "description"):
            out[key] = v
    return out


def _param_columns(settings: list[dict[str, Any]], params: Any) -> list[str]:
    if params == "none":
        return []
    every = [k for k in dict.fromkeys(k for s in settings for k in s) if k != "run.seed"]
    if params == "all":
        return every
    if params == "varying":
        return [k for k in every if len({repr(s.get(k)) for s in settings}) > 1]
    unknown = [k for k in params if k not in every]
    if unknown:
        raise ValueError(f"unknown parameter column(s) {unknown} (e.g. {every[:3]})")
    return list(params)
