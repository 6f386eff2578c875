"""Parameter designs: the points (one value per dotted path) a set of factors is run at.

Grids are written out here; Latin hypercube, Sobol and Morris samples come from SALib, whose
analysis needs the very sample matrix back, so `Points.matrix` keeps it in sample order.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from sim.experiments.spec import Design, Factor


@dataclass
class Points:
    """The points of one design: `values[i]` is point i as {path: value}."""

    design: str
    paths: list[str]
    values: list[dict[str, float]]
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    problem: dict | None = None  # the SALib problem (sampled designs)
    levels: int = 4

    def __len__(self) -> int:
        return len(self.values)


def _grid_values(f: Factor) -> list[float]:
    if f.values is not None:
        vals = list(f.values)
    else:
        vals = list(np.linspace(f.low, f.high, f.levels))
    return [round(float(v)) if f.integer else float(v) for v in vals]


def problem(factors: dict[str, Factor]) -> dict:
    """The SALib problem of a set of ranged factors."""
    return {
        "num_vars": len(factors),
        "names": list(factors),
        "bounds": [[float(f.low), float(f.high)] for f in factors.values()],
    }


def points(design: Design, factors: dict[str, Factor]) -> Points:
    """Every point of the design (a single empty point when there are no factors)."""
    paths = list(factors)
    if not paths:
        return Points(design.design, [], [{}])
    if design.design == "grid":
        grid = list(itertools.product(*(_grid_values(factors[p]) for p in paths)))
        matrix = np.array(grid, dtype=float)
        prob = None
    else:
        prob = problem(factors)
        if design.design == "lhs":
            from SALib.sample import latin

            matrix = latin.sample(prob, design.samples, seed=design.seed)
        elif design.design == "sobol":
            from SALib.sample import sobol

            matrix = sobol.sample(prob, design.samples, calc_second_order=False, seed=design.seed)
        else:
            from SALib.sample import morris

            matrix = morris.sample(
                prob, design.trajectories, num_levels=design.levels, seed=design.seed
            )
    values = []
    for row in matrix:
        point = {}
        for p, v in zip(paths, row):
            point[p] = round(float(v)) if factors[p].integer else float(v)
        values.append(point)
    return Points(design.design, paths, values, matrix, prob, design.levels)
