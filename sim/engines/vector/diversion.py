"""Diversion in the vector engine: chokepoints where shipments may turn away, and where they go instead.

A shipment of a flow with a diversion has both ways laid out in the Plan (:class:`sim.network.FlowDiversion`):
its route's visits, then its alternative's. The chokepoint's kernel decides which it takes; the untaken way's
visits never arrive (``+inf`` times, NaN in the Trace), which every kernel already handles as a visit that
sorts last and never starts. So the station graph keeps one edge per way — the chokepoint feeds the route's
next station and the alternative's first — and the order of computation stays valid.

The kernel (:func:`diverting_chokepoint`) follows the reference engine's decisions visit by visit, row by
row: in FIFO order, a ship with a threshold counts the ships ahead of it (those that stayed and had not
started before its arrival: starts are non-decreasing, so a binary search), and diverts by
:func:`sim.network.diverts`; a ship that stays starts at the first instant with slots at or after
``max(arrival, free)``, and the next may start ``24 / slots`` hours later. The decisions depend on earlier
decisions, so there is no prefix scan; a cycle through such a chokepoint is settled by sweeping, never in
windows (a diverted ship reaches its alternative with no lag).

A shipment whose flow's diversion ``leaves`` has no alternative: when it turns away its chokepoint visit
never starts (``+inf``, so its later visits never arrive) and the hand-on
(:func:`~sim.engines.vector.block_loops.hand_on_branches`) marks it in the block's ``left``, whose visits
end at their arrival (:func:`sim.engines.vector.block.ends`), as in the reference.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled
from sim.engines.vector.fifo import Fifo
from sim.engines.vector.service import positions_along_rows
from sim.network import diverts
from sim.plan import Plan
from sim.schedule import Schedule

__all__ = ["Branches", "branches_of", "diverting_chokepoint"]


@dataclass(frozen=True)
class Branches:
    """The diversion points of a block's shipments (visit indices are the block's).

    Attributes
    ----------
    decide : ndarray of int64
        The chokepoint visit where each shipment of a flow with a diversion decides, ascending.
    detour : ndarray of int64
        The first visit of its alternative (for a shipment that leaves, one past its last visit: none).
    leaves : ndarray of bool
        Whether it leaves instead (its flow's diversion ``leaves``: no alternative).
    route_last : ndarray of int64
        The last visit of its route (it feeds nothing: the alternative's visits follow it in the Plan).
    threshold_days : ndarray of float64
        Per decision (as ``decide``): the flow's threshold (d).
    stations : frozenset of int
        The chokepoints where some shipment decides.
    """

    decide: IntArray
    detour: IntArray
    leaves: BoolArray
    route_last: IntArray
    threshold_days: FloatArray
    stations: frozenset[int]

    def decisions(self, cells: IntArray) -> IntArray:
        """For each of ``cells`` (block visits, a grid), its decision's index in ``decide``, or -1.

        Looked up among ``decide`` (ascending) by a walk along each row
        (:func:`~sim.engines.vector.service.positions_along_rows`): no per-visit array of the whole block.
        """
        where = np.full(cells.shape, -1, dtype=np.int64)
        if self.decide.size == 0 or cells.size == 0:
            return where
        positions_along_rows(self.decide, np.ascontiguousarray(cells), False, where)
        np.minimum(where, self.decide.size - 1, out=where)
        np.putmask(where, self.decide[where] != cells, -1)
        return where


def branches_of(plan: Plan, s0: int, s1: int, station_code: NDArray[np.integer[Any]]) -> Branches | None:
    """The branches of shipments ``s0:s1`` of ``plan`` (visits counted from the first of ``s0``), or None."""
    flows = plan.network.flows
    if all(flow.diversion is None for flow in flows):
        return None
    at = np.array([f.diversion.at if f.diversion else -1 for f in flows], dtype=np.int64)
    branch = np.array([f.diversion.branch if f.diversion else -1 for f in flows], dtype=np.int64)
    threshold = np.array([f.diversion.threshold_days if f.diversion else np.inf for f in flows])
    leaves = np.array([f.diversion.leaves if f.diversion else False for f in flows], dtype=bool)
    flow = plan.shipment_flow[s0:s1]
    first = plan.first_visit[s0:s1]
    count = _deciding(flow, at)
    decide, detour, which = (np.empty(count, dtype=np.int64) for _ in range(3))
    _decisions(flow, first, at, branch, decide, detour, which)
    stations = frozenset(np.flatnonzero(np.bincount(station_code[decide], minlength=1)).tolist())
    return Branches(decide, detour, leaves[which], detour - 1, threshold[which], stations)


@compiled
def _deciding(flow: IntArray, at: IntArray) -> int:
    """How many of the shipments (of flows ``flow``) belong to a flow with a diversion (``at`` >= 0)."""
    count = 0
    for f in flow:
        if at[f] >= 0:
            count += 1
    return count


@compiled
def _decisions(
    flow: IntArray,
    first: IntArray,
    at: IntArray,
    branch: IntArray,
    decide: IntArray,
    detour: IntArray,
    which: IntArray,
) -> None:
    """Each diverting shipment's decision visit, its alternative's first visit and its flow, in one pass.

    ``flow`` and ``first`` (first visits) are per shipment, ``at`` and ``branch`` (route positions) per
    flow; visits are counted from the first shipment's first visit. What ``first[rows] + at[flow[rows]]``
    and ``first[rows] + branch[flow[rows]]`` give for the shipments ``rows`` of flows with a diversion.
    """
    base = first[0] if first.size else 0
    m = 0
    for s in range(flow.size):
        f = flow[s]
        if at[f] >= 0:
            begin = first[s] - base
            decide[m] = begin + at[f]
            detour[m] = begin + branch[f]
            which[m] = f
            m += 1


def diverting_chokepoint(
    queue: Fifo, threshold_days: FloatArray, capacity: Schedule
) -> tuple[FloatArray, BoolArray]:
    """Start times (h) at a chokepoint where ships may divert, and which ships divert.

    Parameters
    ----------
    queue : Fifo
        The chokepoint's visits in FIFO order.
    threshold_days : ndarray, shape ``queue.shape``
        Each visit's threshold (d), ``inf`` for a ship that never diverts.
    capacity : Schedule
        Slots per day over time.

    Returns
    -------
    start : ndarray, shape ``queue.shape``
        Transit starts (h); ``+inf`` for ships that divert or never arrive (or wait for slots that never
        return).
    diverted : ndarray of bool, shape ``queue.shape``
    """
    start = np.full(queue.shape, np.inf)
    diverted = np.zeros(queue.shape, dtype=bool)
    slots = _Slots(capacity)
    for row in range(queue.shape[0]):
        n = int(queue.counts[row])
        arrive = queue.arrive[row, :n].tolist()
        thresholds = threshold_days[row, :n].tolist()
        stayed: list[float] = []  # the starts of the ships that stayed, non-decreasing
        begins: list[float] = []  # every column's start (inf: diverted)
        turned: list[int] = []
        free = -np.inf
        for column, (when, threshold) in enumerate(zip(arrive, thresholds, strict=True)):
            # a ship without a threshold (inf) never diverts: skip the count, the rule would say no
            if threshold < np.inf:
                ahead = len(stayed) - bisect.bisect_left(stayed, when)
                if diverts(ahead, slots.at(when), threshold):
                    turned.append(column)
                    begins.append(np.inf)
                    continue
            begin = slots.next_positive(max(when, free)) if free < np.inf else np.inf
            free = begin + 24.0 / slots.at(begin) if begin < np.inf else np.inf
            stayed.append(begin)
            begins.append(begin)
        start[row, :n] = begins
        diverted[row, turned] = True
    return start, diverted


class _Slots:
    """A schedule's :meth:`~sim.schedule.Schedule.at` and ``next_positive`` on Python lists.

    The same values (a bisection to the right is numpy's ``searchsorted(side="right")``), without numpy's cost
    per scalar call.
    """

    def __init__(self, schedule: Schedule):
        self.times = schedule.times.tolist()
        self.values = schedule.values.tolist()
        later = [np.inf] * len(self.values)  # per regime: the start of the next regime with slots
        for k in range(len(self.values) - 2, -1, -1):
            later[k] = self.times[k + 1] if self.values[k + 1] > 0 else later[k + 1]
        self.later = later

    def at(self, t: float) -> float:
        """Slots per day at ``t`` (h)."""
        return float(self.values[bisect.bisect_right(self.times, t) - 1])

    def next_positive(self, t: float) -> float:
        """The earliest time ``>= t`` with slots (h), or ``inf``."""
        index = bisect.bisect_right(self.times, t) - 1
        return t if self.values[index] > 0 else float(self.later[index])
