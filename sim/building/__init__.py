"""Buildings and their surroundings as graphs of places where neighbours meet.

Layout generators (`layouts`) build one building each; `build_site` puts buildings on a
street with outdoor spaces, assembled in a `Plan` (plain columns, no networkx); `Site`
freezes the result into numpy arrays with precomputed trip routes for the encounter
kernel (compiled Dijkstra in `routing`).
"""

from .layouts import (
    LAYOUTS,
    corridor_tower,
    gallery_flat,
    row_houses,
    stairwell_block,
)
from .neighbourhood import ROOM_KINDS, add_room, apply_edits, build_site, build_site_from
from .plan import Plan
from .site import (
    CIRCULATION_KINDS,
    DESTINATIONS,
    INDOOR_KINDS,
    NODE_KINDS,
    OUTDOOR_KINDS,
    Site,
)

__all__ = [
    "CIRCULATION_KINDS",
    "DESTINATIONS",
    "INDOOR_KINDS",
    "LAYOUTS",
    "NODE_KINDS",
    "OUTDOOR_KINDS",
    "ROOM_KINDS",
    "Plan",
    "Site",
    "add_room",
    "apply_edits",
    "build_site",
    "build_site_from",
    "corridor_tower",
    "gallery_flat",
    "row_houses",
    "stairwell_block",
]
