"""Fit uncertain parameters to the target bands with Optuna.

The loss of a parameter set is the sum over banded targets of how far the mean over a few
seeds lies outside its band (in units of the band's width, `Target.distance`), so a set
inside every band scores 0. The study lives in results/calibration/<name>/study.db
(SQLite): running the same command again continues it. Trials run in parallel processes
(ask/tell: this process asks Optuna for a parameter set, a worker runs its seeds, the
result is told back), with a progress bar. Each trial keeps every target's value, so the
report can say for each missed target how close any trial came on its own, and which
other target pulled the other way.
"""

from __future__ import annotations

import math
import multiprocessing
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario import SCENARIO_DIR, Scenario, load_scenario, resolve_path
from sim.validation.runner import InlineExecutor
from sim.validation.space import Dimension, overrides, read_space, schema_dimension
from sim.validation.targets import Target, model_targets

# uncertain parameters the targets constrain (used when no space file is given; those the
# scenario schema does not have are skipped, with a note)
DEFAULT_PARAMETERS = (
    "contact.greet_base",  # ties by door distance, weekly contact
    "contact.talk_base",  # weekly contact, ties
    "contact.w_greet",  # how fast passing turns into a tie
    "contact.negative_risk_weight",  # negative share of contacts
    "contact.w_nuisance",  # negative ties held, avoidance
    "contact.negative_half_life_days",  # how long one episode keeps a negative tie
    "population.nuisance_risk_causer",  # concentration of nuisance in a few households
    "population.nuisance_risk_background",  # everybody's occasional nuisance
    "states.complaint_prob",  # evictions
    "states.eviction_complaints",  # evictions
)


def default_space(scenario: Scenario) -> tuple[list[Dimension], list[str]]:
    """The default dimensions (those of DEFAULT_PARAMETERS the schema has) and the names
    skipped."""
    dims, skipped = [], []
    for key in DEFAULT_PARAMETERS:
        try:
            dims.append(schema_dimension(key, scenario=scenario))
        except ValueError:
            skipped.append(key)
    return dims, skipped


def evaluate(scenario_json: str, seeds: list[int], years: float | None) -> dict[str, float]:
    """Worker: the mean of every measured quantity over `seeds` (picklable in and out)."""
    from sim.validation.runner import measure_run

    runs = [measure_run(scenario_json, s, years) for s in seeds]
    keys = runs[0].keys()
    return {
        k: float(np.nanmean([r[k] for r in runs]))
        if any(not math.isnan(r[k]) for r in runs)
        else math.nan
        for k in keys
    }


def loss(values: dict[str, float], targets: tuple[Target, ...]) -> float:
    return float(sum(t.distance(values.get(t.measured, math.nan)) for t in targets if t.banded))


@dataclass
class CalibrationResult:
    name: str
    folder: Path
    dims: list[Dimension]
    best_params: dict[str, float]
    best_loss: float
    trials: pd.DataFrame  # one row per finished trial: params, loss, every target value
    scenario_path: Path
    report_path: Path


def _storage(folder: Path) -> str:
    return f"sqlite:///{(folder / 'study.db').resolve()}"


def calibrate(
    scenario: str | Scenario = "baseline",
    name: str | None = None,
    trials: int = 50,
    seeds: int = 3,
    years: float | None = 5.0,
    workers: int = 2,
    space: Path | None = None,
    out: Path = Path("results/calibration"),
    write_scenario: Path | None = None,
    console: Any = None,
    sampler_seed: int = 1,
) -> CalibrationResult:
    """Run (or continue) a calibration study until it holds `trials` finished trials;
    write the best set as a scenario file and a report."""
    import optuna

    base = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    shipped = (
        not isinstance(scenario, Scenario)
        and resolve_path(scenario).resolve().parent == SCENARIO_DIR.resolve()
    )
    name = name or base.name
    folder = Path(out) / name
    folder.mkdir(parents=True, exist_ok=True)
    if space is not None:
        dims, skipped = read_space(space, base), []
    else:
        dims, skipped = default_space(base)
    if not dims:
        raise ValueError("nothing to calibrate: no parameter of the space exists in the schema")
    targets = tuple(t for t in model_targets() if t.banded)
    seed_list = list(range(1, seeds + 1))

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # a resumed study gets a sampler seeded past its finished trials (the same seed would
    # propose the same first points again)
    prior = len(_finished(study_or_none(name, folder)))
    sampler = optuna.samplers.TPESampler(seed=sampler_seed + prior, constant_liar=True)
    study = optuna.create_study(
        study_name=name,
        storage=_storage(folder),
        load_if_exists=True,
        direction="minimize",
        sampler=sampler,
    )
    _check_space(study, dims)
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(t.number, state=optuna.trial.TrialState.FAIL)  # left by an interruption
    done = len(_finished(study))
    todo = max(0, trials - done)
    if console is not None and done:
        console.print(f"resuming study {name!r}: {done} trials done, {todo} to go")
    if todo:
        _optimise(study, base, dims, targets, seed_list, years, workers, todo, console)
    frame = trial_frame(study, dims)
    best = study.best_trial
    best_params = {d.key: best.params[d.key] for d in dims}
    scenario_path = write_calibrated(
        base, dims, best_params, folder / "calibrated.toml", best.value, name, shipped
    )
    if write_scenario is not None:
        write_calibrated(base, dims, best_params, Path(write_scenario), best.value, name, shipped)
    report = folder / "report.md"
    report.write_text(
        render_report(name, base, dims, skipped, frame, targets, best.number, seeds, years),
        encoding="utf-8",
    )
    frame.to_csv(folder / "trials.csv", index=False)
    return CalibrationResult(
        name, folder, dims, best_params, float(best.value), frame, scenario_path, report
    )


