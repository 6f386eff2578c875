"""Intervals fit for the few seeds a sweep has and for outcomes that cannot be negative.

- a level (mean over seeds) of a share or a 0-1 score: t interval, kept inside [0, 1];
- a level of events a year (evictions, help): exact Poisson (Garwood) interval on the
  pooled count, so a rare event's lower bound is 0 at worst, never below;
- an effect (arm minus reference, paired by seed): t interval on the paired differences,
  which may rightly be negative;
- a relative change: the effect and its interval divided by the reference's mean (so a
  headline is "clear" exactly when the effect's interval excludes zero);
- a cost per unit of effect: percentile bootstrap over seeds, resampled jointly in both
  arms (the pairing kept).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

LEVEL = 0.95
_RNG_SEED = 20240601  # the bootstrap's own seed: the same report twice gives the same numbers
_BOOT = 4000


def t_interval(x: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and t interval of the mean (nan bounds for a single value)."""
    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    if len(x) < 2:
        return m, np.nan, np.nan
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return m, m - half, m + half


def level_interval(
    x: np.ndarray, kind: str, span_years: float = 1.0, level: float = LEVEL
) -> tuple[float, float, float]:
    """Mean over seeds and its interval, by the kind of outcome (see the module docstring)."""
    x = np.asarray(x, dtype=float)
    if kind == "rate":
        count = float(np.round(x * span_years).sum())
        exposure = len(x) * span_years
        a = (1 - level) / 2
        lo = 0.0 if count == 0 else stats.chi2.ppf(a, 2 * count) / 2
        hi = stats.chi2.ppf(1 - a, 2 * count + 2) / 2
        return float(x.mean()), lo / exposure, hi / exposure
    m, lo, hi = t_interval(x, level)
    if kind in ("share", "score"):
        return m, max(lo, 0.0), min(hi, 1.0) if kind == "share" else hi
    return m, max(lo, 0.0), hi  # counts and costs are never negative


def paired_effect(
    arm: np.ndarray, ref: np.ndarray, level: float = LEVEL
) -> tuple[float, float, float]:
    """Mean paired difference arm - ref and its t interval."""
    return t_interval(np.asarray(arm, float) - np.asarray(ref, float), level)


def _boot_indices(n: int) -> np.ndarray:
    rng = np.random.default_rng(_RNG_SEED)
    return rng.integers(0, n, size=(_BOOT, n))


def cost_per_unit(
    cost_arm: np.ndarray,
    cost_ref: np.ndarray,
    eff_arm: np.ndarray,
    eff_ref: np.ndarray,
    level: float = LEVEL,
) -> dict[str, float | bool]:
    """Extra cost divided by extra effect, paired by seed, with a bootstrap interval.

    When the effect's own interval reaches zero or below, no finite upper bound exists
    (the effect may be nil); `bounded` is then False and `high` is inf."""
    dc = np.asarray(cost_arm, float) - np.asarray(cost_ref, float)
    de = np.asarray(eff_arm, float) - np.asarray(eff_ref, float)
    if de.mean() <= 0:
        return {
            "value": np.inf,
            "low": np.nan,
            "high": np.inf,
            "bounded": False,
            "effect": float(de.mean()),
        }
    point = dc.mean() / de.mean()
    if len(de) < 2:
        return {
            "value": float(point),
            "low": np.nan,
            "high": np.nan,
            "bounded": False,
            "effect": float(de.mean()),
        }
    idx = _boot_indices(len(de))
    bc, be = dc[idx].mean(axis=1), de[idx].mean(axis=1)
    a = (1 - level) / 2
    bounded = bool(np.quantile(be, a) > 0)
    ratio = np.where(be > 0, bc / np.where(be > 0, be, 1), np.inf)
    # no interpolation: the ratio is infinite where a resample shows no gain
    low = float(np.quantile(ratio, a, method="inverted_cdf"))
    high = float(np.quantile(ratio, 1 - a, method="inverted_cdf")) if bounded else np.inf
    return {
        "value": float(point),
        "low": low,
        "high": high,
        "bounded": bounded,
        "effect": float(de.mean()),
    }
