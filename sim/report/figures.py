"""The report's figures (matplotlib, no display needed), each drawn from the stored results
and the tables of sim/report/analysis.py, with human labels only."""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats as sps

from sim.experiments.store import Results
from sim.report import labels
from sim.report.analysis import Variant

TRAJECTORIES = [
    ("ties_ge1", "supported"),
    ("lonely", "all"),
    ("weekly_contact", "all"),
    ("nuisance_exposed", "all"),
    ("sense_of_home", "all"),
    ("overburdened", "all"),
]
plt.rcParams.update({"font.size": 10, "axes.spines.top": False, "axes.spines.right": False})


def _colours(n: int) -> list:
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def _wrap(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _legend_below(fig: plt.Figure, ax, per_row: float) -> plt.Figure:
    """One legend for all panels, under them, three arms a row."""
    handles, names = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        [_wrap(n, 45) for n in names],
        loc="lower center",
        ncol=min(3, len(names)),
        fontsize=8,
        frameon=False,
    )
    fig.tight_layout(rect=(0, 0.04 + per_row * ((len(names) + 2) // 3), 1, 1))
    return fig


def _title(outcome: str, group: str) -> str:
    lab = labels.outcome(outcome)
    who = labels.group(group)
    return _wrap(
        f"{who.capitalize()}: {lab.en}"
        if lab.kind == "share"
        else f"{lab.en.capitalize()} ({who})",
        40,
    )


def _scale(outcome: str) -> float:
    return 100.0 if labels.outcome(outcome).kind == "share" else 1.0


def _band(res: Results, v: Variant, outcome: str, group: str) -> tuple | None:
    """Year, mean over seeds and the 95% interval of the mean (4-week moving average)."""
    ts = res.timeseries
    lp = res.runs.drop_duplicates("run").set_index("run")["lever_point"]
    d = ts[(ts["arm"] == v.arm) & (ts["run"].map(lp) == v.point) & (ts["group"] == group)]
    if d.empty or outcome not in d:
        return None
    scale = _scale(outcome)
    wide = (
        d.pivot_table(index="year", columns="seed", values=outcome, aggfunc="mean")
        .rolling(4, min_periods=1)
        .mean()
        * scale
    )
    m = wide.mean(axis=1)
    n = wide.notna().sum(axis=1).clip(lower=2)
    half = sps.t.ppf(0.975, n - 1) * wide.std(axis=1, ddof=1) / np.sqrt(n)
    top = 100.0 if scale == 100 else np.inf
    return m.index, m.values, (m - half).clip(lower=0).values, (m + half).clip(upper=top).values


def arm_panels(res: Results, vs: list[Variant], outcome: str, group: str) -> plt.Figure:
    """One small panel per intervention: its course next to the reference's, both with
    their 95% bands, so no panel holds more than two lines."""
    others = [v for v in vs if not v.reference][:24]
    cols = 4
    rows = max(1, (len(others) + cols - 1) // cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(13, 2.6 * rows + 0.8), sharex=True, sharey=True, squeeze=False
    )
    for ax, v in zip(axes.flat, others):
        from sim.report.analysis import reference_for

        ref = reference_for(vs, v)
        for who, colour, lw in ((ref, "#7f8c8d", 1.6), (v, "#1f6fb2", 2.2)):
            b = _band(res, who, outcome, group) if who is not None else None
            if b is None:
                continue
            x, m, lo, hi = b
            ax.plot(x, m, color=colour, lw=lw)
            ax.fill_between(x, lo, hi, color=colour, alpha=0.2, lw=0)
        ax.set_title(_wrap(v.label, 38), fontsize=8.5)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(others) :]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("%" if _scale(outcome) == 100 else "")
    for ax in axes[-1]:
        ax.set_xlabel("year")
    fig.suptitle(
        f"{_title(outcome, group)} — blue: with the intervention; grey: the reference", fontsize=10
    )
    fig.tight_layout()
    return fig


def trajectories(res: Results, vs: list[Variant], shown=TRAJECTORIES) -> plt.Figure:
    """Mean over seeds per arm with its 95% band, year by year (4-week moving average)."""
    keep = vs if len(vs) <= 12 else [v for v in vs if v.point == 0 or v.reference]
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.2), sharex=True)
    colours = _colours(len(keep))
    for ax, (outcome, group) in zip(axes.flat, shown):
        scale = _scale(outcome)
        for i, v in enumerate(keep):
            b = _band(res, v, outcome, group)
            if b is None:
                continue
            x, m, lo, hi = b
            ax.plot(
                x,
                m,
                color=colours[i],
                lw=2.6 if v.reference else 1.4,
                label=v.label,
                ls="-" if v.reference or i < 10 else "--",
            )
            ax.fill_between(x, lo, hi, color=colours[i], alpha=0.15, lw=0)
        ax.set_title(_title(outcome, group), fontsize=10)
        ax.set_ylabel("%" if scale == 100 else labels.outcome(outcome).kind)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("year")
    return _legend_below(fig, axes.flat[0], 0.035)


