"""The intervention interface: a pluggable component with its own parameters, timing,
random stream, results and cost.

A new intervention is one file: subclass `Intervention`, declare `key` (its name in scenario
files) and a `Params` model, override the hooks it needs, and decorate it with `@register`.
The model never needs to know about it. Interventions act through the model's public
levers (household arrays, `queue_meetings`, `allocation`, `set_site`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from sim.model import NeighbourhoodModel


class InterventionParams(BaseModel):
    """Timing shared by every intervention; subclasses add their own fields."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    type: str
    label: str | None = Field(
        None, max_length=100, description="name shown in results (defaults to type)"
    )
    start_year: float = Field(0.0, ge=0, le=100, description="first active year")
    end_year: float | None = Field(None, gt=0, le=100, description="last active year (open-ended)")


class Intervention:
    key: ClassVar[str] = ""
    Params: ClassVar[type[InterventionParams]] = InterventionParams

    def __init__(self, params: InterventionParams, index: int = 0):
        self.pars = params
        self.index = index
        self.label = params.label or params.type
        self.counters: dict[str, float] = {}
        self.cost_items: dict[str, float] = {}
        self.active = False
        self.model: NeighbourhoodModel | None = None

    # lifecycle ------------------------------------------------------------------------
    def bind(self, model: NeighbourhoodModel) -> None:
        self.model = model

    @property
    def rng(self) -> np.random.Generator:
        """Own stream: drawing here never shifts another mechanism's draws."""
        assert self.model is not None
        return self.model.streams[f"intervention:{self.key}:{self.index}"]

    def start_day(self) -> int:
        return int(round(self.pars.start_year * 365))

    def end_day(self) -> float:
        return float("inf") if self.pars.end_year is None else int(round(self.pars.end_year * 365))

    def update_activity(self, day: int) -> None:
        """Called by the model each morning: switches the intervention on/off on schedule."""
        should = self.start_day() <= day < self.end_day()
        if should and not self.active:
            self.active = True
            self.start()
        elif not should and self.active:
            self.active = False
            self.stop()

    # hooks (override what you need) ---------------------------------------------------
    def start(self) -> None:
        """First active day."""

    def stop(self) -> None:
        """Day after the last active day."""

    def step(self) -> None:
        """Every active day, before encounters are resolved."""

    def after_day(self) -> None:
        """Every active day, after contact, help and states were updated."""

    def on_move_in(self, dwellings: np.ndarray) -> None:
        """New households arrived (while active)."""

    # bookkeeping ----------------------------------------------------------------------
    def count(self, name: str, amount: float = 1.0) -> None:
        self.counters[name] = self.counters.get(name, 0.0) + float(amount)

    def unit_cost(self, item: str) -> float:
        """Euros per unit of `item`, from the scenario's [costs] table (sim/costs.py)."""
        assert self.model is not None
        return float(getattr(self.model.config.costs, item))

    def spend(self, item: str, euros: float) -> None:
        self.cost_items[item] = self.cost_items.get(item, 0.0) + float(euros)

    @property
    def cost(self) -> float:
        return float(sum(self.cost_items.values()))

    def results(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "intervention": self.label,
            "type": self.key,
            "cost_eur": round(self.cost, 2),
        }
        out.update({k: v for k, v in sorted(self.counters.items())})
        out.update({f"cost_{k}_eur": round(v, 2) for k, v in sorted(self.cost_items.items())})
        return out


REGISTRY: dict[str, type[Intervention]] = {}


def register(cls: type[Intervention]) -> type[Intervention]:
    if not cls.key:
        raise TypeError(f"{cls.__name__} needs a `key`")
    REGISTRY[cls.key] = cls
    return cls
