"""One small function per pattern, computed from a finished run the way its study measured
it. Each takes plain frames (see observe.Observation for their columns), so a test can hand
it a toy table with a known answer; `measure` applies them all to one observation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.validation.observe import Observation

DISTANCES = (1, 2, 3, 4)  # 4 stands for "4 or more doors"


# --- proximity ---------------------------------------------------------------------------
def gallery_pairs(households: pd.DataFrame) -> pd.DataFrame:
    """Ordered pairs of households on the same gallery (same building, circulation unit and
    floor) with their door distance (|position difference|) and whether their routes out
    use the same core."""
    h = households[["dwelling", "building", "circulation", "floor", "position", "core"]]
    m = h.merge(h, on=["building", "circulation", "floor"], suffixes=("_a", "_b"))
    m = m[m["dwelling_a"] != m["dwelling_b"]]
    return pd.DataFrame(
        {
            "from_dwelling": m["dwelling_a"].to_numpy(),
            "to_dwelling": m["dwelling_b"].to_numpy(),
            "distance": (m["position_a"] - m["position_b"]).abs().to_numpy(),
            "same_core": (m["core_a"] == m["core_b"]).to_numpy(),
        }
    )


def _with_ties(pairs: pd.DataFrame, ties: pd.DataFrame, threshold: float) -> pd.DataFrame:
    strong = ties.loc[ties["positive"] >= threshold, ["from_dwelling", "to_dwelling"]]
    strong = strong.assign(tie=True)
    out = pairs.merge(strong, on=["from_dwelling", "to_dwelling"], how="left")
    out["tie"] = out["tie"].astype("boolean").fillna(False).astype(bool)
    return out


def tie_share_by_distance(pairs: pd.DataFrame, ties: pd.DataFrame, threshold: float) -> pd.Series:
    """Share of same-gallery ordered pairs at door distance 1, 2, 3, >= 4 where the first
    holds a tie (positive >= threshold) to the second: the share of residents naming a
    neighbour at that distance (Festinger et al. counted choices over possible choices)."""
    p = _with_ties(pairs, ties, threshold)
    d = np.minimum(p["distance"].to_numpy(), DISTANCES[-1])
    return pd.Series(
        {k: float(p["tie"][d == k].mean()) if (d == k).any() else math.nan for k in DISTANCES}
    )


def next_door_share_by_core(
    pairs: pd.DataFrame, ties: pd.DataFrame, threshold: float
) -> tuple[float, float]:
    """Tie share of next-door pairs (same core, different cores)."""
    p = _with_ties(pairs[pairs["distance"] == 1], ties, threshold)
    same = p.loc[p["same_core"], "tie"]
    other = p.loc[~p["same_core"], "tie"]
    return (
        float(same.mean()) if len(same) else math.nan,
        float(other.mean()) if len(other) else math.nan,
    )


def smallest_drop(shares: pd.Series) -> float:
    """min over consecutive distances of share(d) - share(d + 1): positive when the share
    falls with every door."""
    v = shares.to_numpy(float)
    return float(np.min(v[:-1] - v[1:]))


# --- contact -----------------------------------------------------------------------------
def _total(ts: pd.DataFrame, col: str) -> float:
    return float(ts[col].fillna(0).sum()) if col in ts else 0.0


def negative_share_of_contacts(ts: pd.DataFrame) -> float:
    """Nuisance episodes / all contacts with a valence (greetings, small talk, help,
    nuisance), over the run."""
    neg = _total(ts, "nuisance_episodes")
    pos = _total(ts, "greetings") + _total(ts, "small_talk") + _total(ts, "help_given")
    return neg / (pos + neg) if pos + neg > 0 else math.nan


def negative_share_of_encounters(ts: pd.DataFrame) -> float:
    """As negative_share_of_contacts, encounters only (no help, no nuisance through walls)."""
    neg = _total(ts, "nuisance_episodes") - _total(ts, "living_nuisance")
    pos = _total(ts, "greetings") + _total(ts, "small_talk")
    return neg / (pos + neg) if pos + neg > 0 else math.nan


def negative_share_of_conversations(ts: pd.DataFrame) -> float:
    """As negative_share_of_contacts without greetings (a nod is hardly a 'contact
    experience' in a survey's sense)."""
    neg = _total(ts, "nuisance_episodes")
    pos = _total(ts, "small_talk") + _total(ts, "help_given")
    return neg / (pos + neg) if pos + neg > 0 else math.nan


def households_with_negative_tie(
    ties: pd.DataFrame, households: pd.DataFrame, avoid_threshold: float
) -> float:
    """Share of households holding a negative tie at or above the avoidance threshold."""
    if len(households) == 0:
        return math.nan
    holders = ties.loc[ties["negative"] >= avoid_threshold, "from_dwelling"].unique()
    return float(np.isin(households["dwelling"].to_numpy(), holders).mean())


def mean_last_year(ts: pd.DataFrame, col: str, years: float) -> float:
    """Mean of a weekly outcome over the run's last year (all of it if shorter)."""
    sel = ts[ts["group"] == "all"] if "group" in ts else ts
    sel = sel[sel["year"] > years - 1.0]
    return float(sel[col].mean()) if len(sel) else math.nan


