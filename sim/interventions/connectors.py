"""Connectors and activities: a few active residents ("verbinders") per complex, optionally
supported, and recurring activities whose attendance creates encounters.

Mechanism: at start, open residents with some tenure become connectors until there are
`connectors_per_100` per 100 households (existing connectors count). Connectors greet
newcomers on their gallery (brokered meeting at move-in) and invite people to the
activities: a tenants' committee meeting (every `committee_days`), a garden group (weekly,
April–September) and volunteering at the community centre (weekly). Invited households
come with a chance set by the activity's base attendance, openness and avoidance, and
higher when they already know a connector. Attendees meet each other (`hold_activity`).
Obstacle: organising weighs on connectors. Each activity adds burden to its one or two organisers;
an overburdened connector quits with some chance. With `supported = true` (a welfare
worker backs them up: budget, training, sharing the work) the burden per activity is
halved and quitters are replaced; unsupported connectors burn out and are not replaced.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.interventions.base import Intervention, InterventionParams, register
from sim.interventions.common import hold_activity, welcome_visits

ACTIVITY_DEFAULTS = {
    # name: (attendance base, others each attendee meets)
    "tenants_committee": (0.10, 4.0),
    "garden_group": (0.08, 3.0),
    "volunteering": (0.05, 3.0),
}


class ConnectorsParams(InterventionParams):
    connectors_per_100: float = Field(
        4.0, ge=0, le=30, description="connectors per 100 households (EVIDENCE 2–5%)"
    )
    supported: bool = Field(
        True,
        description="connectors get support (budget, training, a welfare worker sharing the work)",
    )
    committee_days: int = Field(30, ge=7, le=365, description="days between committee meetings")
    garden_group: bool = True
    volunteering: bool = True
    attendance_scale: float = Field(
        1.0, ge=0, le=5, description="multiplies every activity's base attendance"
    )
    burden_per_activity: float = Field(
        0.15,
        ge=0,
        le=2,
        description="burden each organiser takes on per activity (halved when supported)",
    )
    quit_prob: float = Field(
        0.1, ge=0, le=1, description="weekly chance an overburdened connector quits"
    )
    support_hours_per_week: float = Field(
        4.0, ge=0, le=40, description="welfare worker hours backing the connectors when supported"
    )


@register
class Connectors(Intervention):
    key = "connectors"
    Params = ConnectorsParams
    pars: ConnectorsParams

    def start(self) -> None:
        self._recruit()

    def _recruit(self) -> None:
        m = self.model
        hh = m.households
        occ = hh.occupied
        want = int(round(self.pars.connectors_per_100 * occ.sum() / 100.0))
        have = int((hh.connector & occ).sum())
        if have >= want:
            return
        cand = np.flatnonzero(occ & ~hh.connector & ~hh.supported)
        tenure = np.clip((m.day - hh.move_in_day[cand]) / 1825.0, 0, 1)
        score = (
            hh.openness[cand]
            * (0.5 + tenure)
            * (1 - hh.avoidance[cand])
            * self.rng.random(len(cand)) ** 0.5
        )
        new = cand[np.argsort(-score)[: want - have]]
        hh.connector[new] = True
        self.count("connectors_recruited", len(new))

    def step(self) -> None:
        m = self.model
        day = m.day
        p = self.pars
        doy = day % 365
        if (day - self.start_day()) % p.committee_days == 0:
            self._activity("tenants_committee")
        if day % 7 == 3:
            if p.garden_group and 90 <= doy < 273:
                self._activity("garden_group")
            if p.volunteering:
                self._activity("volunteering")
        if day % 7 == 6:
            self._weekly()

    def _weekly(self) -> None:
        m = self.model
        hh = m.households
        p = self.pars
        if p.supported:
            self.count("hours", p.support_hours_per_week)
            self.spend(
                "support_worker", self.unit_cost("professional_hour") * p.support_hours_per_week
            )
            n_conn = int((hh.connector & hh.occupied).sum())
            self.spend(
                "connector_support", self.unit_cost("connector_support_year") * n_conn / 52.0
            )
        over = np.flatnonzero(
            hh.connector & hh.occupied & (hh.burden >= m.config.help.burden_limit)
        )
        quit_ = over[self.rng.random(len(over)) < p.quit_prob]
        if len(quit_):
            hh.connector[quit_] = False
            self.count("connectors_quit", len(quit_))
        if p.supported:
            self._recruit()

    def _activity(self, name: str) -> None:
        m = self.model
        hh = m.households
        rng = self.rng
        conn = np.flatnonzero(hh.connector & hh.occupied)
        if len(conn) == 0:
            self.count("activities_without_connector")
            return
        base, meets = ACTIVITY_DEFAULTS[name]
        res = np.flatnonzero(hh.occupied & ~hh.connector)
        # knowing a connector makes people come: strongest tie to any connector
        know = np.zeros(len(res))
        for c in conn.tolist():
            pos, _ = m.ties.strength(np.full(len(res), c), res, m.day)
            know = np.maximum(know, pos)
        knows = np.clip(know / m.config.contact.tie_threshold, 0, 1)
        pc = (
            base
            * self.pars.attendance_scale
            * (0.5 + hh.openness[res])
            * (1 - hh.avoidance[res])
            * (1 + 1.5 * knows)
        )
        came = res[rng.random(len(res)) < np.clip(pc, 0, 0.95)]
        organisers = rng.choice(conn, size=min(2, len(conn)), replace=False)
        hh.burden[organisers] += self.pars.burden_per_activity * (0.5 if self.pars.supported else 1)
        members = np.r_[organisers, came]
        self.count("activities")
        self.count(f"activity_{name}")
        self.spend("activities", self.unit_cost("activity"))
        if len(members) >= 2:
            hold_activity(m, rng, members, meets)
            self.count("attendances", len(came))

    def on_move_in(self, dwellings: np.ndarray) -> None:
        m = self.model
        visits = welcome_visits(m, self.rng, dwellings, m.households.connector)
        if visits:
            self.count("welcomes_by_connectors", visits)
