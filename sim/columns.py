"""The household columns, declared once: each is a row of one matrix per dtype.

`Households` (sim/population.py) keeps three matrices indexed [column, dwelling]: `real`
(float64), `whole` (int64) and `flag` (bool). The enums below name their rows, in order; a
column is added by adding one line here. Python reads a column as `households.openness`
(a view on its row); compiled kernels take the three matrices as one tuple `hh` and read
`real[Real.openness, i]` or take a row view `real[Real.openness]`. numba freezes enum
members as constants when it compiles, so a kernel costs nothing extra per column read.

The numba cache is keyed on this file too (sim/fingerprint.py: it holds the marker
`KERNEL CONSTANTS`), so reordering columns recompiles the kernels rather than loading
machine code built for another layout.
"""

# KERNEL CONSTANTS: compiled code reads these values

from __future__ import annotations

from enum import IntEnum


class Real(IntEnum):
    """Float columns: traits drawn at arrival, states that evolve, then per-dwelling
    working values of the day (the last seven: not traits of the household)."""

    openness = 0
    financial_stress = 1
    trust_neighbours = 2
    trust_institutions = 3
    trust_institutions_level = 4  # the trust it returns to
    at_home = 5  # time at home by day, relative (doorsteps)
    support_level = 6
    recovery = 7
    nuisance_risk = 8
    nuisance_propensity = 9  # the risk drawn at arrival
    sense_of_home = 10
    safety = 11
    wellbeing = 12
    avoidance = 13
    burden = 14
    complaints = 15
    pos_recent = 16
    neg_recent = 17
    # working values of the day, per dwelling
    trip_multiplier = 18  # interventions' factor on optional trips
    talk_multiplier = 19  # interventions' factor on small talk
    tie_count = 20  # positive ties per household, refreshed weekly
    pos_today = 21  # pleasant / unpleasant contacts today and this week
    neg_today = 22
    pos_week = 23
    neg_week = 24


class Whole(IntEnum):
    """Integer columns."""

    household_id = 0
    move_in_day = 1
    size = 2
    age_group = 3  # 0 young, 1 middle, 2 elderly (population.AGE_GROUPS)
    help_given = 4
    help_received = 5
    help_unmet = 6
    nuisance_caused = 7
    last_talk_day = 8


class Flag(IntEnum):
    """Boolean columns."""

    occupied = 0
    children = 1
    dog = 2
    working = 3
    other_language = 4
    hidden_need = 5
    need_surfaced = 6
    referred = 7
    supported = 8
    connector = 9
    good_neighbour = 10


WORKING = frozenset(
    ("trip_multiplier", "talk_multiplier", "tie_count", "pos_today", "neg_today")
    + ("pos_week", "neg_week")
)  # rows of `real` that belong to the day, not to the household
DEFAULTS = {"trip_multiplier": 1.0, "talk_multiplier": 1.0}  # rows that do not start at 0


class Event(IntEnum):
    """The day's event counters, in the order of the model's `_day_counts` (which the
    outcome collection sums into a period's counts): the mechanisms add to an array
    indexed by these (`counts[Event.talk] += 1`)."""

    encounters = 0
    avoided = 1
    talk = 2
    greet = 3
    nuisance = 4  # episodes, in encounters and through walls
    conflict = 5  # episodes between households already avoiding each other
    living_nuisance = 6  # episodes through walls
    help_needs = 7
    help = 8
    help_unmet = 9
    withdrawn = 10  # strong ties not asked because the helper is overburdened
