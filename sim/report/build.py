"""`goedeburen report results/<experiment>`: one self-contained HTML file (figures embedded
as base64 PNG; it opens offline, without a server) plus the figures as PNG files."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments.store import load
from sim.io import atomic_write_bytes, atomic_write_text
from sim.report import analysis, figures, labels
from sim.report.texts import ASSUMPTIONS, HOW_TO_READ, LEFT_OUT, STYLE

# the outcomes of the summary table after the headline's own, with their group
TABLE_REST = [
    ("ties_ge1", "supported"),
    ("lonely", "all"),
    ("nuisance_exposed", "all"),
    ("sense_of_home", "all"),
    ("evictions", "all"),
]


def _num(x: float, digits: int = 0, lang: str = "en") -> str:
    """A number with thousands separators: 1,851 in English, 1.851 in Dutch."""
    if x is None or not np.isfinite(x):
        return "–"
    text = f"{x:,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "nl" else text


def _signed(x: float) -> str:
    """+12, -3, or 0 (never -0)."""
    return "0" if not np.isfinite(x) or round(x) == 0 else f"{x:+.0f}"


def _pct(x: float) -> str:
    return "–" if not np.isfinite(x) else f"{x * 100:.0f}%"


def _fmt_effect(r: pd.Series) -> str:
    """An effect in its natural unit with its interval: '+5.2 pp (2.1 to 8.3)'."""
    lab = labels.outcome(r["outcome"])
    scale, unit, d = (
        (100, " pp", 1)
        if lab.kind == "share"
        else (1, "", 2 if lab.kind in ("score", "rate") and abs(r["effect"]) < 10 else 0)
    )
    e, lo, hi = r["effect"] * scale, r["low"] * scale, r["high"] * scale
    if not np.isfinite(lo):
        return f"{e:+.{d}f}{unit}"
    return f"{e:+.{d}f}{unit} ({lo:+.{d}f} to {hi:+.{d}f})"


def _bilingual(lines: list[tuple[str, str]]) -> str:
    """English and Dutch sentences side by side."""
    en = "".join(f"<li>{html.escape(e)}</li>" for e, _ in lines)
    nl = "".join(f"<li>{html.escape(n)}</li>" for _, n in lines)
    return (
        f'<div class="headlines"><div><h3>English</h3><ul>{en}</ul></div>'
        f"<div><h3>Nederlands</h3><ul>{nl}</ul></div></div>"
    )


def _effect_row(eff: pd.DataFrame, v: analysis.Variant, table, window: str) -> list[str]:
    """A variant's label and its effect on each outcome of the table in one window."""
    row = [v.label]
    for outcome, group in table:
        r = eff[
            (eff["arm"] == v.arm)
            & (eff["point"] == v.point)
            & (eff["outcome"] == outcome)
            & (eff["group"] == group)
            & (eff["window"] == window)
        ]
        row.append(_fmt_effect(r.iloc[0]) if len(r) else "–")
    return row


def _index_text(r: pd.Series) -> str:
    """A sensitivity index in the outcome's unit: '17.2 ± 14 pp' for a share."""
    if labels.outcome(r["outcome"]).kind == "share" and r["index"] == "mu_star":
        return f"{r['value'] * 100:.1f} ± {r['conf'] * 100:.1f} pp"
    return f"{r['value']:.3g} ± {r['conf']:.2g}"


def _sensitivity_lines(top: pd.DataFrame, flabels: dict[str, str]) -> list[tuple[str, str]]:
    """'What moves <outcome> most is <parameter> (μ* ...)', in English and Dutch."""
    out = []
    for _, r in top.iterrows():
        lab, who = labels.outcome(r["outcome"]), r["group"]
        name = flabels.get(r["parameter"], r["parameter"])
        en = (
            f"Of the assumed parameters, the one that moves {labels.group(who)} "
            f"'{lab.en}' most is {name}: {_index_text(r)} across its range."
        )
        nl = (
            f"Van de aangenomen parameters beïnvloedt {name} {labels.group(who, 'nl')} "
            f"'{lab.nl}' het meest: {_index_text(r)} over het bereik."
        )
        out.append((en, nl))
    return out


