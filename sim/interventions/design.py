"""Design: edits of the building and its surroundings, applied when the intervention
starts and undone when it stops (the original site is swapped back).

Every effect arises from changed encounter chances, never from a multiplier on outcomes:
- shared rooms (`rooms`: laundry, hobby_room, garden at the entrance): new destinations,
  so households make trips that did not exist (routine rates `laundry`, `hobby_room`,
  `garden`) and meet there with the room's notice chance;
- a playground nearby (`playground_distance`): a new public outdoor node; households with
  children go to the nearest playground, so a closer one concentrates the building's own
  families instead of mixing them with the whole district at a distant one;
- a bench at the entrance (`bench`): people sit and linger, so two households passing the
  entrance in the same time slot notice each other more (`bench_notice` replaces the
  entrance notice of that building's entrance nodes);
- the gallery (`gallery = "closed"`): glazing the open galleries into a closed corridor
  lowers the chance of noticing each other there (`closed_gallery_factor` on the gallery
  nodes' notice: people pass quicker, no lingering at the balustrade, less overview).
Notice changes are node-level and re-applied after any site swap made by another design
intervention, so several design interventions compose.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.building.neighbourhood import apply_design
from sim.building.site import KIND_CODE
from sim.interventions.base import Intervention, InterventionParams, register


class DesignRoom(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["laundry", "hobby_room", "garden"]
    building: int = Field(0, ge=0)


class DesignParams(InterventionParams):
    rooms: list[DesignRoom] = Field(default_factory=list, description="shared rooms added")
    playground_distance: float | None = Field(
        None, gt=0, le=2000, description="metres from building 0's street to a new playground"
    )
    bench: bool = Field(False, description="bench at the entrance(s) of `buildings`")
    bench_notice: float = Field(
        0.05,
        ge=0,
        le=1,
        description="notice chance at an entrance with a bench (default entrance: 0.01)",
    )
    gallery: Literal["open", "closed"] = Field(
        "open", description="open gallery (as built) or glazed into a closed corridor"
    )
    closed_gallery_factor: float = Field(
        0.5, ge=0, le=1, description="gallery notice multiplier when closed"
    )
    buildings: list[int] = Field(
        default_factory=lambda: [0], description="buildings the bench and gallery edits apply to"
    )


def _reapply_notice(model) -> None:
    """Re-apply every running design intervention's node-level notice changes."""
    for iv in model.interventions:
        if isinstance(iv, Design) and iv.active and iv.overrides is not None:
            nodes, values = iv.overrides
            model.notice_by_node[nodes] = values


@register
class Design(Intervention):
    key = "design"
    Params = DesignParams
    pars: DesignParams
    overrides: tuple[np.ndarray, np.ndarray] | None = None

    def start(self) -> None:
        m = self.model
        p = self.pars
        n_b = int(m.site.dwelling_building.max()) + 1
        for b in [r.building for r in p.rooms] + list(p.buildings):
            if b >= n_b:
                raise ValueError(f"design: building {b} does not exist (0..{n_b - 1})")
        self._original = m.site
        outdoor = []
        if p.playground_distance is not None:
            outdoor.append({"kind": "playground", "near": 0, "distance": p.playground_distance})
            self.spend("playground", self.unit_cost("playground"))
            self.count("playgrounds_added")
        rooms = [r.model_dump() for r in p.rooms]
        for r in rooms:
            self.spend(r["kind"], self.unit_cost(r["kind"]))
            self.count(f"{r['kind']}_added")
        if rooms or outdoor:
            m.set_site(apply_design(m.site, rooms=rooms, outdoor=outdoor))
        site = m.site
        in_b = np.isin(site.node_building, np.asarray(p.buildings))
        nodes, values = [], []
        if p.bench:
            ent = np.flatnonzero(in_b & (site.node_kind == KIND_CODE["entrance"]))
            nodes.append(ent)
            values.append(np.full(len(ent), p.bench_notice))
            self.spend("bench", self.unit_cost("bench") * len(ent))
            self.count("benches_added", len(ent))
        if p.gallery == "closed":
            gal = np.flatnonzero(in_b & (site.node_kind == KIND_CODE["gallery"]))
            nodes.append(gal)
            values.append(m.notice_by_node[gal] * p.closed_gallery_factor)
            n_dw = int(np.isin(site.dwelling_building, np.asarray(p.buildings)).sum())
            self.spend("closed_gallery", self.unit_cost("closed_gallery_per_dwelling") * n_dw)
            self.count("galleries_closed", len(gal))
        if nodes:
            self.overrides = (np.concatenate(nodes), np.concatenate(values))
        # any earlier design's notice changes were reset by set_site: re-apply all
        self.active = True
        _reapply_notice(m)

    def stop(self) -> None:
        m = self.model
        self.overrides = None
        m.set_site(self._original)
        _reapply_notice(m)

    def after_day(self) -> None:
        if self.model.day % 365 == 364:
            n_rooms = len(self.pars.rooms) + (self.pars.playground_distance is not None)
            self.spend("upkeep", self.unit_cost("room_upkeep_year") * n_rooms)
