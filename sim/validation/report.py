"""The validation table as Markdown, CSV and plots (results/validation/<scenario>/)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.validation.runner import ValidationResult, per_seed_values
from sim.validation.targets import BY_ID

FESTINGER = {1: 0.44, 2: 0.22, 3: 0.10}  # the published shares the door plot shows


def _num(x: float) -> str:
    if x is None or math.isnan(x):
        return "—"
    if x == 0:
        return "0"
    if abs(x) < 0.01:
        return f"{x:.5f}".rstrip("0")
    return f"{x:.3f}"


def markdown_table(result: ValidationResult) -> str:
    """pattern | target band | source | model value (95% interval) | pass."""
    lines = [
        "| pattern | target | source | model (95% interval over seeds) | pass |",
        "|---|---|---|---|---|",
    ]
    for tid, r in result.table.iterrows():
        verdict = "—" if pd.isna(r["pass"]) else ("yes" if r["pass"] else "**no**")
        ci = (
            f" ({_num(r['ci_low'])} to {_num(r['ci_high'])})" if not math.isnan(r["ci_low"]) else ""
        )
        lines.append(
            f"| `{tid}`: {r['pattern']} | {r['band']} | {r['source']} | "
            f"{_num(r['value'])}{ci} | {verdict} |"
        )
    return "\n".join(lines)


def summary_line(result: ValidationResult) -> str:
    banded = result.table["pass"].dropna()
    return (
        f"{int(banded.sum())} of {len(banded)} banded patterns within their band "
        f"({result.scenario}, {len(result.seeds)} seeds, {result.years:g} years)"
    )


def write_report(result: ValidationResult, out: Path) -> Path:
    """Write validation.md, table.csv, per_seed.csv and the plots; return the folder."""
    folder = Path(out) / result.scenario
    folder.mkdir(parents=True, exist_ok=True)
    result.table.to_csv(folder / "table.csv")
    result.per_seed.to_csv(folder / "per_seed.csv", index=False)
    plots = [
        plot_patterns(result, folder / "patterns.png"),
        plot_door_distance(result, folder / "door_distance.png"),
    ]
    measures = "\n".join(f"- `{tid}`: {r['measure']}" for tid, r in result.table.iterrows())
    text = (
        f"# Validation: {result.scenario}\n\n{summary_line(result)}. A pattern passes "
        f"when the mean over seeds lies in its band; the interval is the 95% "
        f"t-interval of that mean.\n\n{markdown_table(result)}\n\n"
        f"## How each pattern is measured\n\n{measures}\n\n"
        + "".join(f"![{p.stem}]({p.name})\n" for p in plots if p is not None)
    )
    (folder / "validation.md").write_text(text, encoding="utf-8")
    return folder


def plot_patterns(result: ValidationResult, path: Path) -> Path:
    """One small panel per banded pattern: its band shaded, each seed a dot, the mean with
    its interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(tid, r) for tid, r in result.table.iterrows() if not pd.isna(r["pass"])]
    ncol = 4
    nrow = max(1, math.ceil(len(rows) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4 * ncol, 1.3 * nrow + 0.4), squeeze=False)
    for ax in axes.flat[len(rows) :]:
        ax.axis("off")
    for ax, (tid, r) in zip(axes.flat, rows):
        t = BY_ID[tid]
        vals = per_seed_values(result.per_seed, result.scenario, t)
        vals = vals[~np.isnan(vals)] if vals is not None else []
        # an open end of a band is drawn a band's scale beyond its closed end (or the data)
        lo = t.low if t.low is not None else min([*vals, r["value"], t.high - t.scale()])
        hi = t.high if t.high is not None else max([*vals, r["value"], t.low + t.scale()])
        ax.axvspan(lo, hi, color="tab:green", alpha=0.2)
        ax.plot(vals, [0.0] * len(vals), "o", color="grey", alpha=0.4, ms=3)
        if not math.isnan(r["ci_low"]):
            ax.errorbar(
                [r["value"]],
                [0.0],
                xerr=[[r["value"] - r["ci_low"]], [r["ci_high"] - r["value"]]],
                fmt="D",
                color="tab:green" if r["pass"] else "tab:red",
                capsize=3,
            )
        ax.set_yticks([])
        ax.set_title(tid, fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(summary_line(result), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_door_distance(result: ValidationResult, path: Path) -> Path | None:
    """Tie share by door distance, model (mean and interval) against Festinger et al."""
    ids = ["ties_by_door_1", "ties_by_door_2", "ties_by_door_3", "ties_by_door_4plus"]
    if not all(i in result.table.index for i in ids):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = result.table.loc[ids]
    x = [1, 2, 3, 4]
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    ax.errorbar(
        x,
        t["value"],
        yerr=[t["value"] - t["ci_low"], t["ci_high"] - t["value"]],
        fmt="o-",
        capsize=3,
        label=f"model ({result.scenario})",
    )
    ax.plot(
        list(FESTINGER),
        list(FESTINGER.values()),
        "s--",
        color="black",
        label="Festinger et al. 1950",
    )
    ax.set_xticks(x, ["1", "2", "3", "≥4"])
    ax.set_xlabel("door distance on the gallery")
    ax.set_ylabel("share of pairs with a tie")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
