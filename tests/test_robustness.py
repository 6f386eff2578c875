"""Bad input never crashes, hangs, eats memory, writes outside the chosen folder or leaves a
half-written run: the corpus of malformed files in tests/data/bad/, files git cannot hold
(FIFOs, devices, huge files), hostile names and output folders."""

from __future__ import annotations

import ast
import json
import os
import threading
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import ScenarioError, load_scenario

HERE = Path(__file__).resolve().parent
BAD = HERE / "data" / "bad"
EXPECTED = tomllib.loads((HERE / "data" / "bad_expected.toml").read_text())
runner = CliRunner()


def _clean_exit(res, code: int = 2) -> None:
    """Exit code `code`, a message, no traceback."""
    assert res.exit_code == code, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output


def test_corpus_is_complete():
    """At least 80 cases; every case file has an expected error and every expectation a file."""
    files = {p.name for p in BAD.iterdir() if not p.name.startswith("_")}
    assert files == set(EXPECTED), files ^ set(EXPECTED)
    assert len(EXPECTED) >= 80
    assert all(frags for frags in EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gives_a_clear_error(name):
    """load_scenario raises ScenarioError naming the file (or the parent that holds the bad
    value) with each expected fragment; `goedeburen validate` exits 2 without a traceback."""
    path = BAD / name
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    msg = str(exc.value)
    assert str(path) in msg or "extended by" in msg, msg
    for fragment in EXPECTED[name]:
        assert fragment in msg, f"{name}: {fragment!r} not in {msg!r}"
    assert len(msg) < 3000, "an error is a paragraph, not a dump"
    res = runner.invoke(app, ["validate", str(path)])
    _clean_exit(res)
    assert "invalid" in res.output


def _in_time(fn, seconds: float = 10.0):
    """Run fn in a thread; fail (instead of hanging the suite) if it does not return."""
    out: dict = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as exc:
            out["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds} s"
    if "error" in out:
        raise out["error"]
    return out.get("value")


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "dev_stdin", "folder", "symlink_zero"])
def test_special_files_are_refused_without_reading(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "pipe.toml"
        os.mkfifo(path)
    elif kind == "dev_zero":
        path = Path("/dev/zero")
    elif kind == "dev_stdin":
        path = Path("/dev/stdin")
    elif kind == "folder":
        path = tmp_path / "folder.toml"
        path.mkdir()
    else:
        path = tmp_path / "zero.toml"
        path.symlink_to("/dev/zero")
    with pytest.raises(ScenarioError, match="not a regular file|is a folder"):
        _in_time(lambda: load_scenario(path))


def test_extends_of_a_device_is_refused_even_when_allowed(tmp_path):
    """--allow-outside-extends lets extends leave the folder, but never read a device."""
    p = tmp_path / "s.toml"
    p.write_text('extends = "/dev/zero"\n')
    with pytest.raises(ScenarioError, match="outside the scenario's folder"):
        load_scenario(p)
    with pytest.raises(ScenarioError, match="not a regular file"):
        _in_time(lambda: load_scenario(p, allow_outside=True))
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    (elsewhere / "parent.toml").write_text("[population]\nsupported_share = 0.3\n")
    (tmp_path / "sub").mkdir()
    child = tmp_path / "sub" / "c.toml"
    child.write_text('extends = "../other/parent.toml"\n')
    with pytest.raises(ScenarioError, match="--allow-outside-extends"):
        load_scenario(child)
    assert load_scenario(child, allow_outside=True).population.supported_share == 0.3
    res = runner.invoke(app, ["validate", str(child), "--allow-outside-extends"])
    _clean_exit(res, 0)


def test_huge_files_are_refused_fast(tmp_path):
    """A 50 MB description is refused by its size, before it is read or printed."""
    p = tmp_path / "big.toml"
    with open(p, "w") as fh:
        fh.write('description = "')
        fh.write("x" * 50_000_000)
        fh.write('"\n')
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match="50,000,0.. bytes; scenario files are at most"):
        load_scenario(p)
    res = runner.invoke(app, ["run", str(p)])
    _clean_exit(res)
    assert time.perf_counter() - t0 < 5


def test_unusable_paths_on_the_command_line(tmp_path):
    for arg in ["x" * 5000, str(tmp_path / ("y" * 300) / "s.toml"), ""]:
        res = runner.invoke(app, ["validate", arg])
        _clean_exit(res)


