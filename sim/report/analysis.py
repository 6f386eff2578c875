"""From stored results to the report's tables: levels per arm, paired effects against the
reference, cost per unit of effect, sensitivity indices. Nothing here draws or writes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.experiments.store import Results
from sim.report import labels, stats

# cost per unit of effect: (outcome the unit counts, window, group, English, Dutch)
COST_UNITS = [
    (
        "households_with_tie",
        "last_year",
        "all",
        "per extra household with a neighbour tie",
        "per extra huishouden met een buur met wie het klikt",
    ),
    ("evictions", "all_years", "all", "per prevented eviction", "per voorkomen huisuitzetting"),
    (
        "households_referred",
        "last_year",
        "all",
        "per extra household referred to help",
        "per extra huishouden doorverwezen naar hulp",
    ),
]
# the outcomes the effects table and forest plot show, with their group
KEY_EFFECTS = [
    ("ties_ge1", "supported"),
    ("lonely", "all"),
    ("weekly_contact", "all"),
    ("nuisance_exposed", "all"),
    ("sense_of_home", "all"),
    ("overburdened", "all"),
    ("evictions", "all"),
    ("referred", "all"),
]


@dataclass
class Variant:
    """One arm at one design point: what a row of the report is about."""

    arm: str
    point: int
    label: str
    label_nl: str
    reference: bool
    has_cost: bool


def _lever_text(row: pd.Series, meta: dict, lang: str) -> str:
    parts = []
    factors = meta.get("levers", {}).get("factors", {})
    for col in row.index:
        if not str(col).startswith("lever:") or pd.isna(row[col]):
            continue
        path = col.removeprefix("lever:")
        f = factors.get(path, {})
        name = (f.get("label_nl") if lang == "nl" else f.get("label")) or labels.parameter(path)
        v = row[col]
        parts.append(f"{name} {v:g}" if isinstance(v, (int, float)) else f"{name} {v}")
    return ", ".join(parts)


def variants(res: Results) -> list[Variant]:
    """The (arm, lever point) pairs of the sweep, labelled; uncertainty points are pooled
    (a sensitivity experiment varies them on purpose)."""
    meta = res.meta
    arms = {a["name"]: a for a in meta.get("arms", [])}
    ref = meta.get("reference")
    runs = res.runs.drop_duplicates(["arm", "lever_point"])
    out = []
    for _, r in runs.iterrows():
        a = arms.get(r["arm"], {})
        en = a.get("label") or r["arm"].replace("_", " ")
        nl = a.get("label_nl") or en
        lev_en, lev_nl = _lever_text(r, meta, "en"), _lever_text(r, meta, "nl")
        if lev_en:
            en, nl = f"{en} ({lev_en})", f"{nl} ({lev_nl})"
        cost = res.outcomes[
            (res.outcomes["arm"] == r["arm"]) & (res.outcomes["outcome"] == "cost_keur")
        ]["value"]
        out.append(
            Variant(
                r["arm"],
                int(r["lever_point"]),
                en,
                nl,
                r["arm"] == ref,
                bool(len(cost)) and float(cost.mean()) > 0,
            )
        )
    return out


def _indexed(res: Results) -> pd.Series:
    """Readings by (arm, lever point, window, group, outcome, seed), averaged over
    uncertainty points; built once per Results."""
    cached = getattr(res, "_indexed", None)
    if cached is None:
        lp = res.runs.set_index("run")["lever_point"]
        o = res.outcomes.assign(lever_point=res.outcomes["run"].map(lp))
        cached = (
            o.groupby(["arm", "lever_point", "window", "group", "outcome", "seed"])["value"]
            .mean()
            .sort_index()
        )
        res._indexed = cached
    return cached


def _values(res: Results, v: Variant, window: str, group: str, outcome: str) -> pd.Series:
    """One value per seed (mean over uncertainty points), indexed by seed."""
    try:
        return _indexed(res).loc[(v.arm, v.point, window, group, outcome)]
    except KeyError:
        return pd.Series(dtype=float)


def reference_for(vs: list[Variant], v: Variant) -> Variant | None:
    """The reference arm at the same lever point (or its only point)."""
    refs = [r for r in vs if r.reference]
    same = [r for r in refs if r.point == v.point]
    return (same or refs or [None])[0]


def levels(res: Results, vs: list[Variant]) -> pd.DataFrame:
    rows = []
    for v in vs:
        for (window, group, outcome), _ in res.outcomes.groupby(["window", "group", "outcome"]):
            x = _values(res, v, window, group, outcome)
            if x.empty:
                continue
            span = _span(res, window)
            m, lo, hi = stats.level_interval(x.to_numpy(), labels.outcome(outcome).kind, span)
            rows.append(
                {
                    "arm": v.arm,
                    "point": v.point,
                    "window": window,
                    "group": group,
                    "outcome": outcome,
                    "n": len(x),
                    "mean": m,
                    "low": lo,
                    "high": hi,
                }
            )
    return pd.DataFrame(rows)


def _span(res: Results, window: str) -> float:
    a, b = res.meta.get("windows", {}).get(window, (0.0, 1.0))
    return float(b) - float(a)


def effects(res: Results, vs: list[Variant]) -> pd.DataFrame:
    """Every non-reference variant against its reference, paired by seed."""
    rows = []
    keys = res.outcomes[["window", "group", "outcome"]].drop_duplicates()
    for v in vs:
        ref = reference_for(vs, v)
        if v.reference or ref is None:
            continue
        for _, k in keys.iterrows():
            a = _values(res, v, k["window"], k["group"], k["outcome"])
            r = _values(res, ref, k["window"], k["group"], k["outcome"])
            common = a.index.intersection(r.index)
            if len(common) == 0:
                continue
            a, r = a.loc[common].to_numpy(), r.loc[common].to_numpy()
            e, lo, hi = stats.paired_effect(a, r)
            base = float(r.mean())
            rel, rlo, rhi = (
                (e / base, lo / base, hi / base) if base > 0 else (np.nan, np.nan, np.nan)
            )
            rows.append(
                {
                    "arm": v.arm,
                    "point": v.point,
                    "window": k["window"],
                    "group": k["group"],
                    "outcome": k["outcome"],
                    "n": len(common),
                    "reference_mean": float(r.mean()),
                    "effect": e,
                    "low": lo,
                    "high": hi,
                    "relative": rel,
                    "rel_low": rlo,
                    "rel_high": rhi,
                }
            )
    return pd.DataFrame(rows)


PRIMARY = "primary"  # the `outcome` of the cost unit made from the headline outcome


def costs(res: Results, vs: list[Variant]) -> pd.DataFrame:
    """Euros a year (averaged over the run) per unit of extra effect a year, for variants
    that cost something: the units of COST_UNITS and, first, extra members of the
    headline's group with the headline outcome (outcome "primary")."""
    out = res.meta.get("outcomes", {})
    p, pg = out.get("primary", "ties_ge1"), out.get("primary_group", "supported")
    units = [(PRIMARY, "last_year", pg, labels.cost_unit(p, pg), labels.cost_unit(p, pg, "nl"))]
    units += [
        u
        for u in COST_UNITS
        if not (u[0] == "households_with_tie" and p == "ties_ge1" and pg == "all")
    ]
    rows = []
    for v in vs:
        ref = reference_for(vs, v)
        if v.reference or ref is None or not v.has_cost:
            continue
        for outcome, window, group, en, nl in units:
            # the average cost a year over the whole run: one-off works (a bench, glazing)
            # count, though they fall before the last year
            ca, cr = (_values(res, x, "all_years", "all", "cost_keur") for x in (v, ref))
            if outcome == PRIMARY:
                # the share's change counted in the reference's households (on the same
                # seed): the headline's change in people, not a change in who lives there
                ea, er = (_values(res, x, window, group, p) for x in (v, ref))
                if labels.outcome(p).kind == "share":
                    hh = _values(res, ref, window, group, "households")
                    ea, er = ea * hh, er * hh
            else:
                ea, er = (_values(res, x, window, group, outcome) for x in (v, ref))
            common = ca.index.intersection(cr.index).intersection(ea.index).intersection(er.index)
            if len(common) == 0:
                continue
            better = labels.outcome(p if outcome == PRIMARY else outcome).better
            sign = -1.0 if better < 0 else 1.0  # prevented = fewer
            c = stats.cost_per_unit(
                ca.loc[common].to_numpy() * 1000,
                cr.loc[common].to_numpy() * 1000,
                sign * ea.loc[common].to_numpy(),
                sign * er.loc[common].to_numpy(),
            )
            rows.append(
                {
                    "arm": v.arm,
                    "point": v.point,
                    "unit": en,
                    "unit_nl": nl,
                    "outcome": outcome,
                    "window": window,
                    "cost_keur_year": float(ca.loc[common].mean()),
                    **c,
                }
            )
    return pd.DataFrame(rows)


