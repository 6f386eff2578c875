"""The Mesa model: wires site, households, ties, routines, contact, help, states, turnover,
interventions and outcome collection. One step is one day.

Order within a day (each phase reads the state left by the previous one, and within a
phase every household is treated against the same start-of-phase state, so results never
depend on iteration order):
  interventions switch on/off → trips and co-presence → intervention actions →
  contact outcomes → help → daily bookkeeping → (weekly) states, evictions, outcomes →
  turnover and refill.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.agents import Household
from sim.allocation import ALLOCATION_POLICIES, AllocationPolicy
from sim.building import NODE_KINDS, Site, build_site
from sim.interventions import Intervention, build_interventions
from sim.kernel import canonical_pairs, make_visits, sample_copresence_pairs
from sim.outcomes import OutcomeCollector
from sim.population import Households
from sim.rng import Streams
from sim.scenario import Scenario
from sim.ties import CONTACT_KINDS, TieStore

GREET, TALK, HELP, NUISANCE = (CONTACT_KINDS.index(k) for k in CONTACT_KINDS)
RECENT_HALF_LIFE_DAYS = 30.0  # memory of recent contact experiences (assumption)


def build_site_from(scenario: Scenario) -> Site:
    s = scenario.site
    return build_site(
        buildings=[{"layout": b.layout, **b.generator_kwargs()} for b in s.buildings],
        outdoor=[o.model_dump() for o in s.outdoor],
        street_length=s.street_length,
        extra_rooms=[r.model_dump() for r in s.rooms],
    )


class NeighbourhoodModel(mesa.Model):
    """Neighbour contact in one or more buildings, day by day."""

    def __init__(self, scenario: Scenario | None = None, seed: int | None = None):
        scenario = scenario or Scenario()
        seed = scenario.run.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.config = scenario
        self.seed = seed
        self.streams = Streams(seed)
        self.day = 0
        self.site = build_site_from(scenario)
        n = self.site.n_dwellings
        c = scenario.contact
        self.households = Households(n)
        self.ties = TieStore(n, c.weak_half_life_days, c.bond_half_life_days,
                             c.negative_half_life_days)
        self.agent_at: dict[int, Household] = {}
        self._next_household_id = 0
        self.vacant_until = np.full(n, -1, np.int64)
        self.counters = {"move_outs": 0, "evictions": 0, "move_ins": 0}
        self.today = self._empty_day_counts()
        self._queued: list[tuple[np.ndarray, np.ndarray, float]] = []
        self._gatherings: list[tuple[np.ndarray, float]] = []
        self.trip_multiplier = np.ones(n)
        self.talk_multiplier = np.ones(n)
        self._set_notice()
        self.allocation: AllocationPolicy = ALLOCATION_POLICIES[scenario.allocation.policy](
            scenario.allocation.supported_share)
        self.interventions: list[Intervention] = build_interventions(scenario.interventions)
        for iv in self.interventions:
            iv.bind(self)
        self.outcomes = OutcomeCollector(self)
        self._populate()
        self.outcomes.collect()

    # ---------------------------------------------------------------------------------
    # set-up
    # ---------------------------------------------------------------------------------
    def _set_notice(self) -> None:
        notice = self.config.encounters.notice
        by_kind = np.array([notice.get(k, 0.0) for k in NODE_KINDS])
        self.notice_by_node = by_kind[self.site.node_kind]

    def _populate(self) -> None:
        rng = self.streams["population"]
        pars = self.config.population
        n = self.site.n_dwellings
        occupied = np.flatnonzero(rng.random(n) < pars.occupancy)
        supported = rng.random(len(occupied)) < pars.supported_share
        self.move_in(occupied, supported, rng, day=-int(rng.integers(0, 3650)))
        # households arrived over the past years; spread their tenure
        self.households.move_in_day[occupied] = -rng.integers(0, 15 * 365, len(occupied))
        self.vacant_until[np.setdiff1d(np.arange(n), occupied)] = 0

    def move_in(self, dwellings: np.ndarray, supported: np.ndarray,
                rng: np.random.Generator, day: int | None = None) -> None:
        """Households drawn with `rng` move into `dwellings` (used by allocation policies)."""
        dwellings = np.asarray(dwellings, np.int64)
        if len(dwellings) == 0:
            return
        self.households.fill(dwellings, supported, self.config.population, rng,
                             self.day if day is None else day, self._next_household_id)
        self._next_household_id += len(dwellings)
        self.vacant_until[dwellings] = -1
        for d in dwellings.tolist():
            self.agent_at[d] = Household(self, d)
        self.counters["move_ins"] += len(dwellings)
        for iv in self.interventions:
            if iv.active:
                iv.on_move_in(dwellings)

    def move_out(self, dwellings: np.ndarray, evicted: bool = False) -> None:
        dwellings = np.asarray(dwellings, np.int64)
        if len(dwellings) == 0:
            return
        self.ties.remove_households(dwellings)
        self.households.vacate(dwellings)
        self.vacant_until[dwellings] = self.day + self.config.turnover.vacancy_days
        for d in dwellings.tolist():
            agent = self.agent_at.pop(d, None)
            if agent is not None:
                agent.remove()
        self.counters["evictions" if evicted else "move_outs"] += len(dwellings)

    def set_site(self, site: Site) -> None:
        """Swap in an edited site (design interventions). Dwellings must stay the same."""
        if site.n_dwellings != self.site.n_dwellings:
            raise ValueError("a design edit must keep the dwellings")
        self.site = site
        self._set_notice()

    # ---------------------------------------------------------------------------------
    # levers for interventions
    # ---------------------------------------------------------------------------------
    def queue_meetings(self, a: np.ndarray, b: np.ndarray, talk_boost: float = 1.0) -> None:
        """Add brokered meetings (introductions, mediation) to today's encounters."""
        if len(a):
            self._queued.append((np.asarray(a, np.int64), np.asarray(b, np.int64), talk_boost))

    def add_gathering(self, households: np.ndarray, notice: float) -> None:
        """An activity today: the attendees form one co-presence group."""
        if len(households) >= 2:
            self._gatherings.append((np.asarray(households, np.int64), float(notice)))

    # ---------------------------------------------------------------------------------
    # the day
    # ---------------------------------------------------------------------------------
    @property
    def year(self) -> float:
        return self.day / 365.0

    @staticmethod
    def _empty_day_counts() -> dict[str, float]:
        return {k: 0.0 for k in ("encounters", "greet", "talk", "help", "nuisance", "conflict",
                                 "avoided", "help_needs", "help_unmet", "withdrawn")}

    def step(self) -> None:
        for iv in self.interventions:
            iv.update_activity(self.day)
        a, b = self._encounters_today()
        for iv in self.interventions:
            if iv.active:
                iv.step()
        a, b, boost = self._add_brokered(a, b)
        self._resolve_contacts(a, b, boost)
        self._help()
        self._daily_bookkeeping()
        if (self.day + 1) % 7 == 0:
            self._weekly_states()
        self._turnover()
        for iv in self.interventions:
            if iv.active:
                iv.after_day()
        if (self.day + 1) % 30 == 0:
            self.ties.prune(self.day)
        self.day += 1
        if self.day % self.config.run.collect_every_days == 0:
            self.outcomes.collect()

    def run(self, years: float | None = None, progress: Any = None) -> None:
        days = int(round((years if years is not None else self.config.run.years) * 365))
        for _ in range(days):
            self.step()
            if progress is not None:
                progress(1)

    # --- trips and co-presence --------------------------------------------------------
    def trip_rates(self) -> dict[str, np.ndarray]:
        r = self.config.routines
        hh = self.households
        occ = hh.occupied.astype(float)
        optional = occ * (1.0 - r.avoid_trip_cut * hh.avoidance) * self.trip_multiplier
        rates = {
            "out": occ * (r.out + r.work_extra * hh.working),
            "dog_field": occ * hh.dog * r.dog_field,
            "playground": optional * hh.children * r.playground,
        }
        for dest in ("mail", "bins", "bike", "park", "shops", "community_centre", "garden",
                     "laundry", "hobby_room"):
            rates[dest] = optional * getattr(r, dest)
        return rates

    def _encounters_today(self) -> tuple[np.ndarray, np.ndarray]:
        slots = self.config.routines.slots
        hh, node, slot = make_visits(self.trip_rates(), self.site.routes,
                                     self.households.working, slots, self.streams["routines"])
        rng = self.streams["encounters"]
        a, b = sample_copresence_pairs(hh, node, slot, slots, self.notice_by_node,
                                       self.config.encounters.max_partners, rng)
        return a, b

    def _add_brokered(self, a: np.ndarray, b: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        boost = np.ones(len(a))
        parts_a, parts_b, parts_boost = [a], [b], [boost]
        rng = self.streams["gatherings"]
        for members, notice in self._gatherings:
            k = len(members)
            m = rng.binomial(k * (k - 1) // 2, notice)
            i = rng.integers(0, k, m)
            j = rng.integers(0, k - 1, m)
            j += j >= i
            ga, gb = canonical_pairs(members[i], members[j])
            keep = ga != gb
            parts_a.append(ga[keep]); parts_b.append(gb[keep])
            parts_boost.append(np.full(int(keep.sum()), 1.5))
        for qa, qb, tb in self._queued:
            ga, gb = canonical_pairs(qa, qb)
            keep = ga != gb
            parts_a.append(ga[keep]); parts_b.append(gb[keep])
            parts_boost.append(np.full(int(keep.sum()), tb))
        self._gatherings.clear()
        self._queued.clear()
        if len(parts_a) == 1:
            return a, b, boost
        a = np.concatenate(parts_a); b = np.concatenate(parts_b)
        boost = np.concatenate(parts_boost)
        occ = self.households.occupied
        ok = occ[a] & occ[b]
        a, b, boost = a[ok], b[ok], boost[ok]
        # one encounter per pair per day: keep the strongest boost
        width = self.site.n_dwellings
        key = a * width + b
        order = np.lexsort((-boost, key))
        key, boost = key[order], boost[order]
        first = np.r_[True, key[1:] != key[:-1]]
        key, boost = key[first], boost[first]
        return key // width, key % width, boost

    # --- contact ----------------------------------------------------------------------
    def _resolve_contacts(self, a: np.ndarray, b: np.ndarray, boost: np.ndarray) -> None:
        n_pairs = len(a)
        if n_pairs == 0:
            return
        rng = self.streams["contact"]
        u = rng.random((n_pairs, 6))
        c = self.config.contact
        hh = self.households
        day = self.day
        p_ab, n_ab = self.ties.strength(a, b, day)
        p_ba, n_ba = self.ties.strength(b, a, day)
        thr = c.tie_threshold
        self.today["encounters"] += n_pairs

        # avoidance: of a known bad neighbour, and anticipatory (dodging strangers)
        dodge_a = (n_ab >= c.avoid_threshold) * c.avoid_prob \
            + hh.avoidance[a] * 0.5 * np.clip(1 - p_ab / thr, 0, 1)
        dodge_b = (n_ba >= c.avoid_threshold) * c.avoid_prob \
            + hh.avoidance[b] * 0.5 * np.clip(1 - p_ba / thr, 0, 1)
        avoided = (u[:, 0] < np.clip(dodge_a, 0, 0.95)) | (u[:, 1] < np.clip(dodge_b, 0, 0.95))
        self.today["avoided"] += avoided.sum()

        # unpleasant episodes: driven by the nuisance risk of those involved and by grudges
        risk_a, risk_b = hh.nuisance_risk[a], hh.nuisance_risk[b]
        friendly = np.clip((p_ab + p_ba) / (2 * thr), 0, 1)
        p_neg = (c.negative_base + c.negative_risk_weight * (risk_a + risk_b)
                 + c.negative_grudge_weight * (n_ab + n_ba)) * (1 - 0.5 * friendly)
        negative = ~avoided & (u[:, 2] < np.clip(p_neg, 0, 0.9))

        # pleasant contact: greeting or small talk
        openness = 0.5 + 0.5 * (hh.openness[a] + hh.openness[b])
        lang_a, lang_b = hh.other_language[a], hh.other_language[b]
        barrier = np.where(lang_a & lang_b, 0.5, np.where(lang_a | lang_b, 1.0, 0.0))
        # familiarity 0..1: strangers rarely chat, people who know each other often do
        familiarity = np.clip(0.5 * (p_ab + p_ba) / (2 * thr), 0, 1)
        talk_mult = np.maximum(self.talk_multiplier[a], self.talk_multiplier[b]) * boost
        p_talk = c.talk_base * openness * (0.1 + 1.9 * familiarity) \
            * (1 - c.language_barrier * barrier) * talk_mult
        p_greet = c.greet_base * openness * (0.5 + familiarity)
        positive = ~avoided & ~negative
        talk = positive & (u[:, 3] < np.clip(p_talk, 0, 0.95))
        greet = positive & ~talk & (u[:, 4] < np.clip(p_greet, 0, 1))

        w = np.where(talk, c.w_talk, np.where(greet, c.w_greet, 0.0))
        kind = np.where(talk, TALK, np.where(greet, GREET, -1))
        pos_mask = talk | greet
        self.today["talk"] += talk.sum()
        hh.last_talk_day[a[talk]] = day
        hh.last_talk_day[b[talk]] = day
        self.today["greet"] += greet.sum()

        # negative episode: who causes it, how heavily it weighs on each side
        total_risk = risk_a + risk_b
        a_causes = np.where(total_risk > 0, u[:, 5] * np.maximum(total_risk, 1e-12) < risk_a,
                            u[:, 5] < 0.5)
        causer = np.where(a_causes, a, b)
        victim = np.where(a_causes, b, a)
        p_victim_to_causer = np.where(a_causes, p_ba, p_ab)
        weight = c.w_nuisance * c.negative_weight * (
            1 - c.buffer * np.clip(p_victim_to_causer / thr, 0, 1))
        neg_idx = np.flatnonzero(negative)
        conflict = negative & (n_ab + n_ba >= c.avoid_threshold)
        self.today["nuisance"] += negative.sum()
        self.today["conflict"] += conflict.sum()

        pa, pb = a[pos_mask], b[pos_mask]
        wp, kp = w[pos_mask], kind[pos_mask]
        fast = wp * (1 - c.bond_transfer)
        bond = wp * c.bond_transfer
        nv, nc = victim[neg_idx], causer[neg_idx]
        wn = weight[neg_idx]
        self.ties.add(np.r_[pa, pb, nv, nc], np.r_[pb, pa, nc, nv], day,
                      fast=np.r_[fast, fast, np.zeros(2 * len(nv))],
                      bond=np.r_[bond, bond, np.zeros(2 * len(nv))],
                      neg=np.r_[np.zeros(2 * len(pa)), wn, 0.3 * wn],
                      kind=np.r_[kp, kp, np.full(2 * len(nv), NUISANCE)])

        n = self.site.n_dwellings
        self._pos_today = np.bincount(np.r_[pa, pb], minlength=n).astype(float)
        self._neg_today = np.bincount(nv, minlength=n).astype(float)
        np.add.at(hh.nuisance_caused, nc, 1)
        complains = rng.random(len(nv)) < self.config.states.complaint_prob * (
            0.5 + hh.trust_institutions[nv])
        np.add.at(hh.complaints, nc[complains], 1.0)

    # --- help -------------------------------------------------------------------------
    def _help(self) -> None:
        hp = self.config.help
        hh = self.households
        rng = self.streams["help"]
        rate = (hp.need_rate + hp.need_rate_elderly_extra * (hh.age_group == 2)
                + hp.need_rate_supported_extra * hh.supported * (1.2 - hh.recovery)) / 365.0
        needy = np.flatnonzero(hh.occupied & (rng.random(len(rate)) < rate * hh.occupied))
        if len(needy) == 0:
            return
        self.today["help_needs"] += len(needy)
        # candidate helpers: the needy household's ties, strongest first
        store = self.ties
        lo = np.searchsorted(store.key, needy * store.n)
        hi = np.searchsorted(store.key, (needy + 1) * store.n)
        lens = hi - lo
        total = int(lens.sum())
        helped = np.zeros(len(needy), bool)
        if total:
            owner = np.repeat(np.arange(len(needy)), lens)
            idx = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens) + np.repeat(lo, lens)
            f, bd, ng = store._decayed(idx, self.day)
            strength = f + bd - ng
            helper = store.key[idx] % store.n
            ok = (strength >= hp.ask_tie_min) & hh.occupied[helper] & (hh.burden[helper]
                                                                       < hp.burden_limit)
            self.today["withdrawn"] += int(((f + bd >= hp.ask_tie_min)
                                            & (hh.burden[helper] >= hp.burden_limit)).sum())
            if ok.any():
                owner, helper, strength = owner[ok], helper[ok], strength[ok]
                order = np.lexsort((-strength, owner))
                owner, helper = owner[order], helper[order]
                first = np.r_[True, owner[1:] != owner[:-1]]
                asker_i, helper = owner[first], helper[first]
                asker = needy[asker_i]
                p = hp.willingness * (0.6 + 0.8 * hh.openness[helper]) * np.clip(
                    1 - hh.burden[helper] / hp.burden_limit, 0, 1)
                yes = rng.random(len(helper)) < np.clip(p, 0, 1)
                asker, helper, asker_i = asker[yes], helper[yes], asker_i[yes]
                helped[asker_i] = True
                if len(asker):
                    # repeated help to the same household weighs more: drifting into caring
                    _, prior = store.find(store.keys(helper, asker))
                    pos, _ = store.find(store.keys(helper, asker))
                    repeats = np.where(prior, store.counts[np.minimum(pos, len(store) - 1), HELP]
                                       if len(store) else 0, 0)
                    np.add.at(hh.burden, helper, hp.burden_per_help * (1 + repeats / 5.0))
                    np.add.at(hh.help_given, helper, 1)
                    np.add.at(hh.help_received, asker, 1)
                    hh.last_talk_day[asker] = self.day
                    hh.last_talk_day[helper] = self.day
                    w = self.config.contact.w_help
                    c = self.config.contact
                    self.ties.add(np.r_[asker, helper], np.r_[helper, asker], self.day,
                                  fast=w * (1 - c.bond_transfer), bond=w * c.bond_transfer,
                                  kind=HELP)
                    self.today["help"] += len(asker)
                    self._pos_today = getattr(self, "_pos_today", np.zeros(store.n))
                    np.add.at(self._pos_today, np.r_[asker, helper], 1.0)
        unmet = needy[~helped]
        np.add.at(hh.help_unmet, unmet, 1)
        self.today["help_unmet"] += len(unmet)

    # --- bookkeeping and states -------------------------------------------------------
    def _daily_bookkeeping(self) -> None:
        hh = self.households
        n = self.site.n_dwellings
        decay = 0.5 ** (1.0 / RECENT_HALF_LIFE_DAYS)
        pos = getattr(self, "_pos_today", None)
        neg = getattr(self, "_neg_today", None)
        hh.pos_recent *= decay
        hh.neg_recent *= decay
        if pos is not None:
            hh.pos_recent += pos
            self._pos_week = getattr(self, "_pos_week", np.zeros(n)) + pos
        if neg is not None:
            hh.neg_recent += neg
            self._neg_week = getattr(self, "_neg_week", np.zeros(n)) + neg
        self._pos_today = np.zeros(n)
        self._neg_today = np.zeros(n)
        hh.burden *= 0.5 ** (1.0 / self.config.help.burden_half_life_days)
        hh.complaints *= 0.5 ** (1.0 / self.config.states.complaint_half_life_days)
        for k, v in self.today.items():
            self.outcomes.week_counts[k] = self.outcomes.week_counts.get(k, 0.0) + v
        self.today = self._empty_day_counts()

    def _weekly_states(self) -> None:
        """States follow targets set by recent experience (slow, bounded updates)."""
        hh = self.households
        s = self.config.states
        c = self.config.contact
        occ = hh.occupied
        n = self.site.n_dwellings
        pos_week = getattr(self, "_pos_week", np.zeros(n))
        neg_week = getattr(self, "_neg_week", np.zeros(n))
        ties = np.minimum(self.ties.degree(self.day, c.tie_threshold), 3) / 3.0
        bad = 1 - np.exp(-hh.neg_recent)            # 0..1, recent nuisance experienced
        good = 1 - np.exp(-hh.pos_recent / 10.0)    # 0..1, recent pleasant contact
        # the building's climate: share of neighbours recently bothered
        bld = self.site.dwelling_building
        n_b = np.bincount(bld, weights=occ, minlength=bld.max() + 1)
        climate = np.bincount(bld, weights=bad * occ, minlength=bld.max() + 1) / np.maximum(n_b, 1)
        climate_hh = climate[bld]
        tenure = np.clip((self.day - hh.move_in_day) / (5 * 365), 0, 1)

        hh.avoidance[:] = 1 - np.exp(-c.anticipatory_avoidance * hh.neg_recent)
        trust_t = np.clip(0.3 + 0.35 * good + 0.25 * ties - 0.45 * bad - 0.3 * climate_hh, 0, 1)
        safety_t = np.clip(0.55 + 0.2 * hh.trust_neighbours + 0.15 * ties - 0.35 * bad
                           - 0.6 * climate_hh, 0, 1)
        home_t = np.clip(0.25 + 0.3 * ties + 0.25 * hh.safety + 0.1 * good + 0.1 * tenure
                         - 0.35 * bad, 0, 1)
        burden_over = np.clip(hh.burden / self.config.help.burden_limit, 0, 1)
        wellbeing_t = np.clip(0.75 - 0.35 * hh.financial_stress - 0.3 * bad + 0.15 * ties
                              + 0.1 * good - 0.2 * burden_over, 0, 1)
        rate = s.adapt_rate
        for col, target, r in (("trust_neighbours", trust_t, rate * 0.5),
                               ("safety", safety_t, rate), ("sense_of_home", home_t, rate),
                               ("wellbeing", wellbeing_t, rate)):
            arr = getattr(hh, col)
            arr += r * (target - arr) * occ

        sup = hh.supported & occ
        # recovery follows a target set by support, ties and experiences, plus the direct
        # push of this week's contacts (soft landing vs. harm from negative contact)
        recovery_t = np.clip(0.1 + 0.3 * hh.support_level + 0.2 * ties + 0.15 * good
                             - 0.4 * bad, 0, 1)
        hh.recovery[sup] = np.clip(
            hh.recovery[sup] + 0.5 * rate * (recovery_t[sup] - hh.recovery[sup])
            + s.recovery_gain * np.minimum(pos_week[sup], 5) - s.recovery_loss * neg_week[sup]
            + s.recovery_support_drift * hh.support_level[sup], 0, 1)
        base = self.config.population.nuisance_risk_supported
        # supported newcomers' nuisance risk falls as they recover (assumption)
        hh.nuisance_risk[sup] = np.clip(hh.nuisance_risk[sup] * 0.98
                                        + 0.02 * base * (1.6 - 1.2 * hh.recovery[sup]) * 1.0,
                                        0, 1)
        self._pos_week = np.zeros(n)
        self._neg_week = np.zeros(n)

        # unresolved nuisance escalates to eviction proceedings
        rng = self.streams["evictions"]
        at_risk = np.flatnonzero(occ & (hh.complaints >= s.eviction_complaints))
        if len(at_risk):
            evict = at_risk[rng.random(len(at_risk)) < s.eviction_rate / 52.0]
            self.move_out(evict, evicted=True)

    def _turnover(self) -> None:
        t = self.config.turnover
        hh = self.households
        rng = self.streams["turnover"]
        base = np.where(hh.supported, t.move_rate_supported, t.move_rate_resident)
        rate = base * (1 + (t.unhappiness_multiplier - 1) * (1 - hh.sense_of_home)) / 365.0
        movers = np.flatnonzero(hh.occupied & (rng.random(len(rate)) < rate))
        self.move_out(movers)
        due = np.flatnonzero(~hh.occupied & (self.vacant_until >= 0)
                             & (self.vacant_until <= self.day))
        if len(due):
            self.allocation.fill(self, due)

    # ---------------------------------------------------------------------------------
    # views
    # ---------------------------------------------------------------------------------
    def neighbours_of(self, dwelling: int, threshold: float) -> list[int]:
        store = self.ties
        lo = np.searchsorted(store.key, dwelling * store.n)
        hi = np.searchsorted(store.key, (dwelling + 1) * store.n)
        idx = np.arange(lo, hi)
        f, bd, _ = store._decayed(idx, self.day)
        return (store.key[idx][(f + bd) >= threshold] % store.n).tolist()

    def household_frame(self) -> pd.DataFrame:
        """Final state per household, with where it lives."""
        hh = self.households
        occ = np.flatnonzero(hh.occupied)
        site = self.site
        data: dict[str, Any] = {"dwelling": occ}
        data["building"] = site.dwelling_building[occ]
        data["floor"] = site.dwelling_floor[occ]
        data["position"] = site.dwelling_position[occ]
        data["circulation"] = [site.dwelling_circulation_names[i]
                               for i in site.dwelling_circulation[occ]]
        data["door_node"] = site.dwelling_node[occ]
        out_routes = site.routes.get("out")
        if out_routes is not None:
            indptr, nodes = out_routes
            data["route_out"] = [" ".join(map(str, nodes[indptr[d]:indptr[d + 1]]))
                                 for d in occ]
        for col in hh.columns():
            if col == "occupied":
                continue
            data[col] = getattr(hh, col)[occ]
        data["positive_ties"] = self.ties.degree(self.day, self.config.contact.tie_threshold)[occ]
        data["negative_ties"] = self.ties.degree(self.day, self.config.contact.avoid_threshold,
                                                 negative=True)[occ]
        data["tenure_years"] = (self.day - hh.move_in_day[occ]) / 365.0
        return pd.DataFrame(data)

    def tie_frame(self) -> pd.DataFrame:
        """Every tie with its strengths and contact counts, with household ids."""
        df = self.ties.to_frame(self.day)
        hid = self.households.household_id
        df.insert(0, "from_household", hid[df["from_dwelling"].to_numpy()])
        df.insert(1, "to_household", hid[df["to_dwelling"].to_numpy()])
        return df

    def intervention_frame(self) -> pd.DataFrame:
        return pd.DataFrame([iv.results() for iv in self.interventions])
