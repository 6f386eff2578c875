"""`goedeburen` command line: run, validate and list scenarios, compare them, sweep
experiments and report on them, show parameters."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from typer.core import TyperCommand

from sim.scenario import SCENARIO_DIR, ScenarioError, format_validation_error, load_scenario

_TRUE, _FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}


class _BoolValues(TyperCommand):
    """On/off options also take a value, as their help shows: `--csv`, `--csv true`,
    `--csv=false`, `--csv no`."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        flags = {}
        for par in self.params:  # typer's own click: options by what they are, not their class
            if getattr(par, "param_type_name", "") == "option" and par.is_flag and not par.count:
                for name in par.opts:
                    flags[name] = (par.opts[0], (par.secondary_opts or [None])[0])
        out, i = [], 0
        while i < len(args):
            a = args[i]
            if a == "--":
                out += args[i:]
                break
            name, eq, value = a.partition("=")
            nxt = args[i + 1].lower() if i + 1 < len(args) else None
            if name in flags and (eq or nxt in _TRUE | _FALSE):
                if not eq:
                    value, i = args[i + 1], i + 1
                on, off = flags[name]
                if value.lower() in _TRUE:
                    out.append(on)
                elif value.lower() in _FALSE:
                    if off:
                        out.append(off)
                else:
                    raise typer.BadParameter(
                        f"{value!r} is not true or false", ctx=ctx, param_hint=name
                    )
            else:
                out.append(a)
            i += 1
        return super().parse_args(ctx, out)


class _App(typer.Typer):
    def command(self, *args, **kwargs):
        """Every command parses on/off values (see _BoolValues)."""
        kwargs.setdefault("cls", _BoolValues)
        return super().command(*args, **kwargs)


app = _App(
    help="goedeburen: simulate neighbour contact in apartment buildings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)
DEBUG = bool(os.environ.get("GOEDEBUREN_DEBUG"))


def _version(value: bool) -> None:
    if value:
        from sim import __version__

        console.print(f"goedeburen {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="print the version and exit"
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="show the full traceback of an unexpected error")
    ] = False,
) -> None:
    """goedeburen: simulate neighbour contact in apartment buildings."""
    global DEBUG
    DEBUG = DEBUG or debug


