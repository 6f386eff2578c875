"""Experiment files: a strict schema for what a sweep runs, loaded from TOML.

An experiment compares **arms** (scenarios, one of them the reference) over the same
replicate seeds, optionally across **levers** (policy choices: how many flatcoach hours)
and **uncertainties** (parameters nobody measured: how readily neighbours chat), each given
by its dotted scenario path and sampled by a design (full grid, Latin hypercube, Sobol,
Morris). Unknown keys, wrong types and bad values are errors that name the file, the key
path and what is allowed, like scenario files (sim/scenario.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.experiments.paths import applies_to, check_path, with_values
from sim.paths import shipped_dir
from sim.scenario import Scenario, ScenarioError, load_scenario, parameter_table

EXPERIMENT_DIR = shipped_dir("experiments")

# Outcomes read from the weekly time series (see sim/outcomes.py) and the ones derived from
# them when a run is read (sim/experiments/readings.py); the default set a report shows.
DEFAULT_OUTCOMES = (
    "ties_ge1",
    "ties_ge3",
    "lonely",
    "weekly_contact",
    "help_given",
    "overburdened",
    "nuisance_exposed",
    "avoidance",
    "sense_of_home",
    "safety",
    "trust_neighbours",
    "wellbeing",
    "recovery",
    "referred",
    "evictions",
    "households_with_tie",
    "households_referred",
    "cost_keur",
)
# sections whose "assumption" parameters `include_assumptions` makes uncertain: the run's
# own settings and the building plan are not uncertainties about people
ASSUMPTION_SECTIONS = (
    "population",
    "routines",
    "encounters",
    "contact",
    "help",
    "states",
    "turnover",
)


class ExperimentError(ValueError):
    """An experiment file could not be used; the message names the file and the keys."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Arm(_Strict):
    """One scenario to run: a shipped name or a file next to the experiment file."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    scenario: str
    reference: bool = False
    label: str | None = Field(None, description="what the arm is, to follow 'With ...'")
    label_nl: str | None = Field(None, description="the same in Dutch, to follow 'Met ...'")
    overrides: dict[str, float | int] = {}


class Factor(_Strict):
    """A lever or uncertainty: listed values (grid) or a range (any design)."""

    values: list[float | int] | None = Field(None, min_length=1)
    low: float | int | None = None
    high: float | int | None = None
    levels: int | None = Field(None, ge=2, le=100, description="grid points across low..high")
    integer: bool = False
    label: str | None = None
    label_nl: str | None = None

    @model_validator(mode="after")
    def _values_or_range(self) -> Factor:
        has_range = self.low is not None or self.high is not None
        if self.values is not None and has_range:
            raise ValueError("give either values or low/high, not both")
        if self.values is None and (self.low is None or self.high is None):
            raise ValueError("give values = [...] or both low and high")
        if has_range and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Design(_Strict):
    """How the factors of one kind are combined into points."""

    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int | None = Field(
        None, ge=1, le=100_000, description="lhs: points; sobol: base samples (a power of 2)"
    )
    trajectories: int | None = Field(None, ge=2, le=1000, description="morris: trajectories")
    levels: int = Field(4, ge=2, le=20, description="morris: levels of the grid it walks")
    seed: int = Field(1, ge=0, description="seed of the sample (not of the runs)")
    include_assumptions: bool = Field(
        False, description="also every parameter whose source is 'assumption'"
    )
    relative_range: float = Field(0.5, gt=0, le=1, description="assumptions vary ±this share")
    exclude: list[str] = []
    factors: dict[str, Factor] = {}

    @model_validator(mode="after")
    def _design_settings(self) -> Design:
        if self.design == "lhs" and self.samples is None:
            raise ValueError("design 'lhs' needs samples = <number of points>")
        if self.design == "sobol" and (self.samples is None or self.samples & (self.samples - 1)):
            raise ValueError("design 'sobol' needs samples = a power of 2 (e.g. 64)")
        if self.design == "morris" and self.trajectories is None:
            raise ValueError("design 'morris' needs trajectories = <number>, e.g. 10")
        if self.design != "grid":
            listed = [k for k, f in self.factors.items() if f.values is not None]
            if listed:
                raise ValueError(
                    f"design {self.design!r} samples ranges: give low/high, not "
                    f"values, for {', '.join(listed)}"
                )
        else:
            bare = [k for k, f in self.factors.items() if f.values is None and f.levels is None]
            if bare:
                raise ValueError(
                    f"a grid needs values = [...] or levels = <n> for {', '.join(bare)}"
                )
        return self


class Outcomes(_Strict):
    """What is read from each run, and over which window."""

    names: list[str] = list(DEFAULT_OUTCOMES)
    groups: list[Literal["all", "resident", "supported"]] = ["all", "supported"]
    window: Literal["last_year"] = Field(
        "last_year",
        description="the mean over the last simulated year (a garden group "
        "running April-September counts, a December week alone not)",
    )
    at_years: list[float] = Field([], description="also the mean of the year ending there")
    primary: str = Field("ties_ge1", description="the outcome the headlines lead with")
    primary_group: Literal["all", "resident", "supported"] = "supported"


class Experiment(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str | None = None
    title_nl: str | None = None
    description: str = ""
    seeds: int | list[int] = Field(
        description="replicates (seed_start, seed_start+1, ...) or the seeds themselves; the "
        "same seeds in every arm"
    )
    seed_start: int = Field(1, ge=0)
    years: float | None = Field(
        None, gt=0, le=100, description="horizon of every run (default: each scenario's)"
    )
    retries: int = Field(2, ge=0, le=10, description="reruns of a run that raised")
    overrides: dict[str, float | int] = Field({}, description="set in every arm")
    arms: list[Arm] = Field(min_length=1)
    levers: Design = Design()
    uncertainties: Design = Design()
    outcomes: Outcomes = Outcomes()


def _allowed_keys(loc: tuple) -> str:
    model: Any = Experiment
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        fields = getattr(model, "model_fields", {})
        if part not in fields:  # a free key of a dict (a factor's path)
            continue
        ann = fields[part].annotation
        args = getattr(ann, "__args__", ())
        model = next(
            (a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None
        )
    if model is None:
        return ""
    return f" (allowed: {', '.join(model.model_fields)})"


def _format(source: str, exc: ValidationError) -> str:
    lines = [f"{source}: {exc.error_count()} problem(s) in the experiment"]
    for e in exc.errors():
        loc = ".".join(str(x) for x in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key" + _allowed_keys(e["loc"])
        elif "input" in e and not isinstance(e["input"], (dict, list)) and e["type"] != "missing":
            msg = f"{msg} (got {e['input']!r})"
        lines.append(f"  - {loc}: {msg}" if loc else f"  - {msg}")
    return "\n".join(lines)


def assumption_factors(relative_range: float, exclude: list[str]) -> dict[str, Factor]:
    """A range of ±relative_range around the default of every numeric parameter whose
    source is an assumption, clipped to the parameter's own bounds."""
    from sim.scenario import Scenario as S

    out = {}
    for row in parameter_table():
        path = f"{row['section']}.{row['name']}"
        if (
            row["section"] not in ASSUMPTION_SECTIONS
            or path in exclude
            or not str(row["source"]).startswith("assumption")
        ):
            continue
        default = row["default"]
        if isinstance(default, bool) or not isinstance(default, (int, float)) or default == 0:
            continue
        field = S.model_fields[row["section"]].annotation.model_fields[row["name"]]
        lo, hi = default * (1 - relative_range), default * (1 + relative_range)
        for m in field.metadata:
            for attr, pick in (("ge", max), ("gt", max), ("le", min), ("lt", min)):
                bound = getattr(m, attr, None)
                if bound is None:
                    continue
                if attr in ("gt", "lt"):  # strictly inside
                    bound = bound + (1e-9 if attr == "gt" else -1e-9)
                if pick is max:
                    lo = max(lo, bound)
                else:
                    hi = min(hi, bound)
        is_int = isinstance(default, int)
        if is_int:
            lo, hi = round(float(lo)), round(float(hi))
        if lo < hi:
            out[path] = Factor(low=lo, high=hi, integer=is_int)
    return out