def _fmt_cost(c: pd.Series) -> str:
    """'€7,718 (6,220–9,111)', or what stands in for a cost per unit that has no bound."""
    if not np.isfinite(c["value"]):
        return "no extra effect"
    if not c["bounded"]:
        return f"€{_num(c['value'])} (at least {_num(c['low'])}, no upper bound)"
    return f"€{_num(c['value'])} ({_num(c['low'])}–{_num(c['high'])})"


def _clear(r: pd.Series) -> bool:
    return bool(np.isfinite(r["low"]) and (r["low"] > 0 or r["high"] < 0))


def headlines(
    eff: pd.DataFrame, cost: pd.DataFrame, vs: list[analysis.Variant], meta: dict
) -> list[tuple[str, str]]:
    """One (English, Dutch) pair of sentences per intervention on the primary outcome, the
    second sentence its cost per unit."""
    out = meta.get("outcomes", {})
    primary, group = out.get("primary", "ties_ge1"), out.get("primary_group", "supported")
    years = meta.get("years")
    lab = labels.outcome(primary)
    who_en, who_nl = labels.group(group), labels.group(group, "nl")
    phrase_en = lab.phrase_en or f"are {lab.en}"
    verb_nl, rest_nl = (lab.phrase_nl or f"zijn {lab.nl}").split(" ", 1)
    when_en = f"after {years:g} years" if years else "at the end"
    when_nl = f"na {years:g} jaar" if years else "aan het eind"
    lines = []
    for v in vs:
        if v.reference:
            continue
        r = eff[
            (eff["arm"] == v.arm)
            & (eff["point"] == v.point)
            & (eff["outcome"] == primary)
            & (eff["group"] == group)
            & (eff["window"] == "last_year")
        ]
        if r.empty:
            continue
        r = r.iloc[0]
        rel, lo, hi = r["relative"] * 100, r["rel_low"] * 100, r["rel_high"] * 100
        ref_v, arm_v = r["reference_mean"], r["reference_mean"] + r["effect"]
        levels_en = f" ({_pct(ref_v)} → {_pct(arm_v)})" if lab.kind == "share" else ""
        if _clear(r):
            more_en, more_nl = ("more", "meer") if rel > 0 else ("fewer", "minder")
            a, b = sorted((abs(lo), abs(hi)))
            en = (
                f"With {v.label}, {abs(rel):.0f}% ({a:.0f}–{b:.0f}%) {more_en} "
                f"{who_en} {phrase_en} {when_en}{levels_en}."
            )
            nl = (
                f"Met {v.label_nl} {verb_nl} {when_nl} {abs(rel):.0f}% ({a:.0f}–{b:.0f}%) "
                f"{more_nl} {who_nl} {rest_nl}{levels_en}."
            )
        else:
            en = (
                f"With {v.label}, no clear change in how many {who_en} {phrase_en} "
                f"{when_en}: {_signed(rel)}% ({_signed(lo)} to {_signed(hi)}%)."
            )
            nl = (
                f"Met {v.label_nl} geen duidelijk verschil {when_nl} in hoeveel {who_nl} "
                f"{rest_nl} {verb_nl}: {_signed(rel)}% ({_signed(lo)} tot {_signed(hi)}%)."
            )
        c = (
            cost[
                (cost["arm"] == v.arm)
                & (cost["point"] == v.point)
                & (cost["outcome"] == analysis.PRIMARY)
            ]
            if len(cost)
            else cost
        )
        if len(c):
            c = c.iloc[0]
            k = c["cost_keur_year"]
            per_en = f"€{k:,.0f}k a year on average"
            per_nl = f"gemiddeld €{_num(k, lang='nl')}k per jaar"
            if np.isfinite(c["value"]) and c["value"] > 0:
                rng = (
                    f"{_num(c['low'])}–{_num(c['high'])}"
                    if c["bounded"]
                    else f"at least {_num(c['low'])}, no upper bound"
                )
                rng_nl = (
                    f"{_num(c['low'], lang='nl')}–{_num(c['high'], lang='nl')}"
                    if c["bounded"]
                    else f"minstens {_num(c['low'], lang='nl')}, geen bovengrens"
                )
                en += f" It costs {per_en}: €{_num(c['value'])} ({rng}) a year {c['unit']}."
                nl += (
                    f" Dat kost {per_nl}: €{_num(c['value'], lang='nl')} ({rng_nl}) per "
                    f"jaar {c['unit_nl']}."
                )
            else:
                en += f" It costs {per_en}, with no clear gain to set it against."
                nl += f" Dat kost {per_nl}, zonder duidelijke winst om er tegenover te zetten."
        lines.append((en, nl))
    return lines


