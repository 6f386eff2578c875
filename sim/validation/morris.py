"""A Morris screen of the uncertain parameters for the headline intervention effects.

Which of the parameters nobody has measured move the effect of an intervention (an arm
minus its reference, paired by seed), not just the level of an outcome? Every parameter
whose source is "assumption" varies over ±`relative_range` of its default (within its
bounds); the Morris design, the runs (resumable, in parallel) and their readings come from
the experiment runner (sim/experiments: one sweep, two arms, the same design points and
seeds in both); here each point's effect is the arm's mean over seeds minus the
reference's, read over the whole run, and SALib ranks the parameters by mu* (the mean
absolute elementary effect), with sigma (interaction or non-linearity) and mu*'s 95%
interval. Written to results/morris/: ranking.csv, ranking.md, morris.png.

    python -m sim.validation.morris --trajectories 4 --years 3
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# the headline effects: outcome -> what it is (read over the whole run, all households)
HEADLINES = {
    "ties_ge1": "share with >= 1 neighbour tie",
    "nuisance_exposed": "share bothered by nuisance recently",
    "sense_of_home": "mean sense of home",
}
WINDOW = "all_years"


@dataclass
class ScreenResult:
    ranking: pd.DataFrame  # effect, parameter, mu_star, mu_star_conf, sigma, rank
    folder: Path
    points: int
    runs: int


def analyse(problem: dict, X: np.ndarray, Y: np.ndarray, levels: int) -> pd.DataFrame:
    """SALib's Morris indices of one output, one row per parameter."""
    from SALib.analyze import morris

    si = morris.analyze(problem, X, Y, num_levels=levels, conf_level=0.95, seed=1)
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu_star": si["mu_star"],
            "mu_star_conf": si["mu_star_conf"],
            "sigma": si["sigma"],
            "mu": si["mu"],
        }
    )


def experiment(
    arm: str,
    reference: str,
    trajectories: int,
    levels: int,
    seeds: int,
    years: float,
    relative_range: float,
    seed: int,
) -> dict[str, Any]:
    """The sweep as an experiment of sim/experiments (two arms, a Morris design over the
    assumptions)."""
    return {
        "name": f"morris_{arm}",
        "description": f"Morris screen of the assumptions for {arm} - {reference}",
        "seeds": seeds,
        "years": years,
        "arms": [
            {"name": reference, "scenario": reference, "reference": True},
            {"name": arm, "scenario": arm},
        ],
        "uncertainties": {
            "design": "morris",
            "trajectories": trajectories,
            "levels": levels,
            "seed": seed,
            "include_assumptions": True,
            "relative_range": relative_range,
        },
        "outcomes": {"names": list(HEADLINES), "groups": ["all"]},
    }


def effects(res, arm: str, reference: str) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """Per design point and outcome: arm minus reference (means over seeds), the factor
    names, and the design matrix in point order."""
    runs = res.runs[res.runs["lever_point"] == 0]
    cols = [c for c in runs.columns if c.startswith("uncertainty:")]
    ref_pts = runs[runs["arm"] == reference].drop_duplicates("uncertainty_point")
    X = ref_pts.sort_values("uncertainty_point")[cols].to_numpy(dtype=float)
    o = res.outcomes[(res.outcomes["window"] == WINDOW) & (res.outcomes["group"] == "all")]
    o = o.merge(runs[["run", "uncertainty_point"]], on="run")
    mean = o.groupby(["arm", "uncertainty_point", "outcome"])["value"].mean().unstack("arm")
    diff = (mean[arm] - mean[reference]).unstack("outcome").sort_index()
    return diff, [c.removeprefix("uncertainty:") for c in cols], X


def screen(
    arm: str = "flatcoach",
    reference: str = "problem_flat",
    trajectories: int = 4,
    levels: int = 4,
    seeds: int = 1,
    years: float = 3.0,
    relative_range: float = 0.5,
    workers: int = 2,
    out: Path = Path("results/morris"),
    seed: int = 7,
    console: Any = None,
    noise_seeds: int = 8,
) -> ScreenResult:
    """Run (or resume) the screen and write the ranking."""
    import tomli_w

    from sim.experiments.runner import sweep
    from sim.experiments.spec import parse_experiment
    from sim.experiments.store import load

    data = experiment(arm, reference, trajectories, levels, seeds, years, relative_range, seed)
    exp = parse_experiment(data, "goedeburen screen", Path.cwd(), text=tomli_w.dumps(data))
    folder = Path(out) / f"{arm}_vs_{reference}"
    sweep(exp, out=folder / "runs", workers=workers, console=console)
    res = load(folder / "runs")
    failed = res.runs[res.runs["status"] != "ok"]
    if len(failed):
        last = str(failed["error"].iloc[0]).strip().splitlines()[-1]
        raise RuntimeError(
            f"{len(failed)} of {len(res.runs)} screening runs failed (the same "
            f"command reruns them), e.g.: {last}"
        )
    diff, names, X = effects(res, arm, reference)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(f.low), float(f.high)] for f in exp.uncertainty_factors.values()],
    }
    if list(exp.uncertainty_factors) != names:
        raise RuntimeError("the sweep's factor columns are not in the design's order")
    rows = []
    for outcome in HEADLINES:
        if outcome not in diff or diff[outcome].isna().any() or len(diff) != len(X):
            continue  # a failed run leaves a hole Morris cannot bridge
        r = analyse(problem, X, diff[outcome].to_numpy(), levels)
        r.insert(0, "effect", f"{outcome} ({arm} - {reference})")
        r["rank"] = r["mu_star"].rank(ascending=False, method="min").astype(int)
        rows.append(r.sort_values("rank"))
    ranking = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if noise_seeds > 1 and len(ranking):
        floors = noise_floor(
            arm, reference, noise_seeds, years, levels, workers, folder / "noise", console
        )
        ranking["noise_floor"] = [floors.get(e.split(" ")[0], math.nan) for e in ranking["effect"]]
        ranking["above_noise"] = ranking["mu_star"] > ranking["noise_floor"]
    write(ranking, folder, arm, reference, len(X), len(res.runs), data)
    return ScreenResult(ranking, folder, len(X), len(res.runs))


