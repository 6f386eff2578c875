"""The model's keyword parameters: the common levers of a scenario as plain values, so
that `NeighbourhoodModel(supported_share=0.2, flatcoach_hours=16)` works as in Mesa's own
examples, and `mesa.batch_run` and SolaraViz sliders can vary them. Each lever is a named
change to a scenario; everything else stays as the scenario says."""

from __future__ import annotations

from typing import Any

from sim.scenario import Scenario, load_scenario


def _buildings(sc: Scenario, **changes: Any) -> dict[str, Any]:
    """The site with every building given `changes` (layout, floors, ...)."""
    buildings = []
    for b in sc.site.model_dump()["buildings"]:
        b = {**b, **changes}
        if "layout" in changes and changes["layout"] != sc.site.buildings[0].layout:
            b = {"layout": changes["layout"], **{k: v for k, v in changes.items() if k != "layout"}}
        buildings.append(b)
    return {"buildings": buildings}


def _intervention(sc: Scenario, kind: str, **params: Any) -> list[dict[str, Any]]:
    """The scenario's interventions with `kind` set to `params` (added if absent);
    params None removes it."""
    others = [iv.model_dump() for iv in sc.interventions if iv.type != kind]
    if params.get("remove"):
        return others
    current = next((iv.model_dump() for iv in sc.interventions if iv.type == kind), {})
    return [*others, {**current, "type": kind, **params}]


def apply_levers(scenario: Scenario | str | None, **levers: Any) -> Scenario:
    """`scenario` (a Scenario, a shipped name or a file; default: the baseline defaults)
    with the given levers applied; a lever left at None keeps the scenario's value."""
    if isinstance(scenario, str):
        sc = load_scenario(scenario)
    else:
        sc = scenario if scenario is not None else Scenario()
    levers = {k: v for k, v in levers.items() if v is not None}
    unknown = set(levers) - set(LEVERS)
    if unknown:
        raise TypeError(
            f"unknown model parameter(s) {sorted(unknown)}; the keyword "
            f"parameters are {sorted(LEVERS)} (any other value: a scenario)"
        )
    for name, value in levers.items():
        sc = sc.with_overrides(**LEVERS[name](sc, value))
    return sc


LEVERS = {
    "supported_share": lambda sc, v: {
        "population": {"supported_share": v},
        "allocation": {"supported_share": v},
    },
    "trust_institutions_mean": lambda sc, v: {"population": {"trust_institutions_mean": v}},
    "trust_neighbours_mean": lambda sc, v: {"population": {"trust_neighbours_mean": v}},
    "years": lambda sc, v: {"run": {"years": v}},
    "burn_in_years": lambda sc, v: {"run": {"burn_in_years": v}},
    "layout": lambda sc, v: {"site": _buildings(sc, layout=v)},
    "floors": lambda sc, v: {"site": _buildings(sc, floors=v)},
    "dwellings_per_floor": lambda sc, v: {"site": _buildings(sc, dwellings_per_floor=v)},
    "flatcoach_hours": lambda sc, v: {
        "interventions": _intervention(
            sc, "flatcoach", **({"remove": True} if v == 0 else {"hours_per_week": v})
        )
    },
    "motivated_share": lambda sc, v: {
        "interventions": _intervention(
            sc, "allocation_by_motivation", **({"remove": True} if v == 0 else {"share": v})
        )
    },
    "social_renovation": lambda sc, v: {
        "interventions": _intervention(sc, "social_renovation", **({} if v else {"remove": True}))
    },
    "welcome": lambda sc, v: {
        "interventions": _intervention(sc, "welcome", **({} if v else {"remove": True}))
    },
    "connectors": lambda sc, v: {
        "interventions": _intervention(sc, "connectors", **({} if v else {"remove": True}))
    },
}
