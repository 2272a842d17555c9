"""What the visits use of their stations in the window, summed by (station, replication) in one pass.

For the station KPIs of :mod:`sim.results.kpis`: each visit that was reached (arrival not NaN) adds, to its
(station, replication) group, with its times clipped to the window [lo, hi] (a NaN start or end: still
going at the horizon, clipped to ``hi``):

- hours queued: ``max(min(start, hi) − max(arrive, lo), 0)``;
- hours present: ``max(min(end, hi) − max(arrive, lo), 0)``;
- one arrival when it arrived in [lo, hi);
- what it used of its station: berth-hours ``max(min(end, hi) − max(min(start, hi), lo), 0)``; at a
  scheduled service the load it carried, and at a chokepoint one transit, when it started in [lo, hi].

Each sum adds its visits in the Plan's order from 0, as ``np.bincount`` with weights does, so the sums are
those of the array expressions bit for bit; the loop only saves the dozen passes over the visits those need.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.compiled import compiled

__all__ = ["CHOKEPOINT", "OCCUPIED", "SERVICE", "station_use"]

OCCUPIED, SERVICE, CHOKEPOINT = 0, 1, 2
"""How a station's use is counted (``use`` of :func:`station_use`): hours occupied, load, or transits."""


@compiled
def station_use(
    station: IntArray,
    rep_visits: IntArray,
    use: IntArray,
    size: FloatArray,
    arrive: FloatArray,
    start: FloatArray,
    end: FloatArray,
    window: tuple[float, float],
    count: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Hours queued, hours present, arrivals and use of each group (shape (``count``,) each).

    Parameters
    ----------
    station : ndarray of int
        Station of each visit.
    rep_visits : ndarray of int64
        First visit of each stored replication, and the number of visits (R + 1 offsets); a visit of
        replication ``r`` is in group ``station * R + r``.
    use : ndarray of int64
        How each station counts its use: :data:`OCCUPIED`, :data:`SERVICE` or :data:`CHOKEPOINT`.
    size : ndarray of float64
        Load of each visit (t or TEU; used at services).
    arrive, start, end : ndarray of float64
        The visits' times (h; NaN when not reached by the horizon).
    window : tuple of float
        [lo, hi], hours from the scenario start.
    count : int
        Number of groups: stations × R.
    """
    lo, hi = window
    reps = rep_visits.size - 1
    queued = np.zeros(count, dtype=np.float64)
    present = np.zeros(count, dtype=np.float64)
    arrivals = np.zeros(count, dtype=np.float64)
    used = np.zeros(count, dtype=np.float64)
    rep = 0
    for visit in range(station.size):
        came = arrive[visit]
        if np.isnan(came):
            continue  # never reached
        while visit >= rep_visits[rep + 1]:
            rep += 1
        code = station[visit] * reps + rep
        began, ended = start[visit], end[visit]
        arrived = max(came, lo)
        started_h = hi if np.isnan(began) else min(began, hi)
        ended_h = hi if np.isnan(ended) else min(ended, hi)
        queued[code] += max(started_h - arrived, 0.0)
        present[code] += max(ended_h - arrived, 0.0)
        if lo <= came < hi:
            arrivals[code] += 1.0
        started = lo <= began <= hi
        kind = use[station[visit]]
        if kind == SERVICE:
            used[code] += size[visit] if started else 0.0
        elif kind == CHOKEPOINT:
            used[code] += 1.0 if started else 0.0
        else:
            used[code] += max(ended_h - max(started_h, lo), 0.0)
    return queued, present, arrivals, used
