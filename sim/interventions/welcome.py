"""Welcome and guidance: the housing corporation's welcome conversation at move-in that pays
attention to being a neighbour, and support workers who coach supported newcomers'
neighbour contact (the unwritten rules) as part of ambulant support.

Mechanism:
- welcome conversation (every household moving in while active, if it takes up the offer,
  chance rising with trust in institutions): the house rules and the unwritten rules are
  explained (`rules_effect`: the newcomer's nuisance risk falls, assumption) and the
  newcomer is introduced to up to `introductions` next-door neighbours (brokered meetings).
- coaching (supported newcomers, `coaching_hours_per_week` each): practising greeting and
  small talk (`chat_factor` on the newcomer's talk multiplier while coached) and, every
  `accompany_days` days, accompanying the newcomer to meet a neighbour nearby. Coaching
  stops after `coaching_years` in the flat.
Obstacle: newcomers who distrust institutions decline the conversation; coaching only works
as far as neighbours are open and not avoiding contact (the meetings are ordinary encounters,
with their chance of going wrong).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.interventions.base import Intervention, InterventionParams, register
from sim.interventions.common import (
    VISIT_BOOST,
    Multiplier,
    institutional_uptake,
    neighbours_nearby,
    same_circulation,
)


class WelcomeParams(InterventionParams):
    welcome: bool = Field(True, description="corporation's welcome conversation at move-in")
    trust_full: float = Field(
        0.3,
        gt=0,
        le=1,
        description="trust in institutions at which every newcomer takes up the welcome",
    )
    introductions: int = Field(2, ge=0, le=6, description="neighbours introduced at the welcome")
    rules_effect: float = Field(
        0.15,
        ge=0,
        le=1,
        description="drop in nuisance risk from explaining the (unwritten) rules (assumption)",
    )
    coaching: bool = Field(
        True, description="support workers coach supported newcomers' neighbour contact"
    )
    coaching_hours_per_week: float = Field(
        0.5, ge=0, le=10, description="extra coaching hours per supported newcomer per week"
    )
    coaching_years: float = Field(2.0, gt=0, le=20, description="coaching period after move-in")
    chat_factor: float = Field(1.5, ge=1, le=5, description="small-talk multiplier while coached")
    accompany_days: int = Field(14, ge=1, le=365, description="days between accompanied meetings")
    coach_existing: bool = Field(
        True, description="also coach supported newcomers already living there at start"
    )


@register
class Welcome(Intervention):
    key = "welcome"
    Params = WelcomeParams
    pars: WelcomeParams

    def start(self) -> None:
        m = self.model
        self._chat = Multiplier(m, "talk_multiplier", self.pars.chat_factor)
        self.coached = np.zeros(m.site.n_dwellings, bool)
        self.coached_hid = np.full(m.site.n_dwellings, -1, np.int64)
        if self.pars.coaching and self.pars.coach_existing:
            hh = m.households
            sup = np.flatnonzero(hh.occupied & hh.supported)
            self._enrol(sup)

    def stop(self) -> None:
        self._chat.clear()

    def _enrol(self, d: np.ndarray) -> None:
        hh = self.model.households
        self.coached[d] = True
        self.coached_hid[d] = hh.household_id[d]

    def on_move_in(self, dwellings: np.ndarray) -> None:
        m = self.model
        hh = m.households
        p = self.pars
        d = np.asarray(dwellings, np.int64)
        if p.coaching:
            self._enrol(d[hh.supported[d]])
        if not p.welcome:
            return
        took = d[self.rng.random(len(d)) < institutional_uptake(m, d, p.trust_full)]
        self.count("welcome_offered", len(d))
        self.count("welcome_conversations", len(took))
        self.count("hours", 1.0 * len(took))
        self.spend("welcome_conversations", self.unit_cost("welcome_conversation") * len(took))
        hh.nuisance_risk[took] *= 1 - p.rules_effect
        a, b = [], []
        for x in took.tolist():
            near = same_circulation(m, x)
            if len(near) == 0:
                continue
            dist = np.abs(m.site.dwelling_position[near] - m.site.dwelling_position[x])
            for y in near[np.argsort(dist, kind="stable")[: p.introductions]].tolist():
                a.append(x)
                b.append(y)
        if a:
            m.queue_meetings(np.asarray(a), np.asarray(b), talk_boost=VISIT_BOOST)
            self.count("welcome_introductions", len(a))

    def step(self) -> None:
        m = self.model
        hh = m.households
        p = self.pars
        if not p.coaching:
            return
        self.coached &= (
            hh.occupied
            & (self.coached_hid == hh.household_id)
            & ((m.day - hh.move_in_day) < 365 * p.coaching_years)
        )
        self._chat.set(self.coached)
        if m.day % 7 == 0:
            n = int(self.coached.sum())
            self.count("hours", n * p.coaching_hours_per_week)
            self.spend(
                "coaching", self.unit_cost("support_worker_hour") * n * p.coaching_hours_per_week
            )
        c = np.flatnonzero(self.coached)
        go = c[self.rng.random(len(c)) < 1.0 / p.accompany_days]
        a, b = [], []
        for x in go.tolist():
            near = neighbours_nearby(m, x, 1)
            if len(near) == 0:
                continue
            w = 0.05 + hh.openness[near] * (1 - hh.avoidance[near])
            a.append(x)
            b.append(int(self.rng.choice(near, p=w / w.sum())))
        if a:
            m.queue_meetings(np.asarray(a), np.asarray(b), talk_boost=VISIT_BOOST)
            self.count("accompanied_meetings", len(a))