def study_or_none(name: str, folder: Path):
    """The stored study, if there is one (for seeding the sampler on resume)."""
    import optuna

    if not (folder / "study.db").exists():
        return None
    try:
        return optuna.load_study(study_name=name, storage=_storage(folder))
    except KeyError:
        return None


def _finished(study) -> list:
    import optuna

    if study is None:
        return []
    return study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


def _check_space(study, dims: list[Dimension]) -> None:
    """A study resumed with another parameter space would mix incomparable trials."""
    keys = sorted(d.key for d in dims)
    stored = study.user_attrs.get("space")
    if stored is None:
        study.set_user_attr("space", keys)
    elif stored != keys:
        raise ValueError(
            f"study {study.study_name!r} was started with parameters {stored}, "
            f"now {keys}: use another --name or the same space"
        )


def _suggest(trial, dims: list[Dimension]) -> dict[str, float]:
    out = {}
    for d in dims:
        if d.integer:
            out[d.key] = float(trial.suggest_int(d.key, int(d.low), int(d.high)))
        else:
            out[d.key] = trial.suggest_float(d.key, d.low, d.high, log=d.log)
    return out


def _optimise(study, base: Scenario, dims, targets, seeds, years, workers, todo, console):
    import optuna
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    def submit(ex) -> tuple[Future, Any]:
        trial = study.ask()
        params = _suggest(trial, dims)
        sc = base.with_overrides(**overrides(dims, params))
        return ex.submit(evaluate, sc.model_dump_json(), seeds, years), trial

    n_workers = max(1, min(workers, todo))
    pool = (
        ProcessPoolExecutor(max_workers=n_workers, mp_context=multiprocessing.get_context("spawn"))
        if n_workers > 1
        else InlineExecutor()
    )
    with (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("best {task.fields[best]}"),
            TimeRemainingColumn(),
            console=console,
            disable=console is None or not console.is_terminal,
        ) as bar,
        pool as ex,
    ):
        task = bar.add_task(f"calibrate {study.study_name}", total=todo, best="—")
        pending: dict[Future, Any] = {}
        asked = 0
        while asked < min(n_workers, todo):
            fut, trial = submit(ex)
            pending[fut] = trial
            asked += 1
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                trial = pending.pop(fut)
                try:
                    values = fut.result()
                except Exception as exc:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    exc.add_note(f"in calibration trial {trial.number} ({trial.params})")
                    raise
                for k, v in values.items():
                    trial.set_user_attr(k, None if math.isnan(v) else v)
                study.tell(trial, loss(values, targets))
                bar.update(task, advance=1, best=f"{study.best_value:.3f}")
                if asked < todo:
                    fut2, trial2 = submit(ex)
                    pending[fut2] = trial2
                    asked += 1


