"""Social renovation ("sociaal renoveren"): a physical renovation coupled with home visits,
case meetings and referral of hidden help needs to services.

Timeline (years after `start_year`): phase 1 "before" [0, before_years): home visits by the
housing corporation; phase 2 "during" the works [before, before+works): disruption of
everyday routines (fewer optional trips: scaffolding, closed galleries, noise) and light
attention to help needs by site staff; phase 3 "after" [.., +after_years): joint home visits
of the corporation with welfare or work & income. Case meetings every `case_meeting_days`
days refer surfaced needs to services as far as service capacity allows (FIFO queue;
capacity 0 means nobody is ever referred). After phase 3 the programme is over.

Per visit round a household is targeted with probability `coverage`; each attempt opens the
door with a chance lowered by distrust of institutions and by being busy surviving
(`distrust_weight`, `busy_weight`); up to `attempts` tries. A household with a hidden need
that opens discloses it with a chance rising with trust (`disclose`, joint visits ×
`joint_visit_bonus`). Referred households get help: financial stress falls (`relief`), their
open complaints are handled (case management, so eviction proceedings stop: counted as a
prevented eviction when they were near the threshold) and their nuisance risk falls. Lonely
households met at the door are introduced to a neighbour on their gallery.

Why the referred share lands where it does (problem flat defaults ≈ 0.2–0.3): it is roughly
  hidden-need share (≈0.45) × reached (coverage × door opened in up to 3 tries, ≈0.75) ×
  disclosed (≈0.5 per round, two rounds) × accepted (≈0.85), capped by capacity. It goes lower
  with more distrust or
  financial stress (fewer doors open, less disclosure), lower coverage or attempts, or scarce
  service capacity; higher with more trust, more hidden needs or more outreach.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from pydantic import Field

from sim.interventions.base import Intervention, InterventionParams, register
from sim.interventions.common import INTRO_BOOST, Multiplier, in_buildings, same_circulation


class SocialRenovationParams(InterventionParams):
    buildings: list[int] | None = Field(None, description="buildings renovated (all if omitted)")
    before_years: float = Field(0.5, ge=0.05, le=5, description="phase 1: visits before the works")
    works_years: float = Field(1.0, ge=0.05, le=5, description="phase 2: duration of the works")
    after_years: float = Field(1.0, ge=0.05, le=5, description="phase 3: joint visits after")
    disruption: float = Field(
        0.3, ge=0, le=1, description="share of optional trips lost during the works"
    )
    coverage: float = Field(
        0.85,
        ge=0,
        le=1,
        description="share of households targeted per visit round (EVIDENCE 60–90% reached)",
    )
    attempts: int = Field(3, ge=1, le=5, description="tries at the door per targeted household")
    door_open: float = Field(
        0.95, ge=0, le=1, description="chance a trusting, unhurried household opens"
    )
    distrust_weight: float = Field(
        0.6, ge=0, le=1, description="drop in opening at zero trust in institutions"
    )
    busy_weight: float = Field(
        0.2, ge=0, le=1, description="drop in opening at full financial stress ('busy surviving')"
    )
    disclose: float = Field(
        0.85,
        ge=0,
        le=1,
        description="chance a hidden need is told at a visit (scaled by 0.4 + 0.6 × trust)",
    )
    joint_visit_bonus: float = Field(
        1.3,
        ge=1,
        le=3,
        description="disclosure multiplier of joint visits with welfare / work & income",
    )
    during_attention: float = Field(
        0.15,
        ge=0,
        le=1,
        description="chance per household that site staff notice a need during the works",
    )
    accept_referral: float = Field(
        0.85, ge=0, le=1, description="chance a surfaced need is taken up when a service has room"
    )
    service_capacity: float = Field(
        40.0, ge=0, le=1000, description="referrals services can take per 100 dwellings per year"
    )
    case_meeting_days: int = Field(28, ge=1, le=365, description="days between case meetings")
    relief: float = Field(0.3, ge=0, le=1, description="drop in financial stress once referred")
    nuisance_relief: float = Field(
        0.3, ge=0, le=1, description="drop in nuisance risk of referred households with complaints"
    )
    connect_lonely: bool = Field(
        True, description="introduce lonely visited households to a neighbour"
    )


@register
class SocialRenovation(Intervention):
    key = "social_renovation"
    Params = SocialRenovationParams
    pars: SocialRenovationParams

    # ------------------------------------------------------------------------------------
    def start(self) -> None:
        m = self.model
        p = self.pars
        self.t0 = m.day
        self.b1 = self.t0 + int(round(365 * p.before_years))
        self.b2 = self.b1 + int(round(365 * p.works_years))
        self.b3 = self.b2 + int(round(365 * p.after_years))
        self.mask = in_buildings(m, p.buildings)
        self.visit_day = np.full(m.site.n_dwellings, -1, np.int64)
        self.visit_hid = np.full(m.site.n_dwellings, -1, np.int64)
        self.queue: deque[tuple[int, int]] = deque()  # (dwelling, household id)
        self.tokens = 0.0
        self.phase = 0
        self._disrupt = Multiplier(m, "trip_multiplier", max(1.0 - p.disruption, 1e-6))
        self.count("households_in_programme", float((self.mask & m.households.occupied).sum()))

    def stop(self) -> None:
        self._disrupt.clear()

    def _schedule_round(self, first: int, last: int) -> None:
        """Pick the households targeted in this round and give each a visit day."""
        m = self.model
        occ = self.mask & m.households.occupied
        d = np.flatnonzero(occ)
        target = d[self.rng.random(len(d)) < self.pars.coverage]
        self.visit_day[:] = -1
        self.visit_day[target] = self.rng.integers(first, max(first + 1, last), len(target))
        self.visit_hid[:] = -1
        self.visit_hid[target] = m.households.household_id[target]

    def step(self) -> None:
        m = self.model
        day = m.day
        p = self.pars
        if day >= self.b3:
            if self.phase != 4:
                self.phase = 4
                self._disrupt.clear()
                self.count("programme_done_day", day)
            return
        new_phase = 1 if day < self.b1 else 2 if day < self.b2 else 3
        if new_phase != self.phase:
            self.phase = new_phase
            if new_phase == 1:
                self._schedule_round(day, self.b1)
            elif new_phase == 3:
                self._schedule_round(day, self.b3 - 30)
        # works: disruption of everyday routines in the renovated buildings
        self._disrupt.set(self.mask if self.phase == 2 else np.zeros_like(self.mask))
        if self.phase in (1, 3):
            self._visits(joint=self.phase == 3)
        elif self.phase == 2:
            self._attention_during_works()
        # services' capacity accrues daily; case meetings hand out referrals
        n_dw = float(self.mask.sum())
        self.tokens = min(
            self.tokens + p.service_capacity * n_dw / 100.0 / 365.0,
            max(p.service_capacity * n_dw / 100.0, 1.0),
        )
        if (day - self.t0) % p.case_meeting_days == p.case_meeting_days - 1:
            self._case_meeting()

    # ------------------------------------------------------------------------------------
    def _visits(self, joint: bool) -> None:
        m = self.model
        hh = m.households
        p = self.pars
        rng = self.rng
        today = np.flatnonzero(
            (self.visit_day == m.day) & (self.visit_hid == hh.household_id) & hh.occupied
        )
        if len(today) == 0:
            return
        p_open = (
            p.door_open
            * (1 - p.distrust_weight * (1 - hh.trust_institutions[today]))
            * (1 - p.busy_weight * hh.financial_stress[today])
        )
        opened = np.zeros(len(today), bool)
        for _ in range(p.attempts):
            opened |= rng.random(len(today)) < p_open
        n_att = int((~opened).sum()) * p.attempts + int(opened.sum())
        self.count("visit_attempts", n_att)
        self.spend(
            "visit_attempts", self.unit_cost("visit_attempt") * int((~opened).sum()) * p.attempts
        )
        met = today[opened]
        if len(met) == 0:
            return
        kind = "joint_home_visits" if joint else "home_visits"
        self.count(kind, len(met))
        self.count("hours", len(met) * (3.0 if joint else 1.5))
        self.spend(kind, self.unit_cost("joint_home_visit" if joint else "home_visit") * len(met))
        # hidden needs told at the door
        bonus = p.joint_visit_bonus if joint else 1.0
        p_tell = p.disclose * bonus * (0.4 + 0.6 * hh.trust_institutions[met])
        told = met[
            hh.hidden_need[met]
            & ~hh.need_surfaced[met]
            & (rng.random(len(met)) < np.clip(p_tell, 0, 1))
        ]
        self._surface(told)
        # a visit is also a small sign the institutions care
        hh.trust_institutions[met] = np.clip(hh.trust_institutions[met] + 0.02, 0, 1)
        if p.connect_lonely:
            self._connect_lonely(met)

    def _attention_during_works(self) -> None:
        m = self.model
        hh = m.households
        d = np.flatnonzero(self.mask & hh.occupied & hh.hidden_need & ~hh.need_surfaced)
        if len(d) == 0:
            return
        daily = self.pars.during_attention / (self.b2 - self.b1)
        noticed = d[self.rng.random(len(d)) < daily * (0.6 + 0.4 * hh.trust_institutions[d])]
        if len(noticed):
            self.count("noticed_during_works", len(noticed))
            self._surface(noticed)

    def _surface(self, d: np.ndarray) -> None:
        if len(d) == 0:
            return
        hh = self.model.households
        hh.need_surfaced[d] = True
        self.count("needs_surfaced", len(d))
        for x in d.tolist():
            self.queue.append((x, int(hh.household_id[x])))

    def _case_meeting(self) -> None:
        m = self.model
        hh = m.households
        p = self.pars
        self.count("case_meetings")
        self.count("hours", 6.0)
        self.spend("case_meetings", self.unit_cost("case_meeting"))
        # drop those who moved away meanwhile
        self.queue = deque(
            (d, h) for d, h in self.queue if hh.occupied[d] and hh.household_id[d] == h
        )
        refer = []
        while self.queue and self.tokens >= 1.0:
            d, _ = self.queue.popleft()
            if self.rng.random() < p.accept_referral:
                refer.append(d)
                self.tokens -= 1.0
            else:
                self.count("referrals_declined")
        self.count("waiting_for_services", len(self.queue))
        if refer:
            self._refer(np.asarray(refer, np.int64))

    def _refer(self, d: np.ndarray) -> None:
        m = self.model
        hh = m.households
        p = self.pars
        hh.referred[d] = True
        self.count("referrals", len(d))
        self.spend("referrals", self.unit_cost("referral") * len(d))
        hh.financial_stress[d] *= 1 - p.relief
        near_eviction = hh.complaints[d] >= 0.6 * m.config.states.eviction_complaints
        self.count("evictions_prevented", int(near_eviction.sum()))
        troubled = d[hh.complaints[d] > 0.5]
        hh.nuisance_risk[troubled] *= 1 - p.nuisance_relief
        hh.complaints[d] *= 0.3  # case management: complaints addressed
        hh.support_level[d] = np.where(
            hh.supported[d], np.clip(hh.support_level[d] + 0.1, 0, 1), hh.support_level[d]
        )

    def _connect_lonely(self, met: np.ndarray) -> None:
        m = self.model
        hh = m.households
        deg = m.ties.degree(m.day, m.config.contact.tie_threshold)
        lonely = met[deg[met] == 0]
        a, b = [], []
        for d in lonely.tolist():
            near = same_circulation(m, d)
            if len(near) == 0:
                continue
            w = 0.1 + hh.openness[near] * (1 - hh.avoidance[near])
            a.append(d)
            b.append(int(self.rng.choice(near, p=w / w.sum())))
        if a:
            m.queue_meetings(np.asarray(a), np.asarray(b), talk_boost=INTRO_BOOST)
            self.count("lonely_connected", len(a))
