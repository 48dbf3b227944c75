"""Soft scores for descriptor judgements: a logistic of a margin, and soft rank membership.

Margins are in natural units chosen by the caller (box diagonals, normalized image
coordinates, seconds, pixels); ``scale`` is the margin at which a score reaches ~0.73.
"""

from __future__ import annotations

import math

__all__ = ["rank_scores", "soft"]


def soft(margin: float, scale: float) -> float:
    """Logistic of ``margin / scale``: 0.5 at zero margin, → 1 for clearly positive margins."""
    z = max(-40.0, min(40.0, margin / max(scale, 1e-9)))
    return 1.0 / (1.0 + math.exp(-z))


def rank_scores(values: dict[int, float], lo: int, hi: int, scale: float) -> dict[int, float]:
    """Soft membership of each candidate in ranks [lo, hi] (1-based) of ``values`` sorted descending."""
    ids = sorted(values, key=lambda i: (-values[i], i))
    v = [values[i] for i in ids]
    n = len(ids)
    hi = min(hi, n)
    lo = min(lo, hi)
    out = {}
    for k, tid in enumerate(ids, start=1):
        x = values[tid]
        if lo <= k <= hi:
            margins = [v[lo - 2] - x] if lo > 1 else []
            margins += [x - v[hi]] if hi < n else []
            margin = min(margins) if margins else scale * 3
        elif k < lo:
            margin = v[lo - 1] - x
        else:
            margin = x - v[hi - 1]
        out[tid] = soft(margin, scale)
    return out