def test_extends_names_a_shipped_scenario_from_anywhere(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text(
        'extends = "problem_flat"\nname = "mine"\n[[add_interventions]]\ntype = "welcome"\n'
    )
    sc = load_scenario(p)
    assert sc.population.supported_share == load_scenario("problem_flat").population.supported_share
    assert [iv.type for iv in sc.interventions] == ["welcome"]
    # a file of the same name next to it wins over the shipped one
    (tmp_path / "problem_flat.toml").write_text("[population]\nsupported_share = 0.5\n")
    assert load_scenario(p).population.supported_share == 0.5


def test_replacing_a_parents_interventions_is_said(tmp_path):
    (tmp_path / "p.toml").write_text('[[interventions]]\ntype = "flatcoach"\n')
    (tmp_path / "add.toml").write_text(
        'extends = "p.toml"\n[[add_interventions]]\ntype = "welcome"\n'
    )
    (tmp_path / "replace.toml").write_text(
        'extends = "p.toml"\n[[interventions]]\ntype = "welcome"\n'
    )
    added = load_scenario(tmp_path / "add.toml")
    assert [iv.type for iv in added.interventions] == ["flatcoach", "welcome"]
    assert added.warnings() == []
    replaced = load_scenario(tmp_path / "replace.toml")
    assert [iv.type for iv in replaced.interventions] == ["welcome"]
    (note,) = replaced.warnings()
    assert "replace the 1 inherited" in note and "[[add_interventions]]" in note


def test_start_after_the_run_is_warned(tmp_path):
    p = tmp_path / "late.toml"
    p.write_text('[run]\nyears = 2\n[[interventions]]\ntype = "flatcoach"\nstart_year = 30\n')
    res = runner.invoke(app, ["validate", str(p)])
    _clean_exit(res, 0)
    assert "starts in year 30 but the run lasts 2 years" in " ".join(res.output.split())


def test_user_text_is_printed_as_written(tmp_path):
    """Rich markup in a description is text: the run succeeds and prints it literally."""
    p = tmp_path / "markup.toml"
    p.write_text(
        'name = "markup"\ndescription = "[/bold] closing [red]tags[/] [/]"\n'
        "[run]\nyears = 0.05\nburn_in_years = 0\n"
    )
    res = runner.invoke(app, ["run", str(p), "--out", str(tmp_path / "out")])
    _clean_exit(res, 0)
    assert "[/bold] closing [red]tags[/] [/]" in res.output
    res = runner.invoke(app, ["validate", str(BAD / "name_markup.toml")])
    _clean_exit(res)
    assert "'[/]' is not a usable scenario name" in " ".join(res.output.split())


# --------------------------------------------------------------------------------------
# output folders
# --------------------------------------------------------------------------------------
SHORT = ["--years", "0.05"]


@pytest.fixture()
def quick(tmp_path):
    p = tmp_path / "quick.toml"
    p.write_text('extends = "baseline"\nname = "quick"\n[run]\nburn_in_years = 0\n')
    return p


def test_out_is_checked_before_running(tmp_path, quick, monkeypatch):
    import sim.run

    def never(*a, **k):
        raise AssertionError("simulated although the output folder was unusable")

    monkeypatch.setattr(sim.run, "run_model", never)
    afile = tmp_path / "a_file"
    afile.write_text("x")
    for out, why in (
        (afile, "is a file"),
        (Path("/proc/goedeburen_test/run"), "cannot"),
        (afile / "below", "is a file"),
    ):
        res = runner.invoke(app, ["run", str(quick), *SHORT, "--out", str(out)])
        _clean_exit(res)
        assert why in " ".join(res.output.split())


def test_non_empty_out_needs_overwrite_and_is_replaced_whole(tmp_path, quick):
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(quick), *SHORT, "--out", str(out), "--csv", "true"])
    _clean_exit(res, 0)
    assert (out / "timeseries.csv").exists()
    again = runner.invoke(app, ["run", str(quick), *SHORT, "--out", str(out)])
    _clean_exit(again)
    assert "--overwrite" in again.output
    (out / "stale.parquet").write_text("from another run")
    res = runner.invoke(
        app,
        ["run", str(quick), *SHORT, "--seed", "2", "--out", str(out), "--overwrite", "--csv=false"],
    )
    _clean_exit(res, 0)
    files = {p.name for p in out.iterdir()}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 2 and set(manifest["files"]) == files
    assert "stale.parquet" not in files and "timeseries.csv" not in files
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folders


def test_overwrite_never_clears_a_folder_that_is_not_a_run(tmp_path, quick):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("precious")
    res = runner.invoke(app, ["run", str(quick), *SHORT, "--out", str(mine), "--overwrite"])
    _clean_exit(res)
    assert "not a goedeburen run" in " ".join(res.output.split())
    assert (mine / "chapter1.tex").read_text() == "precious"