def forest(
    eff: pd.DataFrame, vs: list[Variant], shown, window: str, reference_label: str
) -> plt.Figure:
    """Each variant's paired effect against the reference with its 95% interval."""
    others = [v for v in vs if not v.reference]
    cols = 3
    rows = (len(shown) + cols - 1) // cols
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(13, 1.2 + rows * (0.32 * len(others) + 1.2)),
        sharey=True,
        squeeze=False,
    )
    ylabels = [_wrap(v.label, 40) for v in others]
    y = np.arange(len(others))[::-1]
    for ax, (outcome, group) in zip(axes.flat, shown):
        lab = labels.outcome(outcome)
        scale = _scale(outcome)
        for yi, v in zip(y, others):
            r = eff[
                (eff["arm"] == v.arm)
                & (eff["point"] == v.point)
                & (eff["outcome"] == outcome)
                & (eff["group"] == group)
                & (eff["window"] == window)
            ]
            if r.empty:
                continue
            r = r.iloc[0]
            good = np.sign(r["effect"]) * lab.better
            clear = (r["low"] > 0 or r["high"] < 0) and np.isfinite(r["low"])
            colour = ("#1a7f37" if good > 0 else "#c0392b") if clear else "#7f8c8d"
            ax.errorbar(
                r["effect"] * scale,
                yi,
                xerr=[[(r["effect"] - r["low"]) * scale], [(r["high"] - r["effect"]) * scale]],
                fmt="o",
                color=colour,
                ms=5,
                capsize=3,
            )
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(_title(outcome, group), fontsize=9.5)
        unit = (
            "percentage points"
            if scale == 100
            else (
                "a year"
                if lab.kind == "rate"
                else "households"
                if lab.kind == "count"
                else "on a 0-1 scale"
                if lab.kind == "score"
                else ""
            )
        )
        ax.set_xlabel(f"difference ({unit})", fontsize=8.5)
        ax.grid(axis="x", alpha=0.3)
        ax.set_yticks(y, ylabels, fontsize=8)
    for ax in list(axes.flat)[len(shown) :]:
        ax.axis("off")
    fig.suptitle(
        f"Effect against {reference_label}, paired by seed (dot: mean; bar: 95% "
        "interval; green: clearly better, red: clearly worse, grey: not clear)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def cost_figure(cost: pd.DataFrame, vs: list[Variant]) -> plt.Figure | None:
    """Euros a year per extra unit with 95% intervals, one panel per unit (log scale: the
    units differ a hundredfold); an arrow marks an interval without upper bound."""
    if cost.empty:
        return None
    from matplotlib.ticker import FuncFormatter

    units = list(dict.fromkeys(cost["unit"]))
    keys = list(dict.fromkeys(zip(cost["arm"], cost["point"])))
    by = {(v.arm, v.point): v for v in vs}
    fig, axes = plt.subplots(
        1, len(units), figsize=(13, 0.42 * len(keys) + 1.8), sharey=True, squeeze=False
    )
    y = np.arange(len(keys))[::-1]
    for ax, unit in zip(axes[0], units):
        d = cost[cost["unit"] == unit].set_index(["arm", "point"])
        vals = d[np.isfinite(d["value"])]
        finite_hi = vals["high"][np.isfinite(vals["high"])]
        lo_all = (
            np.nanmin(np.r_[vals["low"].dropna().to_numpy(), vals["value"].to_numpy()])
            if len(vals)
            else 100.0
        )
        top = (
            max(
                float(np.nanmax(np.r_[finite_hi.to_numpy(), vals["value"].to_numpy()]))
                if len(vals)
                else 1000.0,
                10.0,
            )
            * 2
        )
        left = max(min(lo_all, top / 100) / 2, 1.0)
        for yi, k in zip(y, keys):
            if k not in d.index:
                continue
            r = d.loc[k]
            if not np.isfinite(r["value"]):
                ax.text(left * 1.1, yi, "no extra effect", va="center", fontsize=8, color="#7f8c8d")
                continue
            lo = r["low"] if np.isfinite(r["low"]) and r["low"] > 0 else r["value"]
            hi = r["high"] if np.isfinite(r["high"]) else top
            ax.plot([lo, hi], [yi, yi], color="#2c3e50", lw=2)
            ax.plot(r["value"], yi, "o", color="#2c3e50")
            if not np.isfinite(r["high"]):
                ax.annotate(
                    "",
                    xy=(top, yi),
                    xytext=(top / 1.3, yi),
                    arrowprops={"arrowstyle": "->", "color": "#2c3e50"},
                )
        ax.set_xscale("log")
        ax.set_xlim(left, top)
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda x, _: f"€{x / 1000:g}k" if x >= 1000 else f"€{x:g}")
        )
        ax.set_title(_wrap(f"euros a year {unit}", 40), fontsize=9.5)
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].set_yticks(y, [_wrap(by[k].label, 40) for k in keys], fontsize=8)
    fig.suptitle(
        "Cost per unit of effect (dot: estimate; line: 95% interval; arrow: no upper bound)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def tradeoffs(eff: pd.DataFrame, vs: list[Variant], window: str) -> plt.Figure:
    """What an arm gains against what it costs in other terms: help exchanged vs carer
    burden, contact vs nuisance (effects against the reference, with 95% intervals)."""
    pairs = [
        (("help_given", "all"), ("overburdened", "all")),
        (("weekly_contact", "all"), ("nuisance_exposed", "all")),
    ]
    others = [v for v in vs if not v.reference]
    colours = _colours(len(others))
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.6))
    for ax, ((xo, xg), (yo, yg)) in zip(axes, pairs):
        for c, v in zip(colours, others):
            sel = eff[(eff["arm"] == v.arm) & (eff["point"] == v.point) & (eff["window"] == window)]
            rx = sel[(sel["outcome"] == xo) & (sel["group"] == xg)]
            ry = sel[(sel["outcome"] == yo) & (sel["group"] == yg)]
            if rx.empty or ry.empty:
                continue
            rx, ry = rx.iloc[0], ry.iloc[0]
            sx, sy = _scale(xo), _scale(yo)
            ax.errorbar(
                rx["effect"] * sx,
                ry["effect"] * sy,
                xerr=[[(rx["effect"] - rx["low"]) * sx], [(rx["high"] - rx["effect"]) * sx]],
                yerr=[[(ry["effect"] - ry["low"]) * sy], [(ry["high"] - ry["effect"]) * sy]],
                fmt="o",
                color=c,
                capsize=2,
                label=v.label,
            )
        ax.axhline(0, color="black", lw=0.7)
        ax.axvline(0, color="black", lw=0.7)
        for o, _g, setter in ((xo, xg, ax.set_xlabel), (yo, yg, ax.set_ylabel)):
            unit = "percentage points" if _scale(o) == 100 else "a year"
            short = {
                "overburdened": "helpers carrying too much",
                "nuisance_exposed": "households bothered by nuisance",
                "help_given": "help between neighbours",
                "weekly_contact": "households in weekly contact",
            }.get(o, labels.outcome(o).en)
            setter(_wrap(f"change in {short}, {unit}", 45))
        ax.grid(alpha=0.3)
    axes[0].set_title(
        "Help exchanged vs carer burden\n(right = more help; up = more helpers carrying too much)",
        fontsize=10,
    )
    axes[1].set_title(
        "Contact vs nuisance\n(right = more contact; up = more nuisance)", fontsize=10
    )
    return _legend_below(fig, axes[0], 0.04)


