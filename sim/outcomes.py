"""Model-level outcomes per building and per group, collected on a fixed period.

One row per (day, building, group) with one column per outcome: a tidy, wide table that
pandas, Parquet and plotting libraries read as is. Groups: all households, residents,
supported newcomers. `building` is "all" plus each building when there are several.
Event counts (encounters, nuisance, help) are for the period since the last collection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa
import numba as nb
import numpy as np
import pandas as pd

from sim.columns import Flag, Real, Whole
from sim.day import DAY_EVENTS
from sim.rand import JIT

if TYPE_CHECKING:
    from sim.model import NeighbourhoodModel

GROUPS = ("all", "resident", "supported")


@dataclass(frozen=True)
class Outcome:
    """One outcome, declared once: its column name, a label in plain words (the summary,
    the report and the app show it), its unit and how it is collected: `household` (a
    mean or share over the households of each building × group, computed in `cell_sums`
    / `cell_means`), `event` (the period's count of a compiled day's tally, `source` in
    contact.DAY_EVENTS) or `cumulative` (since the start of the run). A `household`
    outcome with a `column` is the mean of that float column (sim/columns.py `Real`) and
    needs nothing else: declaring it here is the whole change."""

    name: str
    label: str
    unit: str
    kind: str
    source: str = ""
    column: str = ""


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("households", "households living there", "households", "household"),
    Outcome("ties_ge1", "share with ≥1 positive neighbour tie", "share", "household"),
    Outcome("ties_ge3", "share with ≥3 positive neighbour ties", "share", "household"),
    Outcome("mean_ties", "mean positive neighbour ties per household", "ties", "household"),
    Outcome("lonely", "share without any positive neighbour tie", "share", "household"),
    Outcome(
        "weekly_contact",
        "share who chatted with or helped a neighbour in the past week",
        "share",
        "household",
    ),
    Outcome(
        "help_received_total",
        "help episodes received, cumulative per household",
        "episodes",
        "household",
    ),
    Outcome(
        "reciprocity",
        "mean balance of help given vs received (1 = balanced, 0 = one-sided)",
        "0-1",
        "household",
    ),
    Outcome(
        "overburdened", "share of helpers at or above their burden limit", "share", "household"
    ),
    Outcome(
        "sense_of_home", "mean sense of home (0–1)", "0-1", "household", column="sense_of_home"
    ),
    Outcome("safety", "mean perceived safety (0–1)", "0-1", "household", column="safety"),
    Outcome(
        "trust_neighbours",
        "mean trust in neighbours (0–1)",
        "0-1",
        "household",
        column="trust_neighbours",
    ),
    Outcome(
        "trust_institutions",
        "mean trust in institutions (0–1)",
        "0-1",
        "household",
        column="trust_institutions",
    ),
    Outcome(
        "wellbeing", "mean wellbeing (0–1, low = stressed)", "0-1", "household", column="wellbeing"
    ),
    Outcome("avoidance", "mean avoidance (0–1)", "0-1", "household", column="avoidance"),
    Outcome("nuisance_exposed", "share bothered by nuisance recently", "share", "household"),
    Outcome("recovery", "mean recovery of supported newcomers (0–1)", "0-1", "household"),
    Outcome("hidden_need", "share with a hidden help need not yet surfaced", "share", "household"),
    Outcome("need_surfaced", "share whose hidden need was surfaced", "share", "household"),
    Outcome("referred", "share referred to services", "share", "household"),
    Outcome(
        "encounters",
        "encounters in the period (building level)",
        "encounters",
        "event",
        "encounters",
    ),
    Outcome("greetings", "greetings in the period", "greetings", "event", "greet"),
    Outcome("small_talk", "small-talk contacts in the period", "contacts", "event", "talk"),
    Outcome("help_given", "help episodes in the period", "episodes", "event", "help"),
    Outcome("help_unmet", "help needs nobody met in the period", "needs", "event", "help_unmet"),
    Outcome(
        "nuisance_episodes",
        "nuisance episodes experienced in the period",
        "episodes",
        "event",
        "nuisance",
    ),
    Outcome(
        "living_nuisance",
        "of which noise, smells and mess through walls (no encounter)",
        "episodes",
        "event",
        "living_nuisance",
    ),
    Outcome(
        "conflicts",
        "nuisance episodes between households already at odds",
        "episodes",
        "event",
        "conflict",
    ),
    Outcome("avoided", "encounters dodged in the period", "encounters", "event", "avoided"),
    Outcome("move_outs", "voluntary move-outs, cumulative", "households", "cumulative"),
    Outcome("evictions", "evictions, cumulative", "households", "cumulative"),
    Outcome("move_ins", "move-ins, cumulative", "households", "cumulative"),
    Outcome(
        "professional_hours",
        "professional hours spent by interventions, cumulative",
        "hours",
        "cumulative",
    ),
    Outcome("cost_eur", "intervention cost, cumulative (euros)", "euros", "cumulative"),
)
OUTCOME = {o.name: o for o in OUTCOMES}
OUTCOME_DESCRIPTIONS = {o.name: o.label for o in OUTCOMES}
EVENT_COLUMNS = {o.name: o.source for o in OUTCOMES if o.kind == "event"}
CUMULATIVE_COLUMNS = tuple(o.name for o in OUTCOMES if o.kind == "cumulative")


# the household means computed by rule in `cell_sums` / `cell_means`, before and after
# the declared column means (the `Outcome`s with a `column`)
_RULE_MEANS_BEFORE = (
    "ties_ge1",
    "ties_ge3",
    "mean_ties",
    "lonely",
    "weekly_contact",
    "help_received_total",
    "reciprocity",
    "overburdened",
)
_RULE_MEANS_AFTER = ("nuisance_exposed", "recovery", "hidden_need", "need_surfaced", "referred")
STATE_COLUMNS = tuple(o.column for o in OUTCOMES if o.kind == "household" and o.column)
_COLUMN_ROWS = np.array([Real[c] for c in STATE_COLUMNS], np.int64)
# the per-household columns `cell_means` returns after the household count, in order
MEAN_COLUMNS = (
    *_RULE_MEANS_BEFORE,
    *(o.name for o in OUTCOMES if o.kind == "household" and o.column),
    *_RULE_MEANS_AFTER,
)
# columns of the per-cell sums in `cell_sums` (the column means from _STATES on)
_N, _GE1, _GE3, _DEG, _LONELY, _WEEKLY, _RECEIVED = range(7)
_EXCHANGED, _RECIPROCITY, _HELPERS, _OVER, _STATES = range(7, 12)
_NUISANCE = _STATES + len(STATE_COLUMNS)
_RECOVERY, _HIDDEN, _SURFACED, _REFERRED = range(_NUISANCE + 1, _NUISANCE + 5)


@nb.njit(**JIT)
def cell_sums(
    hh: tuple[np.ndarray, np.ndarray, np.ndarray],
    building: np.ndarray,
    degree: np.ndarray,
    day: int,
    burden_limit: float,
    column_rows: np.ndarray,
) -> np.ndarray:
    """Sums over occupied households per (building block, group, column): block 0 is
    all buildings, block 1 + b building b (only when there are several); group 1
    residents, 2 supported, 0 their sum. One pass in dwelling order, so each sum adds
    the same terms in the same order as the bincount it replaced. The declared column
    means sum `real[column_rows[j]]` (rows of the households' float matrix); `hh` is
    the households' three matrices (sim/columns.py)."""
    real, whole, flag = hh
    occupied = flag[Flag.occupied]
    supported = flag[Flag.supported]
    hidden_need = flag[Flag.hidden_need]
    need_surfaced = flag[Flag.need_surfaced]
    referred = flag[Flag.referred]
    last_talk_day = whole[Whole.last_talk_day]
    help_given = whole[Whole.help_given]
    help_received = whole[Whole.help_received]
    burden = real[Real.burden]
    neg_recent = real[Real.neg_recent]
    recovery = real[Real.recovery]
    n = occupied.shape[0]
    n_b = 0
    for i in range(n):
        n_b = max(n_b, building[i] + 1)
    per_b = n_b > 1
    s = np.zeros((1 + n_b if per_b else 1, 3, _REFERRED + 1))
    for i in range(n):
        if not occupied[i]:
            continue
        g = 2 if supported[i] else 1
        given, received = float(help_given[i]), float(help_received[i])
        exchanged = given + received
        for t in range(2 if per_b else 1):  # the site's block, then the building's
            c = s[0 if t == 0 else 1 + building[i], g]
            c[_N] += 1.0
            c[_GE1] += 1.0 if degree[i] >= 1 else 0.0
            c[_GE3] += 1.0 if degree[i] >= 3 else 0.0
            c[_DEG] += float(degree[i])
            c[_LONELY] += 1.0 if degree[i] == 0 else 0.0
            c[_WEEKLY] += 1.0 if day - last_talk_day[i] < 7 else 0.0
            c[_RECEIVED] += received
            if exchanged > 0:
                c[_EXCHANGED] += 1.0
                c[_RECIPROCITY] += 1 - abs(given - received) / max(exchanged, 1.0)
            if given > 0:
                c[_HELPERS] += 1.0
                c[_OVER] += 1.0 if burden[i] >= burden_limit else 0.0
            for j in range(column_rows.shape[0]):
                c[_STATES + j] += real[column_rows[j], i]
            c[_NUISANCE] += 1.0 if neg_recent[i] >= 0.25 else 0.0
            c[_RECOVERY] += recovery[i]
            c[_HIDDEN] += 1.0 if hidden_need[i] and not need_surfaced[i] else 0.0
            c[_SURFACED] += 1.0 if need_surfaced[i] else 0.0
            c[_REFERRED] += 1.0 if referred[i] else 0.0
    s[:, 0] = s[:, 1] + s[:, 2]
    return s


@nb.njit(**JIT)
def cell_means(s: np.ndarray) -> np.ndarray:
    """(1 + len(MEAN_COLUMNS), rows) from `cell_sums`: the household count, then each
    outcome per row (block-major, groups in GROUPS order). Means over no households are
    NaN, except overburdened (0 without helpers); recovery is the supported households'
    mean, shown for "all" and "supported"."""
    n_blocks = s.shape[0]
    out = np.empty((1 + len(MEAN_COLUMNS), 3 * n_blocks))
    for blk in range(n_blocks):
        k_sup = s[blk, 2, _N]
        rec = s[blk, 2, _RECOVERY] / k_sup if k_sup > 0 else np.nan
        for g in range(3):
            c = s[blk, g]
            r = 3 * blk + g
            k = c[_N]
            out[0, r] = k
            j = 1
            for col in (_GE1, _GE3, _DEG, _LONELY, _WEEKLY, _RECEIVED):
                out[j, r] = c[col] / k if k > 0 else np.nan
                j += 1
            out[j, r] = c[_RECIPROCITY] / c[_EXCHANGED] if c[_EXCHANGED] > 0 else np.nan
            out[j + 1, r] = c[_OVER] / c[_HELPERS] if c[_HELPERS] > 0 else 0.0
            j += 2
            for col in range(_STATES, _NUISANCE + 1):
                out[j, r] = c[col] / k if k > 0 else np.nan
                j += 1
            out[j, r] = np.nan if g == 1 else rec
            j += 1
            for col in (_HIDDEN, _SURFACED, _REFERRED):
                out[j, r] = c[col] / k if k > 0 else np.nan
                j += 1
    return out


class OutcomeCollector:
    """Collects one block of rows (every building × group) per period.

    `rows` holds one entry per collection: a dict of equal-length columns (row order:
    building "all" then each building; within each, the groups in GROUPS order). All
    per-group sums come from one compiled pass over households, so a collection costs
    a few calls whatever the number of buildings."""

    def __init__(self, model: NeighbourhoodModel):
        self.model = model
        self.rows: list[dict[str, Any]] = []
        # event counts since the last collection other than the compiled day's, which the
        # model keeps in its `_day_counts` array until a collection takes them (adding a
        # dozen dict entries every day cost more than the rest of the day's Python)
        self.week_counts: dict[str, float] = {}

    def _take_counts(self) -> dict[str, float]:
        """The period's event counts, with the compiled day's tallies taken in and reset
        (they are whole numbers, so adding them once a week gives the same sums as daily)."""
        m = self.model
        counts = self.week_counts
        self.week_counts = {}
        for name, count in zip(DAY_EVENTS, m._day_counts.tolist()):
            counts[name] = counts.get(name, 0.0) + count
        m._day_counts[:] = 0.0
        return counts

    def collect(self) -> None:
        m = self.model
        hh = m.households
        deg = m.ties.degree(m.day, m.config.contact.tie_threshold)
        counts = self._take_counts()
        hours = sum(iv.counters.get("hours", 0.0) for iv in m.interventions)
        cost = sum(iv.cost for iv in m.interventions)
        sums = cell_sums(
            hh.kernel_data,
            m.site.dwelling_building,
            deg,
            int(m.day),
            float(m.config.help.burden_limit),
            _COLUMN_ROWS,
        )
        means = cell_means(sums)
        if m.day % m.config.run.collect_buildings_every_days != 0:
            means = means[:, :3]  # the site's rows only this time
        events = [counts.get(key, 0.0) for key in EVENT_COLUMNS.values()]
        events += [
            m.counters["move_outs"],
            m.counters["evictions"],
            m.counters["move_ins"],
            hours,
            cost,
        ]
        self.rows.append(
            {
                "day": m.day,
                "rows": means.shape[1],
                "means": means,
                "events": np.array(events, np.float64),
            }
        )

    def frame(self) -> pd.DataFrame:
        """All collections as one tidy table: a row per (day, building, group). Blocks are
        stored compactly (a district collects thousands of rows a week) and expanded
        here."""
        if not self.rows:
            return pd.DataFrame()
        n_rows = np.array([b["rows"] for b in self.rows])
        days = np.repeat(np.array([b["day"] for b in self.rows], np.int64), n_rows)
        means = np.concatenate([b["means"] for b in self.rows], axis=1)
        labels = np.array(["all"] + [str(k) for k in range(int(n_rows.max()) // 3 - 1)])
        building = np.concatenate([np.repeat(labels[: k // 3], 3) for k in n_rows])
        data: dict[str, Any] = {
            "day": days,
            "year": np.round(days / 365.0, 4),
            "building": building,
            "group": np.tile(np.array(GROUPS), int(n_rows.sum()) // 3),
            "households": means[0].astype(np.int64),
        }
        for j, col in enumerate(MEAN_COLUMNS, 1):
            data[col] = means[j]
        # event counts are site-level: on each collection's first row only
        first = np.concatenate([[0], np.cumsum(n_rows)[:-1]])
        events = np.stack([b["events"] for b in self.rows])
        for j, col in enumerate((*EVENT_COLUMNS, *CUMULATIVE_COLUMNS)):
            values = np.full(len(days), np.nan)
            values[first] = events[:, j]
            data[col] = values
        df = pd.DataFrame(data)
        for col in ("building", "group"):
            df[col] = df[col].astype("category")
        return df


def site_values(collector: OutcomeCollector) -> dict[str, float]:
    """The last collection's site-level values for all households (building "all", group
    "all"): what Mesa's DataCollector records each period."""
    if not collector.rows:
        return {}
    block = collector.rows[-1]
    if "site" in block:  # (asked once per reporter: worked out once per collection)
        return block["site"]
    out = block["site"] = {"households": float(block["means"][0, 0])}
    out.update({col: float(block["means"][j, 0]) for j, col in enumerate(MEAN_COLUMNS, 1)})
    out.update(
        {
            col: float(v)
            for col, v in zip(
                (*EVENT_COLUMNS, *CUMULATIVE_COLUMNS), block["events"].tolist(), strict=True
            )
        }
    )
    return out


SITE_OUTCOMES = ("households", *MEAN_COLUMNS, *EVENT_COLUMNS, *CUMULATIVE_COLUMNS)


def model_reporters() -> dict[str, Any]:
    """Mesa DataCollector reporters: every site-level outcome, read from the collection
    just made (so the DataCollector adds no work of its own)."""
    return {
        name: (lambda m, name=name: site_values(m.outcomes).get(name)) for name in SITE_OUTCOMES
    }


class SiteDataCollector(mesa.DataCollector):
    """Mesa's DataCollector with the site-level outcomes as model reporters. Its values
    are plain floats taken from the collection just made, so `collect` appends them as
    they are: Mesa's own `collect` deep-copies every reporter's value, which for ~35
    floats a week was ~5% of a small building's run. Everything else (the data frames,
    `mesa.batch_run`) is Mesa's."""

    def __init__(self) -> None:
        super().__init__(model_reporters=model_reporters())

    def collect(self, model: NeighbourhoodModel) -> None:
        values = site_values(model.outcomes)
        steps = getattr(self, "_collection_steps", None)  # what batch_run reads (Mesa 3.5)
        if steps is not None:
            steps.append(model.time)
        for name in SITE_OUTCOMES:
            self.model_vars[name].append(values.get(name))
