"""Scenario files: a typed, strict schema for everything a run needs, loaded from TOML.

Each parameter carries its unit and its source (a published figure from EVIDENCE, or
"assumption") so the ODD parameter table in docs/ is generated from this file and cannot
drift from the code. Unknown keys, wrong types and out-of-range values are errors that name
the file, the key path and what is allowed. A scenario may `extends = "other.toml"` and
override parts of it (tables merge key by key; lists and values replace).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.costs import CostParams
from sim.paths import shipped_dir

# the shipped scenarios: scenarios/ in a checkout, sim/data/scenarios in an installed package
SCENARIO_DIR = shipped_dir("scenarios")


def P(default: Any, *, unit: str = "", source: str = "assumption", desc: str = "", **bounds: Any):
    """A documented parameter: default, unit, source and bounds in one place."""
    return Field(
        default, description=desc, json_schema_extra={"unit": unit, "source": source}, **bounds
    )


class Strict(BaseModel):
    """Unknown keys are errors and numbers are finite (nan and inf are never parameters);
    scenario files are also validated in strict mode (load_scenario: "2" is not a number,
    true is not 1)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------
class RunParams(Strict):
    years: float = P(10.0, unit="years", desc="simulated horizon", gt=0, le=100)
    seed: int = P(1, desc="root seed; every random stream is spawned from it", ge=0)
    burn_in_years: float = P(
        1.0,
        unit="years",
        desc="simulated before day 0 (not recorded) so that the start "
        "looks like an established building, with ties already formed",
        ge=0,
        le=20,
    )
    collect_every_days: int = P(
        7, unit="days", desc="period of model-level outcome collection", ge=1, le=365
    )
    collect_buildings_every_days: int = P(
        7,
        unit="days",
        ge=1,
        le=3650,
        desc="period of the per-building rows of a site with several buildings (a multiple "
        "of collect_every_days); a district of hundreds of buildings may want 364",
    )
    snapshot_years: list[Annotated[float, Field(gt=0, le=100)]] = P(
        [], unit="years", desc="extra household-level snapshots (final state is always written)"
    )
    tie_table: Literal["auto", "all", "ties", "none"] = P(
        "auto",
        desc="which ties a run writes: every remembered acquaintance (all), only ties "
        "at or above the tie or the avoidance threshold (ties), or none; auto: "
        "all below 20,000 dwellings, ties from there on (a district remembers "
        "~150 acquaintances a household: 15 million rows, ~2 GB, at 100,000 "
        "households)",
    )

    @model_validator(mode="after")
    def _building_period_fits(self) -> RunParams:
        if self.collect_buildings_every_days % self.collect_every_days:
            raise ValueError(
                f"collect_buildings_every_days ({self.collect_buildings_every_days}) must be a "
                f"multiple of collect_every_days ({self.collect_every_days})"
            )
        return self


BuildingLayout = Literal["gallery_flat", "stairwell_block", "corridor_tower", "row_houses"]
OutdoorKind = Literal["playground", "dog_field", "park", "shops", "community_centre", "garden"]
RoomKind = Literal["laundry", "hobby_room", "garden"]


class BuildingSpec(Strict):
    layout: BuildingLayout = "gallery_flat"
    floors: int | None = Field(None, ge=1, le=40)
    dwellings_per_floor: int | None = Field(None, ge=1, le=60)
    cores: Literal["both_ends", "one_end", "middle"] | None = None
    lifts: bool | None = None
    stairwells: int | None = Field(None, ge=1, le=20)
    dwellings_per_landing: int | None = Field(None, ge=1, le=6)
    houses: int | None = Field(None, ge=2, le=200)

    def generator_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if k != "layout" and v is not None}

    @model_validator(mode="after")
    def _fits_layout(self) -> BuildingSpec:
        allowed = {
            "gallery_flat": {"floors", "dwellings_per_floor", "cores", "lifts"},
            "stairwell_block": {"stairwells", "floors", "dwellings_per_landing"},
            "corridor_tower": {"floors", "dwellings_per_floor"},
            "row_houses": {"houses"},
        }[self.layout]
        extra = set(self.generator_kwargs()) - allowed
        if extra:
            raise ValueError(
                f"{sorted(extra)} do not apply to layout '{self.layout}' "
                f"(allowed: {sorted(allowed)})"
            )
        return self


class OutdoorSpec(Strict):
    kind: OutdoorKind
    near: int = Field(0, ge=0, description="index of the building it lies next to")
    distance: float = Field(100.0, gt=0, le=5000, description="walking distance in metres")


class RoomSpec(Strict):
    kind: RoomKind
    building: int = Field(0, ge=0)


