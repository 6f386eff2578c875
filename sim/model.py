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
from sim.building import NODE_KINDS, Site, build_site
from sim.building.neighbours import adjacent_dwellings, doorstep_pairs
from sim.contact import DAY_EVENTS
from sim.daily import (
    contacts_in_place,
    dwellings_due,
    encounter_pairs,
    turnover_today,
)
from sim.doorstep import pair_chances
from sim.interventions import Intervention, build_interventions
from sim.kernel_params import daily_factor, section_record
from sim.levers import apply_levers
from sim.memory import release_large_blocks
from sim.outcomes import OutcomeCollector, SiteDataCollector
from sim.population import Households
from sim.rand import rng_handle
from sim.rng import Streams
from sim.scenario import Scenario
from sim.shards import ShardedDay, contacts_day_sharded, shard_layout
from sim.states import (
    degree_two_days,
    degree_two_days_by_range,
    drop_from_degrees,
    weekly_states,
)
from sim.ties import BLOCK, TieStore, dense_blocks
from sim.trips import (
    TRIP_DESTINATIONS,
    canonical_pairs,
    destination_parameters,
    pack_routes,
    slot_weights,
)

LARGE_SITE_DWELLINGS = 20_000  # from here on freed day arrays go back to the system
FULL_TIE_TABLE_BELOW = 20_000  # dwellings; larger sites' tie tables hold ties only ("auto")