def mean_over_run(ts: pd.DataFrame, col: str) -> float:
    sel = ts[ts["group"] == "all"] if "group" in ts else ts
    return float(sel[col].mean()) if len(sel) else math.nan


def help_needs_met(ts: pd.DataFrame) -> float:
    given, unmet = _total(ts, "help_given"), _total(ts, "help_unmet")
    return given / (given + unmet) if given + unmet > 0 else math.nan


def group_gap(ts: pd.DataFrame, col: str, years: float) -> float:
    """Supported newcomers minus regular tenants in a weekly outcome, last year's mean."""
    sel = ts[ts["year"] > years - 1.0]
    sup = sel.loc[sel["group"] == "supported", col].mean()
    res = sel.loc[sel["group"] == "resident", col].mean()
    return float(sup - res)


def tenure_gap(households: pd.DataFrame, long: float = 5.0, short: float = 1.0) -> float:
    """Mean positive ties of households living there >= `long` years minus those living
    there < `short` years."""
    t = households["tenure_years"]
    old, new = (
        households.loc[t >= long, "positive_ties"],
        households.loc[t < short, "positive_ties"],
    )
    return float(old.mean() - new.mean()) if len(old) and len(new) else math.nan


# --- the ledger: nuisance, help, moving ----------------------------------------------
def whole_window(ledger: pd.DataFrame) -> pd.DataFrame:
    """Households that lived there the whole last-12-months window (a survey's sample)."""
    return ledger[ledger["at_window_start"] & ~ledger["left"]]


def in_window(ledger: pd.DataFrame, window_start: int) -> pd.DataFrame:
    """Households that lived there at any time during the window."""
    return ledger[ledger["at_window_start"] | (ledger["first_day"] >= window_start)]


def share_bothered(ledger: pd.DataFrame, min_days: int = 1) -> float:
    """Share of whole-window households with an episode received on >= min_days days."""
    w = whole_window(ledger)
    return float((w["bothered_days_window"] >= min_days).mean()) if len(w) else math.nan


def share_helped(ledger: pd.DataFrame) -> float:
    w = whole_window(ledger)
    return float(w["helped_window"].mean()) if len(w) else math.nan


def top_share(caused: np.ndarray, top: float = 0.05) -> float:
    """Share of all episodes caused by the top `top` fraction of households (rounded up)."""
    caused = np.sort(np.asarray(caused, float))[::-1]
    total = caused.sum()
    if len(caused) == 0 or total <= 0:
        return math.nan
    k = max(1, math.ceil(top * len(caused)))
    return float(caused[:k].sum() / total)


def share_causing(ledger: pd.DataFrame, min_episodes: int, supported: bool | None) -> float:
    """Share of whole-window households (of a group) that caused >= min_episodes."""
    w = whole_window(ledger)
    if supported is not None:
        w = w[w["supported"] == supported]
    return float((w["caused_window"] >= min_episodes).mean()) if len(w) else math.nan


def household_years(ledger: pd.DataFrame, end_day: int) -> pd.Series:
    """Years each household lived there during the run."""
    first = ledger["first_day"].clip(lower=0)
    last = ledger["last_day"].clip(upper=end_day)
    return (last - first).clip(lower=0) / 365.0


def move_out_rate(ledger: pd.DataFrame, end_day: int, supported: bool) -> float:
    """Households of a group leaving (for any reason) per household-year of that group."""
    g = ledger[ledger["supported"] == supported]
    years = household_years(g, end_day).sum()
    return float(g["left"].sum() / years) if years > 0 else math.nan


