"""When each shipment's journey ended: its delivery, or the instant it left at a chokepoint.

A shipment is delivered at the end of its last visit. One whose flow's diversion ``leaves`` and that turned
away at the chokepoint (:attr:`sim.plan.Plan.left`, set by :func:`sim.results.diversions.routes_taken`) is
never delivered: its visits are those it made before the chokepoint — none when its route is the
chokepoint alone — and its journey ended when it left, at the end of its last visit made (its arrival at the
chokepoint), or at its creation when it made none.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled
from sim.plan import Plan
from sim.trace import Trace

__all__ = ["delivered_of", "delivered_times", "ended_times", "left_times"]


def ended_times(plan: Plan, trace: Trace) -> FloatArray:
    """When each shipment's last visit made ended (h): delivery or leaving; NaN if not by the horizon.

    A shipment with no visit ended at its creation if it left (at the first station of its route), else
    never (NaN: it is counted nowhere).
    """
    left = np.empty(0, dtype=bool) if plan.left is None else plan.left
    return _ended(plan.first_visit, trace.end, plan.created, left)


@compiled
def _ended(first_visit: IntArray, end: FloatArray, created: FloatArray, left: BoolArray) -> FloatArray:
    """Each shipment's end of its last visit (h); its creation if it made none and left, else NaN.

    ``left``: empty when no flow's ships leave.
    """
    shipments = first_visit.size - 1
    ended = np.empty(shipments)
    has_left = left.size > 0
    for row in range(shipments):
        last = first_visit[row + 1]
        if last > first_visit[row]:
            ended[row] = end[last - 1]
        elif has_left and left[row]:
            ended[row] = created[row]
        else:
            ended[row] = np.nan
    return ended


def delivered_times(plan: Plan, trace: Trace) -> FloatArray:
    """Delivery time of each shipment (h): NaN if not delivered by the horizon, or never (it left)."""
    return delivered_of(plan, ended_times(plan, trace))


def delivered_of(plan: Plan, ended: FloatArray) -> FloatArray:
    """Delivery times (h) from :func:`ended_times` already computed: NaN for a shipment that left."""
    return ended if plan.left is None else np.where(plan.left, np.nan, ended)


def left_times(plan: Plan, trace: Trace) -> FloatArray:
    """When each shipment left at a chokepoint (h): NaN for a shipment that did not leave."""
    if plan.left is None:
        return np.full(plan.n_shipments, np.nan)
    return np.where(plan.left, ended_times(plan, trace), np.nan)
