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

from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import Network

from sim.agents import Household
from sim.allocation import ALLOCATION_POLICIES, AllocationPolicy
from sim.brokered import BrokeredMeetings
from sim.building import Site, build_site_from
from sim.day import DAY_EVENTS
from sim.degrees import ModelTies
from sim.interventions import Intervention, build_interventions
from sim.levers import apply_levers
from sim.outcomes import OutcomeCollector, SiteDataCollector
from sim.population import Households
from sim.rand import Streams, rng_handle
from sim.scenario import Scenario
from sim.site_day import SiteDay
from sim.states import weekly_states
from sim.tables import household_table, tie_table
from sim.ties import BLOCK, dense_blocks
from sim.turnover import dwellings_due, movers_today


class NeighbourhoodModel(mesa.Model):
    """Neighbour contact in one or more buildings, day by day."""

    # a site of several buildings runs building by building on the cores (sim/shards.py);
    # False runs it as one shard on the site's streams (for comparing the two)
    shard_buildings: bool = True

    def __init__(
        self,
        scenario: Scenario | str | None = None,
        *,
        seed: int | None = None,
        rng: int | None = None,
        supported_share: float | None = None,
        trust_institutions_mean: float | None = None,
        trust_neighbours_mean: float | None = None,
        years: float | None = None,
        burn_in_years: float | None = None,
        layout: str | None = None,
        floors: int | None = None,
        dwellings_per_floor: int | None = None,
        flatcoach_hours: float | None = None,
        motivated_share: float | None = None,
        social_renovation: bool | None = None,
        welcome: bool | None = None,
        connectors: bool | None = None,
    ):
        """A scenario (a Scenario, a shipped name such as "problem_flat", or a file;
        default: the baseline defaults), with the common levers as keyword values
        (sim/levers.py: None keeps the scenario's value). `seed` (or Mesa's `rng`, an
        integer) overrides the scenario's seed. The burn-in years run here, before step 0:
        `steps` counts simulated days from the start of the run."""
        scenario = apply_levers(
            scenario,
            supported_share=supported_share,
            trust_institutions_mean=trust_institutions_mean,
            trust_neighbours_mean=trust_neighbours_mean,
            years=years,
            burn_in_years=burn_in_years,
            layout=layout,
            floors=floors,
            dwellings_per_floor=dwellings_per_floor,
            flatcoach_hours=flatcoach_hours,
            motivated_share=motivated_share,
            social_renovation=social_renovation,
            welcome=welcome,
            connectors=connectors,
        )
        if seed is None and rng is not None:
            if not isinstance(rng, int | np.integer):
                raise TypeError(
                    "rng must be an integer seed (every mechanism draws from "
                    "its own stream spawned from it)"
                )
            seed = int(rng)
        seed = scenario.run.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.config = scenario
        self.seed = seed
        self.horizon_days = int(round(scenario.run.years * 365))
        self.streams = Streams(seed)
        self.day = 0
        self.site = build_site_from(scenario)
        n = self.site.n_dwellings
        c = scenario.contact
        self.households = Households(n)
        self.ties = ModelTies(
            n,
            c.weak_half_life_days,
            c.bond_half_life_days,
            c.negative_half_life_days,
            blocks=dense_blocks(self.site.dwelling_building),
        )
        # whether any tie can live in the store's sparse rows (several buildings, or one too
        # large for a dense block); in one dense block there is nothing to reserve room for
        blocks = self.ties.H[BLOCK]
        self._sparse_ties = bool((blocks < 0).any() or (blocks != blocks[0]).any())
        self.agent_at: dict[int, Household] = {}
        self._next_household_id = 0
        self.vacant_until = np.full(n, -1, np.int64)
        self.counters = {"move_outs": 0, "evictions": 0, "move_ins": 0}
        # the compiled day adds its event counts here (DAY_EVENTS order); outcome collection
        # takes them into `outcomes.week_counts` and resets them
        self._day_counts = np.zeros(len(DAY_EVENTS))
        self.brokered = BrokeredMeetings(n)
        # (creating a stream draws nothing, so taking its handle early changes no result)
        self._rng_turnover = rng_handle(self.streams["turnover"])
        self._prepare_day()
        self.allocation: AllocationPolicy = ALLOCATION_POLICIES[scenario.allocation.policy](
            scenario.allocation.supported_share
        )
        self.interventions: list[Intervention] = build_interventions(scenario.interventions)
        for iv in self.interventions:
            iv.bind(self)
        self.outcomes = OutcomeCollector(self)
        self.datacollector = SiteDataCollector()
        self._grid: Network | None = None
        self._populate()
        self._burn_in(int(round(scenario.run.burn_in_years * 365)))
        self._collect()

    def _burn_in(self, days: int) -> None:
        """Simulate days before day 0, unrecorded, so the run starts from an established
        building rather than from strangers. Interventions cannot be active yet."""
        self.day = -days
        while self.day < 0:
            self._day()
        self.outcomes.rows.clear()
        self.outcomes.week_counts.clear()
        self._day_counts[:] = 0.0
        for key in self.counters:
            self.counters[key] = 0

    # ---------------------------------------------------------------------------------
    # set-up
    # ---------------------------------------------------------------------------------
    def _prepare_day(self) -> None:
        """What the compiled day needs of the site (sim/day.py), cut into buildings where
        it can be; rebuilt when the site changes."""
        by_building = self.shard_buildings and SiteDay.cut_by_building(self.ties)
        self.site_day = SiteDay(self.site, self.config, self.streams, by_building)
        # a site of several shards counts tie degrees shard by shard, in parallel
        starts = self.site_day.layout.dwelling_start
        self.ties.ranges = starts if len(starts) > 2 else None

    @property
    def notice_by_node(self) -> np.ndarray:
        """Chance that two households at the same node in the same slot notice each other
        (per node; interventions may change it in place)."""
        return self.site_day.notice_by_node

    def _populate(self) -> None:
        rng = self.streams["population"]
        pars = self.config.population
        n = self.site.n_dwellings
        occupied = np.flatnonzero(rng.random(n) < pars.occupancy)
        supported = rng.random(len(occupied)) < pars.supported_share
        self.move_in(occupied, supported, rng, day=-int(rng.integers(0, 3650)))
        # households arrived over the past years; spread their tenure
        spread_days = int(round(pars.initial_tenure_years * 365))
        self.households.move_in_day[occupied] = -rng.integers(0, spread_days, len(occupied))
        # dwellings empty at the start are let within one vacancy period of the first day
        empty = np.setdiff1d(np.arange(n), occupied)
        first_day = -int(round(self.config.run.burn_in_years * 365))
        self.vacant_until[empty] = first_day + rng.integers(
            0, self.config.turnover.vacancy_days + 1, len(empty)
        )

    def move_in(
        self,
        dwellings: np.ndarray,
        supported: np.ndarray,
        rng: np.random.Generator,
        day: int | None = None,
    ) -> None:
        """Households drawn with `rng` move into `dwellings` (used by allocation policies)."""
        dwellings = np.asarray(dwellings, np.int64)
        if len(dwellings) == 0:
            return
        self.households.fill(
            dwellings,
            supported,
            self.config.population,
            rng,
            self.day if day is None else day,
            self._next_household_id,
        )
        self._next_household_id += len(dwellings)
        self.vacant_until[dwellings] = -1
        for d in dwellings.tolist():
            agent = self.agent_at[d] = Household(self, d)
            if self._grid is not None:
                agent.cell = self._grid[agent.door_node]
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
        self._prepare_day()

    # ---------------------------------------------------------------------------------
    # levers for interventions
    # ---------------------------------------------------------------------------------
    def queue_meetings(self, a: np.ndarray, b: np.ndarray, talk_boost: float = 1.0) -> None:
        """Add brokered meetings (introductions, mediation) to today's encounters."""
        self.brokered.queue(a, b, talk_boost)

    # per-dwelling factors interventions set (rows of the household matrices) --------
    @property
    def trip_multiplier(self) -> np.ndarray:
        """Factor on each dwelling's optional trips (interventions, sim/interventions)."""
        return self.households.trip_multiplier

    @trip_multiplier.setter
    def trip_multiplier(self, value: np.ndarray) -> None:
        self.households.trip_multiplier = value

    @property
    def talk_multiplier(self) -> np.ndarray:
        """Factor on each dwelling's chance of small talk (interventions)."""
        return self.households.talk_multiplier

    @talk_multiplier.setter
    def talk_multiplier(self, value: np.ndarray) -> None:
        self.households.talk_multiplier = value

    @property
    def tie_count(self) -> np.ndarray:
        """Positive ties per household, as of the last weekly update."""
        return self.households.tie_count

    # ---------------------------------------------------------------------------------
    # the day
    # ---------------------------------------------------------------------------------
    @property
    def year(self) -> float:
        return self.day / 365.0

    def step(self) -> None:
        """One simulated day (Mesa counts it in `steps`); `running` turns False when the
        scenario's horizon is reached, so `mesa.batch_run` stops there."""
        self._day()
        if self.day >= self.horizon_days:
            self.running = False

    def _day(self) -> None:
        """One day, in the order of the module docstring."""
        for iv in self.interventions:
            iv.update_activity(self.day)
        a, b = self.site_day.encounters(self.households.kernel_data)
        for iv in self.interventions:
            if iv.active:
                iv.step()
        a, b, boost = self.brokered.merge(a, b, self.households.occupied)
        self._contacts_and_help(a, b, boost)
        if (self.day + 1) % 7 == 0:
            self._weekly_states()
        self._turnover()
        for iv in self.interventions:
            if iv.active:
                iv.after_day()
        if (self.day + 1) % 30 == 0:
            self.ties.prune(self.day, self.config.contact.forget_below)
        self.day += 1
        if self.day > 0 and self.day % self.config.run.collect_every_days == 0:
            self._collect()

    def _collect(self) -> None:
        """The period's outcomes (sim/outcomes.py), and the same site-level values into
        Mesa's DataCollector."""
        self.outcomes.collect()
        self.datacollector.collect(self)

    def run(
        self, years: float | None = None, progress: Any = None, *, days: int | None = None
    ) -> None:
        """Simulate `days` days (default: `years`, else the scenario's run length);
        `progress(k)` is told each time k more days are done (weekly)."""
        if days is None:
            days = int(round((years if years is not None else self.config.run.years) * 365))
        for done in range(1, days + 1):
            self.step()
            if progress is not None and (done % 7 == 0 or done == days):
                progress(7 if done % 7 == 0 else done % 7)

    # --- the day's pairs, contact, help, states, turnover ----------------------------
    def _contacts_and_help(self, a: np.ndarray, b: np.ndarray, boost: np.ndarray) -> None:
        """The rest of the day in one compiled call (`day.contacts_day`): encounter
        outcomes and tie growth, nuisance through walls, help, the daily bookkeeping."""
        if self._sparse_ties:
            self.ties.reserve(len(a) // 4)  # new sparse ties come from the few cross-building pairs
        self.site_day.contacts(
            self.day, (a, b, boost), self.ties, self.households.kernel_data, self._day_counts
        )

    def _weekly_states(self) -> None:
        """States follow targets set by recent experience (slow, bounded updates); the
        update is compiled (sim/states.py), only the eviction draws stay here."""
        hh = self.households
        s = self.config.states
        c = self.config.contact
        degree = self.ties.degree(self.day, c.tie_threshold)
        at_risk = weekly_states(
            self.site_day.records[2],
            degree,
            self.site.dwelling_building,
            int(self.day),
            hh.kernel_data,
        )

        # unresolved nuisance escalates to eviction proceedings
        rng = self.streams["evictions"]
        if len(at_risk):
            evict = at_risk[rng.random(len(at_risk)) < s.eviction_rate / 52.0]
            self.move_out(evict, evicted=True)

    def _turnover(self) -> None:
        """Voluntary move-outs, then the dwellings whose vacancy has ended are let."""
        t = self.config.turnover
        hh = self.households
        movers = movers_today(
            hh.occupied,
            hh.supported,
            hh.sense_of_home,
            self.vacant_until,
            int(self.day),
            float(t.move_rate_resident),
            float(t.move_rate_supported),
            float(t.unhappiness_multiplier),
            self._rng_turnover,
        )
        if len(movers):
            self.move_out(movers)
        due = dwellings_due(hh.occupied, self.vacant_until, int(self.day))
        if len(due):
            self.allocation.fill(self, due)

    # ---------------------------------------------------------------------------------
    # views
    # ---------------------------------------------------------------------------------
    @property
    def grid(self) -> Network:
        """The site as a Mesa network space (mesa.discrete_space.Network): a cell per node
        (gallery segment, stairs, lift, lobby, outdoor space ...; cell.position = drawing
        xy in dwelling widths and floors) with each household agent in the cell of its
        front door. Built on first use (a district never needs one); kept up to date as
        households move in and out."""
        if self._grid is None:
            g = self.site.graph
            self._grid = Network(
                g, random=self.random, layout={n: d["xy"] for n, d in g.nodes(data=True)}
            )
            for agent in self.agent_at.values():
                agent.cell = self._grid[agent.door_node]
        return self._grid

    def neighbours_of(self, dwelling: int, threshold: float) -> list[int]:
        partners, positive, _ = self.ties.row(int(dwelling), self.day)
        return partners[positive >= threshold].tolist()

    def household_frame(self) -> pd.DataFrame:
        """The state of every household now, with where it lives (sim/tables.py)."""
        return household_table(self)

    def tie_frame(self, which: str = "all") -> pd.DataFrame:
        """Every directed tie now, with household ids (sim/tables.py: which ties)."""
        return tie_table(self, which)

    def intervention_frame(self) -> pd.DataFrame:
        return pd.DataFrame([iv.results() for iv in self.interventions])