def test_a_run_failing_while_written_leaves_the_old_one(tmp_path, quick, monkeypatch):
    """Killed (here: failing) half-way through writing, the folder keeps the earlier run,
    whole, and no temporary folder is left behind."""
    import sim.run

    out = tmp_path / "out"
    _clean_exit(runner.invoke(app, ["run", str(quick), *SHORT, "--out", str(out)]), 0)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def disk_full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sim.run, "atomic_write_text", disk_full)
    res = runner.invoke(
        app, ["run", str(quick), *SHORT, "--seed", "9", "--out", str(out), "--overwrite"]
    )
    _clean_exit(res)
    assert "No space left on device" in res.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_tables_name_their_run(tmp_path, quick):
    out = tmp_path / "out"
    _clean_exit(
        runner.invoke(app, ["run", str(quick), *SHORT, "--seed", "3", "--out", str(out)]), 0
    )
    for name in ("timeseries", "households", "ties"):
        df = pd.read_parquet(out / f"{name}.parquet")
        assert list(df.columns[:2]) == ["scenario", "seed"]
        assert set(df["scenario"]) <= {"quick"} and set(df["seed"]) <= {3}


def test_too_large_for_this_machine_is_refused_before_building(tmp_path, monkeypatch):
    import sim.scenario_checks as checks

    monkeypatch.setattr(checks, "available_memory_mb", lambda: 2048.0)
    p = tmp_path / "district.toml"
    blds = ", ".join(["{ floors = 40, dwellings_per_floor = 60 }"] * 200)
    p.write_text(f'name = "district"\n[site]\nbuildings = [{blds}]\n')
    est = checks.estimate(load_scenario(p))
    assert est.dwellings == 480_000 and not est.fits and est.max_dwellings() < 480_000
    t0 = time.perf_counter()
    res = runner.invoke(app, ["run", str(p), "--out", str(tmp_path / "out")])
    _clean_exit(res)
    text = " ".join(res.output.split())
    assert "480,000 dwellings" in text and "does not fit" in text and "at most about" in text
    assert time.perf_counter() - t0 < 10
    assert not (tmp_path / "out").exists()


def test_estimate_matches_the_benchmarks():
    """The estimate reproduces the measured district (97,090 households: 1,018 MB peak,
    336 + 34 s on 2 cores) within a factor of 1.5."""
    from sim.scenario_checks import estimate

    sc = load_scenario("baseline").with_overrides(
        site={
            "buildings": [{"layout": "gallery_flat", "floors": 10, "dwellings_per_floor": 14}] * 700
        }
    )
    est = estimate(sc, cores=2)
    assert est.dwellings == 98_000
    assert 1018 / 1.5 < est.memory_mb < 1018 * 1.5
    assert 370 / 1.5 < est.seconds < 370 * 1.5


# --------------------------------------------------------------------------------------
# the last line of defence, and files as data only
# --------------------------------------------------------------------------------------
def test_unexpected_errors_are_one_line_unless_debug(monkeypatch, capsys):
    from sim import cli

    def boom(*a, **k):
        raise RuntimeError("something unforeseen")

    monkeypatch.setattr(cli, "load_scenario", boom)
    monkeypatch.setattr("sys.argv", ["goedeburen", "validate", "baseline"])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "RuntimeError: something unforeseen" in err and "--debug" in err
    assert "Traceback" not in err
    monkeypatch.setattr("sys.argv", ["goedeburen", "--debug", "validate", "baseline"])
    with pytest.raises(RuntimeError, match="something unforeseen"):
        cli.main()


def test_files_are_parsed_as_data_only():
    """No eval/exec/pickle/marshal/shelve anywhere in sim/: scenario, experiment and result
    files are TOML, JSON, Parquet and CSV, read as data."""
    found = []
    for path in (HERE.parent / "sim").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("eval", "exec"):
                found.append(f"{path.name}:{node.lineno} {node.func.id}")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                bad = [
                    n
                    for n in names
                    if n.split(".")[0] in ("pickle", "marshal", "shelve", "dill", "cloudpickle")
                ]
                found += [f"{path.name}:{node.lineno} import {n}" for n in bad]
    assert not found, found


def test_leftovers_of_a_killed_write_are_cleared(tmp_path):
    """A run killed while its folder was written leaves a hidden .tmp folder; the next
    write of the same target removes it once it is old (never a fresh one: that may be a
    write in progress)."""
    from sim.io import new_run_dir

    target = tmp_path / "runs" / "baseline" / "1"
    old = new_run_dir(target)
    fresh = new_run_dir(target)
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    third = new_run_dir(target)
    assert not old.exists() and fresh.exists() and third.exists()
    assert {p.suffix for p in target.parent.iterdir()} == {".tmp"}
