"""Idiomatic per-agent Mesa implementation of the daily encounter + tie mechanism.

This is the *reference*: written the way a Mesa model is usually written, to check the
project's compiled kernel against and to measure the speed-up. Households are mesa.Agents
that step in random order (`model.agents.shuffle_do("step")`) and make their own trips
along the same routes of the same Site; co-presence is a dict (node, slot) → list of
households; every pair present together meets with the node's notice probability (one coin
per pair); at most one encounter per pair per day; encounters become small talk or a
greeting with the same formulas as the project, read against start-of-day ties; ties are a
dict {(a, b): (fast, bond)} decayed eagerly every day. The mechanism is described in
benchmarks/common.py.
"""

from __future__ import annotations

from collections import defaultdict

import mesa
import numpy as np

from benchmarks.common import SAMPLE_EVERY, WARM_UP, Setup


class HouseholdAgent(mesa.Agent):
    def __init__(self, model: ReferenceModel, dwelling: int):
        super().__init__(model)
        s = model.setup
        hh = s.households
        self.dwelling = dwelling
        self.working = bool(hh.working[dwelling])
        self.openness = float(hh.openness[dwelling])
        self.other_language = bool(hh.other_language[dwelling])
        self.trip_rates = {d: float(s.rates[k, dwelling]) for k, d in enumerate(s.dests)}

    def step(self) -> None:
        m = self.model
        weights = m.slot_weights[1 if self.working else 0]
        for dest, rate in self.trip_rates.items():
            if rate <= 0:
                continue
            for _ in range(m.rng.poisson(rate)):
                slot = self.random.choices(m.slot_range, weights)[0]
                for node in m.routes[dest][self.dwelling]:
                    m.presence[(node, slot)].append(self)


class ReferenceModel(mesa.Model):
    def __init__(self, setup: Setup, seed: int):
        super().__init__(rng=seed)
        self.setup = setup
        sc = setup.scenario
        c = sc.contact
        self.c = c
        self.slot_range = list(range(setup.slots))
        w = np.diff(np.c_[np.zeros(2), setup.cum], axis=1)
        self.slot_weights = [list(w[0]), list(w[1])]
        self.routes = {
            d: [setup.site.route(i, d).tolist() for i in range(setup.site.n_dwellings)]
            for d in setup.dests
        }
        self.notice = setup.notice.tolist()
        self.ties: dict[tuple[int, int], tuple[float, float]] = {}
        self.fast_decay = 0.5 ** (1 / c.weak_half_life_days)
        self.bond_decay = 0.5 ** (1 / c.bond_half_life_days)
        self.presence: dict[tuple[int, int], list[HouseholdAgent]] = defaultdict(list)
        self.by_dwelling = {}
        for d in setup.occupied.tolist():
            self.by_dwelling[d] = HouseholdAgent(self, d)
        self.day = 0
        self.encounters = 0
        self.strong: list[float] = []
        self.known: list[float] = []

    def strength(self, a: int, b: int) -> float:
        f, bo = self.ties.get((a, b), (0.0, 0.0))
        return f + bo

    def step(self) -> None:
        c = self.c
        self.presence = defaultdict(list)
        self.agents.shuffle_do("step")
        met: set[tuple[int, int]] = set()
        rand = self.random.random
        for (node, _slot), group in self.presence.items():
            p = self.notice[node]
            k = len(group)
            for i in range(k):
                gi = group[i]
                for j in range(i + 1, k):
                    if rand() < p:
                        gj = group[j]
                        if gi is not gj:
                            a, b = gi.dwelling, gj.dwelling
                            met.add((a, b) if a < b else (b, a))
        self.encounters += len(met)
        thr = c.tie_threshold
        for a, b in met:  # each pair once a day: reading as we go = start-of-day state
            x, y = self.by_dwelling[a], self.by_dwelling[b]
            p_ab, p_ba = self.strength(a, b), self.strength(b, a)
            openness = 1 + c.openness_effect * (x.openness + y.openness - 1)
            barrier = (
                c.both_other_language_barrier
                if (x.other_language and y.other_language)
                else (1.0 if (x.other_language or y.other_language) else 0.0)
            )
            familiarity = min(max(0.5 * (p_ab + p_ba) / (c.familiar_at * thr), 0.0), 1.0)
            p_talk = (
                c.talk_base
                * openness
                * (
                    c.talk_stranger_factor
                    + (c.talk_familiar_factor - c.talk_stranger_factor) * familiarity
                )
                * (1 - c.language_barrier * barrier)
            )
            p_greet = (
                c.greet_base
                * openness
                * (
                    c.greet_stranger_factor
                    + (c.greet_familiar_factor - c.greet_stranger_factor) * familiarity
                )
            )
            if rand() < min(max(p_talk, 0.0), 0.95):
                greeting, w = False, c.w_talk
            elif rand() < min(max(p_greet, 0.0), 1.0):
                greeting, w = True, c.w_greet
            else:
                continue
            for key, p in (((a, b), p_ab), ((b, a), p_ba)):
                if greeting:  # a greeting lifts a tie up to recognition only
                    df, db = w * max(1 - p / c.recognition_level, 0.0), 0.0
                else:
                    df, db = w * (1 - c.bond_transfer), w * c.bond_transfer
                f, bo = self.ties.get(key, (0.0, 0.0))
                self.ties[key] = (f + df, bo + db)
        if (self.day + 1) % 30 == 0:  # drop faded ties, as the project's prune does
            self.ties = {k: v for k, v in self.ties.items() if v[0] + v[1] >= 0.01}
        fd, bd = self.fast_decay, self.bond_decay
        self.ties = {k: (f * fd, bo * bd) for k, (f, bo) in self.ties.items()}
        self.day += 1
        if self.day % SAMPLE_EVERY == 0 and self.day >= WARM_UP:
            n = self.setup.n_households
            deg = self.degree(c.tie_threshold)
            self.strong.append(sum(deg.values()) / n)
            self.known.append(len(self.ties) / n)

    def degree(self, threshold: float) -> dict[int, int]:
        deg: dict[int, int] = defaultdict(int)
        for (a, _b), (f, bo) in self.ties.items():
            if f + bo >= threshold:
                deg[a] += 1
        return deg


def run_reference(s: Setup, days: int, seed: int) -> dict:
    m = ReferenceModel(s, seed)
    for _ in range(days):
        m.step()
    n = s.n_households
    return {
        "households": n,
        "days": days,
        "encounters_per_hh_day": 2 * m.encounters / (n * days),
        "ties_per_hh": float(np.mean(m.strong)) if m.strong else float("nan"),
        "acquaintances_per_hh": float(np.mean(m.known)) if m.known else float("nan"),
        "tie_entries": len(m.ties),
    }
