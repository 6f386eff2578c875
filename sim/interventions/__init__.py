"""Pluggable interventions. Importing this package registers every shipped intervention."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

# Shipped interventions register themselves on import (one module each).
from sim.interventions import catalogue as _catalogue  # noqa: F401,E402
from sim.interventions.base import REGISTRY, Intervention, InterventionParams, register


def validate_intervention_specs(specs: Iterable[Any], strict: bool = False) -> None:
    """Check each entry's type and parameters; raise ValueError naming the entry and key.
    `strict`: as for a scenario file, a string is not a number and true is not 1."""
    for i, spec in enumerate(specs):
        data = spec.model_dump() if hasattr(spec, "model_dump") else dict(spec)
        kind = data.get("type")
        if kind not in REGISTRY:
            raise ValueError(
                f"interventions[{i}].type = {kind!r} is unknown "
                f"(allowed: {', '.join(sorted(REGISTRY)) or 'none registered'})"
            )
        try:
            REGISTRY[kind].Params.model_validate(data, strict=strict)
        except ValidationError as exc:
            allowed = ", ".join(REGISTRY[kind].Params.model_fields)
            problems = "; ".join(
                f"interventions[{i}].{'.'.join(map(str, e['loc']))}: "
                + (
                    f"unknown key (allowed: {allowed})"
                    if e["type"] == "extra_forbidden"
                    else f"{e['msg']} (got {e.get('input')!r})"
                )
                for e in exc.errors()
            )
            raise ValueError(problems) from None


def build_interventions(specs: Iterable[Any]) -> list[Intervention]:
    out = []
    for i, spec in enumerate(specs):
        data = spec.model_dump() if hasattr(spec, "model_dump") else dict(spec)
        cls = REGISTRY[data["type"]]
        out.append(cls(cls.Params.model_validate(data), index=i))
    return out


__all__ = [
    "REGISTRY",
    "Intervention",
    "InterventionParams",
    "register",
    "validate_intervention_specs",
    "build_interventions",
]
