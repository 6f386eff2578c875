"""The policy report of a sweep: headlines in English and Dutch with their uncertainty,
trajectories, paired effects (forest plot), cost per unit of effect, trade-offs and
sensitivity indices, as one self-contained HTML file plus PNG figures.

    from sim.report import build_report
    build_report("results/interventions")   # -> results/interventions/report.html
"""

from __future__ import annotations


def build_report(path):
    """Write report.html and figures/*.png into a sweep's results folder; returns the
    report's path (see sim/report/build.py)."""
    from sim.report.build import build_report as build

    return build(path)


__all__ = ["build_report"]
