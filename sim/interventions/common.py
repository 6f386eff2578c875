"""Helpers shared by the shipped interventions: unit costs, uptake, neighbour selection and
composable changes to the model's per-household multipliers.

Unit costs are a scenario's `[costs]` table (defaults, units and sources in sim/costs.py,
documented in docs/INTERVENTIONS.md); an intervention reads them with `self.unit_cost`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.costs import UNIT_COSTS  # noqa: F401 - re-exported (older imports)

if TYPE_CHECKING:
    from sim.model import NeighbourhoodModel


def unit_cost(model: NeighbourhoodModel, item: str) -> float:
    """Euros per unit of `item` in this model's scenario ([costs]; defaults in sim/costs.py)."""
    return float(getattr(model.config.costs, item))


def occupied(model: NeighbourhoodModel) -> np.ndarray:
    return np.flatnonzero(model.households.occupied)


def in_buildings(model: NeighbourhoodModel, buildings: list[int] | None) -> np.ndarray:
    """Boolean mask over dwellings in the given buildings (all when None)."""
    b = model.site.dwelling_building
    if buildings is None:
        return np.ones(len(b), bool)
    return np.isin(b, np.asarray(buildings, np.int64))


def institutional_uptake(model: NeighbourhoodModel, d: np.ndarray, trust_full: float) -> np.ndarray:
    """Chance a household engages with a professional: 'the eyes of the government'.

    Linear in trust in institutions, reaching 1 at `trust_full` (assumption). With trust near
    zero almost nobody opens the door; with the problem flat's mean of 0.3 and trust_full 0.4
    about three in four do.
    """
    t = model.households.trust_institutions[d]
    return np.clip(t / max(trust_full, 1e-9), 0.0, 1.0)


def neighbours_nearby(model: NeighbourhoodModel, d: int, max_floors: int = 1) -> np.ndarray:
    """Occupied dwellings (other than d) in d's building within `max_floors` floors."""
    site = model.site
    hh = model.households
    same_b = site.dwelling_building == site.dwelling_building[d]
    close = np.abs(site.dwelling_floor - site.dwelling_floor[d]) <= max_floors
    mask = same_b & close & hh.occupied
    mask[d] = False
    return np.flatnonzero(mask)


def same_circulation(model: NeighbourhoodModel, d: int) -> np.ndarray:
    """Occupied dwellings sharing d's circulation unit (gallery floor, landing, corridor)."""
    site = model.site
    mask = (site.dwelling_circulation == site.dwelling_circulation[d]) & model.households.occupied
    mask[d] = False
    return np.flatnonzero(mask)


def pick_weighted(
    rng: np.random.Generator, idx: np.ndarray, weight: np.ndarray, k: int
) -> np.ndarray:
    """Up to k distinct elements of idx, chosen with probability proportional to weight."""
    weight = np.asarray(weight, float)
    ok = weight > 0
    idx, weight = idx[ok], weight[ok]
    k = min(k, len(idx))
    if k <= 0:
        return np.empty(0, np.int64)
    return rng.choice(idx, size=k, replace=False, p=weight / weight.sum())


def stochastic_round(rng: np.random.Generator, x: float) -> int:
    base = int(np.floor(x))
    return base + int(rng.random() < x - base)


class Multiplier:
    """A composable factor on one of the model's per-household multiplier arrays
    (`talk_multiplier`, `trip_multiplier`): applied multiplicatively to a set of dwellings,
    updated as the set changes, removed exactly on `clear`, so several interventions can
    act on the same array and each one's stop restores only its own part."""

    def __init__(self, model: NeighbourhoodModel, array: str, factor: float):
        self.model = model
        self.array = array
        self.factor = float(factor)
        self.on = np.zeros(model.site.n_dwellings, bool)

    def set(self, mask: np.ndarray) -> None:
        arr = getattr(self.model, self.array)
        mask = np.asarray(mask, bool)
        add = mask & ~self.on
        drop = self.on & ~mask
        arr[add] *= self.factor
        arr[drop] /= self.factor
        self.on = mask.copy()

    def clear(self) -> None:
        self.set(np.zeros_like(self.on))


# --------------------------------------------------------------------------------------
# brokered contact
# --------------------------------------------------------------------------------------
# The core model's small-talk chance between strangers is talk_base × openness × 0.1
# (≈ 0.006 per encounter), rising to ≈ 0.11 for people who know each other well. A meeting
# someone arranges is a conversation, not a passing: `queue_meetings`' talk_boost lifts the
# chance. Calibrated (assumption): an introduction is nearly always a real conversation
# (≈0.9 for open strangers, less across a language barrier), a neighbour or worker dropping
# by ≈ 0.5, a table at an activity ≈ 0.25 between strangers (each growing with familiarity
# and clipped at 0.95 by the model). With w_talk = 0.3 and a tie threshold of 1.5, a tie
# still needs about five such conversations within a few months (fast half-life 120 d).
# Everything else about the encounter (avoidance, the
# chance it goes wrong, language barriers) is the model's ordinary contact resolution.
INTRO_BOOST = 150.0
VISIT_BOOST = 80.0
ACTIVITY_BOOST = 40.0


def hold_activity(
    model: NeighbourhoodModel,
    rng: np.random.Generator,
    attendees: np.ndarray,
    meets_per_person: float,
    talk_boost: float = ACTIVITY_BOOST,
) -> int:
    """An activity: each attendee meets about `meets_per_person` others (random pairs among
    those present), queued with the activity's talk boost (people sitting at one table
    talk, they do not just greet). Returns the number of pairs."""
    att = np.unique(np.asarray(attendees, np.int64))
    k = len(att)
    if k < 2:
        return 0
    p = min(1.0, meets_per_person / (k - 1))
    n = int(rng.binomial(k * (k - 1) // 2, p))
    if n == 0:
        return 0
    i = rng.integers(0, k, n)
    j = rng.integers(0, k - 1, n)
    j += j >= i
    model.queue_meetings(att[i], att[j], talk_boost=talk_boost)
    return n


def welcome_visits(
    model: NeighbourhoodModel, rng: np.random.Generator, newcomers: np.ndarray, hosts: np.ndarray
) -> int:
    """Each newcomer is visited by one host (a boolean mask over dwellings) living on the
    same gallery, landing or corridor, if there is one. Returns the number of visits."""
    a, b = [], []
    for d in np.asarray(newcomers).tolist():
        near = same_circulation(model, d)
        on_hand = near[hosts[near]]
        if len(on_hand):
            a.append(int(rng.choice(on_hand)))
            b.append(d)
    if a:
        model.queue_meetings(np.asarray(a), np.asarray(b), talk_boost=VISIT_BOOST)
    return len(a)