class ModelTies(TieStore):
    """The model's tie store. Positive degrees are asked for twice a week: by the weekly
    update on day d and by the outcome collection the next morning (d + 1). One pass over
    the store decides both days at the cost of one (`states.degree_two_days`), so
    `degree` keeps the next day's counts and hands them out if they are asked for on that
    day with the same threshold and the store has not changed since (every change to the
    store bumps its version: contacts, move-outs, pruning, added ties). Between the two
    only move-outs (evictions, turnover) and pruning happen, and the kept counts follow
    them: a move-out takes its ties out of them (`states.drop_from_degrees`), and pruning
    drops only ties far below any tie threshold (strengths never go below zero, so decay
    only shrinks them)."""

    _next_degree: tuple[int, float, int, np.ndarray] | None = None
    # dwelling ranges of whole dense blocks whose degrees are counted in parallel (a
    # sharded site's buildings), or None
    ranges: np.ndarray | None = None

    def degree(self, today: int, threshold: float, negative: bool = False) -> np.ndarray:
        today, threshold = int(today), float(threshold)
        if negative:
            return super().degree(today, threshold, negative=True)
        memo = self._next_degree
        self._next_degree = None
        if (
            memo is not None
            and memo[0] == today
            and memo[1] == threshold
            and memo[2] == self._version
        ):
            return memo[3]
        if self.ranges is None:
            both = degree_two_days(
                self.H, self.gen, self.members, self.E, today, threshold, self.dtab
            )
        else:
            both = degree_two_days_by_range(
                self.H, self.gen, self.members, self.E, today, threshold, self.dtab, self.ranges
            )
        self._next_degree = (today + 1, threshold, self._version, both[1])
        return both[0]

    def _kept_degree(self) -> tuple[int, float, int, np.ndarray] | None:
        """The next day's counts if they still hold for the store as it is."""
        memo = self._next_degree
        return memo if memo is not None and memo[2] == self._version else None

    def remove_households(self, households: np.ndarray) -> None:
        memo = self._kept_degree()
        if memo is not None and len(households):
            drop_from_degrees(
                self.H,
                self.gen,
                self.members,
                self.E,
                np.unique(np.asarray(households, np.int64)),
                memo[0],
                memo[1],
                self.dtab,
                memo[3],
            )
        super().remove_households(households)
        if memo is not None:
            self._next_degree = (memo[0], memo[1], self._version, memo[3])

    def prune(self, today: int, eps: float = 0.01) -> int:
        memo = self._kept_degree()
        dropped = super().prune(today, eps)
        if memo is not None and eps <= memo[1] and today < memo[0]:
            # pruned ties were below eps today, so below the threshold the next day
            self._next_degree = (memo[0], memo[1], self._version, memo[3])
        return dropped


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

    # a site of several buildings runs building by building on the cores (sim/shards.py);
    # False keeps it on the site's streams alone (for comparing the two)
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
        if self.site.n_dwellings >= LARGE_SITE_DWELLINGS:
            # a district's day allocates tens of MB that glibc would otherwise keep and
            # fragment (sim/memory.py); smaller sites keep the faster default (~2%)
            release_large_blocks()
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
        self._turnover_out = np.empty(n, np.int64)  # workspace of `turnover_today`
        self.counters = {"move_outs": 0, "evictions": 0, "move_ins": 0}
        # the compiled day adds its event counts here (DAY_EVENTS order); outcome collection
        # takes them into `outcomes.week_counts` and resets them
        self._day_counts = np.zeros(len(DAY_EVENTS))
        self._queued: list[tuple[np.ndarray, np.ndarray, float]] = []
        self._gatherings: list[tuple[np.ndarray, float, float]] = []
        self._no_boost = np.ones(0)
        self._par_arrays = self._records()
        self._c, self._h, self._s = (arr[0] for arr in self._par_arrays)
        self._rngs = np.stack(
            [rng_handle(self.streams[name]) for name in ("contact", "living_nuisance", "help")]
        )
        # handles of the streams the compiled daily calls draw from, taken once (creating a
        # stream draws nothing, so taking them early changes no result)
        self._rng_routines = rng_handle(self.streams["routines"])
        self._rng_encounters = rng_handle(self.streams["encounters"])
        self._rng_turnover = rng_handle(self.streams["turnover"])
        self._set_notice()
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
    def _set_notice(self) -> None:
        """What the day's kernels need of the site: notice chances per node, the
        dwellings next to each other (walls; doorsteps), routes (`_prepare_kernel`)."""
        enc = self.config.encounters
        by_kind = np.array([enc.notice.get(k, 0.0) for k in NODE_KINDS])
        self.notice_by_node = by_kind[self.site.node_kind]
        self.adjacent = adjacent_dwellings(self.site)
        door_a, door_b, doors = doorstep_pairs(self.site, enc.doorstep_reach)
        self.doorstep = (
            door_a,
            door_b,
            pair_chances(doors, enc.doorstep_next_door_per_week, enc.doorstep_decay_per_door),
        )
        self._prepare_kernel()

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
        self._set_notice()

    # ---------------------------------------------------------------------------------
    # levers for interventions
    # ---------------------------------------------------------------------------------
    def queue_meetings(self, a: np.ndarray, b: np.ndarray, talk_boost: float = 1.0) -> None:
        """Add brokered meetings (introductions, mediation) to today's encounters."""
        if len(a):
            self._queued.append((np.asarray(a, np.int64), np.asarray(b, np.int64), talk_boost))

    def add_gathering(self, households: np.ndarray, notice: float, talk_boost: float = 1.5) -> None:
        """An activity today: the attendees form one co-presence group in which each pair
        meets with chance `notice`; `talk_boost` raises small talk (and civility) there."""
        if len(households) >= 2:
            self._gatherings.append(
                (np.asarray(households, np.int64), float(notice), float(talk_boost))
            )

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
        a, b = self._encounters_today()
        for iv in self.interventions:
            if iv.active:
                iv.step()
        a, b, boost = self._add_brokered(a, b)
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
        for dest in TRIP_DESTINATIONS[3:]:  # the optional trips without a condition
            rates[dest] = optional * getattr(r, dest)
        return rates

    def _encounters_today(self) -> tuple[np.ndarray, np.ndarray]:
        """Trips, visits and co-presence for the day in one compiled call
        (sim.trips.day_pairs, through daily.encounter_pairs). The trip rates are the
        formula of `trip_rates`, evaluated from the household arrays and `trip_multiplier`
        by `trips.trip_rate_matrix`."""
        if self._sharded is not None:
            return self._sharded.encounters(*self._encounter_args())
        return encounter_pairs(*self._encounter_args())

    def _encounter_args(self) -> tuple:
        """The arguments of `daily.encounter_pairs`: the day's trip data, the household
        matrices, the routines and encounters streams, the doorstep pairs."""
        k = self._kernel
        trips = (
            k["dest_par"],
            float(self.config.routines.avoid_trip_cut),
            k["route_ptr"],
            k["route_nodes"],
            k["cum"],
            k["slots"],
            np.asarray(self.notice_by_node, np.float64),
            int(self.config.encounters.max_partners),
            k["bucket"],
        )
        hh = self.households.kernel_data
        return trips, hh, self._rng_routines, self._rng_encounters, self.doorstep

    def _prepare_kernel(self) -> None:
        """Per-site constants of the compiled day: destinations, their trip-rate formula,
        all routes packed into one CSR over (destination, dwelling), slot weights and a
        workspace for grouping visits. Rebuilt when the site changes."""
        r = self.config.routines
        site = self.site
        n = site.n_dwellings
        dests = [d for d in sorted(self.trip_rates()) if d in site.routes]
        par = destination_parameters(r, dests)
        self._sharded = self._sharded_day(dests)
        self.ties.ranges = None
        if self._sharded is None:
            route_ptr, route_nodes = pack_routes(site.routes, dests, n)
        else:  # its layout holds the routes, each cut where it leaves the building
            route_ptr = route_nodes = np.zeros(0, np.int64)
            self.ties.ranges = self._sharded.layout.dwelling_start
        slots = int(r.slots)
        self._kernel = {
            "dests": dests,
            "dest_par": par,
            "route_ptr": route_ptr,
            "route_nodes": route_nodes,
            "cum": np.ascontiguousarray(np.cumsum(slot_weights(slots), axis=1)),
            "slots": slots,
            "bucket": np.zeros(site.n_nodes * slots + 1, np.int64),
        }

    def _sharded_day(self, dests: list[str]) -> ShardedDay | None:
        """The building-by-building day (sim/shards.py) for a site of several buildings
        whose ties all sit in dense blocks; None for one building (or a building too large
        for a dense block), which runs on the site's streams alone."""
        if not self.shard_buildings or not (self.ties.H[BLOCK] >= 0).all():
            return None
        layout = shard_layout(self.site, dests)
        return None if layout is None else ShardedDay(layout, self.streams)

    def _add_brokered(
        self, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Today's arranged meetings and activities added to the chance encounters (boost
        1), one encounter per pair."""
        if not self._gatherings and not self._queued:
            if len(self._no_boost) < len(a):  # a read-only view of ones: no daily allocation
                self._no_boost = np.ones(2 * len(a))
            return a, b, self._no_boost[: len(a)]
        boost = np.ones(len(a))
        parts_a, parts_b, parts_boost = [a], [b], [boost]
        rng = self.streams["gatherings"]
        for members, notice, gathering_boost in self._gatherings:
            k = len(members)
            m = rng.binomial(k * (k - 1) // 2, notice)
            i = rng.integers(0, k, m)
            j = rng.integers(0, k - 1, m)
            j += j >= i
            ga, gb = canonical_pairs(members[i], members[j])
            keep = ga != gb
            parts_a.append(ga[keep])
            parts_b.append(gb[keep])
            parts_boost.append(np.full(int(keep.sum()), gathering_boost))
        for qa, qb, tb in self._queued:
            ga, gb = canonical_pairs(qa, qb)
            keep = ga != gb
            parts_a.append(ga[keep])
            parts_b.append(gb[keep])
            parts_boost.append(np.full(int(keep.sum()), tb))
        self._gatherings.clear()
        self._queued.clear()
        a = np.concatenate(parts_a)
        b = np.concatenate(parts_b)
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

    # --- contact, nuisance through walls, help, bookkeeping ----------------------------
    def _records(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The contact, help and states sections as records for compiled code
        (sim/kernel_params.py), with the daily factors their half-lives give and the two
        values the weekly update borrows from other sections."""
        c, hp, st = self.config.contact, self.config.help, self.config.states
        help_rec = section_record(hp, burden_decay=daily_factor(hp.burden_half_life_days))
        states_rec = section_record(
            st,
            recent_decay=daily_factor(st.recent_half_life_days),
            complaint_decay=daily_factor(st.complaint_half_life_days),
            institution_trust_decay=daily_factor(st.institution_trust_half_life_days),
            anticipatory_avoidance=c.anticipatory_avoidance,
            burden_limit=hp.burden_limit,
        )
        return section_record(c), help_rec, states_rec

    def _contacts_and_help(self, a: np.ndarray, b: np.ndarray, boost: np.ndarray) -> None:
        """The rest of the day in one compiled call (`contact.contacts_day`, through
        `daily.contacts_in_place`, which hands back the entry arrays only if they changed):
        - encounter outcomes (avoidance, nuisance, greeting, small talk) and tie growth,
          read against start-of-day ties;
        - nuisance through walls: households with a nuisance risk bother the dwellings next
          door, above and below, whether or not anyone meets (most neighbour nuisance in
          flats is of this kind), drawn per dwelling so that common random numbers stay
          tied to households;
        - help: needs arise, the needy ask their strongest eligible tie;
        - bookkeeping: recent-experience memories, burden and complaints decay."""
        st = self.ties
        if self._sparse_ties:
            st.reserve(len(a) // 4)  # new sparse ties come from the few cross-building pairs
        day, *rest = self._contact_args()
        pairs = (a, b, boost)
        if self._sharded is not None:
            shard = (self._sharded.layout.dwelling_start, self._sharded.handles)
            E, used = contacts_day_sharded(shard, day, pairs, *rest)
            st.set_arrays(E, used)
            return
        used, E = contacts_in_place(day, pairs, *rest)
        st.set_arrays(st.E if E is None else E, used)

    def _contact_args(self) -> tuple:
        """The arguments of `contact.contacts_day` after the day's pairs: the parameter
        records, the tie store (its fixed arrays, entries, slots used), the walls between
        dwellings, the household matrices, the streams and the day's event counters."""
        st = self.ties
        return (
            int(self.day),
            self._par_arrays,
            (st.H, st.gen, st.members, st.dtab),
            st.E,
            st.used,
            self.adjacent,
            self.households.kernel_data,
            self._rngs,
            self._day_counts,
        )

    def _weekly_states(self) -> None:
        """States follow targets set by recent experience (slow, bounded updates); the
        update is compiled (sim/states.py), only the eviction draws stay here."""
        hh = self.households
        s = self.config.states
        c = self.config.contact
        degree = self.ties.degree(self.day, c.tie_threshold)
        at_risk = weekly_states(
            self._par_arrays[2],
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
        self._move_and_let(*turnover_today(*self._turnover_args()))

    def _turnover_args(self) -> tuple:
        """The arguments of `daily.turnover_today`."""
        t = self.config.turnover
        hh = self.households
        return (
            hh.occupied,
            hh.supported,
            hh.sense_of_home,
            self.vacant_until,
            int(self.day),
            float(t.move_rate_resident),
            float(t.move_rate_supported),
            float(t.unhappiness_multiplier),
            self._rng_turnover,
            self._turnover_out,
        )

    def _move_and_let(self, n_movers: int, n_due: int) -> None:
        """After `turnover_today`: the movers (first n_movers of its workspace) move out,
        then the dwellings due (its first n_due if nobody moved) are let."""
        hh = self.households
        buf = self._turnover_out
        if n_movers:
            self.move_out(buf[:n_movers].copy())
            due = dwellings_due(hh.occupied, self.vacant_until, int(self.day))
        else:
            due = buf[:n_due].copy()
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
        """Final state per household, with where it lives."""
        hh = self.households
        occ = np.flatnonzero(hh.occupied)
        site = self.site
        data: dict[str, Any] = {"dwelling": occ}
        data["building"] = site.dwelling_building[occ]
        data["floor"] = site.dwelling_floor[occ]
        data["position"] = site.dwelling_position[occ]
        data["circulation"] = [
            site.dwelling_circulation_names[i] for i in site.dwelling_circulation[occ]
        ]
        data["door_node"] = site.dwelling_node[occ]
        out_routes = site.routes.get("out")
        if out_routes is not None:
            indptr, nodes = out_routes
            data["route_out"] = [" ".join(map(str, nodes[indptr[d] : indptr[d + 1]])) for d in occ]
        for col in hh.columns():
            if col == "occupied":
                continue
            data[col] = getattr(hh, col)[occ]
        data["positive_ties"] = self.ties.degree(self.day, self.config.contact.tie_threshold)[occ]
        data["negative_ties"] = self.ties.degree(
            self.day, self.config.contact.avoid_threshold, negative=True
        )[occ]
        data["tenure_years"] = (self.day - hh.move_in_day[occ]) / 365.0
        return pd.DataFrame(data)

    def tie_frame(self, which: str = "all") -> pd.DataFrame:
        """Ties with their strengths and contact counts, with household ids: "all" that
        are remembered, only those at or above the tie or avoidance threshold ("ties"),
        or none (the columns only); "auto": all on a site below FULL_TIE_TABLE_BELOW
        dwellings, else ties (a district's full table would take gigabytes)."""
        if which == "auto":
            which = "all" if self.site.n_dwellings < FULL_TIE_TABLE_BELOW else "ties"
        if which not in ("all", "ties", "none"):
            raise ValueError(f"tie table {which!r}: choose 'auto', 'all', 'ties' or 'none'")
        c = self.config.contact
        if which == "ties":
            df = self.ties.to_frame(self.day, c.tie_threshold, c.avoid_threshold)
        else:
            df = self.ties.to_frame(self.day, empty=which == "none")
        hid = self.households.household_id
        df.insert(0, "from_household", hid[df["from_dwelling"].to_numpy()])
        df.insert(1, "to_household", hid[df["to_dwelling"].to_numpy()])
        return df

    def intervention_frame(self) -> pd.DataFrame:
        return pd.DataFrame([iv.results() for iv in self.interventions])
