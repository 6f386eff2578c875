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
    "conflicts": "nuisance episodes between households already at odds",
    "avoided": "encounters dodged in the period",
    "move_outs": "voluntary move-outs, cumulative",
    "evictions": "evictions, cumulative",
    "move_ins": "move-ins, cumulative",
    "professional_hours": "professional hours spent by interventions, cumulative",
    "cost_eur": "intervention cost, cumulative (euros)",
}


class OutcomeCollector:
    def __init__(self, model: "NeighbourhoodModel"):
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
        reciprocity = np.where(exchanged > 0, 1 - np.abs(given - received)
                               / np.maximum(exchanged, 1), np.nan)
        counts = self.week_counts
        self.week_counts = {}
        hours = sum(iv.counters.get("hours", 0.0) for iv in m.interventions)
        cost = sum(iv.cost for iv in m.interventions)
        n_b = int(m.site.dwelling_building.max()) + 1
        buildings: list[tuple[str, np.ndarray]] = [("all", np.ones(len(occ), bool))]
        if n_b > 1:
            buildings += [(str(b), m.site.dwelling_building == b) for b in range(n_b)]
        recent_pos = hh.pos_recent
        for bname, in_b in buildings:
            for group in GROUPS:
                sel = occ & in_b
                if group == "resident":
                    sel = sel & ~hh.supported
                elif group == "supported":
                    sel = sel & hh.supported
                k = int(sel.sum())
                row: dict[str, Any] = {"day": m.day, "year": round(m.day / 365.0, 4),
                                       "building": bname, "group": group, "households": k}

                def mean(x: np.ndarray) -> float:
                    return float(np.nanmean(x[sel])) if k else float("nan")

                row["ties_ge1"] = mean(deg >= 1)
                row["ties_ge3"] = mean(deg >= 3)
                row["mean_ties"] = mean(deg.astype(float))
                row["lonely"] = mean(deg == 0)
                row["weekly_contact"] = mean(m.day - hh.last_talk_day < 7)
                row["help_received_total"] = mean(received)
                row["reciprocity"] = (float(np.nanmean(reciprocity[sel]))
                                      if k and np.isfinite(reciprocity[sel]).any() else float("nan"))
                helpers = sel & (given > 0)
                row["overburdened"] = (float(np.mean(hh.burden[helpers]
                                                     >= m.config.help.burden_limit))
                                       if helpers.any() else 0.0)
                for col in ("sense_of_home", "safety", "trust_neighbours", "trust_institutions",
                            "wellbeing", "avoidance"):
                    row[col] = mean(getattr(hh, col))
                row["nuisance_exposed"] = mean(hh.neg_recent >= 0.25)
                sup_sel = sel & hh.supported
                row["recovery"] = (float(hh.recovery[sup_sel].mean()) if sup_sel.any()
                                   else float("nan"))
                row["hidden_need"] = mean(hh.hidden_need & ~hh.need_surfaced)
                row["need_surfaced"] = mean(hh.need_surfaced)
                row["referred"] = mean(hh.referred)
                if bname == "all" and group == "all":
                    row.update({
                        "encounters": counts.get("encounters", 0.0),
                        "greetings": counts.get("greet", 0.0),
                        "small_talk": counts.get("talk", 0.0),
                        "help_given": counts.get("help", 0.0),
                        "help_unmet": counts.get("help_unmet", 0.0),
                        "nuisance_episodes": counts.get("nuisance", 0.0),
                        "conflicts": counts.get("conflict", 0.0),
                        "avoided": counts.get("avoided", 0.0),
                        "move_outs": m.counters["move_outs"],
                        "evictions": m.counters["evictions"],
                        "move_ins": m.counters["move_ins"],
                        "professional_hours": hours,
                        "cost_eur": cost,
                    })
                self.rows.append(row)

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows)
        for col in ("building", "group"):
            df[col] = df[col].astype("category")
        return df
