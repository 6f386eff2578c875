"""Shared set-up for the benchmark: one scenario → site, households, trip rates and the
parameters of the reduced daily mechanism both implementations run.

Reduced mechanism (the same in benchmarks/reference_mesa.py and benchmarks/fast.py):
every household makes Poisson-many trips a day to each destination (rates from the
scenario's routines; no avoidance), each trip in a time slot drawn from the working /
non-working slot weights, passing every node of its precomputed route. Two households at
the same node in the same slot run into each other with the node's notice probability
(at most one encounter per pair per day). An encounter becomes small talk or a greeting
with the model's contact formulas (openness, familiarity from the current tie, language
barrier); both directed ties grow by the contact's weight (split into a fast and a bond
component) and decay with their half-lives. No nuisance, help, states or turnover.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.building import Site, build_site_from
from sim.kernel_params import section_record
from sim.population import Households
from sim.scenario import Scenario, load_scenario
from sim.trips import (
    TRIP_DESTINATIONS,
    destination_parameters,
    pack_routes,
    slot_weights,
    trip_rate_matrix,
)

SAMPLE_EVERY = 15  # days between samples of the tie statistics
WARM_UP = 60  # days before the first sample
KINDS = ("playground", "dog_field", "park", "shops", "community_centre")


def district(
    n_buildings: int, base: Scenario | None = None, floors: int = 10, per_floor: int = 14
) -> Scenario:
    """A district of `n_buildings` gallery flats along one street, with an outdoor space
    every few buildings (so every trip stays local)."""
    base = base or load_scenario("baseline")
    outdoor = [
        {
            "kind": KINDS[i % len(KINDS)],
            "near": min(n_buildings - 1, (i // 5) * 5 + i % 5),
            "distance": 80.0 + 40 * (i % len(KINDS)),
        }
        for i in range(max(len(KINDS), n_buildings))
    ]
    return base.with_overrides(
        site={
            "buildings": [
                {"layout": "gallery_flat", "floors": floors, "dwellings_per_floor": per_floor}
            ]
            * n_buildings,
            "outdoor": outdoor,
        }
    )


@dataclass
class Setup:
    scenario: Scenario
    site: Site
    households: Households
    occupied: np.ndarray  # dwelling ids
    dests: list[str]
    rates: np.ndarray  # (D, n) trips a day
    route_ptr: np.ndarray
    route_nodes: np.ndarray
    cum: np.ndarray  # (2, slots) cumulative slot weights
    slots: int
    notice: np.ndarray  # per node

    @property
    def n_households(self) -> int:
        return len(self.occupied)


def setup(scenario: Scenario, seed: int, site: Site | None = None) -> Setup:
    site = site or build_site_from(scenario)
    n = site.n_dwellings
    pars = scenario.population
    rng = np.random.default_rng([seed, 12345])
    hh = Households(n)
    occ = np.flatnonzero(rng.random(n) < pars.occupancy)
    hh.fill(occ, rng.random(len(occ)) < pars.supported_share, pars, rng, 0, 0)
    r = scenario.routines
    dests = [d for d in sorted(TRIP_DESTINATIONS) if d in site.routes]
    par = destination_parameters(r, dests)
    rates = trip_rate_matrix(par, hh.real, hh.flag, 0.0, 0, n)  # no avoidance yet
    route_ptr, route_nodes = pack_routes(site.routes, dests, n)
    from sim.building import NODE_KINDS

    notice_kind = np.array([scenario.encounters.notice.get(k, 0.0) for k in NODE_KINDS])
    slots = int(r.slots)
    return Setup(
        scenario,
        site,
        hh,
        occ,
        dests,
        rates,
        route_ptr,
        route_nodes,
        np.cumsum(slot_weights(slots), axis=1),
        slots,
        notice_kind[site.node_kind],
    )


def contact_parameters(scenario: Scenario) -> tuple[np.void, np.void]:
    """The contact and states records contact.resolve_contacts reads, with nuisance,
    complaints and the time budget switched off (the reduced mechanism)."""
    c = scenario.contact.model_copy(
        update={
            "negative_base": 0.0,
            "negative_risk_weight": 0.0,
            "negative_grudge_weight": 0.0,
            "network_capacity": 0.0,
        }
    )
    s = scenario.states.model_copy(update={"complaint_prob": 0.0})
    return section_record(c)[0], section_record(s)[0]