def _fail(message: str) -> None:
    """A clear error (user text escaped: a name holding [/] is printed as written)."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def _fail_output(exc: OSError) -> None:
    """An output folder that cannot be used (locked by another process) or a result file
    that cannot be written (full disk, read-only folder): one paragraph, exit 2, the
    traceback only with --debug. What was written before stays, and the same command
    resumes."""
    from sim.io import WriteError

    if DEBUG:
        raise exc
    text = str(exc)
    if isinstance(exc, WriteError):
        text += (
            "; the runs finished before it are kept and nothing partial is taken for a "
            "result: free some space (or make the folder writable) and run the same "
            "command again to resume"
        )
    _fail(text)


def _warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)


def _load(name: str, allow_outside: bool = False, **overrides):
    """load_scenario with its warnings printed; a bad file ends the command (exit 2)."""
    try:
        return load_scenario(name, allow_outside=allow_outside, **overrides)
    except ScenarioError as exc:
        _fail(str(exc))


_ALLOW_OUTSIDE = typer.Option(
    "--allow-outside-extends",
    help="let `extends` read files outside the scenario's folder and the shipped scenarios",
)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days"),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal,
    )


@app.command()
def run(
    scenario: Annotated[
        str,
        typer.Argument(
            help="scenario file, or the name of a shipped one (see `goedeburen scenarios`)"
        ),
    ],
    seed: Annotated[int | None, typer.Option(help="override the scenario's seed")] = None,
    years: Annotated[float | None, typer.Option(help="override the simulated years")] = None,
    out: Annotated[
        Path | None, typer.Option(help="output folder (default: results/<scenario>/<seed>)")
    ] = None,
    csv: Annotated[
        bool,
        typer.Option(
            "--csv", help="also write CSV copies of the tables (--csv, --csv true or --csv false)"
        ),
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="replace an earlier run in the output folder")
    ] = False,
    threads: Annotated[
        int | None,
        typer.Option(
            help="cores a site of several buildings may use (default: all); results do not "
            "depend on it",
            min=1,
        ),
    ] = None,
    allow_outside: Annotated[bool, _ALLOW_OUTSIDE] = False,
) -> None:
    """Simulate one scenario and write its time series, households, ties and summary."""
    from sim.io import OutputError, check_out_dir
    from sim.scenario_checks import estimate

    sc = _load(scenario, allow_outside)
    overrides = {k: v for k, v in (("years", years), ("seed", seed)) if v is not None}
    if overrides:
        try:
            sc = sc.with_overrides(run=overrides)
        except ValidationError as exc:
            _fail(format_validation_error("command-line option (--years/--seed)", exc))
    for w in sc.warnings():
        _warn(w)
    need = estimate(sc, threads)
    if not need.fits:
        most = need.max_dwellings()
        _fail(
            f"{need.text()}: this run does not fit"
            + (f" (at most about {most:,} dwellings do)" if most is not None else "")
        )
    if need.dwellings >= 20_000:
        _warn(need.text())
    target = out or default_out_dir_for(sc)
    try:
        check_out_dir(target, overwrite)
    except OutputError as exc:
        _fail(str(exc))

    from sim.run import run_model, write_result

    if threads is not None:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    days = int(round(sc.run.years * 365))
    with _progress() as bar:
        task = bar.add_task(escape(f"{sc.name} seed {sc.run.seed}"), total=days)
        result = run_model(sc, progress=lambda k: bar.advance(task, k))
    try:
        write_result(result, target, csv=csv)
    except OSError as exc:
        _fail(
            f"{target}: the results could not be written ({exc.strerror or exc}); "
            "nothing partial was left there"
        )
    console.print((target / "summary.txt").read_text(), markup=False, highlight=False)
    console.print(f"results written to [bold]{escape(str(target))}[/]")


def default_out_dir_for(sc) -> Path:
    from sim.run import default_out_dir

    return default_out_dir(sc, sc.run.seed)


@app.command()
def scenarios() -> None:
    """List the shipped scenarios with a one-line description."""
    width = max((len(p.stem) for p in SCENARIO_DIR.glob("*.toml")), default=4) + 2
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        try:
            sc = load_scenario(path)
            desc = sc.description.strip().splitlines()[0] if sc.description.strip() else ""
            console.print(f"{path.stem:<{width}}{desc}", markup=False, highlight=False)
        except ScenarioError as exc:
            console.print(
                f"{path.stem:<{width}}[red]invalid:[/] {escape(str(exc).splitlines()[0])}",
                highlight=False,
            )


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="scenario files to check")],
    allow_outside: Annotated[bool, _ALLOW_OUTSIDE] = False,
) -> None:
    """Check scenario files without running them (exit code 2 if any is invalid)."""
    from sim.scenario_checks import estimate

    bad = 0
    for f in files:
        try:
            sc = load_scenario(f, allow_outside=allow_outside)
        except ScenarioError as exc:
            bad += 1
            err.print(f"[red]invalid[/] {escape(str(exc))}", highlight=False)
            continue
        need = estimate(sc)
        console.print(
            f"[green]ok[/] {escape(f)} ({escape(sc.name)}: "
            f"{len(sc.site.buildings)} building(s), {need.dwellings:,} dwellings, "
            f"{len(sc.interventions)} intervention(s))",
            highlight=False,
        )
        for w in sc.warnings():
            _warn(w)
        if need.dwellings >= 20_000 or not need.fits:
            (_warn if need.fits else _fail_soft)(
                need.text() + ("" if need.fits else ": does not fit this machine")
            )
    if bad:
        raise typer.Exit(2)


def _fail_soft(message: str) -> None:
    err.print(f"[red]too large:[/] {escape(message)}", highlight=False)


@app.command()
def params(
    filter_text: Annotated[
        str | None,
        typer.Argument(
            metavar="FILTER",
            help="show only parameters whose full name contains this "
            "(`contact.`, `costs.`, `interventions.flatcoach`, `half_life`)",
        ),
    ] = None,
    markdown: Annotated[bool, typer.Option("--markdown", help="print a Markdown table")] = False,
) -> None:
    """Show every parameter, unit cost and intervention parameter: default, unit, source."""
    from sim import params_view

    table = params_view.rows(filter_text)
    if not table:
        _fail(f"no parameter matches {filter_text!r} (try `goedeburen params` for all)")
    if markdown:
        sys.stdout.write(params_view.markdown(table))
        return
    console.print(
        params_view.blocks(table, console.width),
        markup=False,
        highlight=False,
        end="",
        soft_wrap=True,
    )


@app.command()
def compare(
    names: Annotated[
        list[str] | None, typer.Argument(help="scenarios to compare (default: all shipped)")
    ] = None,
    seeds: Annotated[int, typer.Option(help="replicates per scenario", min=1)] = 5,
    years: Annotated[float | None, typer.Option(help="override the simulated years")] = None,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("results/comparison"),
    workers: Annotated[int, typer.Option(help="parallel processes", min=1)] = 2,
    reference: Annotated[
        str | None,
        typer.Option(
            help="scenario the others are compared with, paired by seed "
            "(default: the first one named, or problem_flat when none are named)"
        ),
    ] = None,
) -> None:
    """Run several scenarios over the same seeds (an experiment with one arm each) and write
    the tables and the HTML report."""
    from sim.compare import compare_scenarios, start_workers_early

    if workers > 1:
        start_workers_early()  # their server imports the model while this process does

    try:
        chosen = names or sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
        scs = [load_scenario(n) for n in chosen]
    except ScenarioError as exc:
        _fail(str(exc))
    twice = sorted({sc.name for sc in scs if [x.name for x in scs].count(sc.name) > 1})
    if twice:
        _fail(
            f"two of the compared scenarios are named {', '.join(map(repr, twice))}: their "
            "runs would be mixed; give each its own `name`"
        )
    by_name = {sc.name: sc for sc in scs}
    by_arg = dict(zip(chosen, scs))  # --reference may repeat a file path given above
    ref = reference or (chosen[0] if names else "problem_flat")
    ref = by_arg[ref].name if ref in by_arg else ref
    if ref not in by_name:
        _fail(f"--reference {ref!r} is not among the compared scenarios ({', '.join(by_name)})")
    if years is not None:
        try:
            shortest = min(
                sc.with_overrides(run={"years": years}).run.collect_every_days for sc in scs
            )
        except ValidationError as exc:
            _fail(format_validation_error("command-line option --years", exc))
        if round(years * 365) < shortest:
            _fail(
                f"--years {years:g} is {round(years * 365)} day(s): shorter than one "
                f"collection period ({shortest} days), so there would be no final state "
                f"(allowed: at least {shortest / 365:.3f})"
            )
    scs = [by_name[ref]] + [sc for sc in scs if sc.name != ref]
    from sim.compare import SweepFailed
    from sim.io import OutputError

    try:
        report = compare_scenarios(
            scs, seeds=seeds, years=years, out=out, workers=workers, console=err
        )
    except OutputError as exc:
        _fail_output(exc)
    except SweepFailed as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        for note in getattr(exc, "__notes__", []):
            err.print(escape(note), highlight=False)
        raise typer.Exit(1) from None
    console.print(f"comparison written to [bold]{out}[/] (report: {report})")


@app.command()
def sweep(
    experiment: Annotated[
        str, typer.Argument(help="experiment file, or the name of a shipped one in experiments/")
    ],
    workers: Annotated[
        int | None,
        typer.Option(help="parallel processes (default: all cores; 1: in this process)", min=1),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="address of a running Dask scheduler, e.g. tcp://HOST:8786")
    ] = None,
    dask: Annotated[
        bool, typer.Option("--dask", help="start a local Dask cluster (127.0.0.1) and run on it")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="results folder (default: results/<experiment>)")
    ] = None,
    seeds: Annotated[
        int | None,
        typer.Option(
            help="replicates instead of the file's (a quick look; other results folder)", min=1
        ),
    ] = None,
    years: Annotated[float | None, typer.Option(help="horizon instead of the file's")] = None,
) -> None:
    """Run an experiment: every arm x design point x seed not already done (resumable)."""
    from sim.experiments.spec import ExperimentError, load_experiment

    if scheduler and dask:
        _fail("--scheduler and --dask exclude each other (--dask starts a local cluster)")
    if (workers or 2) > 1 and not (scheduler or dask):
        from sim.experiments.pool import start_workers_early

        start_workers_early()  # their server imports the model while this process does
    changes = {k: v for k, v in (("seeds", seeds), ("years", years)) if v is not None}
    try:
        exp = load_experiment(experiment, **changes)
    except ExperimentError as exc:
        _fail(str(exc))
    from sim.experiments.runner import print_summary
    from sim.experiments.runner import sweep as run_sweep
    from sim.io import OutputError

    try:
        summary = run_sweep(exp, out, workers=workers, scheduler=scheduler, dask=dask, console=err)
    except OutputError as exc:
        _fail_output(exc)
    print_summary(summary, err)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def report(
    results: Annotated[
        Path, typer.Argument(help="a sweep's results folder (results/<experiment>)")
    ],
) -> None:
    """Build the policy report (one self-contained HTML file plus PNG figures)."""
    from sim.report import build_report

    try:
        path = build_report(results)
    except FileNotFoundError as exc:
        _fail(str(exc))
    console.print(f"report written to [bold]{path}[/]")


@app.command()
def bench(
    quick: Annotated[
        bool,
        typer.Option("--quick", help="skip the slow sizes (10k and 100k households), fewer seeds"),
    ] = False,
    out: Annotated[Path, typer.Option(help="Markdown table")] = Path("results/benchmark.md"),
) -> None:
    """Benchmark: kernel vs idiomatic Mesa reference, full runs up to a district."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "benchmarks" / "run.py").exists():
        _fail("the benchmarks/ folder is not next to this installation of sim/")
    sys.path.insert(0, str(root))
    from benchmarks.run import main as bench_main

    code = bench_main((["--quick"] if quick else []) + ["--out", str(out)])
    raise typer.Exit(code)


