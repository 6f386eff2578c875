"""Unit costs of the interventions: defaults, units and sources in one table, and the
`[costs]` section of a scenario that overrides them (a corporation's own figures).

No published source was checked for any default: each is an assumption of the right order
of magnitude for the Netherlands (2024 prices) and says so. The table in
docs/INTERVENTIONS.md lists the same items (a test keeps them in sync).
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, create_model

# item -> (euros, unit, basis)
UNIT_COST_TABLE: dict[str, tuple[float, str, str]] = {
    "professional_hour": (
        75.0,
        "EUR/hour",
        "assumption: integral hourly rate of a social "
        "professional (welfare / housing corporation), NL ~€65–85",
    ),
    "support_worker_hour": (70.0, "EUR/hour", "assumption: ambulant support worker, integral rate"),
    "home_visit": (
        110.0,
        "EUR/visit",
        "assumption: ~1.5 h corporation staff incl. preparation and travel",
    ),
    "joint_home_visit": (250.0, "EUR/visit", "assumption: two professionals × ~1.5 h"),
    "visit_attempt": (25.0, "EUR/attempt", "assumption: unanswered door / card left (~20 min)"),
    "case_meeting": (450.0, "EUR/meeting", "assumption: 4 professionals × 1.5 h"),
    "referral": (
        150.0,
        "EUR/referral",
        "assumption: intake by the receiving service (first contact only)",
    ),
    "activity": (40.0, "EUR/activity", "assumption: coffee, materials per activity"),
    "welcome_conversation": (
        90.0,
        "EUR/conversation",
        "assumption: ~1 h corporation staff incl. administration",
    ),
    "motivation_selection": (
        600.0,
        "EUR/household",
        "assumption: motivation interview, references, matching (~8 h corporation staff)",
    ),
    "connector_support_year": (
        750.0,
        "EUR/connector/year",
        "assumption: volunteer allowance, training, small budget per supported connector per year",
    ),
    "bench": (2500.0, "EUR/entrance", "assumption: bench with planters at the entrance, installed"),
    "garden": (15000.0, "EUR/garden", "assumption: small front garden, laid out"),
    "laundry": (
        40000.0,
        "EUR/room",
        "assumption: converting a ground-floor storage into a shared laundry",
    ),
    "hobby_room": (
        50000.0,
        "EUR/room",
        "assumption: converting a ground-floor space into a hobby room",
    ),
    "playground": (60000.0, "EUR/playground", "assumption: small playground incl. surface"),
    "closed_gallery_per_dwelling": (
        4000.0,
        "EUR/dwelling",
        "assumption: glazing galleries, per dwelling",
    ),
    "room_upkeep_year": (
        2500.0,
        "EUR/room/year",
        "assumption: upkeep/cleaning of a shared room per year",
    ),
}

# item -> (euros, basis): the shape interventions and docs have always used
UNIT_COSTS: dict[str, tuple[float, str]] = {
    k: (v, basis) for k, (v, _, basis) in UNIT_COST_TABLE.items()
}


def _field(euros: float, unit: str, basis: str) -> Any:
    return (
        float,
        Field(
            euros,
            ge=0,
            le=10_000_000,
            description=basis.removeprefix("assumption: "),
            json_schema_extra={
                "unit": unit,
                "source": "assumption" if basis.startswith("assumption") else basis,
            },
        ),
    )


CostParams = create_model(
    "CostParams",
    __config__=ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False),
    __doc__="Unit costs in euros (2024 prices); a scenario's [costs] table overrides them.",
    **{k: _field(*v) for k, v in UNIT_COST_TABLE.items()},
)
