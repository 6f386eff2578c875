"""Checks across a scenario's sections: interventions against the site, the site's size
against what the model and this machine can hold, and start times against the run.

Each section validates its own fields (sim/scenario.py); what needs two sections at once
lives here, so that `validate` catches it before a run, not a crash after 47 seconds.
"""

from __future__ import annotations

import functools
import inspect
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario import Scenario

MAX_DWELLINGS = 1_000_000  # ten times the largest site measured (benchmarks/RESULTS.md)

# Measured (benchmarks/RESULTS.md, 2 cores): peak RSS 312 MB at one flat, 438 MB at 9,714
# and 1,018 MB at 97,090 households (~7.3 KB a dwelling above the base); a household-day
# takes ~1.0-1.5 µs on one core, ~0.95 µs on two; site set-up and burn-in ~0.35 ms a dwelling.
BASE_MB = 320.0
KB_PER_DWELLING = 8.0
US_PER_HOUSEHOLD_DAY_ONE_CORE = 1.5
SETUP_MS_PER_DWELLING = 0.35


@functools.cache
def _layout_defaults(layout: str) -> dict[str, Any]:
    from sim.building.layouts import LAYOUTS

    sig = inspect.signature(LAYOUTS[layout].build)
    return {
        k: p.default for k, p in sig.parameters.items() if p.default is not inspect.Parameter.empty
    }


def dwellings_of(spec: Any) -> int:
    """Dwellings a BuildingSpec makes, from its parameters or its layout's defaults, without
    building it (a site of 10^9 dwellings must be refused, not built)."""
    kw = {**_layout_defaults(spec.layout), **spec.generator_kwargs()}
    if spec.layout in ("gallery_flat", "corridor_tower"):
        return int(kw["floors"]) * int(kw["dwellings_per_floor"])
    if spec.layout == "stairwell_block":
        return int(kw["stairwells"]) * int(kw["floors"]) * int(kw["dwellings_per_landing"])
    return int(kw["houses"])


def site_dwellings(sc: Scenario) -> int:
    return sum(dwellings_of(b) for b in sc.site.buildings)


def check_against_site(sc: Scenario) -> None:
    """Raise ValueError (key path first) for a site too large for the model, or an
    intervention that names a building the site does not have or ends before it starts."""
    n = site_dwellings(sc)
    if n > MAX_DWELLINGS:
        raise ValueError(
            f"site.buildings: {len(sc.site.buildings):,} buildings with {n:,} "
            f"dwellings; the model accepts at most {MAX_DWELLINGS:,} (measured up "
            "to 100,000: see benchmarks/RESULTS.md)"
        )
    nb = len(sc.site.buildings)
    for i, spec in enumerate(sc.interventions):
        data = spec.model_dump()
        for where, b in _building_refs(data, f"interventions[{i}]"):
            if isinstance(b, bool) or not isinstance(b, int) or not 0 <= b < nb:
                raise ValueError(
                    f"{where} = {b!r} but the site has {nb} building(s) (allowed: 0..{nb - 1})"
                )
        start, end = data.get("start_year", 0.0), data.get("end_year")
        if isinstance(end, (int, float)) and isinstance(start, (int, float)) and end <= start:
            raise ValueError(
                f"interventions[{i}].end_year = {end:g} is not after its "
                f"start_year = {start:g} (an intervention must last some time)"
            )


def _building_refs(value: Any, where: str) -> list[tuple[str, Any]]:
    """Every `building` / `buildings` entry in an intervention's parameters, with its path."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{where}.{k}"
            if k == "building":
                out.append((here, v))
            elif k == "buildings" and isinstance(v, list):
                out += [(f"{here}[{j}]", b) for j, b in enumerate(v)]
            else:
                out += _building_refs(v, here)
    elif isinstance(value, list):
        for j, v in enumerate(value):
            out += _building_refs(v, f"{where}[{j}]")
    return out


def timing_warnings(sc: Scenario) -> list[str]:
    """Interventions that never act within the run (valid, but rarely meant)."""
    out = []
    years = sc.run.years
    for i, spec in enumerate(sc.interventions):
        data = spec.model_dump()
        start = float(data.get("start_year", 0.0) or 0.0)
        label = data.get("label") or data.get("type")
        if start >= years:
            out.append(
                f"interventions[{i}] ({label}) starts in year {start:g} but the run "
                f"lasts {years:g} years: it never acts (and costs nothing)"
            )
    return out


# --------------------------------------------------------------------------------------
# what a run needs, and what this machine has
# --------------------------------------------------------------------------------------
@dataclass
class Estimate:
    dwellings: int
    memory_mb: float
    seconds: float
    available_mb: float | None
    cores: int

    @property
    def fits(self) -> bool:
        return self.available_mb is None or self.memory_mb <= 0.8 * self.available_mb

    def max_dwellings(self) -> int | None:
        """The largest site whose estimate fits 80% of the memory available now."""
        if self.available_mb is None:
            return None
        return max(0, int((0.8 * self.available_mb - BASE_MB) * 1024 / KB_PER_DWELLING))

    def text(self) -> str:
        avail = (
            ""
            if self.available_mb is None
            else f"; this machine has {self.available_mb / 1024:.1f} GB available"
        )
        return (
            f"{self.dwellings:,} dwellings: about {self.memory_mb / 1024:.1f} GB of memory "
            f"and {_duration(self.seconds)} on {self.cores} core(s) (estimated from the "
            f"benchmarks){avail}"
        )


def estimate(sc: Scenario, cores: int | None = None) -> Estimate:
    """Memory and time a run of `sc` needs here, from the measured figures above."""
    n = site_dwellings(sc)
    cores = max(1, cores or os.cpu_count() or 1)
    used = min(cores, len(sc.site.buildings))
    us = US_PER_HOUSEHOLD_DAY_ONE_CORE / (1 + 0.6 * (used - 1))
    days = (sc.run.years + sc.run.burn_in_years) * 365
    seconds = n * days * us * 1e-6 + n * SETUP_MS_PER_DWELLING * 1e-3
    return Estimate(
        dwellings=n,
        memory_mb=BASE_MB + n * KB_PER_DWELLING / 1024,
        seconds=seconds,
        available_mb=available_memory_mb(),
        cores=cores,
    )


def available_memory_mb() -> float | None:
    """MemAvailable from /proc/meminfo (Linux), else None (unknown: not checked)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