def supported_share_of_move_ins(ledger: pd.DataFrame) -> float:
    new = ledger[ledger["first_day"] > 0]
    return float(new["supported"].mean()) if len(new) else math.nan


def programme_referred(interventions: pd.DataFrame, kind: str = "social_renovation") -> float:
    """Referrals / households in the programme of an intervention (NaN without one)."""
    if len(interventions) == 0 or "type" not in interventions:
        return math.nan
    rows = interventions[interventions["type"] == kind]
    if len(rows) == 0 or "households_in_programme" not in rows:
        return math.nan
    base = float(rows["households_in_programme"].sum())
    ref = float(rows["referrals"].fillna(0).sum()) if "referrals" in rows else 0.0
    return ref / base if base > 0 else math.nan


# --- all of them ------------------------------------------------------------------------
RECURRING_EPISODES = 3  # episodes caused in 12 months that count as recurring nuisance
FREQUENT_DAYS = 12  # days with an episode in 12 months that count as "often bothered"


def measure(obs: Observation) -> dict[str, float]:
    """Every pattern of one run, plus the run-level quantities intervention targets pair."""
    pairs = gallery_pairs(obs.households)
    shares = tie_share_by_distance(pairs, obs.ties, obs.tie_threshold)
    same_core, other_core = next_door_share_by_core(pairs, obs.ties, obs.tie_threshold)
    ts = obs.timeseries
    end_day = round(obs.years * 365)
    led = obs.ledger
    window = in_window(led, obs.window_start)
    dwelling_years = obs.n_dwellings * max(obs.years, 1e-9)
    out = {
        "ties_by_door_1": shares[1],
        "ties_by_door_2": shares[2],
        "ties_by_door_3": shares[3],
        "ties_by_door_4plus": shares[4],
        "ties_fall_every_door": smallest_drop(shares),
        "door_decay_factor": shares[2] / shares[1] if shares[1] > 0 else math.nan,
        "ties_next_door_other_core": other_core,
        "ties_next_door_same_core": same_core,
        "negative_share_of_contacts": negative_share_of_contacts(ts),
        "negative_share_of_encounters": negative_share_of_encounters(ts),
        "negative_share_of_conversations": negative_share_of_conversations(ts),
        "households_with_negative_tie": households_with_negative_tie(
            obs.ties, obs.households, obs.avoid_threshold
        ),
        "weekly_contact": mean_last_year(ts, "weekly_contact", obs.years),
        "helped_neighbour_12m": share_helped(led),
        "help_needs_met": help_needs_met(ts),
        "weekly_contact_age_gap": obs.weekly_contact_by_age.get(2, math.nan)
        - obs.weekly_contact_by_age.get(0, math.nan),
        "ties_tenure_gap": tenure_gap(obs.households),
        "supported_ties_gap": group_gap(ts, "ties_ge1", obs.years),
        "nuisance_victims_12m": share_bothered(led, 1),
        "nuisance_frequent_12m": share_bothered(led, FREQUENT_DAYS),
        "nuisance_top5_share": top_share(window["caused_window"].to_numpy(), 0.05),
        "recurring_nuisance_residents": share_causing(led, RECURRING_EPISODES, False),
        "recurring_nuisance_supported": share_causing(led, RECURRING_EPISODES, True),
        "nuisance_causers_share": share_causing(led, 1, None),
        "move_outs_per_dwelling_year": obs.counters.get("move_outs", 0.0) / dwelling_years,
        "move_out_rate_residents": move_out_rate(led, end_day, False),
        "move_out_rate_supported": move_out_rate(led, end_day, True),
        "evictions_per_dwelling_year": obs.counters.get("evictions", 0.0) / dwelling_years,
        "supported_share_of_move_ins": supported_share_of_move_ins(led),
        # run-level quantities for the intervention targets
        "run_mean_ties_ge1": mean_over_run(ts, "ties_ge1"),
        "run_mean_weekly_contact": mean_over_run(ts, "weekly_contact"),
        "run_mean_sense_of_home": mean_over_run(ts, "sense_of_home"),
        "run_mean_nuisance_exposed": mean_over_run(ts, "nuisance_exposed"),
        "programme_referred": programme_referred(obs.interventions),
    }
    return {k: float(v) for k, v in out.items()}