def sensitivity_figure(
    sens: pd.DataFrame, factor_labels: dict[str, str], top: int = 12
) -> plt.Figure | None:
    if sens.empty:
        return None
    keys = list(dict.fromkeys(zip(sens["outcome"], sens["group"])))
    index = "mu_star" if "mu_star" in set(sens["index"]) else "ST"
    fig, axes = plt.subplots(1, len(keys), figsize=(4.6 * len(keys), 0.34 * top + 2), squeeze=False)
    for ax, (outcome, group) in zip(axes[0], keys):
        d = sens[
            (sens["outcome"] == outcome) & (sens["group"] == group) & (sens["index"] == index)
        ].nlargest(top, "value")[::-1]
        scale = _scale(outcome)
        ax.barh(
            np.arange(len(d)),
            d["value"] * scale,
            xerr=d["conf"] * scale,
            color="#34699a",
            ecolor="#555",
            capsize=2,
        )
        ax.set_yticks(
            np.arange(len(d)),
            [_wrap(factor_labels.get(p, p), 38) for p in d["parameter"]],
            fontsize=7.5,
        )
        ax.set_title(_title(outcome, group), fontsize=9.5)
        what = (
            "mean absolute elementary effect (μ*)"
            if index == "mu_star"
            else "total-order Sobol index"
        )
        ax.set_xlabel(
            what + (" in percentage points" if scale == 100 and index == "mu_star" else ""),
            fontsize=8.5,
        )
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def grid_figure(
    eff: pd.DataFrame, res: Results, vs: list[Variant], outcome: str, group: str, window: str
) -> plt.Figure | None:
    """For a grid over two levers: the effect on one outcome at each grid point."""
    lever_cols = [c for c in res.runs.columns if str(c).startswith("lever:")]
    if len(lever_cols) != 2:
        return None
    pts = res.runs.drop_duplicates("lever_point").set_index("lever_point")[lever_cols]
    d = eff[(eff["outcome"] == outcome) & (eff["group"] == group) & (eff["window"] == window)]
    if d.empty:
        return None
    arms = list(dict.fromkeys(d["arm"]))
    fig, axes = plt.subplots(1, len(arms), figsize=(6.5 * len(arms), 4.8), squeeze=False)
    factors = res.meta.get("levers", {}).get("factors", {})
    names = [
        factors.get(c.removeprefix("lever:"), {}).get("label")
        or labels.parameter(c.removeprefix("lever:"))
        for c in lever_cols
    ]
    scale = _scale(outcome)
    for ax, arm in zip(axes[0], arms):
        a = d[d["arm"] == arm].set_index("point").join(pts)
        table = a.pivot_table(index=lever_cols[1], columns=lever_cols[0], values="effect")
        sign = -1.0 if labels.outcome(outcome).better < 0 else 1.0
        vals = table.to_numpy() * scale * sign
        lim = float(np.nanmax(np.abs(vals))) or 1.0
        # centred on no change: green is better, red worse, whatever the outcome's sign
        im = ax.imshow(vals, origin="lower", cmap="RdYlGn", aspect="auto", vmin=-lim, vmax=lim)
        ax.set_xticks(range(table.shape[1]), [f"{v:g}" for v in table.columns])
        ax.set_yticks(range(table.shape[0]), [f"{v:g}" for v in table.index])
        ax.set_xlabel(names[0])
        ax.set_ylabel(_wrap(names[1], 40))
        for (i, j), val in np.ndenumerate(table.to_numpy() * scale):
            ax.text(j, i, f"{val:+.1f}", ha="center", va="center", fontsize=9)
        unit = "percentage points" if scale == 100 else "change"
        fig.colorbar(
            im,
            ax=ax,
            label=unit + (" (green: better)" if sign > 0 else ", sign flipped (green: better)"),
        )
        v = next(x for x in vs if x.arm == arm)
        ax.set_title(
            _wrap(f"{v.label.split(' (')[0]}: change in {_title(outcome, group)}", 60), fontsize=10
        )
    fig.tight_layout()
    return fig
