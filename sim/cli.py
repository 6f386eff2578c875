"""`goedeburen` command line: run, validate and list scenarios, compare them, show parameters."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pydantic import ValidationError

from sim.scenario import (SCENARIO_DIR, ScenarioError, format_validation_error, load_scenario,
                          parameter_table)

app = typer.Typer(help="goedeburen: simulate neighbour contact in apartment buildings.",
                  no_args_is_help=True, add_completion=False)
console = Console()
err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("days"), TimeRemainingColumn(), console=err,
                    disable=not err.is_terminal)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="scenario file, or the name of a shipped one "
                                                 "(see `goedeburen scenarios`)")],
    seed: Annotated[Optional[int], typer.Option(help="override the scenario's seed")] = None,
    years: Annotated[Optional[float], typer.Option(help="override the simulated years")] = None,
    out: Annotated[Optional[Path], typer.Option(help="output folder "
                                                     "(default: results/<scenario>/<seed>)")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="also write CSV copies of the tables")] = False,
    threads: Annotated[Optional[int], typer.Option(
        help="cores a site of several buildings may use (default: all); results do not "
             "depend on it", min=1)] = None,
) -> None:
    """Simulate one scenario and write its time series, households, ties and summary."""
    from sim.run import default_out_dir, run_model, write_result

    if threads is not None:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))

    try:
        sc = load_scenario(scenario)
        overrides = {}
        if years is not None:
            overrides["years"] = years
        if seed is not None:
            overrides["seed"] = seed
        if overrides:
            sc = sc.with_overrides(run=overrides)
    except ValidationError as exc:
        _fail(format_validation_error("command-line option (--years/--seed)", exc))
    except (ScenarioError, ValueError) as exc:
        _fail(str(exc))
    days = int(round(sc.run.years * 365))
    with _progress() as bar:
        task = bar.add_task(f"{sc.name} seed {sc.run.seed}", total=days)
        result = run_model(sc, progress=lambda k: bar.advance(task, k))
    target = out or default_out_dir(sc, sc.run.seed)
    write_result(result, target, csv=csv)
    console.print((target / "summary.txt").read_text(), highlight=False)
    console.print(f"results written to [bold]{target}[/]")


@app.command()
def scenarios() -> None:
    """List the shipped scenarios with a one-line description."""
    table = Table("name", "description", box=None)
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        try:
            sc = load_scenario(path)
            desc = sc.description.strip().splitlines()[0] if sc.description.strip() else ""
        except ScenarioError as exc:
            desc = f"[red]invalid: {str(exc).splitlines()[0]}[/]"
        table.add_row(path.stem, desc)
    console.print(table)


@app.command()
def validate(files: Annotated[list[str], typer.Argument(help="scenario files to check")]) -> None:
    """Check scenario files without running them (exit code 2 if any is invalid)."""
    bad = 0
    for f in files:
        try:
            sc = load_scenario(f)
            console.print(f"[green]ok[/] {f} ({sc.name}: {len(sc.site.buildings)} building(s), "
                          f"{len(sc.interventions)} intervention(s))")
        except ScenarioError as exc:
            bad += 1
            err.print(f"[red]invalid[/] {exc}", highlight=False)
    if bad:
        raise typer.Exit(2)


@app.command()
def params(markdown: Annotated[bool, typer.Option("--markdown", help="print a Markdown table")]
           = False) -> None:
    """Show every model parameter with its default, unit and source."""
    rows = parameter_table()
    if markdown:
        print("| parameter | default | unit | source | meaning |")
        print("|---|---|---|---|---|")
        for r in rows:
            default = r["default"]
            if isinstance(default, dict):
                default = ", ".join(f"{k} {v:g}" for k, v in default.items())
            print(f"| `{r['section']}.{r['name']}` | {default} | {r['unit']} | {r['source']} "
                  f"| {r['description']} |")
        return
    table = Table("parameter", "default", "unit", "source", box=None)
    for r in rows:
        d = r["default"]
        table.add_row(f"{r['section']}.{r['name']}", "…" if isinstance(d, dict) else str(d),
                      r["unit"], r["source"])
    console.print(table)


@app.command()
def compare(
    names: Annotated[Optional[list[str]], typer.Argument(help="scenarios to compare "
                                                              "(default: all shipped)")] = None,
    seeds: Annotated[int, typer.Option(help="replicates per scenario")] = 5,
    years: Annotated[Optional[float], typer.Option(help="override the simulated years")] = None,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("results/comparison"),
    workers: Annotated[int, typer.Option(help="parallel processes")] = 2,
    reference: Annotated[Optional[str], typer.Option(
        help="scenario the others are compared with, paired by seed "
             "(default: the first one named, or problem_flat when none are named)")] = None,
) -> None:
    """Run several scenarios over the same seeds and write a comparison table and report."""
    from sim.compare import compare_scenarios, start_workers_early

    if workers > 1:
        start_workers_early()  # their server imports the model while this process does

    try:
        chosen = names or sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
        scs = [load_scenario(n) for n in chosen]
    except ScenarioError as exc:
        _fail(str(exc))
    ref = reference or (chosen[0] if names else "problem_flat")
    by_name = {sc.name: sc for sc in scs}
    if ref not in by_name:
        _fail(f"--reference {ref!r} is not among the compared scenarios "
              f"({', '.join(by_name)})")
    scs = [by_name[ref]] + [sc for sc in scs if sc.name != ref]
    report = compare_scenarios(scs, seeds=seeds, years=years, out=out, workers=workers,
                               console=err)
    console.print(f"comparison written to [bold]{out}[/] (report: {report})")


@app.command()
def bench(quick: Annotated[bool, typer.Option("--quick", help="skip the slow sizes "
                                              "(10k and 100k households), fewer seeds")] = False,
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


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
