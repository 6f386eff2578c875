"""Dotted scenario paths ("contact.talk_base", "interventions.flatcoach.hours_per_week"):
checked against the scenario schema and applied to a scenario, in one place.

A path names a section of the scenario and a field in it; `interventions.<type>.<field>`
names a parameter of every intervention of that type in the scenario (an arm without one is
left as it is, so a lever over a flatcoach's hours does not touch the reference arm).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from sim.scenario import Scenario


def _section_model(name: str) -> type[BaseModel] | None:
    field = Scenario.model_fields.get(name)
    ann = getattr(field, "annotation", None)
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def check_path(path: str) -> str | None:
    """None if `path` names a numeric scenario parameter, else what is wrong (and allowed)."""
    from sim.interventions import REGISTRY

    parts = path.split(".")
    sections = [s for s in Scenario.model_fields if _section_model(s) is not None]
    if parts[0] == "interventions":
        if len(parts) != 3:
            return "intervention parameters are written interventions.<type>.<parameter>"
        if parts[1] not in REGISTRY:
            return (
                f"unknown intervention type {parts[1]!r} (allowed: {', '.join(sorted(REGISTRY))})"
            )
        fields = REGISTRY[parts[1]].Params.model_fields
        if parts[2] not in fields or parts[2] == "type":
            allowed = ", ".join(f for f in fields if f != "type")
            return f"{parts[1]} has no parameter {parts[2]!r} (allowed: {allowed})"
        return None
    model = _section_model(parts[0])
    if model is None:
        return (
            f"unknown section {parts[0]!r} (allowed: {', '.join(sections)}, interventions.<type>)"
        )
    if len(parts) != 2:
        return f"write <section>.<parameter>, e.g. {parts[0]}.{next(iter(model.model_fields))}"
    if parts[1] not in model.model_fields:
        return (
            f"section {parts[0]!r} has no parameter {parts[1]!r} "
            f"(allowed: {', '.join(model.model_fields)})"
        )
    ann = model.model_fields[parts[1]].annotation
    if ann not in (int, float):
        return f"{path} is not a number (it is {getattr(ann, '__name__', ann)})"
    return None


def applies_to(scenario: Scenario, path: str) -> bool:
    """Whether setting `path` changes anything in this scenario (see the module docstring)."""
    parts = path.split(".")
    if parts[0] != "interventions":
        return True
    return any(iv.type == parts[1] for iv in scenario.interventions)


def with_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """A copy of `scenario` with each dotted path set, re-validated (pydantic errors name
    the field and its bounds)."""
    if not values:
        return scenario
    data = scenario.model_dump()
    for path, value in values.items():
        parts = path.split(".")
        if parts[0] == "interventions":
            for iv in data["interventions"]:
                if iv["type"] == parts[1]:
                    iv[parts[2]] = value
            continue
        node = data
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = value
    return Scenario.model_validate(data)
