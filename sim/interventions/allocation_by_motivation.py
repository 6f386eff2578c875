"""Allocation by motivation ("anders toewijzen"): part of the vacancies go to socially
engaged newcomers selected on motivation instead of waiting-list order.

Mechanism (all through the model's levers):
- selection: while active, `model.allocation` is replaced by `MotivatedAllocation`. Of the
  vacancies the waiting list would let to a regular tenant, a share `share` goes to a
  motivated newcomer instead. Supported newcomers keep their quota (`keep_supported_quota`),
  so the effect is not simply "fewer supported newcomers". Screening on motivation and
  references (`selectivity`) yields households that are more open and cause less nuisance.
- good-neighbour behaviour: motivated households greet and chat more (`chat_factor` on
  `talk_multiplier`), welcome newcomers on their gallery (brokered meeting at move-in),
  organise low-threshold activities for the neighbours on their circulation unit and those
  they know (`hold_activity`), and offer help to lonely neighbours and those with unmet help
  needs (brokered meeting; the resulting tie is what lets them ask for help later).
Obstacle: good neighbours only reach those who come; avoidance and low openness lower
attendance, and with few vacancies (low turnover) there are few of them.
At stop the original allocation policy is restored and the activities end (the motivated
tenants stay, as ordinary households with their higher openness).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.allocation import AllocationPolicy
from sim.interventions.base import Intervention, InterventionParams, register
from sim.interventions.common import (
    VISIT_BOOST,
    Multiplier,
    hold_activity,
    same_circulation,
    welcome_visits,
)


class AllocationByMotivationParams(InterventionParams):
    share: float = Field(
        0.25,
        ge=0,
        le=1,
        description="share of regular vacancies let to a "
        "motivated newcomer (EVIDENCE 0.1–0.25, Zeist: ¼)",
    )
    selectivity: float = Field(
        0.7,
        ge=0,
        le=1,
        description="how strictly candidates are "
        "screened: 0 = any volunteer, 1 = only proven good neighbours",
    )
    keep_supported_quota: bool = Field(
        True, description="supported newcomers keep their share of vacancies"
    )
    chat_factor: float = Field(
        2.0,
        ge=1,
        le=5,
        description="greeting/small-talk multiplier of good neighbours (EVIDENCE 1.5–3×, U)",
    )
    activities_per_year: float = Field(
        10.0,
        ge=0,
        le=100,
        description="low-threshold activities each good neighbour organises per year",
    )
    attendance: float = Field(
        0.3, ge=0, le=1, description="chance an invited neighbour of average openness comes"
    )
    activity_meets: float = Field(
        3.0, ge=0, le=20, description="others each attendee meets at an activity"
    )
    address_nuisance_per_year: float = Field(
        6.0,
        ge=0,
        le=52,
        description="friendly talks per "
        "good neighbour with a neighbour who causes nuisance "
        "(informal social control)",
    )
    address_effect: float = Field(
        0.15,
        ge=0,
        le=1,
        description="drop in the addressed "
        "household's nuisance risk when the talk lands (assumption)",
    )
    help_offers_per_year: float = Field(
        12.0,
        ge=0,
        le=100,
        description="visits to a lonely or needy neighbour per good neighbour per year",
    )


class MotivatedAllocation(AllocationPolicy):
    """Wraps the policy it replaces; a share of regular vacancies go to motivated tenants."""

    name = "by_motivation"

    def __init__(self, inner: AllocationPolicy, iv: AllocationByMotivation):
        self.inner = inner
        self.iv = iv

    def fill(self, model, dwellings: np.ndarray) -> None:
        p = self.iv.pars
        rng = self.iv.rng
        dwellings = np.asarray(dwellings, np.int64)
        k = len(dwellings)
        sup_share = getattr(self.inner, "supported_share", 0.0)
        sup = rng.random(k) < sup_share if p.keep_supported_quota else np.zeros(k, bool)
        motivated = ~sup & (rng.random(k) < p.share)
        rest = ~motivated
        if rest.any():
            # the rest from the waiting list, as the replaced policy would
            if p.keep_supported_quota:
                model.move_in(dwellings[rest], sup[rest], model.streams["allocation"])
            else:
                self.inner.fill(model, dwellings[rest])
        if motivated.any():
            d = dwellings[motivated]
            model.move_in(d, np.zeros(len(d), bool), rng)
            self.iv.make_good_neighbours(d)


@register
class AllocationByMotivation(Intervention):
    key = "allocation_by_motivation"
    Params = AllocationByMotivationParams
    pars: AllocationByMotivationParams

    def start(self) -> None:
        m = self.model
        self._inner = m.allocation
        m.allocation = MotivatedAllocation(self._inner, self)
        self._chat = Multiplier(m, "talk_multiplier", self.pars.chat_factor)
        self._mine = np.zeros(m.site.n_dwellings, bool)  # good neighbours housed by us

    def stop(self) -> None:
        m = self.model
        if isinstance(m.allocation, MotivatedAllocation) and m.allocation.iv is self:
            m.allocation = self._inner
        self._chat.clear()

    def make_good_neighbours(self, d: np.ndarray) -> None:
        hh = self.model.households
        rng = self.rng
        s = self.pars.selectivity
        hh.good_neighbour[d] = True
        # screening: motivated, open to people who are different ...
        target = 0.6 + 0.3 * s
        hh.openness[d] = np.maximum(hh.openness[d], rng.beta(8 * target, 8 * (1 - target), len(d)))
        # ... and, with references checked, rarely a source of nuisance
        hh.nuisance_risk[d] *= 1.0 - 0.8 * s
        self._mine[d] = True
        self.count("motivated_allocations", len(d))
        self.spend("selection", self.unit_cost("motivation_selection") * len(d))

    def step(self) -> None:
        m = self.model
        hh = m.households
        rng = self.rng
        self._mine &= hh.occupied & hh.good_neighbour
        self._chat.set(self._mine)
        gns = np.flatnonzero(self._mine)
        if len(gns) == 0:
            return
        p = self.pars
        # activities: each good neighbour organises ~activities_per_year
        hosts = gns[rng.random(len(gns)) < p.activities_per_year / 365.0]
        for g in hosts.tolist():
            invited = same_circulation(m, g)
            known = np.asarray(m.neighbours_of(g, m.config.contact.tie_threshold * 0.5), np.int64)
            invited = np.union1d(invited, known[hh.occupied[known]] if len(known) else known)
            if len(invited) == 0:
                continue
            pc = p.attendance * (0.5 + hh.openness[invited]) * (1 - hh.avoidance[invited])
            came = invited[rng.random(len(invited)) < np.clip(pc, 0, 1)]
            if len(came) == 0:
                continue
            hold_activity(m, rng, np.r_[g, came], p.activity_meets)
            self.count("activities")
            self.count("attendances", len(came))
            self.spend("activities", self.unit_cost("activity"))
        # informal social control: a friendly word with the neighbour causing nuisance
        talkers = gns[rng.random(len(gns)) < p.address_nuisance_per_year / 365.0]
        if len(talkers):
            from sim.interventions.common import neighbours_nearby

            a, b = [], []
            for g in talkers.tolist():
                near = neighbours_nearby(m, g, 1)
                near = near[hh.complaints[near] > 0.3]
                if len(near) == 0:
                    continue
                x = int(near[np.argmax(hh.complaints[near])])
                a.append(g)
                b.append(x)
                if rng.random() < hh.openness[x]:
                    hh.nuisance_risk[x] *= 1 - p.address_effect
                    self.count("nuisance_addressed")
            if a:
                m.queue_meetings(np.asarray(a), np.asarray(b), talk_boost=VISIT_BOOST)
                self.count("nuisance_talks", len(a))
        # help offers: drop by at a lonely or needy neighbour on the gallery
        visitors = gns[rng.random(len(gns)) < p.help_offers_per_year / 365.0]
        if len(visitors):
            a, b = [], []
            for g in visitors.tolist():
                near = same_circulation(m, g)
                if len(near) == 0:
                    continue
                w = (
                    0.2
                    + (hh.help_unmet[near] > 0)
                    + 2.0 * hh.supported[near]
                    + (m.day - hh.last_talk_day[near] > 30)
                )
                a.append(g)
                b.append(int(rng.choice(near, p=w / w.sum())))
            if a:
                m.queue_meetings(np.asarray(a), np.asarray(b), talk_boost=VISIT_BOOST)
                self.count("help_offers", len(a))

    def on_move_in(self, dwellings: np.ndarray) -> None:
        """Good neighbours on the same gallery come to say hello."""
        m = self.model
        if not hasattr(self, "_mine"):
            return
        dwellings = np.asarray(dwellings, np.int64)
        visits = welcome_visits(m, self.rng, dwellings[~self._mine[dwellings]], self._mine)
        if visits:
            self.count("welcomes", visits)
