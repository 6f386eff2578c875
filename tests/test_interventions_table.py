"""scripts/interventions_table.py: the effects table in docs/INTERVENTIONS.md is computed from
`goedeburen compare` output, its paired differences are the per-seed differences one gets
from the parquet files directly, and --update touches only the text between the markers."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (1, 2, 3)


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "interventions_table", ROOT / "scripts" / "interventions_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


tbl = _load_script()


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("effects")
    res = CliRunner().invoke(
        app,
        [
            "compare",
            "problem_flat",
            "welcome",
            "--seeds",
            str(len(SEEDS)),
            "--years",
            "0.3",
            "--out",
            str(out),
            "--workers",
            "1",
        ],
    )
    assert res.exit_code == 0, res.output
    return out


def _rows(table: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in table.splitlines()]


def _site_final(out: Path, scenario: str, seed: int, group: str, column: str) -> float:
    ts = pd.read_parquet(out / "runs" / scenario / str(seed) / "timeseries.parquet")
    sel = ts[(ts["building"] == "all") & (ts["group"] == group)].sort_values("day")
    return float(sel[column].iloc[-1])


def _nuisance_per_year(out: Path, scenario: str, seed: int) -> float:
    ts = pd.read_parquet(out / "runs" / scenario / str(seed) / "timeseries.parquet")
    sel = ts[(ts["building"] == "all") & (ts["group"] == "all")].sort_values("day")
    return float(sel["nuisance_episodes"].sum() / sel["year"].iloc[-1])


def test_table_has_the_doc_columns_and_rows(compared, capsys):
    assert tbl.main([str(compared)]) == 0
    rows = _rows(capsys.readouterr().out)
    assert rows[0] == [
        "scenario",
        "ties/household",
        "share ≥3 ties",
        "supported with ≥1 tie",
        "nuisance/yr",
        "sense of home",
        "recovery (supported)",
        "referred, peak (final)",
        "cost over 0.3 y",
    ]
    assert set(rows[1]) == {"---"} and len(rows[1]) == 9
    assert [r[0] for r in rows[2:]] == ["problem_flat (level)", "welcome"]
    assert all(len(r) == 9 for r in rows)
    level, welcome = rows[2], rows[3]
    assert level[8] == "€0" and level[7] == "0.000 (0.000)"  # no programme in problem_flat
    assert welcome[8].startswith("€") and welcome[8].endswith("k")
    for cell in welcome[1:7]:  # "+0.13 [+0.03, +0.24]"
        assert cell[0] in "+-" and "[" in cell


@pytest.mark.parametrize(
    "column,decimals,value",
    [
        (1, 2, lambda out, sc, s: _site_final(out, sc, s, "all", "mean_ties")),
        (3, 3, lambda out, sc, s: _site_final(out, sc, s, "supported", "ties_ge1")),
        (4, 0, _nuisance_per_year),
    ],
)
def test_paired_difference_is_the_mean_of_per_seed_differences(compared, column, decimals, value):
    diffs = np.array(
        [value(compared, "welcome", s) - value(compared, "problem_flat", s) for s in SEEDS]
    )
    half = stats.t.ppf(0.975, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
    cell = _rows(tbl.effects_table(compared))[3][column]
    fmt = f"+z.{decimals}f"
    expected = f"{diffs.mean():{fmt}} [{diffs.mean() - half:{fmt}}, {diffs.mean() + half:{fmt}}]"
    assert cell == expected


def test_update_only_replaces_the_text_between_markers(compared, tmp_path):
    before = "# Doc\n\nIntro | with a pipe.\n\n"
    after = "\nReading the table: nuisance −65.\n\n## Unit costs\n| a | b |\n"
    doc = tmp_path / "doc.md"
    doc.write_text(f"{before}{tbl.START}\n| old | table |\n|---|---|\n{tbl.END}{after}")
    assert tbl.main([str(compared), "--update", str(doc)]) == 0
    table = tbl.effects_table(compared)
    assert doc.read_text() == f"{before}{tbl.START}\n{table}{tbl.END}{after}"
    assert tbl.main([str(compared), "--update", str(doc)]) == 0  # idempotent
    assert doc.read_text() == f"{before}{tbl.START}\n{table}{tbl.END}{after}"
    assert not [p for p in tmp_path.iterdir() if p.name != "doc.md"]  # no temp file left


def test_update_without_markers_is_an_error_and_leaves_the_file(compared, tmp_path, capsys):
    doc = tmp_path / "doc.md"
    doc.write_text("# Doc\n| no | markers |\n")
    assert tbl.main([str(compared), "--update", str(doc)]) == 2
    assert "effects:start" in capsys.readouterr().err
    assert doc.read_text() == "# Doc\n| no | markers |\n"


def test_missing_reference_or_runs_names_the_folder(compared, tmp_path, capsys):
    assert tbl.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path) in err and "runs/" in err

    shutil.copytree(compared / "runs" / "welcome", tmp_path / "runs" / "welcome")
    assert tbl.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "runs" / "problem_flat") in err

    shutil.copytree(compared / "runs" / "problem_flat", tmp_path / "runs" / "problem_flat")
    (tmp_path / "runs" / "welcome" / "2" / "manifest.json").unlink()  # an unfinished run
    assert tbl.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "runs" / "welcome" / "2" / "manifest.json") in err


def test_scenarios_with_different_seeds_are_an_error(compared, tmp_path, capsys):
    shutil.copytree(compared / "runs", tmp_path / "runs")
    shutil.rmtree(tmp_path / "runs" / "welcome" / "3")
    assert tbl.main([str(tmp_path)]) == 2
    assert "same seeds" in capsys.readouterr().err