class SiteParams(Strict):
    buildings: list[BuildingSpec] = Field(default_factory=lambda: [BuildingSpec()], min_length=1)
    outdoor: list[OutdoorSpec] = Field(
        default_factory=lambda: [
            OutdoorSpec(kind="playground", near=0, distance=60),
            OutdoorSpec(kind="dog_field", near=0, distance=150),
            OutdoorSpec(kind="shops", near=0, distance=400),
            OutdoorSpec(kind="park", near=0, distance=300),
            OutdoorSpec(kind="community_centre", near=0, distance=500),
        ]
    )
    rooms: list[RoomSpec] = []
    street_length: float = P(
        60.0, unit="m", desc="street distance between adjacent buildings", gt=0, le=2000
    )

    @model_validator(mode="after")
    def _indices_exist(self) -> SiteParams:
        n = len(self.buildings)
        for i, o in enumerate(self.outdoor):
            if o.near >= n:
                raise ValueError(
                    f"outdoor[{i}].near = {o.near} but there are only {n} buildings "
                    f"(allowed 0..{n - 1})"
                )
        for i, r in enumerate(self.rooms):
            if r.building >= n:
                raise ValueError(
                    f"rooms[{i}].building = {r.building} but there are only {n} "
                    f"buildings (allowed 0..{n - 1})"
                )
        return self


class PopulationParams(Strict):
    occupancy: float = P(
        0.97,
        unit="share",
        source="CBS ≈7% re-let a year, short voids (D)",
        desc="share of dwellings occupied at start",
        ge=0.05,
        le=1,
    )
    supported_share: float = P(
        0.08,
        unit="share",
        source="EVIDENCE: 5–15% of vacancies to supported newcomers (D)",
        desc="share of households that are supported newcomers at start",
        ge=0,
        le=1,
    )
    household_size_mean: float = P(
        2.0,
        unit="persons",
        source="assumption (social rent flats)",
        desc="mean household size",
        ge=1,
        le=8,
    )
    children_share: float = P(0.25, unit="share", desc="households with children", ge=0, le=1)
    dog_share: float = P(0.12, unit="share", desc="households with a dog", ge=0, le=1)
    elderly_share: float = P(0.22, unit="share", desc="households aged 65+", ge=0, le=1)
    working_share: float = P(0.5, unit="share", desc="households with a day job", ge=0, le=1)
    other_language_share: float = P(
        0.3, unit="share", desc="households not fluent in the majority language", ge=0, le=1
    )
    openness_mean: float = P(0.5, unit="0-1", desc="openness to neighbours (mean)", ge=0, le=1)
    financial_stress_mean: float = P(
        0.35, unit="0-1", desc="'busy surviving': money and life stress (mean)", ge=0, le=1
    )
    trust_neighbours_mean: float = P(0.5, unit="0-1", desc="trust in neighbours (mean)", ge=0, le=1)
    trust_institutions_mean: float = P(
        0.45, unit="0-1", desc="trust in institutions (mean)", ge=0, le=1
    )
    hidden_need_share: float = P(
        0.25,
        unit="share",
        source="seed 18–33% referred under social renovation (target)",
        desc="households with a hidden help need (debts, care, unsafe)",
        ge=0,
        le=1,
    )
    connector_share: float = P(
        0.03,
        unit="share",
        source="EVIDENCE ABCD: 2–5% active connectors (V qualitative, U)",
        desc="residents who are connectors (verbinders)",
        ge=0,
        le=1,
    )
    nuisance_causer_share_resident: float = P(
        0.04,
        unit="share",
        source="EVIDENCE: 2–5% of regular tenants cause recurring nuisance "
        "(Aedes/Volkskrant signal, U)",
        desc="regular tenants who cause recurring nuisance (the few who cause most of it)",
        ge=0,
        le=1,
    )
    nuisance_causer_share_supported: float = P(
        0.2,
        unit="share",
        source="EVIDENCE: 10–30% of supported newcomers (U)",
        desc="supported newcomers who cause recurring nuisance at arrival",
        ge=0,
        le=1,
    )
    nuisance_risk_causer: float = P(
        0.5,
        unit="0-1",
        source="assumption: with living_nuisance_rate 40/yr a causer bothers "
        "the dwellings around it ~20 times a year ('often' in WoON)",
        desc="mean nuisance risk of a household that causes recurring nuisance (exponential "
        "spread, capped at 1)",
        ge=0,
        le=1,
    )
    nuisance_risk_background: float = P(
        0.0015,
        unit="0-1",
        source="assumption: everybody is sometimes noisy; at the rate of "
        "40/yr, heard by the ~3.5 dwellings around, each household hears ~0.2 such episodes "
        "a year ('sometimes' bothered, WoON 17–29%)",
        desc="nuisance risk of every other household",
        ge=0,
        le=1,
    )
    at_home_elderly: float = P(
        1.5,
        unit="ratio",
        ge=0,
        le=5,
        source="CBS 2022: weekly neighbour contact 69% at 65+ vs 59% at 35–64 and 41% at "
        "15–34 (V); more time at home by day (assumption on size)",
        desc="how much more an elderly household is around its front door by day than "
        "a household without a day job",
    )
    at_home_working: float = P(
        0.6,
        unit="ratio",
        ge=0,
        le=5,
        source="assumption: a day job keeps people away by day",
        desc="same, for a household with a day job",
    )
    young_share: float = P(
        0.35, unit="share", desc="households under 35 among the non-elderly", ge=0, le=1
    )
    supported_children_factor: float = P(
        0.3,
        unit="ratio",
        desc="supported newcomers' chance of children relative to others (mostly single)",
        ge=0,
        le=1,
    )
    supported_stress_extra: float = P(
        0.2, unit="0-1", ge=0, le=1, desc="supported newcomers' extra financial stress"
    )
    supported_hidden_need_factor: float = P(
        1.5,
        unit="ratio",
        ge=0,
        le=10,
        desc="supported newcomers carry a hidden need this many times as often",
    )
    stress_need_offset: float = P(
        0.5,
        unit="0-1",
        ge=0,
        le=10,
        desc="hidden need weight is (offset + stress): higher = stress matters less",
    )
    heterogeneity: float = P(
        8.0,
        unit="beta concentration",
        gt=0,
        le=1000,
        desc="spread of openness, trust and the like around their mean "
        "(beta concentration: higher = more alike)",
    )
    initial_tenure_years: float = P(
        15.0, unit="years", gt=0, le=60, desc="households at the start arrived up to this long ago"
    )
    sense_of_home_at_arrival: float = P(
        0.5, unit="0-1", ge=0, le=1, desc="sense of home of a household moving in"
    )
    supported_sense_of_home_at_arrival: float = P(
        0.4, unit="0-1", ge=0, le=1, desc="same, supported newcomers"
    )
    safety_at_arrival: float = P(
        0.6, unit="0-1", ge=0, le=1, desc="perceived safety of a household moving in"
    )
    wellbeing_stress_at_arrival: float = P(
        0.6, unit="0-1", ge=0, le=1, desc="wellbeing at arrival is 1 - this × financial stress"
    )
    recovery_mean: float = P(
        0.45, unit="0-1", desc="supported newcomers' recovery at arrival", ge=0, le=1
    )
    support_level_mean: float = P(
        0.5, unit="0-1", desc="intensity of ambulant support for supported newcomers", ge=0, le=1
    )