@app.command("validate-model")
def validate_model(
    scenario: Annotated[str, typer.Argument(help="scenario to validate")] = "baseline",
    seeds: Annotated[int, typer.Option(help="replicates (seeds 1..N)", min=1)] = 30,
    years: Annotated[float | None, typer.Option(help="override the simulated years")] = None,
    workers: Annotated[int, typer.Option(help="parallel processes", min=1)] = 2,
    interventions: Annotated[
        bool,
        typer.Option(
            "--interventions/--no-interventions",
            help="also run the intervention arms the targets name (problem_flat, flatcoach, "
            "connectors, social_renovation) on the same seeds",
        ),
    ] = False,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("results/validation"),
) -> None:
    """Measure the field's classic patterns over many seeds against their published bands
    (pattern | band | source | value with 95% interval | pass) and write Markdown, CSV and
    plots to OUT/<scenario>/."""
    from sim.validation.report import markdown_table, summary_line, write_report
    from sim.validation.runner import validate

    try:
        result = validate(
            scenario,
            seeds=seeds,
            years=years,
            workers=workers,
            interventions=interventions,
            console=err,
        )
    except ScenarioError as exc:
        _fail(str(exc))
    folder = write_report(result, out)
    console.print(markdown_table(result), highlight=False)
    console.print(f"\n{summary_line(result)}; written to [bold]{folder}[/]")


