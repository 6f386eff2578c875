"""Allocation policies: who moves into a vacant dwelling.

A policy is a small replaceable object with one method, `fill(model, dwellings)`. The
model calls it for dwellings whose vacancy period has ended; interventions such as
allocation by motivation swap `model.allocation` for another policy while they run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import NeighbourhoodModel


class AllocationPolicy:
    name = "base"

    def fill(self, model: NeighbourhoodModel, dwellings: np.ndarray) -> None:
        raise NotImplementedError


class WaitingListAllocation(AllocationPolicy):
    """Vacancies go to the next in line: a draw from the waiting list's composition, where a
    fixed share are supported newcomers (from shelter or sheltered housing)."""

    name = "waiting_list"

    def __init__(self, supported_share: float):
        self.supported_share = supported_share

    def fill(self, model: NeighbourhoodModel, dwellings: np.ndarray) -> None:
        rng = model.streams["allocation"]
        supported = rng.random(len(dwellings)) < self.supported_share
        model.move_in(dwellings, supported, rng)


ALLOCATION_POLICIES = {"waiting_list": WaitingListAllocation}