def noise_floor(
    arm: str,
    reference: str,
    seeds: int,
    years: float,
    levels: int,
    workers: int,
    folder: Path,
    console: Any = None,
) -> dict[str, float]:
    """The mu* that seed noise alone gives: at the defaults, the effect's spread over
    `seeds` seeds (sd), turned into the mean |elementary effect| of two independent noisy
    runs a step Δ apart (E|N(0, √2 sd)| / Δ = 2 sd / (√π Δ), Δ = levels / (2 (levels - 1))
    as in SALib). A parameter below it is not distinguishable from noise."""
    import tomli_w

    from sim.experiments.runner import sweep
    from sim.experiments.spec import parse_experiment
    from sim.experiments.store import load

    data = experiment(arm, reference, 2, levels, seeds, years, 0.5, 1)
    data.pop("uncertainties")
    data["name"] = f"morris_noise_{arm}"
    data["seed_start"] = 1001  # not the screen's own seeds
    exp = parse_experiment(data, "goedeburen screen (noise)", Path.cwd(), text=tomli_w.dumps(data))
    sweep(exp, out=folder, workers=workers, console=console)
    o = load(folder).outcomes
    o = o[(o["window"] == WINDOW) & (o["group"] == "all")]
    wide = o.pivot_table(index=["outcome", "seed"], columns="arm", values="value")
    sd = (wide[arm] - wide[reference]).groupby(level="outcome").std(ddof=1)
    delta = levels / (2.0 * (levels - 1))
    return {k: float(2.0 * v / (math.sqrt(math.pi) * delta)) for k, v in sd.items()}


def write(
    ranking: pd.DataFrame,
    folder: Path,
    arm: str,
    reference: str,
    points: int,
    runs: int,
    data: dict,
    top: int = 15,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    ranking.to_csv(folder / "ranking.csv", index=False)
    u = data["uncertainties"]
    lines = [
        f"# Morris screen: {arm} - {reference}",
        "",
        (
            f"{u['trajectories']} trajectories × "
            f"{len(ranking['parameter'].unique()) if len(ranking) else 0} "
            f"parameters = {points} design points, × 2 arms × {data['seeds']} seed(s) = {runs} "
            f"runs of {data['years']:g} years; every 'assumption' parameter ±"
            f"{u['relative_range']:.0%} of its default. Effect = {arm} minus {reference}, "
            f"mean over the run ({WINDOW}). mu* = mean |elementary effect| (with its 95% "
            f"interval), sigma = its spread (interactions, non-linearity). Top {top} per "
            "effect; the full table is ranking.csv."
        ),
        "",
    ]
    for effect, g in ranking.groupby("effect", sort=False):
        lines += [f"## {effect}", ""]
        if "noise_floor" in g:
            above = int(g["above_noise"].sum())
            lines += [
                (
                    f"Seed noise alone gives mu* ≈ {g['noise_floor'].iloc[0]:.4f} (the effect's "
                    f"spread over seeds at the defaults); {above} of {len(g)} parameters lie "
                    "above it."
                ),
                "",
            ]
        lines += ["| rank | parameter | mu* | ± 95% | sigma |", "|---|---|---|---|---|"]
        for _, r in g.head(top).iterrows():
            lines.append(
                f"| {r['rank']} | `{r['parameter']}` | {r['mu_star']:.4f} | "
                f"{r['mu_star_conf']:.4f} | {r['sigma']:.4f} |"
            )
        lines.append("")
    (folder / "ranking.md").write_text("\n".join(lines), encoding="utf-8")
    if len(ranking):
        plot(ranking, folder / "morris.png", top)


def plot(ranking: pd.DataFrame, path: Path, top: int) -> None:
    """mu* against sigma per effect, the top parameters named."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(ranking.groupby("effect", sort=False))
    fig, axes = plt.subplots(1, len(groups), figsize=(5.5 * len(groups), 4.5), squeeze=False)
    for ax, (effect, g) in zip(axes[0], groups):
        ax.scatter(g["mu_star"], g["sigma"], s=12, color="grey")
        for _, r in g.head(min(top, 8)).iterrows():
            ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=6)
        ax.set_xlabel("mu*")
        ax.set_ylabel("sigma")
        ax.set_title(effect, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--arm", default="flatcoach")
    p.add_argument("--reference", default="problem_flat")
    p.add_argument("--trajectories", type=int, default=4)
    p.add_argument("--levels", type=int, default=4)
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--years", type=float, default=3.0)
    p.add_argument("--relative-range", type=float, default=0.5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, default=Path("results/morris"))
    p.add_argument(
        "--noise-seeds",
        type=int,
        default=8,
        help="seeds at the defaults for the noise floor (0: none)",
    )
    a = p.parse_args(argv)
    from rich.console import Console

    r = screen(
        a.arm,
        a.reference,
        a.trajectories,
        a.levels,
        a.seeds,
        a.years,
        a.relative_range,
        a.workers,
        a.out,
        console=Console(stderr=True),
        noise_seeds=a.noise_seeds,
    )
    print((r.folder / "ranking.md").read_text())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
