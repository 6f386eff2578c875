"""What the compiled day (sim/day.py) needs of a site, and the day's two calls made on the
model's households and tie store: `SiteDay` is built once per site (and again after a
design edit) and holds the notice chances per node, the walls and doorsteps between
dwellings, the trip destinations and their rate formula, the cut into shards with their
streams, the parameter records and the workspaces."""

from __future__ import annotations

import numpy as np

from sim.building import NODE_KINDS, Site
from sim.building.neighbours import adjacent_dwellings, doorstep_pairs
from sim.day import contacts_day, day_encounters
from sim.doorstep import pair_chances
from sim.kernel_params import daily_factor, section_record
from sim.rand import Streams, restore_states, rng_handle
from sim.scenario import Scenario
from sim.shards import shard_layout, shard_streams
from sim.ties import BLOCK, TieStore
from sim.trips import TRIP_DESTINATIONS, destination_parameters, slot_weights


def kernel_records(config: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The contact, help and states sections as records for compiled code
    (sim/kernel_params.py), with the daily factors their half-lives give and the two
    values the weekly update borrows from other sections."""
    c, hp, st = config.contact, config.help, config.states
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


class EncounterBuffers:
    """Where the shards of a site of several write their encounters (`_shard_encounters`),
    grown when a day needs more room."""

    initial_capacity = 64  # results per shard before the buffers first grow

    def __init__(self, n_shards: int, n_dwellings: int):
        self.n_shards = n_shards
        self.sizes = np.zeros((n_shards, 2), np.int64)
        self.shared_per_hh = np.zeros(n_dwellings, np.int32)
        self.cap_pairs = self.cap_shared = 0
        self.grow(self.initial_capacity, self.initial_capacity)

    def grow(self, cap_pairs: int, cap_shared: int) -> None:
        S = self.n_shards
        if cap_pairs > self.cap_pairs:
            self.cap_pairs = cap_pairs
            self.out_a = np.empty(S * cap_pairs, np.int32)
            self.out_b = np.empty(S * cap_pairs, np.int32)
        if cap_shared > self.cap_shared:
            self.cap_shared = cap_shared
            self.out_key = np.empty(S * cap_shared, np.int32)
        self.kernel = (
            self.out_a,
            self.out_b,
            self.cap_pairs,
            self.out_key,
            self.shared_per_hh,
            self.cap_shared,
            self.sizes,
        )

    def grow_to_fit(self) -> None:
        """Room for the largest shard's results of the day that did not fit, and more."""
        need = self.sizes.max(axis=0)
        self.grow(int(need[0] * 1.5) + 16, int(need[1] * 1.5) + 16)


class SiteDay:
    """What the compiled day needs of a site, built once per site (and again after a
    design edit): notice chances per node, the walls and doorsteps between dwellings, the
    trip destinations and their rate formula, the cut into shards with their streams, the
    parameter records and the workspaces. `encounters` and `contacts` run the day's two
    compiled calls on the model's households and tie store."""

    def __init__(self, site: Site, config: Scenario, streams: Streams, by_building: bool = True):
        enc, r = config.encounters, config.routines
        self.notice_by_node = np.array([enc.notice.get(k, 0.0) for k in NODE_KINDS])[site.node_kind]
        self.walls = adjacent_dwellings(site)
        door_a, door_b, doors = doorstep_pairs(site, enc.doorstep_reach)
        chance = pair_chances(doors, enc.doorstep_next_door_per_week, enc.doorstep_decay_per_door)
        self.doorstep = (door_a, door_b, chance)
        self.dests = [d for d in sorted(TRIP_DESTINATIONS) if d in site.routes]
        self.layout = shard_layout(site, self.dests, by_building)
        self._layout_kernel = self.layout.kernel
        S = self.layout.n_shards
        self._several = None if S == 1 else True  # (compiled apart: see day.contacts_day)
        self.handles = shard_streams(S, streams)
        self._flat_handles = self.handles.reshape(-1)
        self._saved = np.zeros((len(self._flat_handles), 2), np.uint64)
        self._door_start = np.searchsorted(door_a, self.layout.dwelling_start)
        self.buffers = EncounterBuffers(S, site.n_dwellings)
        slots = int(r.slots)
        self._groups = np.zeros(site.n_nodes * slots + 1, np.int64).view(np.int32)
        self._trips_fixed = (
            destination_parameters(r, self.dests),
            float(r.avoid_trip_cut),
            np.ascontiguousarray(np.cumsum(slot_weights(slots), axis=1)),
            slots,
        )
        self._max_partners = int(enc.max_partners)
        self.records = kernel_records(config)
        self._rng_encounters = rng_handle(streams["encounters"])
        self._rng_across = rng_handle(streams["contact"])

    @property
    def n_shards(self) -> int:
        return self.layout.n_shards

    @staticmethod
    def cut_by_building(ties: TieStore) -> bool:
        """Whether the site may be cut into buildings: all its ties live in dense blocks."""
        return bool((ties.H[BLOCK] >= 0).all())

    def encounters(self, hh: tuple) -> tuple[np.ndarray, np.ndarray]:
        """Today's encounter pairs (a < b, sorted, each once); hh: the household matrices."""
        trips = (
            *self._trips_fixed,
            self.notice_by_node,  # (interventions may change it in place)
            self._max_partners,
            self._groups,
        )
        while True:
            a, b, ok = day_encounters(
                self._layout_kernel,
                trips,
                hh,
                self.handles,
                self.buffers.kernel,
                self.doorstep,
                self._door_start,
                self._rng_encounters,
                self._saved,
                self._several,
            )
            if ok:
                return a, b
            # rare (the buffers settle within the first days): every shard drawn again
            self.buffers.grow_to_fit()
            restore_states(self._flat_handles, self._saved)

    def contacts(
        self, day: int, pairs: tuple, ties: TieStore, hh: tuple, counts: np.ndarray
    ) -> None:
        """The rest of the day (`contacts_day`) for today's pairs (a, b, boost), on the
        tie store and the household matrices; adds to counts (DAY_EVENTS order)."""
        E, used = contacts_day(
            (self.layout.dwelling_start, self.handles),
            int(day),
            pairs,
            self.records,
            (ties.H, ties.gen, ties.members, ties.dtab),
            ties.E,
            ties.used,
            self.walls,
            hh,
            self._rng_across,
            counts,
            self._several,
        )
        ties.set_arrays(E, used)
