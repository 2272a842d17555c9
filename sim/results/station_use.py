"""What the visits use of their stations in the window, summed by (station, replication).

For the station KPIs of :mod:`sim.results.kpis`: each visit that was reached (arrival not NaN) adds, to its
(station, replication) group (:func:`add_use`, called by the one pass over the visits of
:mod:`sim.results.wait_groups`), with its times clipped to the window [lo, hi] (a NaN start or end: still
going at the horizon, clipped to ``hi``):

- hours queued: ``max(min(start, hi) − max(arrive, lo), 0)``;
- hours present: ``max(min(end, hi) − max(arrive, lo), 0)``;
- one arrival when it arrived in [lo, hi);
- what it used of its station: berth-hours ``max(min(end, hi) − max(min(start, hi), lo), 0)``; at a
  scheduled service the load it carried, and at a chokepoint one transit, when it started in [lo, hi].

Each sum adds its visits in the Plan's order from 0, as ``np.bincount`` with weights does, so the sums are
those of the array expressions bit for bit; the pass only saves the dozen passes over the visits those need.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray
from sim.compiled import compiled

__all__ = ["ARRIVALS", "CHOKEPOINT", "OCCUPIED", "PRESENT", "QUEUED", "SERVICE", "USED", "add_use"]

OCCUPIED, SERVICE, CHOKEPOINT = 0, 1, 2
"""How a station's use is counted (``use`` of :func:`add_use`): hours occupied, load, or transits."""


QUEUED, PRESENT, ARRIVALS, USED = 0, 1, 2, 3
"""Rows of the sums :func:`add_use` adds to: hours queued, hours present, arrivals, use."""


@compiled
def add_use(
    sums: FloatArray,
    group: int,
    arrive: float,
    start: float,
    end: float,
    size: float,
    use: int,
    window: tuple[float, float],
) -> None:
    """Add a reached visit (``arrive`` not NaN) to column ``group`` of ``sums`` (shape (4, groups)).

    Parameters
    ----------
    sums : ndarray of float64
        Rows :data:`QUEUED`, :data:`PRESENT`, :data:`ARRIVALS` and :data:`USED`.
    group : int
        The visit's (station, replication) group.
    arrive, start, end : float
        Its times (h; a NaN start or end: not by the horizon).
    size : float
        Its load (t or TEU; counted at services).
    use : int
        How its station counts its use: :data:`OCCUPIED`, :data:`SERVICE` or :data:`CHOKEPOINT`.
    window : tuple of float
        [lo, hi], hours from the scenario start.
    """
    lo, hi = window
    arrived = max(arrive, lo)
    started_h = hi if np.isnan(start) else min(start, hi)
    ended_h = hi if np.isnan(end) else min(end, hi)
    sums[QUEUED, group] += max(started_h - arrived, 0.0)
    sums[PRESENT, group] += max(ended_h - arrived, 0.0)
    if lo <= arrive < hi:
        sums[ARRIVALS, group] += 1.0
    started = lo <= start <= hi
    if use == SERVICE:
        sums[USED, group] += size if started else 0.0
    elif use == CHOKEPOINT:
        sums[USED, group] += 1.0 if started else 0.0
    else:
        sums[USED, group] += max(ended_h - max(started_h, lo), 0.0)