def trial_frame(study, dims: list[Dimension]) -> pd.DataFrame:
    rows = []
    for t in _finished(study):
        row: dict[str, Any] = {"trial": t.number, "loss": t.value}
        row.update({d.key: t.params.get(d.key) for d in dims})
        row.update({k: (math.nan if v is None else v) for k, v in t.user_attrs.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def write_calibrated(
    base: Scenario,
    dims: list[Dimension],
    params: dict[str, float],
    path: Path,
    best_loss: float,
    name: str,
    shipped: bool,
) -> Path:
    """A scenario file with the fitted values: one that `extends` the calibrated scenario
    when that is a shipped one (found by name from any folder), else the whole resolved
    scenario (a file elsewhere may not be reachable by `extends`)."""
    import tomli_w

    from sim.scenario import scenario_to_toml

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    description = (
        f"{base.name} with the parameters fitted by `goedeburen calibrate` "
        f"(study {name}, loss {best_loss:.4g})."
    )
    header = (
        f"# Written by `goedeburen calibrate` (study {name!r}): the best trial's values "
        f"of\n# {', '.join(d.key for d in dims)}.\n"
    )
    if shipped:
        body: dict[str, Any] = {
            "extends": f"{base.name}.toml",
            "name": path.stem,
            "description": description,
        }
        body.update(overrides(dims, params))
        text = tomli_w.dumps(body)
    else:
        fitted = base.with_overrides(**overrides(dims, params))
        fitted = fitted.model_copy(update={"name": path.stem, "description": description})
        text = scenario_to_toml(fitted)
    path.write_text(header + text, encoding="utf-8")
    return path


def _strongest_parameter(frame: pd.DataFrame, dims: list[Dimension], measured: str) -> str:
    """The parameter whose values a target's value follows most closely over the trials
    (Spearman), e.g. "`contact.negative_risk_weight` (ρ = +0.81)"."""
    if measured not in frame or frame[measured].nunique() < 2 or len(frame) < 4:
        return ""
    cols = [d.key for d in dims if frame[d.key].nunique() > 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corr = frame[cols].corrwith(frame[measured], method="spearman").dropna()
    if not len(corr):
        return ""
    key = corr.abs().idxmax()
    return f"`{key}` (ρ = {corr[key]:+.2f})"


def render_report(
    name, base, dims, skipped, frame: pd.DataFrame, targets, best_trial: int, seeds: int, years
) -> str:
    """Markdown: the fitted values; per target the best trial's value, the best any trial
    reached on that target alone, and the target it trades off against most."""
    best = frame.set_index("trial").loc[best_trial]
    lines = [
        f"# Calibration `{name}` of `{base.name}`",
        "",
        (
            f"{len(frame)} trials, {seeds} seeds each, "
            f"{'the scenario length' if years is None else f'{years:g} years'}; loss = "
            f"sum of distances outside the bands (in band widths). Best trial "
            f"{best_trial}, loss {best['loss']:.4g}."
        ),
        "",
        "| parameter | default | range | fitted |",
        "|---|---|---|---|",
    ]
    for d in dims:
        lines.append(
            f"| `{d.key}` | {d.default:g} | {d.low:g}–{d.high:g}"
            f"{' (log)' if d.log else ''} | {best[d.key]:.4g} |"
        )
    if skipped:
        lines += ["", f"Not in the schema (skipped): {', '.join(skipped)}."]
    dist = pd.DataFrame(
        {
            t.id: [t.distance(v) for v in frame.get(t.measured, pd.Series([math.nan] * len(frame)))]
            for t in targets
        },
        index=frame["trial"],
    )
    lines += [
        "",
        (
            "| target | band | best trial | distance | best alone (trial) | trades off against "
            "| moves most with |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for t in targets:
        v = best.get(t.measured, math.nan)
        d_best = dist.loc[best_trial, t.id]
        alone = dist[t.id].min()
        who = int(dist[t.id].idxmin())
        trade = ""
        if d_best > 0 and len(dist) > 3:
            others = dist.drop(columns=t.id)
            others = others.loc[:, others.nunique() > 1]  # constant: no correlation
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                corr = others.corrwith(dist[t.id], method="spearman").dropna()
            if len(corr) and corr.min() < -0.2:
                trade = f"`{corr.idxmin()}` (ρ = {corr.min():.2f})"
        lever = _strongest_parameter(frame, dims, t.measured) if d_best > 0 else ""
        verdict = (
            "reached"
            if d_best == 0
            else "reachable alone, not jointly"
            if alone == 0
            else "not reached by any trial"
        )
        lines.append(
            f"| `{t.id}` | {t.band_text()} | {v:.4g} | {d_best:.3g} ({verdict}) | "
            f"{alone:.3g} ({who}) | {trade} | {lever} |"
        )
    lines += [
        "",
        (
            "A target *reachable alone, not jointly* is inside its band in some trial "
            "but not in the best one: the loss traded it for others ('trades off against' "
            "names the target whose distance rises most as this one's falls over the trials; "
            "'moves most with' the parameter its value follows most closely, with the sign "
            "of that rank correlation). "
            "*Not reached by any trial*: no set in the explored ranges meets it; either the "
            "ranges are too narrow or the mechanism cannot produce it."
        ),
    ]
    return "\n".join(lines) + "\n"
