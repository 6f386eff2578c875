"""What the room can change, and how a choice becomes a scenario. Choices are collected in
`Settings` and only turned into models on reset; a combination the model refuses comes back
as a `SettingsError` with a readable message (the page shows it, the server keeps running).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario import SCENARIO_DIR, Scenario, ScenarioError, load_scenario

MEASURES = ("flatcoach", "allocation_by_motivation", "social_renovation", "welcome", "connectors")
DESIGN_EDITS = ("bench", "garden", "hobby_room", "laundry", "closed_gallery")
COLOUR_BY = ("group", "sense_of_home", "safety", "wellbeing", "recovery")
DAYS_PER_FRAME = (1, 7, 14, 28)
# the main slider of a measure: (parameter, minimum, maximum, step)
SLIDERS = {
    "flatcoach": ("hours_per_week", 1.0, 40.0, 1.0),
    "allocation_by_motivation": ("share", 0.0, 1.0, 0.05),
    "connectors": ("connectors_per_100", 0.0, 30.0, 1.0),
}


class SettingsError(ValueError):
    """A choice of controls the model cannot run; the message is meant for the page."""


EXTRA_DIR_ENV = "GOEDEBUREN_APP_SCENARIOS"  # a folder of the room's own scenario files


def _extra_files() -> dict[str, Path]:
    folder = os.environ.get(EXTRA_DIR_ENV)
    return {p.stem: p for p in sorted(Path(folder).glob("*.toml"))} if folder else {}


def shipped_scenarios() -> list[str]:
    """The scenarios the picker offers: the shipped ones, then those in the folder named
    by $GOEDEBUREN_APP_SCENARIOS (`goedeburen app --scenarios DIR`)."""
    shipped = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    return shipped + [name for name in _extra_files() if name not in shipped]


@dataclass(frozen=True)
class Settings:
    scenario: str = "baseline"
    seed: int = 1
    supported_share: float | None = None  # None: as in the scenario
    trust: float | None = None
    measures: frozenset[str] | None = None  # None: as in the scenario
    sliders: dict[str, float] = field(default_factory=dict)
    design: frozenset[str] | None = None
    compare: str = "none"  # "none", "without", or a scenario name

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def base_scenario(name: str) -> Scenario:
    try:
        return load_scenario(_extra_files().get(name, name))
    except ScenarioError as exc:
        raise SettingsError(str(exc)) from None


def scenario_measures(sc: Scenario) -> frozenset[str]:
    return frozenset(spec.type for spec in sc.interventions if spec.type in MEASURES)


def scenario_design(sc: Scenario) -> frozenset[str]:
    """The design edits a scenario's design interventions make."""
    out: set[str] = set()
    for spec in sc.interventions:
        if spec.type != "design":
            continue
        extra = spec.model_dump()
        if extra.get("bench"):
            out.add("bench")
        if extra.get("gallery") == "closed":
            out.add("closed_gallery")
        out.update(r["kind"] for r in extra.get("rooms", []) if r["kind"] in DESIGN_EDITS)
    return frozenset(out)


def slider_value(sc: Scenario, measure: str) -> float:
    """The main slider's value for `measure` in `sc` (its default if the scenario has none)."""
    from sim.interventions import REGISTRY

    key = SLIDERS[measure][0]
    for spec in sc.interventions:
        if spec.type == measure and key in spec.model_dump():
            return float(spec.model_dump()[key])
    return float(REGISTRY[measure].Params.model_fields[key].default)


def build_scenario(settings: Settings, measures_on: bool = True) -> Scenario:
    """The scenario the settings describe (`measures_on=False`: the same without any
    measure or design edit, the comparison's other side)."""
    if isinstance(settings.seed, bool) or not isinstance(settings.seed, int) or settings.seed < 0:
        raise SettingsError(f"seed: a whole number of 0 or more, got {settings.seed!r}")
    sc = base_scenario(settings.scenario)
    specs = [s.model_dump() for s in sc.interventions]
    measures = scenario_measures(sc) if settings.measures is None else settings.measures
    design = scenario_design(sc) if settings.design is None else settings.design
    kept = [s for s in specs if s["type"] in measures]
    for m in sorted(measures - {s["type"] for s in kept}):
        kept.append({"type": m})
    for s in kept:
        if s["type"] in SLIDERS and s["type"] in settings.sliders:
            s[SLIDERS[s["type"]][0]] = settings.sliders[s["type"]]
    if design:
        rooms = [
            {"kind": k, "building": 0} for k in ("garden", "hobby_room", "laundry") if k in design
        ]
        kept.append(
            {
                "type": "design",
                "bench": "bench" in design,
                "rooms": rooms,
                "gallery": "closed" if "closed_gallery" in design else "open",
            }
        )
    other = [s for s in specs if s["type"] not in MEASURES and s["type"] != "design"]
    population: dict[str, Any] = {}
    allocation: dict[str, Any] = {}
    if settings.supported_share is not None:
        population["supported_share"] = settings.supported_share
        allocation["supported_share"] = settings.supported_share
    if settings.trust is not None:
        population["trust_neighbours_mean"] = settings.trust
    try:
        return sc.with_overrides(
            population=population,
            allocation=allocation,
            interventions=(kept + other) if measures_on else [],
        )
    except (ValidationError, ValueError) as exc:
        raise SettingsError(_readable(exc)) from None


def comparison_scenario(settings: Settings) -> Scenario | None:
    """The left-hand side of the comparison (the right is `build_scenario(settings)`):
    None when not comparing."""
    if settings.compare == "none":
        return None
    if settings.compare == "without":
        return build_scenario(settings, measures_on=False)
    if settings.compare not in shipped_scenarios():
        raise SettingsError(
            f"unknown scenario {settings.compare!r} to compare with "
            f"(shipped: {', '.join(shipped_scenarios())})"
        )
    return base_scenario(settings.compare)


def _readable(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"])
            parts.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}")
        return "; ".join(parts)
    return str(exc)
