"""Piecewise-constant schedules: a station's capacity, slots or speed factor as a function of time.

A :class:`Schedule` holds change times and the value from each change on; the value before the first
change is ``values[0]`` (``times[0]`` is ``-inf``). Windows are closed at the start and open at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray

__all__ = ["Schedule", "windowed"]


@dataclass(frozen=True)
class Schedule:
    """A step function of time (h).

    Attributes
    ----------
    times : ndarray
        Increasing change times (h); ``times[0]`` is ``-inf``.
    values : ndarray
        ``values[i]`` holds on ``[times[i], times[i+1])``.
    """

    times: FloatArray
    values: FloatArray

    @classmethod
    def constant(cls, value: float) -> Schedule:
        """A schedule that never changes."""
        return cls(np.array([-np.inf]), np.array([float(value)]))

    @property
    def is_constant(self) -> bool:
        """True when the value never changes."""
        return self.times.size == 1

    def at(self, t: float) -> float:
        """The value at time ``t`` (h)."""
        return float(self.values[np.searchsorted(self.times, t, side="right") - 1])

    def at_many(self, t: FloatArray) -> FloatArray:
        """The values at each of the times ``t`` (h)."""
        return self.values[np.searchsorted(self.times, t, side="right") - 1]

    def integral(self, a: float, b: float) -> float:
        """The integral of the schedule over ``[a, b]`` (value × h)."""
        cuts = self.times[(self.times > a) & (self.times < b)]
        edges = np.concatenate([[a], cuts, [b]])
        return float(np.sum(self.at_many(edges[:-1]) * np.diff(edges)))

    def next_change(self, t: float) -> float:
        """The first change time strictly after ``t``, or ``inf``."""
        index = int(np.searchsorted(self.times, t, side="right"))
        return float(self.times[index]) if index < self.times.size else float("inf")

    def next_positive(self, t: float) -> float:
        """The earliest time ``>= t`` at which the value is positive, or ``inf``."""
        index = int(np.searchsorted(self.times, t, side="right")) - 1
        if self.values[index] > 0:
            return t
        later = np.nonzero(self.values[index + 1 :] > 0)[0]
        return float(self.times[index + 1 + later[0]]) if later.size else float("inf")


def windowed(nominal: float, windows: Sequence[tuple[float, float, float]]) -> Schedule:
    """A schedule at ``nominal`` except inside non-overlapping windows ``(start, end, value)``."""
    times = [-np.inf]
    values = [float(nominal)]
    for start, end, value in sorted(windows):
        if start > times[-1]:
            times.append(start)
            values.append(float(value))
        else:  # a window starting exactly where the previous ended
            values[-1] = float(value)
        times.append(end)
        values.append(float(nominal))
    return Schedule(np.asarray(times, dtype=np.float64), np.asarray(values, dtype=np.float64))
