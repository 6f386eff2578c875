"""Flatcoach (ABCD, asset-based community development): a social professional visibly present
in the building some hours a week.

The flatcoach is a `sim.agents.Professional` Mesa agent, created at start and removed at
stop, so the app can show it. On working days (5 per week) it spends its hours on:
- introductions (`intro_share` of the hours, ~1 h each): a focus household — supported
  newcomers, lonely households and recent arrivals first — is introduced to a neighbour
  nearby who has something to offer (open, not overburdened, not at odds with them):
  "start from what people can do". The pair meets (brokered meeting) and follows up with
  `follow_ups` joint odd jobs a week apart.
- activities (`activity_share`, ~3 h each): coffee walk-in, language café, homework help and a
  garden group in rotation; invited households come with a chance set by openness,
  avoidance and uptake, and meet each other (`hold_activity`). Language café and homework
  help need a partner organisation or volunteers (`partner_availability`).
- mediation (`mediation_share`, ~2 h each): pairs at odds (negative tie above the avoidance
  threshold) talk it through if both accept; grudges and open complaints halve.
- linking needs (the rest): households the coach knows with a hidden need tell it with a
  chance; the need is referred when a partner service has time (`partner_availability`).
Obstacle "the eyes of the government": every step needs the household's uptake, which
rises with trust in institutions up to `trust_full`; with very low trust almost nothing
happens. Households that had a good experience with the coach trust institutions a bit more.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.agents import Professional
from sim.interventions.base import Intervention, InterventionParams, register
from sim.interventions.common import (
    INTRO_BOOST,
    VISIT_BOOST,
    hold_activity,
    institutional_uptake,
    neighbours_nearby,
    pick_weighted,
    stochastic_round,
)

ACTIVITIES = ("coffee_walk_in", "language_cafe", "homework_help", "garden_group")


class FlatcoachParams(InterventionParams):
    building: int = Field(0, ge=0, description="building the flatcoach works in")
    hours_per_week: float = Field(16.0, gt=0, le=40, description="hours present per week")
    intro_share: float = Field(0.4, ge=0, le=1, description="share of hours on introductions")
    activity_share: float = Field(0.35, ge=0, le=1, description="share of hours on activities")
    mediation_share: float = Field(0.1, ge=0, le=1, description="share of hours on mediation")
    trust_full: float = Field(
        0.4,
        gt=0,
        le=1,
        description="trust in institutions at which "
        "households take up the coach's offers fully ('eyes of the "
        "government')",
    )
    partner_availability: float = Field(
        0.5,
        ge=0,
        le=1,
        description="chance a partner "
        "professional has time (referrals, language café, "
        "homework help)",
    )
    intro_boost: float = Field(
        INTRO_BOOST, ge=1, le=200, description="small-talk multiplier at a brokered introduction"
    )
    follow_ups: int = Field(
        4,
        ge=0,
        le=10,
        description="joint odd jobs / coffee visits after an introduction, a week apart",
    )
    attendance: float = Field(
        0.25,
        ge=0,
        le=1,
        description="chance an invited household of average openness comes to an activity",
    )
    activity_meets: float = Field(
        3.0, ge=0, le=20, description="others each attendee meets at an activity"
    )
    disclose: float = Field(
        0.3,
        ge=0,
        le=1,
        description="chance per contact that a known household tells the coach a hidden need",
    )


@register
class Flatcoach(Intervention):
    key = "flatcoach"
    Params = FlatcoachParams
    pars: FlatcoachParams

    def start(self) -> None:
        m = self.model
        p = self.pars
        if p.building > int(m.site.dwelling_building.max()):
            raise ValueError(f"flatcoach.building = {p.building}: no such building")
        self.agent = Professional(m, "flatcoach", p.hours_per_week, p.building)
        self.known = np.zeros(m.site.n_dwellings, bool)  # households the coach got to know
        self.known_hid = np.full(m.site.n_dwellings, -1, np.int64)
        self.follow: list[tuple[int, int, int]] = []  # (day, a, b)
        self._activity_i = 0

    def stop(self) -> None:
        agent = getattr(self, "agent", None)
        if agent is not None:
            agent.present_today = False
            agent.remove()
            self.agent = None

    # ------------------------------------------------------------------------------------
    def _uptake(self, d: np.ndarray) -> np.ndarray:
        return institutional_uptake(self.model, d, self.pars.trust_full)

    def _met(self, d: np.ndarray) -> None:
        """Households that engaged with the coach: known, and a bit more trusting."""
        hh = self.model.households
        d = np.asarray(d, np.int64)
        self.known[d] = True
        self.known_hid[d] = hh.household_id[d]
        hh.trust_institutions[d] = np.clip(hh.trust_institutions[d] + 0.01, 0, 1)

    def step(self) -> None:
        m = self.model
        p = self.pars
        working = m.day % 7 < 5
        self.agent.present_today = working
        # follow-ups of earlier introductions happen whether or not the coach is in
        due = [(a, b) for day, a, b in self.follow if day == m.day]
        if due:
            self.follow = [f for f in self.follow if f[0] > m.day]
            a, b = np.asarray(due).T
            m.queue_meetings(a, b, talk_boost=VISIT_BOOST)
            self.count("joint_odd_jobs", len(a))
        if not working:
            return
        hours = p.hours_per_week / 5.0
        self.agent.hours_worked += hours
        self.count("hours", hours)
        self.spend("hours", self.unit_cost("professional_hour") * hours)
        hh = m.households
        self.known &= hh.occupied & (self.known_hid == hh.household_id)
        rng = self.rng
        self._introductions(stochastic_round(rng, hours * p.intro_share / 1.0))
        if rng.random() < hours * p.activity_share / 3.0:
            self._activity()
        if rng.random() < hours * p.mediation_share / 2.0:
            self._mediate()
        rest = max(0.0, 1 - p.intro_share - p.activity_share - p.mediation_share)
        self._link_needs(stochastic_round(rng, hours * rest / 1.0))

    # ------------------------------------------------------------------------------------
    def _residents(self) -> np.ndarray:
        m = self.model
        return np.flatnonzero(
            m.households.occupied & (m.site.dwelling_building == self.pars.building)
        )

    def _introductions(self, k: int) -> None:
        if k <= 0:
            return
        m = self.model
        hh = m.households
        rng = self.rng
        res = self._residents()
        if len(res) < 2:
            return
        deg = m.ties.degree(m.day, m.config.contact.tie_threshold)
        recent = (m.day - hh.move_in_day[res]) < 365
        w = 0.2 + 3.0 * hh.supported[res] + 2.0 * (deg[res] == 0) + 1.5 * recent
        focus = pick_weighted(rng, res, w, k)
        a, b = [], []
        for f in focus.tolist():
            self.count("introductions_tried")
            if rng.random() >= self._uptake(np.array([f]))[0]:
                continue
            self._met([f])
            near = neighbours_nearby(m, f, 1)
            near = near[~hh.supported[near] | (rng.random(len(near)) < 0.3)]
            if len(near) == 0:
                continue
            _, neg = m.ties.strength(np.full(len(near), f), near, m.day)
            cap = hh.openness[near] * (1 - hh.burden[near] / m.config.help.burden_limit).clip(0, 1)
            cap = cap * (neg < m.config.contact.avoid_threshold)
            if cap.sum() <= 0:
                continue
            partner = int(rng.choice(near, p=cap / cap.sum()))
            if rng.random() >= self._uptake(np.array([partner]))[0]:
                continue
            self._met([partner])
            a.append(f)
            b.append(partner)
            for j in range(1, self.pars.follow_ups + 1):
                self.follow.append((m.day + 7 * j, f, partner))
        if a:
            m.queue_meetings(np.asarray(a), np.asarray(b), talk_boost=self.pars.intro_boost)
            self.count("introductions", len(a))
            self.count("introductions_supported", int(hh.supported[np.r_[a, b]].sum()))

    def _activity(self) -> None:
        m = self.model
        hh = m.households
        p = self.pars
        rng = self.rng
        kind = ACTIVITIES[self._activity_i % len(ACTIVITIES)]
        self._activity_i += 1
        res = self._residents()
        if kind in ("language_cafe", "homework_help") and rng.random() >= p.partner_availability:
            self.count("activities_cancelled_no_partner")
            return
        if kind == "language_cafe":
            target = np.where(hh.other_language[res], 2.0, 0.6 * hh.openness[res])
        elif kind == "homework_help":
            target = np.where(hh.children[res], 1.5, 0.4 * hh.openness[res])
        else:
            target = np.ones(len(res))
        pc = (
            p.attendance
            * target
            * (0.5 + hh.openness[res])
            * (1 - hh.avoidance[res])
            * self._uptake(res)
            * np.where(self.known[res], 1.5, 1.0)
        )
        came = res[rng.random(len(res)) < np.clip(pc, 0, 0.95)]
        self.count("activities")
        self.count(f"activity_{kind}")
        self.spend("activities", self.unit_cost("activity"))
        if len(came) >= 2:
            hold_activity(m, rng, came, p.activity_meets)
            self.count("attendances", len(came))
            self._met(came)

    def _mediate(self) -> None:
        m = self.model
        hh = m.households
        c = m.config.contact
        a, b, _, neg = m.ties.all_strengths(m.day)
        bld = m.site.dwelling_building
        sel = (
            (neg >= c.avoid_threshold)
            & (a < b)
            & (bld[a] == self.pars.building)
            & (bld[b] == self.pars.building)
            & hh.occupied[a]
            & hh.occupied[b]
        )
        if not sel.any():
            return
        i = int(self.rng.choice(np.flatnonzero(sel)))
        x, y = int(a[i]), int(b[i])
        self.count("mediations_tried")
        up = self._uptake(np.array([x, y]))
        if (self.rng.random(2) >= up).any():
            return
        self._met([x, y])
        _, n_xy = m.ties.strength(np.array([x]), np.array([y]), m.day)
        _, n_yx = m.ties.strength(np.array([y]), np.array([x]), m.day)
        m.ties.add(np.array([x, y]), np.array([y, x]), m.day, neg=-0.5 * np.r_[n_xy, n_yx])
        hh.complaints[[x, y]] *= 0.5
        self.count("mediations")

    def _link_needs(self, k: int) -> None:
        if k <= 0:
            return
        m = self.model
        hh = m.households
        cand = np.flatnonzero(self.known & hh.hidden_need & ~hh.referred)
        if len(cand) == 0:
            return
        rng = self.rng
        ask = rng.choice(cand, size=min(k, len(cand)), replace=False)
        # a need already told waits for a partner; a new one has to be told first
        told = ask[
            hh.need_surfaced[ask] | (rng.random(len(ask)) < self.pars.disclose * self._uptake(ask))
        ]
        if len(told) == 0:
            return
        self.count("needs_surfaced", int((~hh.need_surfaced[told]).sum()))
        hh.need_surfaced[told] = True
        ref = told[rng.random(len(told)) < self.pars.partner_availability]
        hh.referred[ref] = True
        self.count("referrals", len(ref))
        self.spend("referrals", self.unit_cost("referral") * len(ref))
        hh.financial_stress[ref] *= 0.8
