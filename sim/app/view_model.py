"""The app's only door into the model. Everything the app shows is read here, through the
model's public surface (households, site, ties, outcomes, interventions), so that when the
model's internals are renamed only this file changes, and no model code knows about the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.model import NeighbourhoodModel
from sim.scenario import Scenario

STATES = ("sense_of_home", "safety", "wellbeing", "recovery")
# outcome columns the charts show, and the group whose row is read
SERIES_GROUP = {
    "mean_ties": "all",
    "weekly_contact": "all",
    "help_given": "all",
    "nuisance_episodes": "all",
    "sense_of_home": "all",
    "recovery": "supported",
    "referred": "all",
    "cost_eur": "all",
}
PERCENT = ("weekly_contact", "referred", "sense_of_home", "recovery")  # shown ×100


@dataclass(frozen=True)
class Counters:
    """Per-dwelling cumulative counts at one moment; two of them tell what happened between."""

    day: int
    household_id: np.ndarray
    last_talk_day: np.ndarray
    help_given: np.ndarray
    help_received: np.ndarray
    nuisance_caused: np.ndarray
    referred: np.ndarray


class ModelView:
    """One model, read for drawing."""

    def __init__(self, scenario: Scenario, seed: int):
        self.model = NeighbourhoodModel(scenario, seed=seed)
        self._series_day = None
        self._series: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    # --- time -----------------------------------------------------------------------
    @property
    def day(self) -> int:
        return int(self.model.day)

    def advance(self, days: int) -> None:
        self.model.run(days=int(days))

    # --- the site ---------------------------------------------------------------------
    @property
    def site(self) -> Any:
        return self.model.site

    @property
    def n_dwellings(self) -> int:
        return int(self.model.site.n_dwellings)

    def dwelling_place(self, d: int) -> tuple[int, int, int]:
        s = self.model.site
        return int(s.dwelling_building[d]), int(s.dwelling_floor[d]), int(s.dwelling_position[d])

    def n_buildings(self) -> int:
        return int(np.asarray(self.model.site.dwelling_building).max()) + 1

    def closed_gallery(self) -> frozenset[int]:
        """Buildings whose galleries a running design intervention has glazed in."""
        out: set[int] = set()
        for iv in self.model.interventions:
            pars = getattr(iv, "pars", None)
            if iv.active and getattr(pars, "gallery", "open") == "closed":
                out.update(int(b) for b in pars.buildings)
        return frozenset(out)

    # --- households -------------------------------------------------------------------
    @property
    def occupied(self) -> np.ndarray:
        return np.asarray(self.model.households.occupied, bool)

    def groups(self) -> np.ndarray:
        """Index into palette.GROUPS per dwelling: resident, supported newcomer, motivated
        newcomer, connector, vacant (in that order of precedence from the back)."""
        hh = self.model.households
        g = np.zeros(self.n_dwellings, np.int8)
        g[np.asarray(hh.supported, bool)] = 1
        g[np.asarray(hh.good_neighbour, bool)] = 2
        g[np.asarray(hh.connector, bool)] = 3
        g[~self.occupied] = 4
        return g

    def state(self, name: str) -> np.ndarray:
        if name not in STATES:
            raise ValueError(f"unknown state {name!r} (choose from {', '.join(STATES)})")
        values = np.asarray(getattr(self.model.households, name), float).copy()
        if name == "recovery":  # only supported newcomers recover; others shown as vacant-ish
            values[~np.asarray(self.model.households.supported, bool)] = np.nan
        return values

    def counters(self) -> Counters:
        hh = self.model.households
        return Counters(
            self.day,
            np.asarray(hh.household_id).copy(),
            np.asarray(hh.last_talk_day).copy(),
            np.asarray(hh.help_given).copy(),
            np.asarray(hh.help_received).copy(),
            np.asarray(hh.nuisance_caused).copy(),
            np.asarray(hh.referred).copy(),
        )

    def household(self, d: int) -> dict[str, Any]:
        hh = self.model.households
        cols = (
            "household_id",
            "move_in_day",
            "size",
            "supported",
            "connector",
            "good_neighbour",
            "occupied",
            *STATES,
        )
        return {c: getattr(hh, c)[d].item() for c in cols}

    # --- ties -------------------------------------------------------------------------
    def thresholds(self) -> tuple[float, float]:
        c = self.model.config.contact
        return float(c.tie_threshold), float(c.avoid_threshold)

    def tie_pairs(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """Undirected pairs (a < b) of dwellings with a positive tie at or above the tie
        threshold (either direction), and those with a negative one above the avoidance
        threshold."""
        pos_thr, neg_thr = self.thresholds()
        df = self.model.ties.to_frame(self.day, pos_thr, neg_thr)
        a = df["from_dwelling"].to_numpy(np.int64)
        b = df["to_dwelling"].to_numpy(np.int64)
        out = []
        for keep in (df["positive"].to_numpy() >= pos_thr, df["negative"].to_numpy() >= neg_thr):
            lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
            pairs = (
                np.unique(np.column_stack([lo, hi]), axis=0)
                if len(lo)
                else np.zeros((0, 2), np.int64)
            )
            out.append((pairs[:, 0], pairs[:, 1]))
        return out[0], out[1]

    def tie_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Per dwelling: positive ties and avoided neighbours (outgoing, above threshold)."""
        pos_thr, neg_thr = self.thresholds()
        return (
            np.asarray(self.model.ties.degree(self.day, pos_thr)).copy(),
            np.asarray(self.model.ties.degree(self.day, neg_thr, negative=True)).copy(),
        )

    def partners(self, d: int) -> tuple[list[int], list[int]]:
        """Dwellings household d knows well, and those it avoids (strongest first)."""
        pos_thr, neg_thr = self.thresholds()
        partners, positive, negative = self.model.ties.row(int(d), self.day)
        good = np.argsort(-positive)
        bad = np.argsort(-negative)
        return (
            [int(partners[i]) for i in good if positive[i] >= pos_thr],
            [int(partners[i]) for i in bad if negative[i] >= neg_thr],
        )

    # --- professionals and measures ---------------------------------------------------
    def coaches(self) -> list[tuple[int, bool]]:
        """(building, present today) of every working flatcoach."""
        out = []
        for iv in self.model.interventions:
            agent = getattr(iv, "agent", None)
            if iv.active and agent is not None and getattr(agent, "role", "") == "flatcoach":
                out.append((int(agent.building), bool(agent.present_today)))
        return out

    def measures_active(self) -> list[str]:
        return [iv.label for iv in self.model.interventions if iv.active]

    # --- outcomes ---------------------------------------------------------------------
    def series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The charts' outcome series over the site: day → value (percentages ×100)."""
        if self._series_day == self.day:
            return self._series
        df = self.model.outcomes.frame()
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if len(df):
            site = df[df["building"] == "all"]
            for col, group in SERIES_GROUP.items():
                rows = site[site["group"] == group]
                values = rows[col].to_numpy(float)
                if col in PERCENT:
                    values = values * 100.0
                out[col] = (rows["day"].to_numpy(np.int64), values)
        self._series_day, self._series = self.day, out
        return out

    def outcomes_frame(self) -> pd.DataFrame:
        return self.model.outcomes.frame()
