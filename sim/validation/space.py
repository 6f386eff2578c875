"""The uncertain parameters: numeric scenario parameters whose source says "assumption"
(or "calibrated"), with the range a calibration or a screen may move them in.

The schema's bounds say what is allowed (a probability in [0, 1], a half-life above one day),
not what is plausible, so the default range is the default divided and multiplied by
`FACTOR`, clipped to the schema's bounds; a TOML file can name other ranges:

    [parameters]
    "contact.talk_base" = [0.02, 0.2]
    "states.eviction_complaints" = [2, 8]
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sim.scenario import Scenario

FACTOR = 3.0  # default range: default / FACTOR .. default * FACTOR (within the schema)
UNCERTAIN_SOURCES = ("assumption", "calibrated")


@dataclass(frozen=True)
class Dimension:
    section: str
    name: str
    low: float
    high: float
    default: float
    integer: bool = False
    source: str = ""

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"

    @property
    def log(self) -> bool:
        """Sample on a log scale when the range spans a factor of more than 4 above zero."""
        return self.low > 0 and self.high / self.low > 4


def _bounds(field: Any) -> tuple[float | None, float | None, bool, bool]:
    lo = hi = None
    lo_open = hi_open = False
    for m in field.metadata:
        for attr, is_low, is_open in (
            ("ge", True, False),
            ("gt", True, True),
            ("le", False, False),
            ("lt", False, True),
        ):
            v = getattr(m, attr, None)
            if v is None:
                continue
            if is_low:
                lo, lo_open = float(v), is_open
            else:
                hi, hi_open = float(v), is_open
    return lo, hi, lo_open, hi_open


def _sections() -> dict[str, type[BaseModel]]:
    out = {}
    for section, field in Scenario.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            out[section] = model
    return out


def schema_dimension(
    key: str, low: float | None = None, high: float | None = None, scenario: Scenario | None = None
) -> Dimension:
    """The dimension of one `section.name` parameter: its range (given, or the default
    range) checked against the schema. The default is the scenario's value if given."""
    section, _, name = key.partition(".")
    sections = _sections()
    if section not in sections or name not in sections[section].model_fields:
        raise ValueError(
            f"{key}: not a scenario parameter (expected section.name, e.g. "
            f"contact.talk_base; see `goedeburen params`)"
        )
    field = sections[section].model_fields[name]
    default = getattr(getattr(scenario, section), name) if scenario else field.default
    if isinstance(default, bool) or not isinstance(default, (int, float)):
        raise ValueError(  # noqa: TRY004 - callers handle one error type for a bad key
            f"{key}: only numeric parameters can be varied (default {default!r})"
        )
    integer = isinstance(default, int)
    s_lo, s_hi, lo_open, hi_open = _bounds(field)
    eps = 1e-9
    if s_lo is not None and lo_open:
        s_lo = s_lo + max(eps, abs(s_lo) * 1e-6) if not integer else s_lo + 1
    if s_hi is not None and hi_open:
        s_hi = s_hi - max(eps, abs(s_hi) * 1e-6) if not integer else s_hi - 1
    if low is None or high is None:
        if default > 0:
            d_lo, d_hi = default / FACTOR, default * FACTOR
        elif default < 0:
            d_lo, d_hi = default * FACTOR, default / FACTOR
        else:
            d_lo, d_hi = (s_lo if s_lo is not None else 0.0), (s_hi if s_hi is not None else 1.0)
        low = d_lo if low is None else low
        high = d_hi if high is None else high
    if s_lo is not None:
        low = max(low, s_lo)
    if s_hi is not None:
        high = min(high, s_hi)
    if integer:
        low, high = math.ceil(low), math.floor(high)
    if not low < high:
        raise ValueError(f"{key}: empty range [{low}, {high}] (schema bounds {s_lo}..{s_hi})")
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return Dimension(
        section,
        name,
        float(low),
        float(high),
        float(default),
        integer,
        str(extra.get("source", "")),
    )


def uncertain_parameters(scenario: Scenario | None = None) -> list[Dimension]:
    """Every numeric parameter whose source marks it an assumption (or calibrated), with
    its default range: the set a Morris screen covers."""
    dims = []
    for section, model in _sections().items():
        if section == "run":
            continue
        for name, f in model.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            source = str(extra.get("source", ""))
            if not any(s in source.lower() for s in UNCERTAIN_SOURCES):
                continue
            if isinstance(f.default, bool) or not isinstance(f.default, (int, float)):
                continue
            try:
                dims.append(schema_dimension(f"{section}.{name}", scenario=scenario))
            except ValueError:
                continue  # a default at a bound of an empty range: nothing to vary
    return dims


def read_space(path: Path, scenario: Scenario | None = None) -> list[Dimension]:
    """Dimensions from a TOML file's [parameters] table: "section.name" = [low, high], or
    = "default" for the default range."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the parameter space: {exc}") from None
    table = data.get("parameters")
    if not isinstance(table, dict) or not table:
        raise ValueError(f'{path}: needs a [parameters] table of "section.name" = [low, high]')
    dims = []
    for key, rng in table.items():
        if rng == "default":
            dims.append(schema_dimension(key, scenario=scenario))
        elif (
            isinstance(rng, list)
            and len(rng) == 2
            and all(isinstance(x, (int, float)) for x in rng)
        ):
            dims.append(schema_dimension(key, float(rng[0]), float(rng[1]), scenario))
        else:
            raise ValueError(
                f'{path}: parameters.{key}: expected [low, high] or "default", got {rng!r}'
            )
    return dims


def overrides(
    dims: list[Dimension], values: list[float] | dict[str, float]
) -> dict[str, dict[str, Any]]:
    """Scenario section overrides for one point of the space."""
    if isinstance(values, dict):
        values = [values[d.key] for d in dims]
    out: dict[str, dict[str, Any]] = {}
    for d, v in zip(dims, values, strict=True):
        out.setdefault(d.section, {})[d.name] = round(v) if d.integer else float(v)
    return out