class RoutineParams(Strict):
    """Trips per household per day by destination; each trip passes its route's nodes."""

    out: float = P(
        1.6, unit="trips/day", desc="leaving the building (work, school, errands)", ge=0, le=10
    )
    work_extra: float = P(
        0.6, unit="trips/day", desc="extra trips out for working households", ge=0, le=10
    )
    mail: float = P(0.5, unit="trips/day", desc="to the mailboxes", ge=0, le=5)
    bins: float = P(0.3, unit="trips/day", desc="to the waste containers", ge=0, le=5)
    bike: float = P(0.15, unit="trips/day", desc="to the bike storage", ge=0, le=5)
    playground: float = P(0.5, unit="trips/day", desc="households with children", ge=0, le=5)
    dog_field: float = P(2.0, unit="trips/day", desc="households with a dog", ge=0, le=6)
    park: float = P(0.15, unit="trips/day", ge=0, le=5)
    shops: float = P(0.5, unit="trips/day", ge=0, le=5)
    community_centre: float = P(0.05, unit="trips/day", ge=0, le=5)
    garden: float = P(0.05, unit="trips/day", ge=0, le=5)
    laundry: float = P(0.1, unit="trips/day", ge=0, le=5)
    hobby_room: float = P(0.05, unit="trips/day", ge=0, le=5)
    slots: int = P(
        6,
        unit="slots/day",
        desc="time slots per day; co-presence needs the same node in the same slot",
        ge=1,
        le=48,
    )
    avoid_trip_cut: float = P(
        0.5,
        unit="share",
        source="seed: negative contact makes residents avoid contact",
        desc="share of optional trips dropped at full avoidance",
        ge=0,
        le=1,
    )


NodeKindRates = dict[str, float]

DEFAULT_NOTICE = {
    # narrow places where people pass close by and linger a little notice each other more;
    # shared hubs (lift, lobby) are crowded but brief, so per pair the chance is small
    "gallery": 0.05,
    "corridor": 0.03,
    "landing": 0.08,
    "sidewalk": 0.04,
    "stairs": 0.01,
    "lift": 0.01,
    "lobby": 0.008,
    "mailbox": 0.01,
    "bins": 0.01,
    "bike_storage": 0.01,
    "entrance": 0.01,
    "street": 0.001,
    "laundry": 0.06,
    "hobby_room": 0.1,
    "playground": 0.03,
    "dog_field": 0.04,
    "park": 0.002,
    "shops": 0.001,
    "community_centre": 0.01,
    "garden": 0.04,
}


