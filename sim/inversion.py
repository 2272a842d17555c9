"""``Lambda^-1`` of a piecewise-constant intensity for sorted points: one compiled pass (:mod:`sim.demand`).

A point ``s`` is in the last segment ``i`` with ``Lambda(edges[i]) <= s`` (zero-rate segments share their
start with the next one, so they are passed over) and maps to ``edges[i] + (s - Lambda(edges[i])) / rates[i]``
— the same operations as numpy's vector expression. Imported when a Plan is drawn (numba), not on validation.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray
from sim.compiled import compiled

__all__ = ["invert_sorted"]


@compiled
def invert_sorted(
    points: FloatArray, edges: FloatArray, rates: FloatArray, cumulative: FloatArray
) -> FloatArray:
    """Times of the non-negative, non-decreasing ``points`` below ``cumulative[-1]`` (the rest are dropped).

    Parameters
    ----------
    points : ndarray of float64
        Points on the scale of ``Lambda`` (expected shipments), non-decreasing.
    edges : ndarray of float64, shape (segments + 1,)
        Segment edges (h).
    rates : ndarray of float64, shape (segments,)
        Rate in each segment (per hour).
    cumulative : ndarray of float64, shape (segments + 1,)
        ``Lambda`` at each edge.
    """
    kept = np.searchsorted(points, cumulative[-1], side="left")
    times = np.empty(kept)
    segment = 0
    for k in range(kept):
        while segment + 1 < rates.size and cumulative[segment + 1] <= points[k]:
            segment += 1
        times[k] = edges[segment] + (points[k] - cumulative[segment]) / rates[segment]
    return times
