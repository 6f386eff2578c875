"""Mesa agents: the user-facing objects (what the app shows and reports name).

A Household is a thin view onto one row of the model's household arrays, so the daily loop
can stay vectorised while users still see agents with attributes. Professionals such as the
flatcoach are ordinary Mesa agents with their own state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from sim.model import NeighbourhoodModel


class Household(CellAgent):
    """One household living in one dwelling. Attributes are read from the model's arrays;
    in the model's network space (`model.grid`) it sits in its front door's cell."""

    model: NeighbourhoodModel

    def __init__(self, model: NeighbourhoodModel, dwelling: int):
        super().__init__(model)
        self.dwelling = int(dwelling)

    def __getattr__(self, name: str) -> Any:
        # only called for attributes not found normally: read the household column
        hh = self.__dict__.get("model") and self.model.households
        if hh is not None and name in hh.columns():
            return getattr(hh, name)[self.dwelling].item()
        raise AttributeError(name)

    @property
    def kind(self) -> str:
        return "supported newcomer" if self.supported else "resident"

    @property
    def building(self) -> int:
        return int(self.model.site.dwelling_building[self.dwelling])

    @property
    def floor(self) -> int:
        return int(self.model.site.dwelling_floor[self.dwelling])

    @property
    def door_node(self) -> int:
        """The circulation node its front door opens onto (its cell in `model.grid`)."""
        return int(self.model.site.dwelling_node[self.dwelling])

    def ties(self, threshold: float | None = None) -> list[int]:
        """Dwellings of neighbours this household has a positive tie with."""
        thr = self.model.config.contact.tie_threshold if threshold is None else threshold
        return self.model.neighbours_of(self.dwelling, thr)

    def __repr__(self) -> str:
        return f"<Household {self.unique_id} dwelling={self.dwelling} {self.kind}>"


class Professional(mesa.Agent):
    """A social professional (e.g. a flatcoach) present in the building some hours a week."""

    def __init__(
        self, model: NeighbourhoodModel, role: str, hours_per_week: float, building: int = 0
    ):
        super().__init__(model)
        self.role = role
        self.hours_per_week = hours_per_week
        self.building = building
        self.hours_worked = 0.0
        self.present_today = False

    def __repr__(self) -> str:
        return f"<Professional {self.role} building={self.building}>"
