"""Model-level outcomes per building and per group, collected on a fixed period.

One row per (day, building, group) with one column per outcome: a tidy, wide table that
pandas, Parquet and plotting libraries read as is. Groups: all households, residents,
supported newcomers. `building` is "all" plus each building when there are several.
Event counts (encounters, nuisance, help) are for the period since the last collection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.model import NeighbourhoodModel

GROUPS = ("all", "resident", "supported")

OUTCOME_DESCRIPTIONS = {
    "households": "households living there",
    "ties_ge1": "share with ≥1 positive neighbour tie",
    "ties_ge3": "share with ≥3 positive neighbour ties",
    "mean_ties": "mean positive neighbour ties per household",
    "lonely": "share without any positive neighbour tie",
    "weekly_contact": "share who chatted with or helped a neighbour in the past week",
    "help_received_total": "help episodes received, cumulative per household",
    "reciprocity": "mean balance of help given vs received (1 = balanced, 0 = one-sided)",
    "overburdened": "share of helpers at or above their burden limit",
    "sense_of_home": "mean sense of home (0–1)",
    "safety": "mean perceived safety (0–1)",
    "trust_neighbours": "mean trust in neighbours (0–1)",
    "trust_institutions": "mean trust in institutions (0–1)",
    "wellbeing": "mean wellbeing (0–1, low = stressed)",
    "avoidance": "mean avoidance (0–1)",
    "nuisance_exposed": "share bothered by nuisance recently",
    "recovery": "mean recovery of supported newcomers (0–1)",
    "hidden_need": "share with a hidden help need not yet surfaced",
    "need_surfaced": "share whose hidden need was surfaced",
    "referred": "share referred to services",
    "encounters": "encounters in the period (building level)",
    "greetings": "greetings in the period",
    "small_talk": "small-talk contacts in the period",
    "help_given": "help episodes in the period",
    "help_unmet": "help needs nobody met in the period",
    "nuisance_episodes": "nuisance episodes in the period",
    "living_nuisance": "of which noise, smells and mess through walls (no encounter)",
    "conflicts": "nuisance episodes between households already at odds",
    "avoided": "encounters dodged in the period",
    "move_outs": "voluntary move-outs, cumulative",
    "evictions": "evictions, cumulative",
    "move_ins": "move-ins, cumulative",
    "professional_hours": "professional hours spent by interventions, cumulative",
    "cost_eur": "intervention cost, cumulative (euros)",
}


EVENT_COLUMNS = {"encounters": "encounters", "greetings": "greet", "small_talk": "talk",
                 "help_given": "help", "help_unmet": "help_unmet",
                 "nuisance_episodes": "nuisance", "living_nuisance": "living_nuisance",
                 "conflicts": "conflict",
                 "avoided": "avoided"}


class OutcomeCollector:
    """Collects one block of rows (every building × group) per period.

    `rows` holds one entry per collection: a dict of equal-length columns (row order:
    building "all" then each building; within each, the groups in GROUPS order). All
    per-group means are computed at once with bincount, so a district of hundreds of
    buildings costs about as much per collection as one building."""

    def __init__(self, model: NeighbourhoodModel):
        self.model = model
        self.rows: list[dict[str, Any]] = []
        self.week_counts: dict[str, float] = {}
        self._last_pos_week = None

    def collect(self) -> None:
        m = self.model
        hh = m.households
        c = m.config.contact
        occ = hh.occupied
        deg = m.ties.degree(m.day, c.tie_threshold)
        given, received = hh.help_given.astype(float), hh.help_received.astype(float)
        exchanged = given + received
        with np.errstate(invalid="ignore", divide="ignore"):
            reciprocity = np.where(exchanged > 0, 1 - np.abs(given - received)
                                   / np.maximum(exchanged, 1), np.nan)
        counts = self.week_counts
        self.week_counts = {}
        hours = sum(iv.counters.get("hours", 0.0) for iv in m.interventions)
        cost = sum(iv.cost for iv in m.interventions)
        bld = np.asarray(m.site.dwelling_building, np.int64)
        n_b = int(bld.max()) + 1
        per_b = n_b > 1
        n_blocks = 1 + (n_b if per_b else 0)
        # cell of each occupied household: (building block, resident 0 / supported 1)
        sup = hh.supported.astype(np.int64)
        occ_idx = np.flatnonzero(occ)

        def sums(x: np.ndarray, idx: np.ndarray = occ_idx) -> np.ndarray:
            """(n_blocks, 3) sums over all / resident / supported for households `idx`."""
            w = np.asarray(x, np.float64)[idx]
            out = np.zeros((n_blocks, 3))
            s_all = np.bincount(sup[idx], weights=w, minlength=2)
            out[0, 1:] = s_all
            if per_b:
                cb = np.bincount(2 * bld[idx] + sup[idx], weights=w,
                                 minlength=2 * n_b).reshape(n_b, 2)
                out[1:, 1:] = cb
            out[:, 0] = out[:, 1] + out[:, 2]
            return out

        k = sums(np.ones(len(occ)))
        with np.errstate(invalid="ignore", divide="ignore"):
            def mean(x: np.ndarray) -> np.ndarray:
                return np.where(k > 0, sums(x) / k, np.nan)

            cols: dict[str, np.ndarray] = {}
            cols["households"] = k.astype(np.int64)
            cols["ties_ge1"] = mean(deg >= 1)
            cols["ties_ge3"] = mean(deg >= 3)
            cols["mean_ties"] = mean(deg)
            cols["lonely"] = mean(deg == 0)
            cols["weekly_contact"] = mean(m.day - hh.last_talk_day < 7)
            cols["help_received_total"] = mean(received)
            fin = np.isfinite(reciprocity)
            k_fin = sums(fin)
            cols["reciprocity"] = np.where(k_fin > 0, sums(np.where(fin, reciprocity, 0.0))
                                           / k_fin, np.nan)
            helpers = occ_idx[given[occ_idx] > 0]
            k_help = sums(np.ones(len(occ)), helpers)
            over = sums(hh.burden >= m.config.help.burden_limit, helpers)
            cols["overburdened"] = np.where(k_help > 0, over / k_help, 0.0)
            for col in ("sense_of_home", "safety", "trust_neighbours", "trust_institutions",
                        "wellbeing", "avoidance"):
                cols[col] = mean(getattr(hh, col))
            cols["nuisance_exposed"] = mean(hh.neg_recent >= 0.25)
            rec = sums(hh.recovery)  # supported households only
            rec_all = np.where(k[:, 2] > 0, rec[:, 2] / k[:, 2], np.nan)
            cols["recovery"] = np.stack([rec_all, np.full(n_blocks, np.nan), rec_all], axis=1)
            cols["hidden_need"] = mean(hh.hidden_need & ~hh.need_surfaced)
            cols["need_surfaced"] = mean(hh.need_surfaced)
            cols["referred"] = mean(hh.referred)
        rows_n = 3 * n_blocks
        block: dict[str, Any] = {
            "day": np.full(rows_n, m.day, np.int64),
            "year": np.full(rows_n, round(m.day / 365.0, 4)),
            "building": np.repeat(["all"] + [str(b) for b in range(n_b)] * per_b, 3),
            "group": np.tile(np.array(GROUPS), n_blocks),
        }
        for col, v in cols.items():
            block[col] = v.reshape(-1)
        events = {col: counts.get(key, 0.0) for col, key in EVENT_COLUMNS.items()}
        events.update({"move_outs": m.counters["move_outs"], "evictions": m.counters["evictions"],
                       "move_ins": m.counters["move_ins"], "professional_hours": hours,
                       "cost_eur": cost})
        for col, v in events.items():
            arr = np.full(rows_n, np.nan)
            arr[0] = v
            block[col] = arr
        self.rows.append(block)

    def frame(self) -> pd.DataFrame:
        if not self.rows:
            return pd.DataFrame()
        cols = self.rows[0].keys()
        df = pd.DataFrame({c: np.concatenate([b[c] for b in self.rows]) for c in cols})
        for col in ("building", "group"):
            df[col] = df[col].astype("category")
        return df
