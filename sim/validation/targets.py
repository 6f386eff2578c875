"""The patterns a baseline must reproduce, as data: band, source and how it is measured.

Each target names the published figure it comes from (tags as in EVIDENCE.md: V checked in
a retrieved source, V2 only in a secondary summary, D derived, U unverified). A band is
closed, [low, high]; None is an open end. A target without any bound is reported for
information only (no pass/fail). `arm`/`reference` mark a target on an intervention: it is
measured on the `arm` scenario (paired by seed with `reference` when given), not on the
scenario being validated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    id: str
    pattern: str
    low: float | None
    high: float | None
    source: str
    measure: str
    unit: str = "share"
    arm: str | None = None
    reference: str | None = None
    quantity: str | None = None  # the per-run measure an intervention target pairs

    @property
    def measured(self) -> str:
        """The key of `patterns.measure` this target reads."""
        return self.quantity or self.id

    @property
    def banded(self) -> bool:
        return self.low is not None or self.high is not None

    def band_text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{_fmt(self.low)}–{_fmt(self.high)}"
        if self.low is not None:
            return f"≥ {_fmt(self.low)}"
        if self.high is not None:
            return f"≤ {_fmt(self.high)}"
        return "(info)"

    def inside(self, value: float) -> bool:
        """Whether a value lies in the band (NaN never does)."""
        if math.isnan(value):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def distance(self, value: float) -> float:
        """How far a value lies outside the band, in units of the band's scale (0 inside):
        the calibration loss adds these, so a miss by a tenth of the band counts the same
        for a rate of 0.001 as for a share of 0.4."""
        if not self.banded:
            return 0.0
        if math.isnan(value):
            return 1.0
        scale = self.scale()
        if self.low is not None and value < self.low:
            return (self.low - value) / scale
        if self.high is not None and value > self.high:
            return (value - self.high) / scale
        return 0.0

    def scale(self) -> float:
        if self.low is not None and self.high is not None and self.high > self.low:
            return self.high - self.low
        edge = self.low if self.low is not None else self.high
        return max(abs(edge or 0.0), 0.05)


def _fmt(x: float) -> str:
    return f"{x:.4g}"


FSB = "Festinger, Schachter & Back 1950, Westgate West: 44/22/10 (EVIDENCE, V2)"
WOON = "WoON 2015 / TNS NIPO 2004: 5–9% often, 17–29% sometimes bothered (EVIDENCE, V)"

TARGETS: tuple[Target, ...] = (
    # --- proximity: who becomes a neighbour tie ---------------------------------------
    Target(
        "ties_by_door_1",
        "same-gallery pairs with a tie, next door",
        0.35,
        0.50,
        FSB,
        "ordered pairs of households on the same circulation unit and floor, |position "
        "difference| = 1: share whose positive strength >= contact.tie_threshold at the "
        "end of the run (the share of residents naming that neighbour)",
    ),
    Target(
        "ties_by_door_2",
        "same-gallery pairs with a tie, 2 doors apart",
        0.17,
        0.28,
        FSB,
        "as ties_by_door_1 at door distance 2",
    ),
    Target(
        "ties_by_door_3",
        "same-gallery pairs with a tie, 3 doors apart",
        0.06,
        0.16,
        FSB,
        "as ties_by_door_1 at door distance 3",
    ),
    Target(
        "ties_by_door_4plus",
        "same-gallery pairs with a tie, 4 or more doors apart",
        None,
        0.10,
        FSB,
        "as ties_by_door_1 at door distance >= 4",
    ),
    Target(
        "ties_fall_every_door",
        "tie share falls with every door (smallest drop 1→2, 2→3, 3→4+)",
        0.0,
        None,
        FSB,
        "min over d of share(d) - share(d+1) for d = 1, 2, 3 (4 = 4 or more); > 0 means "
        "it falls with every door",
        unit="share points",
    ),
    Target(
        "door_decay_factor",
        "tie share 2 doors apart / next door",
        0.45,
        0.60,
        "EVIDENCE: decay factor 0.45–0.6 per door (Festinger 44/22/10, V2)",
        "ties_by_door_2 / ties_by_door_1",
        unit="ratio",
    ),
    Target(
        "ties_next_door_other_core",
        "next-door pairs whose routes out go to different cores: share with a tie",
        0.10,
        None,
        "FSB 1950: next-door neighbours are the likeliest friends; functional distance "
        "lowers it, not to zero (assumption: at least the 3-door level)",
        "as ties_by_door_1, only pairs whose first core node on the route out differs",
    ),
    Target(
        "ties_next_door_same_core",
        "next-door pairs using the same core: share with a tie",
        None,
        None,
        FSB,
        "as ties_next_door_other_core for pairs sharing the core",
    ),
    # --- contact and its valence ------------------------------------------------------
    Target(
        "negative_share_of_contacts",
        "share of neighbour contacts that are negative",
        0.15,
        0.30,
        "Graf, Paolini & Rubin 2014: positive ≈ 3× negative (EVIDENCE 15–30%, V)",
        "nuisance episodes (in encounters and through walls) / (greetings + small talk + "
        "help + nuisance episodes), summed over the run",
    ),
    Target(
        "negative_share_of_encounters",
        "share of encounters with an outcome that are negative (no nuisance through walls)",
        None,
        None,
        "Graf et al. 2014 (variant, for information)",
        "(nuisance episodes - through walls) / (greetings + small talk + that)",
    ),
    Target(
        "negative_share_of_conversations",
        "share of contacts beyond a greeting that are negative",
        None,
        None,
        "Graf et al. 2014 (variant without greetings, for information)",
        "nuisance episodes / (small talk + help + nuisance episodes) over the run",
    ),
    Target(
        "households_with_negative_tie",
        "households holding >= 1 negative tie",
        0.0,
        0.5,
        "a minority: 5–9% often and 17–29% sometimes bothered (WoON, V); Graf 2014",
        "share of households whose negative strength towards someone >= "
        "contact.avoid_threshold at the end of the run",
    ),
    Target(
        "weekly_contact",
        "residents with neighbour contact in the past week",
        0.35,
        0.50,
        "EVIDENCE: 0.35–0.50 in Overvecht flats; CBS 56–58% nationally (V, adjusted U)",
        "mean over the last year's weekly collections of outcome weekly_contact",
    ),
    Target(
        "helped_neighbour_12m",
        "households that helped a neighbour in the past 12 months",
        0.50,
        0.80,
        "I&O 2018: half help someone monthly; Burgerpeiling ≈ 2/3 help (EVIDENCE, V)",
        "households living there the whole last year whose help_given rose during it",
    ),
    Target(
        "help_needs_met",
        "help needs met by a neighbour",
        None,
        None,
        "EVIDENCE: willingness 0.6–0.8 if asked (I&O 2018, V); includes needs with "
        "nobody to ask (for information)",
        "help given / (help given + help unmet) over the run",
    ),
    Target(
        "weekly_contact_age_gap",
        "weekly neighbour contact, 65+ minus young households",
        0.10,
        0.45,
        "CBS 2022: 69% at 65+, 41% at 15–34 (EVIDENCE key sources, V)",
        "weekly samples over the last year of the share whose last chat or help was < 7 "
        "days ago, elderly minus young (age groups of the population)",
        unit="share points",
    ),
    Target(
        "ties_tenure_gap",
        "neighbour ties, households there >= 5 years minus < 1 year",
        0.0,
        None,
        "residential stability raises local ties (Sampson 1988; Kasarda & Janowitz 1974; "
        "direction only, U)",
        "mean positive ties (>= tie_threshold) at the end, by tenure",
        unit="ties",
    ),
    Target(
        "supported_ties_gap",
        "share with >= 1 tie, supported newcomers minus regular tenants",
        None,
        0.0,
        "source document: supported newcomers arrive without neighbours and often stay "
        "isolated (direction only, U)",
        "last year's mean of ties_ge1 by group",
        unit="share points",
    ),
    # --- nuisance ---------------------------------------------------------------------
    Target(
        "nuisance_victims_12m",
        "households with >= 1 nuisance episode in 12 months",
        0.22,
        0.38,
        WOON,
        "households living there the whole last year that received an episode "
        "(their neg_recent rose on some day)",
    ),
    Target(
        "nuisance_frequent_12m",
        "households often bothered (episodes on >= 12 days in 12 months)",
        0.05,
        0.10,
        WOON + "; 'often' read as monthly or more (assumption)",
        "as nuisance_victims_12m, at least 12 days with an episode",
    ),
    Target(
        "nuisance_top5_share",
        "share of nuisance episodes caused by the top 5% of households",
        0.50,
        None,
        "a few households cause most nuisance (Aedes/Volkskrant 'verward gedrag', V "
        "qualitative; EVIDENCE 2–5% of tenants)",
        "households that lived there during the last year, ranked by episodes caused in "
        "it; the top 5% (rounded up) share of all episodes",
    ),
    Target(
        "recurring_nuisance_residents",
        "regular tenants causing recurring nuisance",
        0.02,
        0.05,
        "EVIDENCE: 2–5% of regular tenants (U)",
        "regular tenants living there the whole last year who caused >= 3 episodes in it "
        "(recurring: about quarterly or more, assumption)",
    ),
    Target(
        "recurring_nuisance_supported",
        "supported newcomers causing recurring nuisance",
        0.10,
        0.30,
        "EVIDENCE: 10–30% of supported newcomers (U)",
        "as recurring_nuisance_residents for supported newcomers",
    ),
    Target(
        "nuisance_causers_share",
        "households causing >= 1 episode in 12 months",
        None,
        None,
        "for information",
        "households living there the whole last year",
    ),
    # --- moving ----------------------------------------------------------------------
    Target(
        "move_outs_per_dwelling_year",
        "voluntary move-outs per dwelling and year",
        0.06,
        0.10,
        "CBS: 161–169k re-lets a year, ≈ 7% turnover (EVIDENCE, V/D)",
        "voluntary move-outs over the run / dwellings / years",
        unit="per year",
    ),
    Target(
        "move_out_rate_residents",
        "move-outs per regular-tenant household-year",
        0.06,
        0.10,
        "EVIDENCE: 0.06–0.10 (CBS, V/D)",
        "regular tenants leaving (any reason) / regular-tenant household-years",
        unit="per year",
    ),
    Target(
        "move_out_rate_supported",
        "move-outs per supported household-year",
        0.10,
        0.25,
        "EVIDENCE: 0.10–0.25 incl. tenancy failure (Housing First, U)",
        "supported newcomers leaving (any reason) / their household-years",
        unit="per year",
    ),
    Target(
        "evictions_per_dwelling_year",
        "nuisance evictions per dwelling and year",
        0.0002,
        0.002,
        "EVIDENCE: 0.0002–0.002 per household-year (Aedes, V/D); all causes "
        "0.1–0.35% (arrears 80–88% are not modelled)",
        "evictions over the run / dwellings / years",
        unit="per year",
    ),
    Target(
        "supported_share_of_move_ins",
        "share of move-ins that are supported newcomers",
        0.05,
        0.15,
        "EVIDENCE: Utrecht ≈ 10–13% of vacancies (D); statushouders 6–8% (V)",
        "supported move-ins / all move-ins over the run (follows allocation.supported_share)",
    ),
    # --- interventions (measured on their own arm, paired by seed) --------------------
    Target(
        "social_renovation_referred",
        "households referred under social renovation",
        0.18,
        0.33,
        "source document seed 18–33% referred (EVIDENCE, unverified)",
        "referrals / households in the programme (social_renovation arm)",
        arm="social_renovation",
        quantity="programme_referred",
    ),
    Target(
        "flatcoach_eviction_change",
        "evictions, flatcoach minus problem flat",
        None,
        0.0002,
        "a coach mediates and links needs: it should not raise evictions "
        "(source document; issue 10)",
        "paired by seed: evictions per dwelling-year in flatcoach - in problem_flat",
        unit="per year",
        arm="flatcoach",
        reference="problem_flat",
        quantity="evictions_per_dwelling_year",
    ),
    Target(
        "connectors_ties_effect",
        "share with >= 1 tie, connectors minus problem flat, mean over the run",
        0.0,
        0.10,
        "source document: a small positive effect (connectors and activities)",
        "paired by seed: mean over all weekly collections of ties_ge1, connectors - problem_flat",
        unit="share points",
        arm="connectors",
        reference="problem_flat",
        quantity="run_mean_ties_ge1",
    ),
    Target(
        "flatcoach_ties_effect",
        "share with >= 1 tie, flatcoach minus problem flat, mean over the run",
        0.0,
        None,
        "source document: the flatcoach introduces neighbours (direction only)",
        "paired by seed: mean over the run of ties_ge1, flatcoach - problem_flat",
        unit="share points",
        arm="flatcoach",
        reference="problem_flat",
        quantity="run_mean_ties_ge1",
    ),
)

BY_ID: dict[str, Target] = {t.id: t for t in TARGETS}
if len(BY_ID) != len(TARGETS):  # pragma: no cover - a typo in the table above
    raise RuntimeError("duplicate target ids")


def model_targets() -> tuple[Target, ...]:
    """Targets measured on the validated scenario itself."""
    return tuple(t for t in TARGETS if t.arm is None)


def intervention_targets() -> tuple[Target, ...]:
    return tuple(t for t in TARGETS if t.arm is not None)