@app.command()
def calibrate(
    scenario: Annotated[str, typer.Argument(help="scenario to calibrate")] = "baseline",
    trials: Annotated[
        int,
        typer.Option(
            help="finished trials the study should hold (a "
            "resumed study runs only the missing ones)",
            min=1,
        ),
    ] = 50,
    seeds: Annotated[int, typer.Option(help="seeds per trial", min=1)] = 3,
    years: Annotated[float, typer.Option(help="simulated years per run", min=0.1)] = 5.0,
    workers: Annotated[int, typer.Option(help="trials run in parallel", min=1)] = 2,
    name: Annotated[str | None, typer.Option(help="study name (default: the scenario's)")] = None,
    space: Annotated[
        Path | None,
        typer.Option(
            help="TOML file whose 'parameters' table maps \"section.name\" to its range, two "
            "numbers (default: ten assumption parameters the targets constrain)"
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="studies folder")] = Path("results/calibration"),
    write_scenario: Annotated[
        Path | None,
        typer.Option(
            help="also write the calibrated scenario here (e.g. scenarios/calibrated.toml)"
        ),
    ] = None,
) -> None:
    """Fit uncertain parameters to the validation targets' bands with Optuna (study on disk
    in OUT/<name>/study.db: the same command resumes it); writes the best set as a scenario
    extending SCENARIO, and a report of which targets cannot be reached together."""
    from sim.validation.calibrate import calibrate as run_calibration

    try:
        result = run_calibration(
            scenario,
            name=name,
            trials=trials,
            seeds=seeds,
            years=years,
            workers=workers,
            space=space,
            out=out,
            write_scenario=write_scenario,
            console=err,
        )
    except (ScenarioError, ValueError) as exc:
        _fail(str(exc))
    console.print(result.report_path.read_text(), highlight=False)
    console.print(
        f"calibrated scenario: [bold]{result.scenario_path}[/]"
        + (f" and [bold]{write_scenario}[/]" if write_scenario else "")
    )


