"""The visits whose waits the window observes, found in one compiled pass over a Plan's visits.

The rule is :func:`sim.results.waits.in_wait_window`'s: visits to queueing stations that arrived in
[warm-up, horizon). The pass also gives each such visit's shipment and stored replication, which the wait
tables group by, without laying out a replication or shipment number for every visit.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled

__all__ = ["window_visits"]


@compiled
def window_visits(
    rep_first: IntArray,
    first_visit: IntArray,
    visit_station: IntArray,
    queueing: BoolArray,
    arrive: FloatArray,
    window: tuple[float, float],
) -> tuple[IntArray, IntArray, IntArray]:
    """The visits observed, their shipments and their stored replications, in the Plan's order.

    Parameters
    ----------
    rep_first, first_visit : ndarray of int64
        The Plan's offsets: each stored replication's first shipment, each shipment's first visit.
    visit_station : ndarray of int
        Station of each visit.
    queueing : ndarray of bool
        Per station: it queues (:data:`sim.results.waits.QUEUEING_KINDS`).
    arrive : ndarray of float64
        Arrival of each visit (h; NaN when not reached by the horizon).
    window : tuple of float
        [warm-up, horizon) (h).
    """
    lo, hi = window
    kept = np.empty(arrive.size, dtype=np.int64)
    shipment = np.empty(arrive.size, dtype=np.int64)
    rep = np.empty(arrive.size, dtype=np.int64)
    found = 0
    for stored in range(rep_first.size - 1):
        for row in range(rep_first[stored], rep_first[stored + 1]):
            for visit in range(first_visit[row], first_visit[row + 1]):
                if queueing[visit_station[visit]] and lo <= arrive[visit] < hi:
                    kept[found], shipment[found], rep[found] = visit, row, stored
                    found += 1
    return kept[:found].copy(), shipment[:found].copy(), rep[:found].copy()
