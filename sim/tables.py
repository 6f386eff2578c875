"""A model's state as tables: one row per household (with where it lives) and one per
directed tie (with household ids). `run.py` writes them; the app and tests read them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.model import NeighbourhoodModel

FULL_TIE_TABLE_BELOW = 20_000  # dwellings; larger sites' tie tables hold ties only ("auto")
TIE_TABLES = ("auto", "all", "ties", "none")


def household_table(model: NeighbourhoodModel) -> pd.DataFrame:
    """The state of every household now, with its building, floor, position, circulation
    unit, door node and route out; its positive and negative ties and tenure."""
    hh = model.households
    occ = np.flatnonzero(hh.occupied)
    site = model.site
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
        if col != "occupied":
            data[col] = getattr(hh, col)[occ]
    c = model.config.contact
    data["positive_ties"] = model.ties.degree(model.day, c.tie_threshold)[occ]
    data["negative_ties"] = model.ties.degree(model.day, c.avoid_threshold, negative=True)[occ]
    data["tenure_years"] = (model.day - hh.move_in_day[occ]) / 365.0
    return pd.DataFrame(data)


def tie_table(model: NeighbourhoodModel, which: str = "all") -> pd.DataFrame:
    """Ties with their strengths and contact counts, with household ids: "all" that are
    remembered, only those at or above the tie or avoidance threshold ("ties"), or none
    (the columns only); "auto": all on a site below FULL_TIE_TABLE_BELOW dwellings, else
    ties (a district's full table would take gigabytes)."""
    if which == "auto":
        which = "all" if model.site.n_dwellings < FULL_TIE_TABLE_BELOW else "ties"
    if which not in TIE_TABLES:
        raise ValueError(f"tie table {which!r}: choose one of {', '.join(TIE_TABLES)}")
    c = model.config.contact
    if which == "ties":
        df = model.ties.to_frame(model.day, c.tie_threshold, c.avoid_threshold)
    else:
        df = model.ties.to_frame(model.day, empty=which == "none")
    hid = model.households.household_id
    df.insert(0, "from_household", hid[df["from_dwelling"].to_numpy()])
    df.insert(1, "to_household", hid[df["to_dwelling"].to_numpy()])
    return df