@app.command()
def screen(
    arm: Annotated[str, typer.Option(help="intervention arm")] = "flatcoach",
    reference: Annotated[str, typer.Option(help="reference arm")] = "problem_flat",
    trajectories: Annotated[int, typer.Option(help="Morris trajectories", min=2)] = 4,
    levels: Annotated[int, typer.Option(help="Morris grid levels", min=2)] = 4,
    seeds: Annotated[int, typer.Option(help="seeds per design point", min=1)] = 1,
    years: Annotated[float, typer.Option(help="simulated years per run", min=0.1)] = 3.0,
    relative_range: Annotated[
        float,
        typer.Option(help="each assumption varies ± this share of its default", min=0.01, max=1.0),
    ] = 0.5,
    workers: Annotated[int, typer.Option(help="parallel processes", min=1)] = 2,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("results/morris"),
) -> None:
    """Morris screen of every assumption parameter for the intervention's effects (arm minus
    reference over the run: ties, nuisance, sense of home); ranking by mu* to OUT/."""
    from sim.validation.morris import screen as run_screen

    try:
        result = run_screen(
            arm,
            reference,
            trajectories,
            levels,
            seeds,
            years,
            relative_range,
            workers,
            out,
            console=err,
        )
    except (ScenarioError, ValueError, RuntimeError) as exc:
        _fail(str(exc))
    console.print((result.folder / "ranking.md").read_text(), highlight=False)
    console.print(f"written to [bold]{result.folder}[/]")


@app.command(name="app")
def app_command(
    host: Annotated[
        str,
        typer.Option(
            help="address to listen on; 127.0.0.1 keeps it on this "
            "computer (see README, 'App', before opening it to "
            "a room)"
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)] = 8765,
    scenarios: Annotated[
        Path | None,
        typer.Option(
            help="folder of your own scenario files to offer besides the shipped ones",
            exists=True,
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Start the live workshop app (Solara) in the browser: the building, the measures,
    the household stories; works without internet once installed."""
    try:
        from sim.app.server import serve
    except ImportError as exc:
        _fail(
            f"the app needs the 'app' extra ({exc}); install it with "
            "pip install -e '.[app]' (scripts/env.sh app)"
        )
    raise typer.Exit(serve(host, port, scenarios))


def main() -> None:
    """The `goedeburen` entry point: an unexpected error is one line and exit code 1 (the
    traceback with --debug or GOEDEBUREN_DEBUG=1); Ctrl-C exits with 130."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the user
        if DEBUG or "--debug" in sys.argv[1:]:
            raise
        err.print(
            f"[bold red]error:[/] {escape(type(exc).__name__)}: {escape(str(exc)[:2000])}"
            "\n(this is a bug or an unforeseen situation; run again with --debug for "
            "the traceback)",
            highlight=False,
        )
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
