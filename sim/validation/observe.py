"""Run one scenario and seed and keep what the patterns are measured from.

The model's outputs are its weekly outcomes and its final households and ties; some
patterns need more (who caused how many nuisance episodes in the last 12 months, who was
bothered on how many days, who helped, who left). The observer steps the model a day at a
time and keeps a ledger per household from the model's public household arrays, without
touching the model: a day's nuisance caused is the rise of `nuisance_caused`, a day with an
episode received is a rise of `neg_recent` (it only decays otherwise), help given is the
rise of `help_given`. The ledger covers the whole run; the "last 12 months" window is the
run's last 365 days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.scenario import Scenario

WINDOW_DAYS = 365


@dataclass
class Observation:
    """What one run leaves for the pattern functions (picklable, a few hundred kB)."""

    scenario: str
    seed: int
    years: float
    n_dwellings: int
    window_start: int  # first day of the last-12-months window (day 0 = end of burn-in)
    tie_threshold: float
    avoid_threshold: float
    timeseries: pd.DataFrame  # site-level rows ("all" building) of outcomes.frame()
    households: pd.DataFrame  # final: dwelling, building, floor, circulation, position, core
    ties: pd.DataFrame  # final: from_dwelling, to_dwelling, positive, negative
    ledger: pd.DataFrame  # one row per household that lived there during the run
    counters: dict[str, float] = field(default_factory=dict)
    interventions: pd.DataFrame = field(default_factory=pd.DataFrame)
    # share with neighbour contact in the past week by age group (0 young, 1 middle,
    # 2 elderly), mean over the window's weekly samples
    weekly_contact_by_age: dict[int, float] = field(default_factory=dict)


def route_cores(site) -> np.ndarray:
    """Each dwelling's core: the first node on its route out that is not of the kind its
    route starts on (the gallery, corridor or landing in front of the door), i.e. the
    stairs or lift it takes; -1 if the route never leaves that kind."""
    indptr, nodes = site.routes["out"]
    kinds = np.asarray(site.node_kind)
    out = np.full(site.n_dwellings, -1, np.int64)
    for d in range(site.n_dwellings):
        route = nodes[indptr[d] : indptr[d + 1]]
        if len(route) == 0:
            continue
        other = np.flatnonzero(kinds[route] != kinds[route[0]])
        if len(other):
            out[d] = int(route[other[0]])
    return out


class _Ledger:
    """Per-household tallies kept day by day (arrays indexed by household id)."""

    COLS = (
        "supported",
        "first_day",
        "last_day",
        "caused",
        "caused_window",
        "bothered_days_window",
        "helped_window",
        "at_window_start",
        "left",
    )

    def __init__(self, capacity: int):
        self.cap = max(16, capacity)
        self.a = {c: np.zeros(self.cap, np.int64) for c in self.COLS}
        self.a["first_day"][:] = -1
        self.seen = np.zeros(self.cap, bool)

    def grow(self, max_id: int) -> None:
        if max_id < self.cap:
            return
        new = max(2 * self.cap, max_id + 1)
        for c, v in self.a.items():
            w = np.zeros(new, np.int64)
            if c == "first_day":
                w[:] = -1
            w[: self.cap] = v
            self.a[c] = w
        s = np.zeros(new, bool)
        s[: self.cap] = self.seen
        self.seen = s
        self.cap = new

    def frame(self) -> pd.DataFrame:
        ids = np.flatnonzero(self.seen)
        df = pd.DataFrame({c: v[ids] for c, v in self.a.items()})
        df.insert(0, "household_id", ids)
        for c in ("supported", "helped_window", "at_window_start", "left"):
            df[c] = df[c].astype(bool)
        return df


def observe(
    scenario: Scenario,
    seed: int,
    years: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> Observation:
    """Simulate `scenario` with `seed` (and `years`, if given) day by day, keeping the
    ledger; return the observation."""
    from sim.model import NeighbourhoodModel

    run = {"seed": int(seed)} if years is None else {"seed": int(seed), "years": float(years)}
    sc = scenario.with_overrides(run=run)
    model = NeighbourhoodModel(sc)
    hh = model.households
    days = round(sc.run.years * 365)
    window_start = max(0, days - WINDOW_DAYS)
    led = _Ledger(2 * model.site.n_dwellings)

    def snapshot() -> tuple[np.ndarray, ...]:
        return (
            hh.occupied.copy(),
            hh.household_id.copy(),
            hh.nuisance_caused.copy(),
            hh.neg_recent.copy(),
            hh.help_given.copy(),
            hh.supported.copy(),
        )

    occ, ids, caused, neg, given, sup = snapshot()
    _register(led, occ, ids, sup, model.day)
    if window_start == 0:
        led.a["at_window_start"][ids[occ]] = 1
    start_counts = dict(model.counters)
    by_age: dict[int, list[float]] = {0: [], 1: [], 2: []}
    for _k in range(days):
        model.run(days=1)
        n_occ, n_ids, n_caused, n_neg, n_given, n_sup = snapshot()
        same = occ & n_occ & (ids == n_ids)
        new = n_occ & ~same
        left = occ & ~same
        led.a["left"][ids[left]] = 1
        led.a["last_day"][ids[left]] = model.day - 1
        _register(led, n_occ, n_ids, n_sup, model.day, new)
        d_caused = np.where(same, n_caused - caused, np.where(new, n_caused, 0))
        np.add.at(led.a["caused"], n_ids[n_occ], d_caused[n_occ])
        if model.day > window_start:
            np.add.at(led.a["caused_window"], n_ids[n_occ], d_caused[n_occ])
            rose = n_occ & np.where(same, n_neg > neg * (1 + 1e-12) + 1e-15, n_neg > 0)
            led.a["bothered_days_window"][n_ids[rose]] += 1
            helped = n_occ & np.where(same, n_given > given, n_given > 0)
            led.a["helped_window"][n_ids[helped]] = 1
        if model.day == window_start:
            led.a["at_window_start"][n_ids[n_occ]] = 1
        if model.day > window_start and model.day % 7 == 0:
            talked = model.day - hh.last_talk_day < 7
            for age, shares in by_age.items():
                group = n_occ & (hh.age_group == age)
                if group.any():
                    shares.append(float(talked[group].mean()))
        occ, ids, caused, neg, given, sup = n_occ, n_ids, n_caused, n_neg, n_given, n_sup
        if progress is not None:
            progress(1)
    led.a["last_day"][ids[occ]] = model.day

    c = sc.contact
    ts = model.outcomes.frame()
    ts = ts[ts["building"] == "all"].reset_index(drop=True)
    house = model.household_frame()
    cores = route_cores(model.site)
    households = pd.DataFrame(
        {
            "dwelling": house["dwelling"].to_numpy(),
            "building": house["building"].to_numpy(),
            "floor": house["floor"].to_numpy(),
            "circulation": house["circulation"].to_numpy(),
            "position": house["position"].to_numpy(),
            "supported": house["supported"].to_numpy(),
            "core": cores[house["dwelling"].to_numpy()],
            "age_group": house["age_group"].to_numpy(),
            "positive_ties": house["positive_ties"].to_numpy(),
            "tenure_years": house["tenure_years"].to_numpy(),
        }
    )
    ties = model.tie_frame("all")[["from_dwelling", "to_dwelling", "positive", "negative"]]
    counters = {k: float(model.counters[k] - start_counts.get(k, 0)) for k in model.counters}
    return Observation(
        scenario=sc.name,
        seed=int(seed),
        years=days / 365.0,
        n_dwellings=int(model.site.n_dwellings),
        window_start=window_start,
        tie_threshold=float(c.tie_threshold),
        avoid_threshold=float(c.avoid_threshold),
        timeseries=ts,
        households=households,
        ties=ties.reset_index(drop=True),
        ledger=led.frame(),
        counters=counters,
        interventions=model.intervention_frame(),
        weekly_contact_by_age={a: float(np.mean(v)) for a, v in by_age.items() if v},
    )


def _register(
    led: _Ledger,
    occ: np.ndarray,
    ids: np.ndarray,
    sup: np.ndarray,
    day: int,
    new: np.ndarray | None = None,
) -> None:
    """Households seen for the first time (all occupied ones, or those in `new`)."""
    sel = occ if new is None else new
    if not sel.any():
        return
    hid = ids[sel]
    led.grow(int(hid.max()))
    first = ~led.seen[hid]
    led.seen[hid] = True
    led.a["supported"][hid] = sup[sel]
    led.a["first_day"][hid[first]] = day
