"""Households as columns of arrays indexed by dwelling (struct of arrays).

The daily loop reads these columns directly; Mesa agents (sim/agents.py) are thin views
onto one row. A vacant dwelling has `occupied == False`; its other values are stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from sim.scenario import PopulationParams

AGE_GROUPS = ("young", "middle", "elderly")


def _beta(rng: np.random.Generator, mean: float, n: int | None,
          concentration: float = 8.0) -> np.ndarray | float:
    """Values in (0, 1) with the given mean: heterogeneity without leaving the unit range
    (one float when n is None: the same draw as the first of an array)."""
    mean = min(max(mean, 1e-3), 1 - 1e-3)
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)


def _clip01(x: float) -> float:
    """np.clip(x, 0, 1) for one value."""
    return min(max(x, 0), 1)


@dataclass
class Households:
    n: int
    occupied: np.ndarray = field(init=False)
    household_id: np.ndarray = field(init=False)
    move_in_day: np.ndarray = field(init=False)
    size: np.ndarray = field(init=False)
    age_group: np.ndarray = field(init=False)
    children: np.ndarray = field(init=False)
    dog: np.ndarray = field(init=False)
    working: np.ndarray = field(init=False)
    other_language: np.ndarray = field(init=False)
    openness: np.ndarray = field(init=False)
    financial_stress: np.ndarray = field(init=False)
    trust_neighbours: np.ndarray = field(init=False)
    trust_institutions: np.ndarray = field(init=False)
    hidden_need: np.ndarray = field(init=False)
    need_surfaced: np.ndarray = field(init=False)
    referred: np.ndarray = field(init=False)
    supported: np.ndarray = field(init=False)
    support_level: np.ndarray = field(init=False)
    recovery: np.ndarray = field(init=False)
    nuisance_risk: np.ndarray = field(init=False)
    connector: np.ndarray = field(init=False)
    good_neighbour: np.ndarray = field(init=False)
    # states that evolve
    sense_of_home: np.ndarray = field(init=False)
    safety: np.ndarray = field(init=False)
    wellbeing: np.ndarray = field(init=False)
    avoidance: np.ndarray = field(init=False)
    burden: np.ndarray = field(init=False)
    complaints: np.ndarray = field(init=False)
    help_given: np.ndarray = field(init=False)
    help_received: np.ndarray = field(init=False)
    help_unmet: np.ndarray = field(init=False)
    pos_recent: np.ndarray = field(init=False)
    neg_recent: np.ndarray = field(init=False)
    nuisance_caused: np.ndarray = field(init=False)
    last_talk_day: np.ndarray = field(init=False)

    _float_cols = ("openness", "financial_stress", "trust_neighbours", "trust_institutions",
                   "support_level", "recovery", "nuisance_risk", "sense_of_home", "safety",
                   "wellbeing", "avoidance", "burden", "complaints", "pos_recent", "neg_recent")
    _int_cols = ("household_id", "move_in_day", "size", "age_group", "help_given", "help_received", "help_unmet", "nuisance_caused",
                 "last_talk_day")

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name == "n":
                continue
            if f.name in self._float_cols:
                setattr(self, f.name, np.zeros(self.n, np.float64))
            elif f.name in self._int_cols:
                setattr(self, f.name, np.zeros(self.n, np.int64))
            else:
                setattr(self, f.name, np.zeros(self.n, bool))

    def columns(self) -> list[str]:
        return [f.name for f in fields(self) if f.name != "n"]

    def row(self, d: int) -> dict:
        return {c: getattr(self, c)[d].item() for c in self.columns()}

    # creation -------------------------------------------------------------------------
    def fill(self, dwellings: np.ndarray, supported: np.ndarray, pars: PopulationParams,
             rng: np.random.Generator, day: int, first_id: int) -> None:
        """Draw fresh households into `dwellings` (those move in on `day`)."""
        d = np.asarray(dwellings, np.int64)
        k = len(d)
        if k == 0:
            return
        sup = np.asarray(supported, bool)
        if k == 1:  # the usual move-in: one vacancy
            self._fill_one(int(d[0]), bool(sup.reshape(-1)[0]), pars, rng, day, first_id)
        else:
            self._fill_arrays(d, sup, pars, rng, day, first_id)

    def _fill_arrays(self, d: np.ndarray, sup: np.ndarray, pars: PopulationParams,
                     rng: np.random.Generator, day: int, first_id: int) -> None:
        """`fill` for any number of households, column by column."""
        k = len(d)
        self.occupied[d] = True
        self.household_id[d] = first_id + np.arange(k)
        self.move_in_day[d] = day
        self.supported[d] = sup
        elderly = rng.random(k) < pars.elderly_share
        young = ~elderly & (rng.random(k) < 0.35)
        self.age_group[d] = np.where(elderly, 2, np.where(young, 0, 1))
        # supported newcomers are mostly single and rarely have children (assumption)
        p_children = np.where(elderly, 0.0, np.where(sup, 0.3, 1.0) * pars.children_share
                              / max(1e-9, 1 - pars.elderly_share))
        self.children[d] = rng.random(k) < np.clip(p_children, 0, 1)
        base_size = np.where(self.children[d], 3.0, 1.5) * pars.household_size_mean / 2.0
        self.size[d] = np.maximum(1, rng.poisson(np.maximum(base_size - 1, 0)) + 1)
        self.dog[d] = rng.random(k) < pars.dog_share
        self.working[d] = ~elderly & ~sup & (rng.random(k) < pars.working_share
                                             / max(1e-9, 1 - pars.elderly_share))
        self.other_language[d] = rng.random(k) < pars.other_language_share
        self.openness[d] = _beta(rng, pars.openness_mean, k)
        stress_mean = np.where(sup, min(0.95, pars.financial_stress_mean + 0.2),
                               pars.financial_stress_mean)
        self.financial_stress[d] = np.clip(_beta(rng, 0.5, k) - 0.5 + stress_mean, 0, 1)
        self.trust_neighbours[d] = _beta(rng, pars.trust_neighbours_mean, k)
        self.trust_institutions[d] = _beta(rng, pars.trust_institutions_mean, k)
        # more stressed households more often carry a hidden need; normalised so that the
        # share among regular tenants equals the parameter; supported newcomers 1.5× as often
        stress_weight = (0.5 + self.financial_stress[d]) / (0.5 + pars.financial_stress_mean)
        need_p = np.clip(pars.hidden_need_share * stress_weight * np.where(sup, 1.5, 1.0), 0, 1)
        self.hidden_need[d] = rng.random(k) < need_p
        self.need_surfaced[d] = False
        self.referred[d] = False
        self.support_level[d] = np.where(sup, _beta(rng, pars.support_level_mean, k), 0.0)
        self.recovery[d] = np.where(sup, _beta(rng, pars.recovery_mean, k), 1.0)
        base_risk = np.where(sup, pars.nuisance_risk_supported, pars.nuisance_risk_resident)
        # risk is concentrated: a few households cause most nuisance (exponential spread)
        self.nuisance_risk[d] = np.clip(rng.exponential(1.0, k) * base_risk, 0, 1)
        self.connector[d] = ~sup & (rng.random(k) < pars.connector_share)
        self.good_neighbour[d] = False
        self.sense_of_home[d] = np.where(sup, 0.4, 0.5)
        self.safety[d] = 0.6
        self.wellbeing[d] = np.clip(1 - self.financial_stress[d] * 0.6, 0, 1)
        for col in ("avoidance", "burden", "complaints", "pos_recent", "neg_recent"):
            getattr(self, col)[d] = 0.0
        for col in ("help_given", "help_received", "help_unmet", "nuisance_caused"):
            getattr(self, col)[d] = 0
        self.last_talk_day[d] = -10**6  # has not talked to a neighbour yet

    def _fill_one(self, d: int, sup: bool, pars: PopulationParams, rng: np.random.Generator,
                  day: int, household_id: int) -> None:
        """`fill` for one household, in Python scalars: the same draws in the same order
        and the same arithmetic, so the same household (tests/test_speed_paths.py), in a
        tenth of the time (`fill` is ~45 numpy calls on one-element arrays). Every draw
        of `fill` is taken here too, also those whose value is not used."""
        self.occupied[d] = True
        self.household_id[d] = household_id
        self.move_in_day[d] = day
        self.supported[d] = sup
        elderly = rng.random() < pars.elderly_share
        young = rng.random() < 0.35 and not elderly
        self.age_group[d] = 2 if elderly else (0 if young else 1)
        p_children = 0.0 if elderly else ((0.3 if sup else 1.0) * pars.children_share
                                          / max(1e-9, 1 - pars.elderly_share))
        children = rng.random() < _clip01(p_children)
        self.children[d] = children
        base_size = (3.0 if children else 1.5) * pars.household_size_mean / 2.0
        self.size[d] = max(1, int(rng.poisson(max(base_size - 1, 0))) + 1)
        self.dog[d] = rng.random() < pars.dog_share
        working = rng.random() < pars.working_share / max(1e-9, 1 - pars.elderly_share)
        self.working[d] = working and not elderly and not sup
        self.other_language[d] = rng.random() < pars.other_language_share
        self.openness[d] = _beta(rng, pars.openness_mean, None)
        stress_mean = (min(0.95, pars.financial_stress_mean + 0.2) if sup
                       else pars.financial_stress_mean)
        stress = _clip01(_beta(rng, 0.5, None) - 0.5 + stress_mean)
        self.financial_stress[d] = stress
        self.trust_neighbours[d] = _beta(rng, pars.trust_neighbours_mean, None)
        self.trust_institutions[d] = _beta(rng, pars.trust_institutions_mean, None)
        stress_weight = (0.5 + stress) / (0.5 + pars.financial_stress_mean)
        need_p = _clip01(pars.hidden_need_share * stress_weight * (1.5 if sup else 1.0))
        self.hidden_need[d] = rng.random() < need_p
        self.need_surfaced[d] = False
        self.referred[d] = False
        support_level = _beta(rng, pars.support_level_mean, None)
        self.support_level[d] = support_level if sup else 0.0
        recovery = _beta(rng, pars.recovery_mean, None)
        self.recovery[d] = recovery if sup else 1.0
        base_risk = pars.nuisance_risk_supported if sup else pars.nuisance_risk_resident
        self.nuisance_risk[d] = _clip01(rng.exponential(1.0) * base_risk)
        connector = rng.random() < pars.connector_share
        self.connector[d] = connector and not sup
        self.good_neighbour[d] = False
        self.sense_of_home[d] = 0.4 if sup else 0.5
        self.safety[d] = 0.6
        self.wellbeing[d] = _clip01(1 - stress * 0.6)
        for col in ("avoidance", "burden", "complaints", "pos_recent", "neg_recent"):
            getattr(self, col)[d] = 0.0
        for col in ("help_given", "help_received", "help_unmet", "nuisance_caused"):
            getattr(self, col)[d] = 0
        self.last_talk_day[d] = -10**6  # has not talked to a neighbour yet

    def vacate(self, dwellings: np.ndarray) -> None:
        self.occupied[np.asarray(dwellings, np.int64)] = False
