"""Experiments: files that say what to run (arms, levers, uncertainties, seeds, outcomes),
a runner for any concurrent.futures executor (local processes, Dask), a resumable store
of results, and `simulate` for EMA Workbench-style use.

    from sim.experiments import load, load_experiment, simulate, sweep
    summary = sweep(load_experiment("experiments/interventions.toml", seeds=3))
    res = load("results/interventions")  # res.outcomes, res.timeseries, res.runs

Names are imported on first use: `goedeburen sweep` starts its worker server
(sim/experiments/pool.py) before this process spends seconds importing pandas and the model.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "run_one": "runner",
    "simulate": "runner",
    "sweep": "runner",
    "Experiment": "spec",
    "ExperimentError": "spec",
    "load_experiment": "spec",
    "parse_experiment": "spec",
    "Results": "store",
    "load": "store",
}

__all__ = [
    "Experiment",
    "ExperimentError",
    "Results",
    "load",
    "load_experiment",
    "parse_experiment",
    "run_one",
    "simulate",
    "sweep",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'sim.experiments' has no attribute {name!r}")
    return getattr(importlib.import_module(f"sim.experiments.{_WHERE[name]}"), name)
