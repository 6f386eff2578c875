"""Households as columns of arrays indexed by dwelling (struct of arrays).

The daily loop reads these columns directly; Mesa agents (sim/agents.py) are thin views
onto one row. A vacant dwelling has `occupied == False`; its other values are stale.
"""

from __future__ import annotations

import numpy as np

from sim.columns import DEFAULTS, WORKING, Flag, Real, Whole
from sim.scenario import PopulationParams

AGE_GROUPS = ("young", "middle", "elderly")

# column name -> (matrix, row), in the order tables show them
_COLUMN = {
    **{c.name: ("flag", c) for c in Flag if c is Flag.occupied},
    **{c.name: ("whole", c) for c in Whole},
    **{c.name: ("flag", c) for c in Flag if c is not Flag.occupied},
    **{c.name: ("real", c) for c in Real},
}


def _beta(rng: np.random.Generator, mean: float, n: int, concentration: float) -> np.ndarray:
    """Values in (0, 1) with the given mean: heterogeneity without leaving the unit range."""
    mean = min(max(mean, 1e-3), 1 - 1e-3)
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)


class Households:
    """n dwellings' household columns (sim/columns.py) as three matrices, one per dtype:
    `real`, `whole` and `flag`, indexed [column, dwelling]. `households.openness` is a view
    on a row, so writes through it reach the matrices; assigning a whole column copies into
    the row. `kernel_data` hands the three matrices to compiled code as one argument."""

    def __init__(self, n: int):
        object.__setattr__(self, "n", int(n))
        real = np.zeros((len(Real), self.n), np.float64)
        whole = np.zeros((len(Whole), self.n), np.int64)
        flag = np.zeros((len(Flag), self.n), np.bool_)
        object.__setattr__(self, "kernel_data", (real, whole, flag))
        matrices = {"real": real, "whole": whole, "flag": flag}
        for name, matrix in matrices.items():
            object.__setattr__(self, name, matrix)
        for name, (matrix, row) in _COLUMN.items():  # plain attributes: fast to read
            object.__setattr__(self, name, matrices[matrix][row])
        for name, value in DEFAULTS.items():
            real[Real[name]] = value

    def __setattr__(self, name: str, value) -> None:
        """A column keeps its place in the matrices: assigning one copies into its row."""
        if name not in _COLUMN:
            raise AttributeError(f"Households has no column {name!r}")
        getattr(self, name)[:] = value

    def columns(self) -> list[str]:
        """The household's own columns (not the day's working values)."""
        return [name for name in _COLUMN if name not in WORKING]

    def row(self, d: int) -> dict:
        return {c: getattr(self, c)[d].item() for c in self.columns()}

    # creation -------------------------------------------------------------------------
    def fill(
        self,
        dwellings: np.ndarray,
        supported: np.ndarray,
        pars: PopulationParams,
        rng: np.random.Generator,
        day: int,
        first_id: int,
    ) -> None:
        """Draw fresh households into `dwellings` (those move in on `day`), column by
        column from `rng`."""
        d = np.asarray(dwellings, np.int64)
        k = len(d)
        if k == 0:
            return
        sup = np.asarray(supported, bool).reshape(k)
        spread = pars.heterogeneity
        self.occupied[d] = True
        self.household_id[d] = first_id + np.arange(k)
        self.move_in_day[d] = day
        self.supported[d] = sup
        elderly = rng.random(k) < pars.elderly_share
        young = ~elderly & (rng.random(k) < pars.young_share)
        self.age_group[d] = np.where(elderly, 2, np.where(young, 0, 1))
        p_children = np.where(
            elderly,
            0.0,
            np.where(sup, pars.supported_children_factor, 1.0)
            * pars.children_share
            / max(1e-9, 1 - pars.elderly_share),
        )
        self.children[d] = rng.random(k) < np.clip(p_children, 0, 1)
        base_size = np.where(self.children[d], 3.0, 1.5) * pars.household_size_mean / 2.0
        self.size[d] = np.maximum(1, rng.poisson(np.maximum(base_size - 1, 0)) + 1)
        self.dog[d] = rng.random(k) < pars.dog_share
        self.working[d] = (
            ~elderly
            & ~sup
            & (rng.random(k) < pars.working_share / max(1e-9, 1 - pars.elderly_share))
        )
        self.other_language[d] = rng.random(k) < pars.other_language_share
        self.at_home[d] = np.where(
            elderly, pars.at_home_elderly, np.where(self.working[d], pars.at_home_working, 1.0)
        )
        self.openness[d] = _beta(rng, pars.openness_mean, k, spread)
        stress_mean = np.where(
            sup,
            min(0.95, pars.financial_stress_mean + pars.supported_stress_extra),
            pars.financial_stress_mean,
        )
        self.financial_stress[d] = np.clip(_beta(rng, 0.5, k, spread) - 0.5 + stress_mean, 0, 1)
        self.trust_neighbours[d] = _beta(rng, pars.trust_neighbours_mean, k, spread)
        trust = _beta(rng, pars.trust_institutions_mean, k, spread)
        self.trust_institutions[d] = trust
        self.trust_institutions_level[d] = trust
        # more stressed households more often carry a hidden need; normalised so that the
        # share among regular tenants equals the parameter
        offset = pars.stress_need_offset
        stress_weight = (offset + self.financial_stress[d]) / (offset + pars.financial_stress_mean)
        need_p = np.clip(
            pars.hidden_need_share
            * stress_weight
            * np.where(sup, pars.supported_hidden_need_factor, 1.0),
            0,
            1,
        )
        self.hidden_need[d] = rng.random(k) < need_p
        self.need_surfaced[d] = False
        self.referred[d] = False
        self.support_level[d] = np.where(sup, _beta(rng, pars.support_level_mean, k, spread), 0)
        self.recovery[d] = np.where(sup, _beta(rng, pars.recovery_mean, k, spread), 1.0)
        # nuisance is concentrated: a few households cause recurring nuisance (exponential
        # spread around nuisance_risk_causer), everyone else only now and then
        causer_share = np.where(
            sup, pars.nuisance_causer_share_supported, pars.nuisance_causer_share_resident
        )
        causer = rng.random(k) < causer_share
        risk = np.where(
            causer,
            np.clip(rng.exponential(1.0, k) * pars.nuisance_risk_causer, 0, 1),
            pars.nuisance_risk_background,
        )
        self.nuisance_risk[d] = risk
        self.nuisance_propensity[d] = risk
        self.connector[d] = ~sup & (rng.random(k) < pars.connector_share)
        self.good_neighbour[d] = False
        self.sense_of_home[d] = np.where(
            sup, pars.supported_sense_of_home_at_arrival, pars.sense_of_home_at_arrival
        )
        self.safety[d] = pars.safety_at_arrival
        self.wellbeing[d] = np.clip(
            1 - self.financial_stress[d] * pars.wellbeing_stress_at_arrival, 0, 1
        )
        for col in ("avoidance", "burden", "complaints", "pos_recent", "neg_recent"):
            getattr(self, col)[d] = 0.0
        for col in ("help_given", "help_received", "help_unmet", "nuisance_caused"):
            getattr(self, col)[d] = 0
        self.last_talk_day[d] = -(10**6)  # has not talked to a neighbour yet

    def vacate(self, dwellings: np.ndarray) -> None:
        self.occupied[np.asarray(dwellings, np.int64)] = False
