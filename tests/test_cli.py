"""The command line as a user meets it: files written, clear errors, resumable comparisons."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import load_scenario

runner = CliRunner()


def test_run_writes_all_outputs(tmp_path):
    out = tmp_path / "r"
    res = runner.invoke(
        app, ["run", "baseline", "--years", "0.3", "--seed", "4", "--out", str(out), "--csv"]
    )
    assert res.exit_code == 0, res.output
    for name in ("timeseries", "households", "ties"):
        assert (out / f"{name}.parquet").exists() and (out / f"{name}.csv").exists()
    text = " ".join(res.output.split())
    assert "At the end of the run" in text and "sense of home (0–1)" in text
    assert "with ≥1 neighbour tie" in text and "per household" in text
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4 and manifest["scenario"] == "baseline"
    hh = pd.read_parquet(out / "households.parquet")
    assert {"building", "floor", "position", "circulation", "route_out"} <= set(hh.columns)
    ties = pd.read_parquet(out / "ties.parquet")
    assert {
        "from_household",
        "to_household",
        "positive",
        "negative",
        "n_greet",
        "n_talk",
        "n_help",
        "n_nuisance",
    } <= set(ties.columns)
    resolved = (out / "scenario.toml").read_text()
    assert "[contact]" in resolved and "seed = 4" in resolved


def test_run_unknown_scenario_is_a_clear_error():
    res = runner.invoke(app, ["run", "no_such_flat"])
    assert res.exit_code == 2
    assert "no_such_flat" in res.output and "baseline" in res.output


def test_validate_reports_bad_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[contact]\nnegative_weight = 0.5\n")
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert "contact.negative_weight" in res.output
    ok = runner.invoke(app, ["validate", "baseline"])
    assert ok.exit_code == 0


def test_scenarios_lists_shipped_files():
    res = runner.invoke(app, ["scenarios"])
    assert res.exit_code == 0
    assert "baseline" in res.output and "problem_flat" in res.output


def test_params_markdown_table():
    res = runner.invoke(app, ["params", "--markdown"])
    assert res.exit_code == 0
    assert "`contact.negative_weight`" in res.output and "Barlow" in res.output
    assert "`costs.professional_hour`" in res.output
    assert "`interventions.flatcoach.hours_per_week`" in res.output


def test_params_filter_shows_full_names_and_meaning_at_any_width():
    """`params contact.` lists only that section; names are never cut, even 40 columns
    wide; every parameter (core, costs, each intervention's own) is listed."""
    from sim.scenario import parameter_table

    narrow = CliRunner(env={"COLUMNS": "40"})
    res = narrow.invoke(app, ["params", "interventions.social_renovation"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    names = [ln.split(" = ")[0].strip() for ln in lines if " = " in ln]
    assert "interventions.social_renovation.distrust_weight" in names
    assert all(n.startswith("interventions.social_renovation.") for n in names)
    assert "drop in opening at zero trust" in " ".join(res.output.split())
    every = runner.invoke(app, ["params"]).output
    for r in parameter_table():
        assert f"{r['section']}.{r['name']} = " in every
    res = runner.invoke(app, ["params", "no_such_thing"])
    assert res.exit_code == 2 and "no parameter matches" in res.output


def test_on_off_options_take_values(tmp_path):
    """`--csv` as its help shows it: alone, with true/false, or with =."""
    for args, csv in (
        (["--csv"], True),
        (["--csv", "true"], True),
        (["--csv=yes"], True),
        (["--csv", "false"], False),
        ([], False),
    ):
        out = tmp_path / f"r{len(list(tmp_path.iterdir()))}"
        res = runner.invoke(app, ["run", "baseline", "--years", "0.02", *args, "--out", str(out)])
        assert res.exit_code == 0, res.output
        assert (out / "timeseries.csv").exists() == csv, args
    res = runner.invoke(app, ["run", "baseline", "--csv", "maybe", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and not (tmp_path / "x").exists()


def test_version():
    import sim

    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"goedeburen {sim.__version__}"


def test_scenario_costs_set_what_interventions_spend():
    """A [costs] table changes what an intervention costs, nothing else."""
    from sim.run import run_model
    from sim.scenario import load_scenario

    sc = load_scenario("baseline").with_overrides(
        run={"years": 0.2, "burn_in_years": 0.0}, interventions=[{"type": "flatcoach"}]
    )
    a = run_model(sc)
    b = run_model(sc.with_overrides(costs={"professional_hour": 150.0}))
    ha, hb = a.interventions.iloc[0], b.interventions.iloc[0]
    assert hb["cost_hours_eur"] == pytest.approx(2 * ha["cost_hours_eur"])
    assert ha["hours"] == hb["hours"] and hb["cost_eur"] > ha["cost_eur"]
    pd.testing.assert_frame_equal(
        a.timeseries.drop(columns=["cost_eur"]), b.timeseries.drop(columns=["cost_eur"])
    )


def test_compare_writes_report_and_resumes(tmp_path):
    out = tmp_path / "cmp"
    args = [
        "compare",
        "baseline",
        "problem_flat",
        "--seeds",
        "2",
        "--years",
        "0.3",
        "--out",
        str(out),
        "--workers",
        "1",
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    report = (out / "report.md").read_text()
    for name in ("baseline", "problem_flat"):  # named, or shown by its description
        sc = load_scenario(name)
        assert name in report or sc.description.strip().splitlines()[0][:40] in report
    assert (out / "trajectories.png").stat().st_size > 10_000
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["scenario"]) == {"baseline", "problem_flat"}
    # a second call finds every run on disk and does not redo them
    stamp = (out / "runs" / "baseline" / "1" / "manifest.json").stat().st_mtime_ns
    res2 = runner.invoke(app, args)
    assert res2.exit_code == 0
    assert (out / "runs" / "baseline" / "1" / "manifest.json").stat().st_mtime_ns == stamp
    # ...but never reuses a run made by other model code or with another horizon
    manifest = out / "runs" / "problem_flat" / "2" / "manifest.json"
    stale = json.loads(manifest.read_text()) | {"model": "older-model"}
    manifest.write_text(json.dumps(stale))
    res3 = runner.invoke(app, args)
    assert res3.exit_code == 0 and "3 of 4 runs already done" in res3.output
    assert json.loads(manifest.read_text())["model"] != "older-model"
    res4 = runner.invoke(app, [*args[:6], "0.25", *args[7:]])
    assert res4.exit_code == 0 and "already done" not in res4.output


def test_bad_command_line_override_names_the_option():
    res = runner.invoke(app, ["run", "baseline", "--years", "-1"])
    assert res.exit_code == 2
    assert "--years" in res.output and "run.years" in res.output and "greater than 0" in res.output


def test_bad_intervention_parameter_names_entry_and_allowed_keys(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[interventions]]\ntype = "flatcoach"\nhours_per_weak = 3\n'
        '[[interventions]]\ntype = "welcome"\nstart_year = -2\n'
    )
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    out = " ".join(res.output.split())
    assert "interventions[0].hours_per_weak: unknown key" in out and "hours_per_week" in out


def test_written_files_have_ordinary_permissions(tmp_path):
    """Atomic writes go through owner-only temp files; the results must not stay so."""
    import os
    import stat

    from sim.io import atomic_write_frame, atomic_write_text

    atomic_write_text(tmp_path / "a.txt", "x")
    atomic_write_frame(tmp_path / "b.csv", pd.DataFrame({"x": [1]}))
    mask = os.umask(0)
    os.umask(mask)
    for name in ("a.txt", "b.csv"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~mask


def test_run_threads_changes_speed_not_results(tmp_path):
    """`--threads` limits the cores a site of several buildings uses; the tables are the
    same whatever it is."""
    import numba

    before = numba.get_num_threads()
    try:
        for k in (1, 2):
            res = runner.invoke(
                app,
                [
                    "run",
                    "neighbourhood",
                    "--years",
                    "0.1",
                    "--seed",
                    "2",
                    "--threads",
                    str(k),
                    "--out",
                    str(tmp_path / str(k)),
                ],
            )
            assert res.exit_code == 0, res.output
    finally:
        numba.set_num_threads(before)
    for name in ("timeseries", "households", "ties"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "1" / f"{name}.parquet"),
            pd.read_parquet(tmp_path / "2" / f"{name}.parquet"),
        )


def test_compare_options_are_checked_before_any_run(tmp_path):
    """Bad --seeds/--years/--workers, duplicate names: a clear error, nothing run."""
    out = tmp_path / "cmp"
    (tmp_path / "twin.toml").write_text('extends = "baseline"\nname = "baseline"\n')
    for args, why in (
        (["--seeds", "0"], "--seeds"),
        (["--workers", "0"], "--workers"),
        (["--years", "-5"], "greater than 0"),
        (["--years", "0.001"], "shorter than one collection period"),
        ([str(tmp_path / "twin.toml")], "named 'baseline'"),
    ):
        res = runner.invoke(app, ["compare", "baseline", "problem_flat", *args, "--out", str(out)])
        assert res.exit_code == 2, (args, res.output)
        assert why in " ".join(res.output.split()), (args, res.output)
        assert res.exception is None or isinstance(res.exception, SystemExit)
    assert not (out / "runs").exists()


def test_compare_reference_may_be_a_file_path(tmp_path):
    ref = str(tmp_path / "mine.toml")
    (tmp_path / "mine.toml").write_text(
        'extends = "baseline"\nname = "mine"\n[run]\nburn_in_years = 0\n'
    )
    (tmp_path / "other.toml").write_text(
        'extends = "mine.toml"\nname = "other"\n[population]\nsupported_share = 0.3\n'
    )
    res = runner.invoke(
        app,
        [
            "compare",
            str(tmp_path / "other.toml"),
            ref,
            "--reference",
            ref,
            "--seeds",
            "1",
            "--years",
            "0.05",
            "--workers",
            "1",
            "--out",
            str(tmp_path / "cmp"),
        ],
    )
    assert res.exit_code == 0, res.output
    effects = pd.read_csv(tmp_path / "cmp" / "effects.csv")
    assert set(effects["scenario"]) == {"other"}  # compared with mine, the reference