class EncounterParams(Strict):
    notice: NodeKindRates = P(
        DEFAULT_NOTICE,
        unit="probability per pair per co-presence",
        source="EVIDENCE: 2–7 passive encounters/week next door; lobby "
        "0.02–0.2 per pair-week (calibrated, U)",
        desc="chance that two households passing the same node in the "
        "same slot run into each other, by node kind",
    )
    max_partners: int = P(
        6,
        unit="encounters",
        desc="cap on encounters per visit in a crowded node-slot (bounded work)",
        ge=1,
        le=100,
    )
    doorstep_next_door_per_week: float = P(
        3.0,
        unit="encounters/week",
        source="EVIDENCE: 2–7 passive encounters a week with the next-door neighbour on a "
        "gallery (Festinger; Gehl, U magnitude)",
        desc="chance meetings at the front doors of two next-door households (coming and "
        "going, bins, the doorstep), both at home and not avoiding anyone",
        ge=0,
        le=50,
    )
    doorstep_decay_per_door: float = P(
        0.5,
        unit="factor per door",
        source="EVIDENCE: 0.45–0.6 per door (Festinger 44/22/10 pattern, V2)",
        desc="how the doorstep meeting rate falls with every door further along the same "
        "gallery, landing, corridor or row",
        ge=0,
        le=1,
    )
    doorstep_reach: int = P(
        4,
        unit="doors",
        ge=0,
        le=20,
        desc="doors apart beyond which doorstep meetings are left out "
        "(0.5^4 = 6% of next door's rate)",
    )

    @field_validator("notice")
    @classmethod
    def _known_kinds(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = set(v) - set(DEFAULT_NOTICE)
        if unknown:
            raise ValueError(
                f"unknown node kinds {sorted(unknown)} (allowed: {sorted(DEFAULT_NOTICE)})"
            )
        bad = {k: x for k, x in v.items() if not 0 <= x <= 1}
        if bad:
            raise ValueError(f"notice probabilities must be in [0, 1], got {bad}")
        return {**DEFAULT_NOTICE, **v}


class ContactParams(Strict):
    greet_base: float = P(0.5, unit="probability", desc="a noticed stranger is greeted", ge=0, le=1)
    talk_base: float = P(
        0.06,
        unit="probability",
        desc="small talk between acquaintances (scaled by tie and openness)",
        ge=0,
        le=1,
    )
    language_barrier: float = P(
        0.5, unit="share", desc="drop in small-talk chance when languages differ", ge=0, le=1
    )
    negative_base: float = P(
        0.0001,
        unit="probability",
        source="EVIDENCE: 15–30% of encounters negative (Graf 2014, V); "
        "calibrated with the risk terms",
        desc="baseline chance an encounter is unpleasant",
        ge=0,
        le=1,
    )
    negative_risk_weight: float = P(
        0.004, unit="-", desc="added chance per unit nuisance risk", ge=0, le=10
    )
    negative_grudge_weight: float = P(
        0.03, unit="-", desc="added chance per unit existing negative tie", ge=0, le=5
    )
    living_nuisance_rate: float = P(
        40.0,
        unit="episodes/year per unit risk (each heard next door, above and below)",
        source="EVIDENCE: 5–9% often, 17–29% sometimes bothered (WoON/CBS, V); calibrated (U)",
        desc="noise, smells and mess that reach the dwellings next "
        "door, above and below, whether or not anyone meets",
        ge=0,
        le=1000,
    )
    network_capacity: float = P(
        8.0,
        unit="ties",
        source="assumption: time budget; most residents know a handful of neighbours by name",
        desc="positive ties at which a household's chance of chatting "
        "with someone it barely knows halves (0 = no limit)",
        ge=0,
        le=1000,
    )
    forget_below: float = P(
        0.01,
        unit="tie units",
        source="assumption: a single nod is forgotten within ~9 months "
        "(weak ties decay fast, Burt 2002)",
        desc="ties weaker than this in every part are forgotten at the "
        "monthly clean-up (keeps memory and time per household bounded)",
        ge=0,
        le=1,
    )
    w_greet: float = P(0.05, unit="tie units", desc="tie growth from a greeting", ge=0, le=5)
    w_talk: float = P(0.3, unit="tie units", desc="tie growth from small talk", ge=0, le=5)
    w_help: float = P(0.8, unit="tie units", desc="tie growth from practical help", ge=0, le=5)
    w_nuisance: float = P(
        0.35, unit="tie units", desc="negative tie growth per episode", ge=0, le=5
    )
    negative_weight: float = P(
        3.0,
        unit="ratio",
        source="EVIDENCE 2–4 (Barlow 2012; Graf 2014, V)",
        desc="negative:positive per-event weight",
        ge=1,
        le=10,
    )
    buffer: float = P(
        0.5,
        unit="share",
        source="EVIDENCE 30–60% (Paolini 2014, V)",
        desc="reduction of negative weight for pairs with a strong positive tie",
        ge=0,
        le=1,
    )
    weak_half_life_days: float = P(
        120.0,
        unit="days",
        source="EVIDENCE: weak ties lose 60–90%/yr (Burt 2002, V)",
        desc="half-life of the fast (acquaintance) tie component",
        gt=1,
        le=3650,
    )
    bond_half_life_days: float = P(
        1100.0,
        unit="days",
        source="EVIDENCE: friendships lose 10–25%/yr (Burt 2000, U)",
        desc="half-life of the slow (bond) tie component",
        gt=1,
        le=36500,
    )
    negative_half_life_days: float = P(
        120.0,
        unit="days",
        source="assumption: no published figure; a single episode (0.35 × 3 = 1.05) then keeps "
        "a stranger avoided for ~4 months, repeated nuisance for as long as it lasts",
        desc="half-life of grudges",
        gt=1,
        le=36500,
    )
    bond_transfer: float = P(
        0.1,
        unit="share",
        desc="share of each positive contact that becomes lasting bond",
        ge=0,
        le=1,
    )
    tie_threshold: float = P(
        1.5,
        unit="tie units",
        source="EVIDENCE: 3–10 positive encounters to recognise, 20–50 to friendship (U)",
        desc="positive strength that counts as a neighbour tie",
        gt=0,
        le=50,
    )
    avoid_threshold: float = P(
        0.5,
        unit="tie units",
        desc="negative strength from which a household avoids the other",
        gt=0,
        le=50,
    )
    avoid_prob: float = P(
        0.7,
        unit="probability",
        desc="chance an encounter with an avoided neighbour is dodged",
        ge=0,
        le=1,
    )
    anticipatory_avoidance: float = P(
        0.6,
        unit="-",
        source="seed: residents avoid contact even in advance",
        desc="how strongly recent nuisance makes a household avoid "
        "all neighbours (trips and chats)",
        ge=0,
        le=5,
    )
    stranger_avoidance: float = P(
        0.5,
        unit="probability",
        desc="chance an avoidant household (avoidance 1) dodges a neighbour it does not know",
        ge=0,
        le=1,
    )
    friendly_civility: float = P(
        0.5,
        unit="share",
        ge=0,
        le=1,
        desc="drop in the chance of an unpleasant encounter between friends (positive tie at "
        "the tie threshold)",
    )
    backlash_share: float = P(
        0.3,
        unit="share",
        ge=0,
        le=1,
        desc="share of an episode's negative weight the causer holds against the victim "
        "(the other side of a quarrel)",
    )
    openness_effect: float = P(
        0.5,
        unit="-",
        ge=0,
        le=1,
        desc="how much the pair's openness changes greeting and small talk: factor "
        "1 + effect × (openness_a + openness_b - 1)",
    )
    both_other_language_barrier: float = P(
        0.5,
        unit="share",
        ge=0,
        le=1,
        desc="language barrier when both speak another language than the majority (they may "
        "share one), relative to one of them",
    )
    familiar_at: float = P(
        2.0,
        unit="× tie threshold",
        gt=0,
        le=20,
        desc="mean positive strength at which a pair counts as fully familiar",
    )
    talk_stranger_factor: float = P(
        0.1,
        unit="ratio",
        ge=0,
        le=10,
        desc="small-talk chance between strangers relative to talk_base",
    )
    talk_familiar_factor: float = P(
        2.0,
        unit="ratio",
        ge=0,
        le=10,
        desc="small-talk chance between familiar neighbours relative to talk_base",
    )
    greet_stranger_factor: float = P(
        0.5,
        unit="ratio",
        ge=0,
        le=10,
        desc="greeting chance between strangers relative to greet_base",
    )
    recognition_level: float = P(
        0.75,
        unit="tie units",
        gt=0,
        le=50,
        source="Festinger, Schachter & Back 1950: nodding acquaintance before speaking "
        "terms; EVIDENCE: 3–10 positive passive encounters to recognise (U)",
        desc="positive strength up to which greetings alone can lift a tie (a nod makes a "
        "neighbour familiar; a tie beyond needs small talk or help)",
    )
    greet_familiar_factor: float = P(
        1.5,
        unit="ratio",
        ge=0,
        le=10,
        desc="greeting chance between familiar neighbours relative to greet_base",
    )


class HelpParams(Strict):
    need_rate: float = P(
        8.0,
        unit="needs/household/year",
        desc="small help needs (plants/cat on holiday, key, errand, letter)",
        ge=0,
        le=365,
    )
    need_rate_elderly_extra: float = P(
        6.0, unit="needs/year", ge=0, le=365, desc="extra needs of elderly households"
    )
    need_rate_supported_extra: float = P(
        6.0, unit="needs/year", ge=0, le=365, desc="extra needs of supported newcomers"
    )
    ask_tie_min: float = P(0.6, unit="tie units", desc="weakest tie one asks for help", gt=0, le=50)
    willingness: float = P(
        0.7,
        unit="probability",
        source="EVIDENCE 0.6–0.8 help if asked (I&O 2018; Burgerpeiling, V)",
        desc="chance an asked neighbour helps",
        ge=0,
        le=1,
    )
    burden_per_help: float = P(
        0.12, unit="burden units", desc="burden added per help given", ge=0, le=5
    )
    burden_half_life_days: float = P(
        60.0, unit="days", gt=1, le=3650, desc="how fast carer burden wears off"
    )
    burden_limit: float = P(
        1.0,
        unit="burden units",
        source="seed: neighbours must stay neighbours, not carers",
        desc="burden at which a helper withdraws",
        gt=0,
        le=50,
    )
    need_supported_floor: float = P(
        0.2,
        unit="-",
        ge=0,
        le=5,
        desc="supported newcomers' extra needs scale with (1 - recovery + floor)",
    )
    willingness_openness_effect: float = P(
        0.8,
        unit="-",
        ge=0,
        le=2,
        desc="willingness factor 1 + effect × (openness - 0.5) of the asked neighbour",
    )
    repeat_burden: float = P(
        0.2,
        unit="share per earlier help",
        ge=0,
        le=5,
        source="seed: help must not become structural (a neighbour drifting into a carer role)",
        desc="extra burden of helping the same household again, per earlier help",
    )


class StateParams(Strict):
    adapt_rate: float = P(
        0.05, unit="per week", desc="speed at which states follow their targets", gt=0, le=1
    )
    recovery_gain: float = P(
        0.002,
        unit="per positive contact",
        ge=0,
        le=1,
        source="seed: positive contact is a bridge (soft landing)",
        desc="recovery gained per positive contact of a supported newcomer",
    )
    recovery_loss: float = P(
        0.03,
        unit="per negative contact",
        ge=0,
        le=1,
        source="seed: negative contact harms recovery",
        desc="recovery lost per negative contact",
    )
    recovery_support_drift: float = P(
        0.001, unit="per week", ge=0, le=1, desc="weekly recovery from ambulant support at level 1"
    )
    complaint_prob: float = P(
        0.3,
        unit="probability",
        ge=0,
        le=1,
        desc="chance a victim files a complaint about an episode",
    )
    complaint_half_life_days: float = P(
        180.0, unit="days", gt=1, le=3650, desc="how long unresolved complaints count"
    )
    eviction_complaints: float = P(
        4.0,
        unit="complaints",
        gt=0,
        le=100,
        desc="unresolved complaints from which eviction proceedings run",
    )
    eviction_rate: float = P(
        0.03,
        unit="per year",
        ge=0,
        le=52,
        source="EVIDENCE: eviction hazard of repeat nuisance cases "
        "0.01–0.05 a year (Aedes, U); the middle",
        desc="eviction hazard while above the complaint threshold",
    )
    recent_half_life_days: float = P(
        30.0,
        unit="days",
        gt=1,
        le=3650,
        desc="memory of recent contact experiences (what 'recently' means in the targets)",
    )
    complaint_trust_base: float = P(
        0.5,
        unit="-",
        ge=0,
        le=5,
        desc="complaint chance is complaint_prob × (base + trust in institutions)",
    )
    good_contact_half_per_week: float = P(
        7.0,
        unit="pleasant contacts/week",
        gt=0,
        le=200,
        source="assumption: one pleasant contact a day is half of what contact can do; "
        "rate / (rate + half) does not saturate at ordinary levels",
        desc="weekly pleasant contacts at which the 'good contact' driver is 0.5",
    )
    bad_contact_half_per_week: float = P(
        0.5,
        unit="unpleasant contacts/week",
        gt=0,
        le=200,
        source="assumption: one episode a fortnight is half of what nuisance can do",
        desc="weekly unpleasant contacts at which the 'bad contact' driver is 0.5",
    )
    ties_half: float = P(
        3.0,
        unit="ties",
        gt=0,
        le=100,
        desc="neighbour ties at which the 'ties' driver is 0.5 (ties / (ties + half))",
    )
    tenure_full_years: float = P(
        5.0, unit="years", gt=0, le=60, desc="tenure at which the 'tenure' driver reaches 1"
    )
    trust_rate_factor: float = P(
        0.5, unit="ratio", ge=0, le=10, desc="trust in neighbours adapts this much slower/faster"
    )
    recovery_rate_factor: float = P(
        0.5, unit="ratio", ge=0, le=10, desc="recovery adapts this much slower/faster"
    )
    # targets: each state moves towards clip(base + Σ weight × driver, 0, 1); drivers are
    # good (pleasant contact), bad (unpleasant contact), ties, climate (share of the
    # building bothered), tenure, safety, trust, stress, burden, support (all 0-1)
    trust_base: float = P(0.3, unit="0-1", ge=-2, le=2, desc="trust in neighbours: base")
    trust_good: float = P(0.35, unit="-", ge=-2, le=2, desc="trust in neighbours: good contact")
    trust_ties: float = P(0.25, unit="-", ge=-2, le=2, desc="trust in neighbours: ties")
    trust_bad: float = P(-0.45, unit="-", ge=-2, le=2, desc="trust in neighbours: bad contact")
    trust_climate: float = P(-0.3, unit="-", ge=-2, le=2, desc="trust in neighbours: climate")
    safety_base: float = P(0.55, unit="0-1", ge=-2, le=2, desc="perceived safety: base")
    safety_trust: float = P(0.2, unit="-", ge=-2, le=2, desc="perceived safety: trust")
    safety_ties: float = P(0.15, unit="-", ge=-2, le=2, desc="perceived safety: ties")
    safety_bad: float = P(-0.35, unit="-", ge=-2, le=2, desc="perceived safety: bad contact")
    safety_climate: float = P(-0.6, unit="-", ge=-2, le=2, desc="perceived safety: climate")
    home_base: float = P(0.25, unit="0-1", ge=-2, le=2, desc="sense of home: base")
    home_ties: float = P(0.3, unit="-", ge=-2, le=2, desc="sense of home: ties")
    home_safety: float = P(0.25, unit="-", ge=-2, le=2, desc="sense of home: safety")
    home_good: float = P(0.1, unit="-", ge=-2, le=2, desc="sense of home: good contact")
    home_tenure: float = P(0.1, unit="-", ge=-2, le=2, desc="sense of home: tenure")
    home_bad: float = P(-0.35, unit="-", ge=-2, le=2, desc="sense of home: bad contact")
    wellbeing_base: float = P(0.75, unit="0-1", ge=-2, le=2, desc="wellbeing: base")
    wellbeing_stress: float = P(-0.35, unit="-", ge=-2, le=2, desc="wellbeing: financial stress")
    wellbeing_bad: float = P(-0.3, unit="-", ge=-2, le=2, desc="wellbeing: bad contact")
    wellbeing_ties: float = P(0.15, unit="-", ge=-2, le=2, desc="wellbeing: ties")
    wellbeing_good: float = P(0.1, unit="-", ge=-2, le=2, desc="wellbeing: good contact")
    wellbeing_burden: float = P(-0.2, unit="-", ge=-2, le=2, desc="wellbeing: carer burden")
    recovery_base: float = P(0.1, unit="0-1", ge=-2, le=2, desc="recovery: base")
    recovery_support: float = P(0.3, unit="-", ge=-2, le=2, desc="recovery: support level")
    recovery_ties: float = P(0.2, unit="-", ge=-2, le=2, desc="recovery: ties")
    recovery_good: float = P(0.15, unit="-", ge=-2, le=2, desc="recovery: good contact")
    recovery_bad: float = P(-0.4, unit="-", ge=-2, le=2, desc="recovery: bad contact")
    recovery_week_cap: float = P(
        5.0,
        unit="contacts/week",
        ge=0,
        le=100,
        desc="pleasant contacts a week that count for recovery_gain",
    )
    risk_pull: float = P(
        0.02,
        unit="per week",
        ge=0,
        le=1,
        desc="weekly pull of a supported newcomer's nuisance risk towards its propensity at "
        "arrival × risk_at_recovery_0 × (1 - risk_recovery_drop × recovery): "
        "nuisance falls as they recover (assumption)",
    )
    risk_at_recovery_0: float = P(
        1.6, unit="ratio", ge=0, le=10, desc="risk relative to the propensity at no recovery"
    )
    risk_recovery_drop: float = P(
        0.75, unit="share", ge=0, le=1, desc="how much of that full recovery removes"
    )
    institution_trust_half_life_days: float = P(
        365.0,
        unit="days",
        gt=1,
        le=36500,
        source="assumption: trust in institutions is slow to build and slow to lose",
        desc="half-life of the gap between a household's trust in institutions and its own "
        "level (its level at arrival lowered by recent nuisance): a professional's "
        "contacts raise it, unresolved nuisance and time take it back",
    )
    institution_trust_bad: float = P(
        0.2,
        unit="-",
        ge=0,
        le=2,
        source="seed: basics in order (a safe neighbourhood) are needed for trust in "
        "institutions (assumption on size)",
        desc="how far unresolved nuisance (bad contact driver 1) lowers the level trust in "
        "institutions returns to",
    )


class TurnoverParams(Strict):
    move_rate_resident: float = P(
        0.07,
        unit="per year",
        source="EVIDENCE 0.06–0.10 (CBS, V/D)",
        ge=0,
        le=1,
        desc="regular tenants' move-out rate",
    )
    move_rate_supported: float = P(
        0.12,
        unit="per year",
        source="EVIDENCE 0.10–0.25 (Housing First, U)",
        ge=0,
        le=1,
        desc="supported newcomers' move-out rate",
    )
    unhappiness_multiplier: float = P(
        3.0,
        unit="ratio",
        source="EVIDENCE: 30–40% of those with frequent nuisance want to move (NWR 1991, V)",
        desc="move rate multiplier at zero sense of home",
        ge=1,
        le=20,
    )
    vacancy_days: int = P(30, unit="days", desc="time a dwelling stays empty", ge=0, le=730)


class AllocationParams(Strict):
    policy: Literal["waiting_list"] = P(
        "waiting_list", desc="default allocation policy (interventions may replace it)"
    )
    supported_share: float = P(
        0.1,
        unit="share of vacancies",
        source="EVIDENCE: Utrecht ≈10–13% of vacancies (D)",
        desc="share of vacancies let to supported newcomers",
        ge=0,
        le=1,
    )


class InterventionSpec(Strict):
    """One intervention entry; its own parameters are checked by the intervention class."""

    model_config = ConfigDict(extra="allow")
    type: str


class Scenario(Strict):
    name: str = Field("unnamed", description="names the results folder: results/<name>/<seed>")
    description: str = Field("", max_length=20_000)
    extends: str | None = None
    run: RunParams = RunParams()
    site: SiteParams = SiteParams()
    population: PopulationParams = PopulationParams()
    routines: RoutineParams = RoutineParams()
    encounters: EncounterParams = EncounterParams()
    contact: ContactParams = ContactParams()
    help: HelpParams = HelpParams()
    states: StateParams = StateParams()
    turnover: TurnoverParams = TurnoverParams()
    allocation: AllocationParams = AllocationParams()
    interventions: list[InterventionSpec] = []
    costs: CostParams = CostParams()
    _load_notes: list[str] = PrivateAttr(default_factory=list)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        from sim.scenario_files import check_name

        return check_name(v)

    @model_validator(mode="after")
    def _interventions_known(self, info: ValidationInfo) -> Scenario:
        from sim.interventions import validate_intervention_specs
        from sim.scenario_checks import check_against_site

        strict = bool(info.context and info.context.get("strict"))
        validate_intervention_specs(self.interventions, strict=strict)
        check_against_site(self)
        return self

    def warnings(self) -> list[str]:
        """What is valid but probably not meant: interventions that start after the run
        ends, a parent's interventions replaced by the file that extends it."""
        from sim.scenario_checks import timing_warnings

        return [*self._load_notes, *timing_warnings(self)]

    def with_overrides(self, **sections: dict[str, Any]) -> Scenario:
        """A copy with some sections' fields replaced, re-validated."""
        data = self.model_dump()
        _deep_merge(data, sections)
        return Scenario.model_validate(data)


# --------------------------------------------------------------------------------------
# Loading (reading files safely, extends, error messages: sim/scenario_files.py)
# --------------------------------------------------------------------------------------
def _deep_merge(base: dict, override: dict) -> dict:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value
    return base


# re-exported: sim.scenario is where users and the rest of the package import these from
from sim.scenario_files import (  # noqa: E402, F401 - they validate with the models above
    ScenarioError,
    format_validation_error,
    load_raw,
    load_scenario,
    resolve_path,
)


def scenario_to_toml(scenario: Scenario) -> str:
    """The resolved scenario with every default filled in."""
    import tomli_w

    data = scenario.model_dump(mode="json", exclude_none=True)
    data.pop("extends", None)
    return tomli_w.dumps(data)


def parameter_table(interventions: bool = True) -> list[dict[str, Any]]:
    """Every documented parameter: section, name, default, unit, source, description, and
    its group: "model" (the core sections), "costs" (unit costs) or "intervention" (the
    parameters of one [[interventions]] entry of that type)."""
    rows = []
    for section, field in Scenario.model_fields.items():
        model = field.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        for name, f in model.model_fields.items():
            extra = f.json_schema_extra or {}
            if not isinstance(extra, dict) or "source" not in extra:
                continue
            rows.append(
                {
                    "section": section,
                    "name": name,
                    "default": f.default,
                    "unit": extra.get("unit", ""),
                    "source": extra["source"],
                    "description": f.description or "",
                    "group": "costs" if section == "costs" else "model",
                }
            )
    if interventions:
        from sim.interventions import REGISTRY

        for key in sorted(REGISTRY):
            for name, f in REGISTRY[key].Params.model_fields.items():
                if name in ("type", "label"):
                    continue
                extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
                default = f.get_default(call_default_factory=True)
                if isinstance(default, BaseModel):
                    default = default.model_dump()
                rows.append(
                    {
                        "section": f"interventions.{key}",
                        "name": name,
                        "default": default,
                        "unit": extra.get("unit", ""),
                        "source": extra.get("source", "assumption"),
                        "description": f.description or "",
                        "group": "intervention",
                    }
                )
    return rows