def _img(fig, name: str, figdir: Path) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    data = buf.getvalue()
    atomic_write_bytes(figdir / f"{name}.png", data)
    b64 = base64.b64encode(data).decode()
    return f'<img alt="{html.escape(name)}" src="data:image/png;base64,{b64}">'


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    h = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    return f'<table class="{cls}"><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>'


def build_report(path: str | Path) -> Path:
    """Write report.html (self-contained) and figures/*.png into the results folder."""
    res = load(path)
    root = Path(path)
    figdir = root / "figures"
    meta = res.meta
    vs = analysis.variants(res)
    eff = analysis.effects(res, vs)
    cost = analysis.costs(res, vs)
    lev = analysis.levels(res, vs)
    ref = next((v for v in vs if v.reference), vs[0])
    years = meta.get("years")
    seeds = meta.get("seeds", [])
    ok = res.runs[res.runs["status"] == "ok"]
    title = meta.get("title") or meta.get("experiment", "experiment")
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if meta.get("title_nl"):
        parts.append(f'<p class="nl-title">{html.escape(meta["title_nl"])}</p>')
    parts.append(f"<p>{html.escape(meta.get('description', ''))}</p>")
    parts.append(
        f'<p class="facts">{len(vs)} variants compared with <b>{html.escape(ref.label)}</b>, '
        f"each on the same {len(seeds)} random seeds (replicates), over {years:g} simulated "
        f"years; {len(ok)} of {len(res.runs)} runs completed. Generated by goedeburen "
        f"{html.escape(str(meta.get('goedeburen')))} (git {html.escape(str(meta.get('git')))},"
        f" model code {html.escape(str(meta.get('model')))}).</p>"
    )

    # headlines
    hl = headlines(eff, cost, vs, meta)
    out = meta.get("outcomes", {})
    primary = (out.get("primary", "ties_ge1"), out.get("primary_group", "supported"))
    table = [primary] + [k for k in TABLE_REST if k != primary]
    shown = [primary] + [k for k in analysis.KEY_EFFECTS if k != primary]
    parts.append('<section id="headlines"><h2>Headlines · Kernpunten</h2>')
    if hl:
        parts.append(_bilingual(hl))
    else:
        parts.append("<p>This experiment has no arm to compare with the reference.</p>")
    # summary table
    rows = []
    for v in vs:
        if v.reference:
            continue
        row = _effect_row(eff, v, table, "last_year")
        c = lev[
            (lev["arm"] == v.arm)
            & (lev["point"] == v.point)
            & (lev["outcome"] == "cost_keur")
            & (lev["window"] == "all_years")
            & (lev["group"] == "all")
        ]
        row.append(f"{c.iloc[0]['mean']:,.0f}" if len(c) else "–")
        rows.append(row)
    if rows:
        head = (
            ["compared with " + ref.label]
            + [f"{labels.group(g)}: {labels.outcome(o).en}" for o, g in table]
            + ["cost, thousand € a year (average)"]
        )
        parts.append(
            "<p>Change against the reference in the last simulated year "
            "(pp = percentage points; 95% interval in brackets):</p>"
        )
        parts.append(_table(head, rows, "wide"))
        summary_table = (head, rows)
    else:
        summary_table = None
    parts.append("</section>")

    # trajectories
    parts.append(
        '<section id="trajectories"><h2>Over the years</h2><p>Each line is the '
        "mean over seeds, the band its 95% interval (a 4-week moving average). The "
        "thick line is the reference.</p>"
    )
    out = meta.get("outcomes", {})
    primary = (out.get("primary", "ties_ge1"), out.get("primary_group", "supported"))
    if any(not v.reference for v in vs):
        parts.append(_img(figures.arm_panels(res, vs, *primary), "trajectories_by_arm", figdir))
        parts.append("<p>All arms together, on six outcomes:</p>")
    parts.append(_img(figures.trajectories(res, vs), "trajectories", figdir) + "</section>")

    # effects
    parts.append(
        '<section id="effects"><h2>Effects against the reference</h2><p>Each '
        "intervention minus the reference on the same seed, averaged over seeds, in "
        "the last simulated year; bars are 95% intervals (t on the paired "
        "differences).</p>"
    )
    if len(eff):
        parts.append(
            _img(
                figures.forest(eff, vs, shown, "last_year", ref.label),
                "effects",
                figdir,
            )
        )
        if any(str(c).startswith("lever:") for c in res.runs.columns):
            out = meta.get("outcomes", {})
            g = figures.grid_figure(
                eff,
                res,
                vs,
                out.get("primary", "ties_ge1"),
                out.get("primary_group", "supported"),
                "last_year",
            )
            if g is not None:
                parts.append(
                    "<p>Over the grid of policy choices (levers):</p>"
                    + _img(g, "lever_grid", figdir)
                )
        for w in sorted(set(eff["window"]) - {"last_year", "all_years"}):
            rows = []
            for v in vs:
                if v.reference:
                    continue
                rows.append(_effect_row(eff, v, table, w))
            parts.append(f"<p>The same {labels.window(w)}:</p>")
            parts.append(
                _table(
                    ["compared with " + ref.label]
                    + [f"{labels.group(g)}: {labels.outcome(o).en}" for o, g in table],
                    rows,
                    "wide",
                )
            )
    else:
        parts.append("<p>No effects: the experiment has only the reference arm.</p>")
    parts.append("</section>")

    # costs
    parts.append(
        '<section id="costs"><h2>Cost per unit of effect</h2><p>The extra cost a '
        "year divided by the extra households reached (or evictions prevented) a "
        "year, paired by seed; 95% bootstrap intervals. When the effect itself may "
        "be zero, the cost per unit has no upper bound. Costs are in thousands of "
        "euros a year.</p>"
    )
    if len(cost):
        units = list(dict.fromkeys(cost["unit"]))
        rows = []
        for (arm, point), d in cost.groupby(["arm", "point"], sort=False):
            v = next(x for x in vs if x.arm == arm and x.point == point)
            row = [v.label, f"{d['cost_keur_year'].iloc[0]:,.0f}"]
            for unit in units:
                c = d[d["unit"] == unit]
                row.append(_fmt_cost(c.iloc[0]) if len(c) else "–")
            rows.append(row)
        parts.append(
            _table(
                ["intervention", "cost, thousand € a year (average)"]
                + [f"€ a year {u}" for u in units],
                rows,
                "wide",
            )
        )
        f = figures.cost_figure(cost, vs)
        if f is not None:
            parts.append(_img(f, "cost_per_unit", figdir))
    else:
        parts.append("<p>No arm in this experiment has a cost.</p>")
    parts.append("</section>")

    # trade-offs
    parts.append(
        '<section id="tradeoffs"><h2>Trade-offs</h2><p>More help between '
        "neighbours can mean more helpers who carry too much; more contact can mean "
        "more nuisance. Each dot is an intervention's effect on both, with 95% "
        "intervals.</p>"
    )
    if len(eff):
        parts.append(_img(figures.tradeoffs(eff, vs, "last_year"), "tradeoffs", figdir))
    else:
        parts.append("<p>No intervention in this experiment to weigh.</p>")
    parts.append("</section>")

    # sensitivity
    parts.append('<section id="sensitivity"><h2>Which assumptions matter</h2>')
    out = meta.get("outcomes", {})
    sens_keys = [
        (out.get("primary", "ties_ge1"), out.get("primary_group", "supported")),
        ("lonely", "all"),
        ("nuisance_exposed", "all"),
    ]
    sens = analysis.sensitivity(res, sens_keys)
    if len(sens):
        flabels = {
            p: labels.parameter(p, f.get("label"))
            for p, f in meta.get("uncertainties", {}).get("factors", {}).items()
        }
        parts.append(
            "<p>How much each uncertain parameter moves the outcome across its "
            "range (Morris μ*: the mean absolute change when it alone changes; "
            "bars: 95% bootstrap interval). Parameters at the top deserve "
            "measurement first.</p>"
        )
        parts.append(_img(figures.sensitivity_figure(sens, flabels), "sensitivity", figdir))
        top = sens.sort_values("value", ascending=False).drop_duplicates("outcome")
        rows = [
            [
                f"{labels.group(r['group'])}: {labels.outcome(r['outcome']).en}",
                flabels.get(r["parameter"], r["parameter"]),
                _index_text(r),
            ]
            for _, r in top.iterrows()
        ]
        parts.append(_table(["outcome", "most influential assumption", "index ± 95%"], rows))
        if not hl:  # a screening has no arms to compare: its headline is the ranking
            page_head = _bilingual(_sensitivity_lines(top, flabels))
            at = next(i for i, x in enumerate(parts) if 'id="headlines"' in x)
            parts[at + 1] = page_head
        others = [v for v in vs if not v.reference]
        if others:
            v = others[0]
            effect = analysis.sensitivity(res, sens_keys[:1], arm=v.arm)
            if len(effect):
                parts.append(
                    f"<p>Which assumptions change the <b>effect</b> of {html.escape(v.label)} "
                    "(the intervention minus the reference at the same parameter values):</p>"
                )
                parts.append(
                    _img(figures.sensitivity_figure(effect, flabels), "sensitivity_effect", figdir)
                )
    else:
        parts.append(
            "<p>This experiment does not vary uncertain parameters with a Morris or "
            "Sobol design (see experiments/sensitivity.toml for one that does).</p>"
        )
    parts.append("</section>")

    parts.append(f'<section id="how-to-read"><h2>How to read this</h2>{HOW_TO_READ}</section>')
    parts.append(f'<section id="assumptions"><h2>Assumptions</h2>{ASSUMPTIONS}</section>')
    parts.append(f'<section id="left-out"><h2>What the model leaves out</h2>{LEFT_OUT}</section>')

    # runs
    bad = res.runs[res.runs["status"] != "ok"]
    parts.append('<section id="runs"><h2>The runs</h2>')
    parts.append(
        f"<p>{len(ok)} completed, {len(bad)} failed or missing. Tables: "
        "runs.parquet, outcomes.parquet, timeseries.parquet in this folder "
        "(<code>sim.experiments.load(folder)</code>).</p>"
    )
    if len(bad):
        rows = [
            [
                r["arm"],
                str(r["seed"]),
                str(r["point"]),
                str(r["status"]),
                str(r["error"] or "").strip().splitlines()[-1] if r["error"] else "",
            ]
            for _, r in bad.iterrows()
        ]
        parts.append(_table(["arm", "seed", "point", "status", "error"], rows))
    arms = [
        [a["name"], a.get("label") or "", "reference" if a.get("reference") else ""]
        for a in meta.get("arms", [])
    ]
    parts.append(_table(["arm", "what it is", ""], arms))
    if res.experiment_text:
        parts.append(
            "<details><summary>The experiment file</summary><pre>"
            + html.escape(res.experiment_text)
            + "</pre></details>"
        )
    parts.append("</section>")

    page = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{html.escape(title)}</title><style>{STYLE}</style></head><body><main>"
        + "\n".join(parts)
        + "</main></body></html>"
    )
    target = root / "report.html"
    atomic_write_text(target, page)
    atomic_write_text(root / "report.md", _markdown(title, meta, hl, summary_table, ref.label))
    return target


def _markdown(
    title: str,
    meta: dict,
    hl: list[tuple[str, str]],
    table: tuple[list[str], list[list[str]]] | None,
    reference: str,
) -> str:
    """The headlines and the summary table as Markdown (for a README, an issue or an
    e-mail); the figures are those in figures/, the full report is report.html."""
    lines = [f"# {title}", "", meta.get("description", ""), ""]
    if hl:
        lines += ["## Headlines", ""] + [f"- {en}" for en, _ in hl] + [""]
        lines += ["## Kernpunten", ""] + [f"- {nl}" for _, nl in hl] + [""]
    if table is not None:
        head, rows = table
        lines += [
            f"## Change against {reference} in the last simulated year (95% intervals)",
            "",
            "| " + " | ".join(head) + " |",
            "|" + "---|" * len(head),
        ]
        lines += ["| " + " | ".join(r) + " |" for r in rows] + [""]
    lines += [
        "![trajectories](figures/trajectories.png)",
        "",
        (
            "The full report, with how to read it, the assumptions and what the model "
            "leaves out: report.html."
        ),
        "",
    ]
    return "\n".join(lines)
