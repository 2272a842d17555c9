"""The Trace: what an engine returns — arrive, start and end time of every visit of a Plan.

Arrays are aligned with the Plan's visit arrays. A time after the horizon is NaN: the event had not happened
when the simulation stopped. For a berth, ``start`` is when a berth was taken and ``end`` when it was freed;
for a service, the departure and the arrival at the far end; for a chokepoint, the transit start and end;
for a leg, ``start == arrive`` and ``end`` is the arrival at the next node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray

__all__ = ["Trace", "first_difference"]


@dataclass(frozen=True)
class Trace:
    """Visit times (h), aligned with ``Plan.visit_station``."""

    arrive: FloatArray
    start: FloatArray
    end: FloatArray

    @classmethod
    def from_unmasked(cls, arrive: FloatArray, start: FloatArray, end: FloatArray, horizon_h: float) -> Trace:
        """Build a trace, turning every time after ``horizon_h`` into NaN."""

        def mask(values: FloatArray) -> FloatArray:
            return np.where(values <= horizon_h, values, np.nan)

        return cls(mask(arrive), mask(start), mask(end))


def first_difference(a: Trace, b: Trace, rtol: float = 0.0) -> tuple[int, str, float, float] | None:
    """The first visit (index, field, a value, b value) where two traces differ, or ``None``.

    Times are equal when both are NaN or when ``|a - b| <= rtol * max(|a|, |b|, 1)``; with the default
    ``rtol = 0`` only the same float is equal — the engine contract (an ulp apart is a different Trace: it
    can decide whether a start falls before a closure or at it).
    """
    for field in ("arrive", "start", "end"):
        x, y = getattr(a, field), getattr(b, field)
        if x.shape != y.shape:
            return -1, f"{field} shape", float(x.size), float(y.size)
        same = (np.isnan(x) & np.isnan(y)) | (
            np.abs(x - y) <= rtol * np.maximum(np.maximum(np.abs(x), np.abs(y)), 1.0)
        )
        bad = np.flatnonzero(~same)
        if bad.size:
            i = int(bad[0])
            return i, field, float(x[i]), float(y[i])
    return None
