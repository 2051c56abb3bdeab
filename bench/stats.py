"""Summaries of trial figures: median, p90, min, max, n (None values are failed trials)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), p in [0, 100]."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary(values: Sequence[float | None], digits: int = 1) -> dict[str, float | int | None]:
    """median, p90, min, max over the trials that produced a figure; n counts those, `failed`
    the others (a trial whose takeover was never seen on the wire)."""
    got = [v for v in values if v is not None]
    failed = len(values) - len(got)
    if not got:
        return {"median": None, "p90": None, "min": None, "max": None, "n": 0, "failed": failed}
    return {
        "median": round(statistics.median(got), digits),
        "p90": round(percentile(got, 90), digits),
        "min": round(min(got), digits),
        "max": round(max(got), digits),
        "n": len(got),
        "failed": failed,
    }


def median_index(values: Sequence[float | None]) -> int | None:
    """The index of the trial whose figure is the (lower) median: the one a plot shows."""
    got = sorted((v, i) for i, v in enumerate(values) if v is not None)
    if not got:
        return None
    return got[(len(got) - 1) // 2][1]
