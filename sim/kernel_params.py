"""Scenario sections as numba records, so compiled code reads parameters by name.

A kernel takes `c` (contact), `h` (help), `s` (states), ... and reads `c.tie_threshold`:
a parameter added to a section of sim/scenario.py is in its record at once, and a value
can never be read from the wrong slot. Numbers only: bools become 0/1, text and tables are
left out (they never reach compiled code).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel


def _numeric_fields(section: BaseModel) -> dict[str, float]:
    out = {}
    for name in type(section).model_fields:
        value = getattr(section, name)
        if isinstance(value, bool | int | float):
            out[name] = float(value)
    return out


def section_record(section: BaseModel, **derived: float) -> np.ndarray:
    """A one-element structured array holding every numeric field of `section`, plus
    `derived` values (e.g. daily decay factors computed from half-lives), as float64
    fields of the same names. Kernels take its record, `arr[0]`; parallel (prange)
    kernels take the array itself and index it inside the loop, as numba cannot hand a
    record to a parallel region."""
    values = {**_numeric_fields(section), **{k: float(v) for k, v in derived.items()}}
    dtype = np.dtype([(name, np.float64) for name in values])
    arr = np.zeros(1, dtype)
    for name, value in values.items():
        arr[0][name] = value
    return arr


def daily_factor(half_life_days: float) -> float:
    """The factor a quantity with this half-life keeps each day."""
    return 0.5 ** (1.0 / half_life_days)