def sensitivity(
    res: Results, outcomes: list[tuple[str, str]], arm: str | None = None
) -> pd.DataFrame:
    """Morris (mu*, sigma) or Sobol (S1, ST) indices with 95% intervals per outcome, from
    the mean over seeds at each uncertainty point of the reference arm, or (`arm`) of that
    arm's effect: arm minus reference at the same point."""
    meta = res.meta.get("uncertainties", {})
    design, factors = meta.get("design"), meta.get("factors", {})
    if design not in ("morris", "sobol") or not factors:
        return pd.DataFrame()
    from sim.experiments.designs import problem
    from sim.experiments.spec import Factor

    prob = problem({k: Factor(**f) for k, f in factors.items()})
    first = res.runs[res.runs["lever_point"] == 0]
    runs = first[first["arm"] == res.meta.get("reference")]
    cols = [f"uncertainty:{p}" for p in prob["names"]]
    pts = runs.drop_duplicates("uncertainty_point").sort_values("uncertainty_point")
    X = pts[cols].to_numpy(dtype=float)
    o = res.outcomes[(res.outcomes["window"] == "last_year")]

    def at_points(which: str, outcome: str, group: str) -> pd.Series:
        mine = first[first["arm"] == which][["run", "uncertainty_point"]]
        sel = o[(o["outcome"] == outcome) & (o["group"] == group)].merge(mine, on="run")
        return sel.groupby("uncertainty_point")["value"].mean().sort_index()

    rows = []
    for outcome, group in outcomes:
        y = at_points(res.meta.get("reference"), outcome, group)
        if arm is not None:
            y = at_points(arm, outcome, group) - y
        if len(y) != len(pts) or y.isna().any():
            continue  # a failed run leaves a hole the method cannot bridge
        Y = y.to_numpy()
        if design == "morris":
            from SALib.analyze import morris

            si = morris.analyze(
                prob, X, Y, num_levels=int(meta.get("levels", 4)), conf_level=0.95, seed=1
            )
            for i, name in enumerate(prob["names"]):
                rows.append(
                    {
                        "outcome": outcome,
                        "group": group,
                        "parameter": name,
                        "index": "mu_star",
                        "value": float(si["mu_star"][i]),
                        "conf": float(si["mu_star_conf"][i]),
                        "sigma": float(si["sigma"][i]),
                    }
                )
        else:
            from SALib.analyze import sobol

            si = sobol.analyze(prob, Y, calc_second_order=False, conf_level=0.95, seed=1)
            for i, name in enumerate(prob["names"]):
                for idx in ("S1", "ST"):
                    rows.append(
                        {
                            "outcome": outcome,
                            "group": group,
                            "parameter": name,
                            "index": idx,
                            "value": float(si[idx][i]),
                            "conf": float(si[f"{idx}_conf"][i]),
                            "sigma": np.nan,
                        }
                    )
    return pd.DataFrame(rows)