def _check(
    exp: Experiment, source: str, base: Path, given: dict[str, Scenario] | None = None
) -> dict[str, Scenario]:
    """Checks across keys, each naming its key path; returns the arms' scenarios (`given`:
    scenarios already in memory, by arm name)."""
    problems: list[str] = []
    names = [a.name for a in exp.arms]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        problems.append(f"arms: names must differ (repeated: {', '.join(dupes)})")
    refs = [a.name for a in exp.arms if a.reference]
    if len(refs) != 1 and not (len(exp.arms) == 1 and not refs):
        problems.append(
            f"arms: exactly one arm needs reference = true (got {len(refs)}: "
            f"{', '.join(refs) or 'none'})"
        )
    scenarios: dict[str, Scenario] = {}
    for i, arm in enumerate(exp.arms):
        if given and arm.name in given:
            scenarios[arm.name] = given[arm.name]
            continue
        candidate = base / arm.scenario
        target = candidate if candidate.exists() else arm.scenario
        try:
            scenarios[arm.name] = load_scenario(target)
        except ScenarioError as err:
            problems.append(f"arms[{i}].scenario: {err}")
    for where, table in [("overrides", exp.overrides)] + [
        (f"arms[{i}].overrides", a.overrides) for i, a in enumerate(exp.arms)
    ]:
        for path in table:
            why = check_path(path)
            if why:
                problems.append(f"{where}.{path!r}: {why}")
    for kind in ("levers", "uncertainties"):
        design: Design = getattr(exp, kind)
        for path, factor in design.factors.items():
            why = check_path(path)
            if why:
                problems.append(f"{kind}.factors.{path!r}: {why}")
                continue
            if scenarios and not any(applies_to(sc, path) for sc in scenarios.values()):
                problems.append(
                    f"{kind}.factors.{path!r}: no arm has an intervention of "
                    f"type {path.split('.')[1]!r}"
                )
                continue
            ends = factor.values if factor.values is not None else [factor.low, factor.high]
            for sc in scenarios.values():
                if not applies_to(sc, path):
                    continue
                for v in ends:
                    try:
                        with_values(sc, {path: v})
                    except ValidationError as err:
                        msg = err.errors()[0]["msg"].removeprefix("Value error, ")
                        problems.append(f"{kind}.factors.{path!r}: {v!r} is not allowed ({msg})")
                break
    both = set(exp.levers.factors) & set(exp.uncertainties.factors)
    if both:
        problems.append(
            f"a path is either a lever or an uncertainty, not both: {', '.join(sorted(both))}"
        )
    from sim.experiments.readings import KNOWN_OUTCOMES

    for name in exp.outcomes.names + [exp.outcomes.primary]:
        if name not in KNOWN_OUTCOMES:
            problems.append(
                f"outcomes.names: unknown outcome {name!r} "
                f"(allowed: {', '.join(sorted(KNOWN_OUTCOMES))})"
            )
    if isinstance(exp.seeds, int) and not 1 <= exp.seeds <= 100_000:
        problems.append(f"seeds: {exp.seeds} replicates is not allowed (1 to 100000)")
    if isinstance(exp.seeds, list) and (
        not exp.seeds or len(set(exp.seeds)) != len(exp.seeds) or min(exp.seeds) < 0
    ):
        problems.append("seeds: a list of seeds must be non-empty, distinct and >= 0")
    horizon = exp.years or min((sc.run.years for sc in scenarios.values()), default=None)
    for y in exp.outcomes.at_years:
        if horizon is not None and not 0 < y <= horizon:
            problems.append(f"outcomes.at_years: {y} is outside the horizon (0, {horizon}]")
    if problems:
        raise ExperimentError(
            f"{source}: {len(problems)} problem(s) in the experiment\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    return scenarios


class LoadedExperiment:
    """An experiment with its arms' scenarios loaded and its factors resolved."""

    def __init__(self, spec: Experiment, scenarios: dict[str, Scenario], source: str, text: str):
        self.spec = spec
        self.scenarios = scenarios
        self.source = source
        self.text = text  # the file as written, kept with the results
        unc = dict(spec.uncertainties.factors)
        if spec.uncertainties.include_assumptions:
            auto = assumption_factors(spec.uncertainties.relative_range, spec.uncertainties.exclude)
            lever_paths = set(spec.levers.factors)
            unc = {**{k: v for k, v in auto.items() if k not in lever_paths}, **unc}
        self.uncertainty_factors: dict[str, Factor] = unc

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def reference(self) -> str:
        refs = [a.name for a in self.spec.arms if a.reference]
        return refs[0] if refs else self.spec.arms[0].name

    @property
    def seeds(self) -> list[int]:
        if isinstance(self.spec.seeds, list):
            return list(self.spec.seeds)
        s = self.spec.seed_start
        return list(range(s, s + self.spec.seeds))

    @property
    def horizon(self) -> float:
        """The simulated years (of the reference arm when the arms keep their own)."""
        return self.spec.years or self.scenarios[self.reference].run.years


def parse_experiment(
    data: dict[str, Any],
    source: str,
    base: Path,
    text: str = "",
    scenarios: dict[str, Scenario] | None = None,
) -> LoadedExperiment:
    """Validate a parsed experiment (from a file, or built in memory by `compare`, which
    hands over its scenarios by arm name)."""
    try:
        spec = Experiment.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(_format(source, exc)) from None
    scenarios = _check(spec, source, base, scenarios)
    return LoadedExperiment(spec, scenarios, source, text)


def resolve_experiment_path(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.exists():
        return p
    for candidate in (EXPERIMENT_DIR / p, EXPERIMENT_DIR / f"{p}.toml"):
        if candidate.exists():
            return candidate
    shipped = ", ".join(sorted(x.stem for x in EXPERIMENT_DIR.glob("*.toml")))
    raise ExperimentError(f"{name_or_path}: no such experiment file (shipped: {shipped})")


def load_experiment(name_or_path: str | Path, **changes: Any) -> LoadedExperiment:
    """Load and check an experiment file; `changes` replace top-level keys (e.g. seeds=3
    for a quick look). Errors are ExperimentError naming the file and the key path."""
    from sim.scenario_files import ScenarioError, parse_toml, read_text_file

    path = resolve_experiment_path(name_or_path)
    try:  # a regular UTF-8 file of bounded size and nesting, as scenario files (issue 14)
        text = read_text_file(path, "experiment file")
        data = parse_toml(path, text)
    except ScenarioError as exc:
        raise ExperimentError(str(exc)) from None
    data.update(changes)
    if changes.get("years") is not None and isinstance(data.get("outcomes"), dict):
        # a shorter horizon from the command line drops the readings it no longer reaches
        at = data["outcomes"].get("at_years")
        if isinstance(at, list):
            data["outcomes"]["at_years"] = [
                y for y in at if not isinstance(y, (int, float)) or y <= changes["years"]
            ]
    return parse_experiment(data, str(path), path.parent, text)
