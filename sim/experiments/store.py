"""Where a sweep's runs live: one record per run, keyed by what determines its numbers.

A run's key is a hash of its resolved scenario (every default filled in, the seed and the
horizon included; not its name), and of the model code. Each finished run is two files in
`runs/`, written atomically (a temp file, then os.replace) with the record last, so a sweep
stopped at any moment resumes with the same command and redoes only what did not finish;
a finished sweep re-run does no work. `consolidate` then writes the tidy tables next to the
experiment file, the package version and the git revision; `load` reads them back.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.fingerprint import PACKAGE
from sim.io import atomic_write_frame, atomic_write_json, atomic_write_text, git_revision

# Code that does not change a run's numbers: editing the report or the command line must not
# make a finished sweep run again (sim.fingerprint.source_digest covers the whole package).
_NOT_MODEL_DIRS = ("experiments/", "report/", "app/")
_NOT_MODEL_FILES = ("cli.py", "compare.py")


@functools.cache
def model_code_fingerprint() -> str:
    """16 hex digits over the sim package's .py files that can change a run's results."""
    digest = hashlib.sha1()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(_NOT_MODEL_DIRS) or rel in _NOT_MODEL_FILES:
            continue
        digest.update(rel.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def run_key(scenario_json: str, fingerprint: str, where: str = "") -> str:
    """The key of a run: its resolved scenario (without name and description) and code;
    `where`: the folder a run also writes its full tables to (`compare`), if any."""
    data = json.loads(scenario_json)
    for k in ("name", "description", "extends"):
        data.pop(k, None)
    text = json.dumps(data, sort_keys=True) + "\0" + fingerprint + "\0" + where
    return hashlib.sha1(text.encode()).hexdigest()[:20]


class Store:
    """The runs/ folder of one experiment's results."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.runs = self.root / "runs"
        self.runs.mkdir(parents=True, exist_ok=True)
        for tmp in self.runs.glob(".*.tmp"):  # left by a process killed mid-write
            tmp.unlink(missing_ok=True)

    def record(self, key: str) -> dict | None:
        path = self.runs / f"{key}.json"
        try:
            return json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def finished(self, key: str) -> bool:
        rec = self.record(key)
        return (
            rec is not None
            and rec.get("status") == "ok"
            and (self.runs / f"{key}.parquet").exists()
        )

    def write_run(
        self, key: str, timeseries: pd.DataFrame, interventions: pd.DataFrame, info: dict[str, Any]
    ) -> None:
        atomic_write_frame(self.runs / f"{key}.parquet", timeseries)
        if len(interventions):
            atomic_write_frame(self.runs / f"{key}.interventions.parquet", interventions)
        atomic_write_json(self.runs / f"{key}.json", {**info, "key": key, "status": "ok"})

    def write_failure(self, key: str, info: dict[str, Any], error: str, attempts: int) -> None:
        atomic_write_json(
            self.runs / f"{key}.json",
            {**info, "key": key, "status": "failed", "error": error, "attempts": attempts},
        )

    def timeseries(self, key: str) -> pd.DataFrame:
        return pd.read_parquet(self.runs / f"{key}.parquet")

    def interventions(self, key: str) -> pd.DataFrame | None:
        path = self.runs / f"{key}.interventions.parquet"
        return pd.read_parquet(path) if path.exists() else None


def consolidate(
    store: Store,
    plan: pd.DataFrame,
    experiment_text: str,
    source: str,
    names: list[str],
    groups: list[str],
    windows: dict[str, tuple[float, float]],
    extra_meta: dict | None = None,
) -> Path:
    """Write runs.parquet (the experiments table: one row per arm x point x seed, with its
    factor values, status and error), outcomes.parquet (tidy: run x window x group x
    outcome), timeseries.parquet (weekly, whole site, per run and group) and
    interventions.parquet, plus experiment.toml and meta.json."""
    from sim import __version__
    from sim.experiments.readings import read_run

    # households too: a share times them is a count (the report's cost per extra household)
    names = list(names) + ([] if "households" in names else ["households"])
    rows, outs, series, ivs = [], [], [], []
    by_key: dict[str, tuple] = {}
    for _, p in plan.iterrows():
        rec = store.record(p["key"]) or {"status": "missing"}
        row = p.to_dict()
        row.update(
            {
                "status": rec.get("status"),
                "error": rec.get("error"),
                "seconds": rec.get("seconds"),
                "attempts": rec.get("attempts", 1),
            }
        )
        rows.append(row)
        if rec.get("status") != "ok":
            continue
        if p["key"] not in by_key:
            ts = store.timeseries(p["key"])
            ts = ts[ts["building"] == "all"].drop(columns="building")
            by_key[p["key"]] = (
                ts,
                read_run(ts.assign(building="all"), names, groups, windows),
                store.interventions(p["key"]),
            )
        ts, reading, iv = by_key[p["key"]]
        ident = {
            "run": int(p["run"]),
            "arm": p["arm"],
            "point": int(p["point"]),
            "seed": int(p["seed"]),
        }
        outs.append(reading.assign(**ident))
        series.append(ts.assign(**ident))
        if iv is not None:
            ivs.append(iv.assign(**ident))
    runs = pd.DataFrame(rows)
    ident_cols = ["run", "arm", "point", "seed"]

    def first(df: pd.DataFrame) -> pd.DataFrame:
        return df[ident_cols + [c for c in df.columns if c not in ident_cols]]

    atomic_write_frame(store.root / "runs.parquet", runs)
    if outs:
        atomic_write_frame(store.root / "outcomes.parquet", first(pd.concat(outs)))
        atomic_write_frame(store.root / "timeseries.parquet", first(pd.concat(series)))
    if ivs:
        atomic_write_frame(store.root / "interventions.parquet", first(pd.concat(ivs)))
    atomic_write_text(store.root / "experiment.toml", experiment_text)
    status = runs["status"].value_counts().to_dict()
    atomic_write_json(
        store.root / "meta.json",
        {
            "source": source,
            "goedeburen": __version__,
            "git": git_revision(),
            "model": model_code_fingerprint(),
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "runs": len(runs),
            "status": status,
            "windows": windows,
            **(extra_meta or {}),
        },
    )
    return store.root


@dataclass
class Results:
    """A sweep's tables, as `load` returns them."""

    runs: pd.DataFrame  # one row per run: arm, point, seed, factor values, status, error
    outcomes: pd.DataFrame  # tidy: run, arm, point, seed, window, group, outcome, value
    timeseries: pd.DataFrame  # weekly: run, arm, point, seed, day, year, group, outcomes...
    interventions: pd.DataFrame  # per run and intervention: activities, hours, cost items
    meta: dict
    experiment_text: str
    root: Path


def load(path: str | Path) -> Results:
    """Read a sweep's results folder (results/<experiment>/) into DataFrames."""
    root = Path(path)
    if not (root / "runs.parquet").exists():
        raise FileNotFoundError(
            f"{root}: no runs.parquet here: not a sweep's results folder "
            "(run `goedeburen sweep <experiment.toml>` first)"
        )

    def read(name: str) -> pd.DataFrame:
        p = root / f"{name}.parquet"
        return pd.read_parquet(p) if p.exists() else pd.DataFrame()

    meta = json.loads((root / "meta.json").read_text()) if (root / "meta.json").exists() else {}
    text = (root / "experiment.toml").read_text() if (root / "experiment.toml").exists() else ""
    return Results(
        read("runs"), read("outcomes"), read("timeseries"), read("interventions"), meta, text, root
    )
