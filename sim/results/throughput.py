"""Tonnes, TEU and shipments delivered in the window, by every throughput grouping, in one compiled pass.

The throughput tables of :mod:`sim.results.kpis` (by commodity, flow, destination, traffic class, and by
commodity and calendar month) sum the same shipments — those delivered in [warm-up, horizon] — by keys that
are functions of the shipment's flow (and, for the months, of its delivery time). Here the groups of every
grouping (``key * R + replication``, :mod:`sim.results.groups`) are laid end to end in one numbering and one
pass over the shipments adds each delivered shipment's tonnes, TEU and 1 to its group in each grouping: each
sum adds its shipments in the Plan's order from 0, as ``np.bincount`` with weights does.

A delivery's calendar month is :func:`sim.results.codes.month_numbers`' (seconds since the scenario's start,
truncated, then the month they fall in): the pass finds it among the month starts of :class:`MonthCells`
(whole seconds), so it needs no datetime arithmetic per shipment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.compiled import compiled
from sim.results.codes import month_numbers
from sim.scenario.model import Scenario

__all__ = ["MonthCells", "throughput_sums"]


@dataclass(frozen=True)
class MonthCells:
    """The calendar months the throughput tables list, and where each month starts.

    Attributes
    ----------
    months : ndarray of int64
        The months listed (since 1970-01, ascending): those of 400 instants evenly spread over the window.
    starts : ndarray of int64
        Start of each month from the first listed to the one after the last (s since the scenario's start).
    position : ndarray of int64
        For each month from the first listed to the last, its position in :attr:`months` (−1: not listed).
    """

    months: IntArray
    starts: IntArray
    position: IntArray

    @classmethod
    def of(cls, scenario: Scenario, window: tuple[float, float]) -> MonthCells:
        """The months of ``window`` (h) listed by ``throughput_by_month``."""
        start, end = window
        months = np.unique(month_numbers(scenario, np.linspace(start, end, 400)))
        every = np.arange(months[0], months[-1] + 2, dtype=np.int64)
        origin = np.datetime64(dt.datetime.combine(scenario.start, dt.time()), "s")
        starts = (every.astype("datetime64[M]").astype("datetime64[s]") - origin).astype(np.int64)
        position = np.full(every.size - 1, -1, dtype=np.int64)
        position[months - months[0]] = np.arange(months.size)
        return cls(months, starts, position)


@compiled
def throughput_sums(
    rep_first: IntArray,
    delivered: FloatArray,
    tonnes: FloatArray,
    teu: FloatArray,
    shipment_flow: IntArray,
    keys: IntArray,
    bounds: IntArray,
    starts: IntArray,
    position: IntArray,
    window: tuple[float, float],
) -> FloatArray:
    """Tonnes, TEU and shipments of every group of every grouping, shape (3, groups).

    Parameters
    ----------
    rep_first : ndarray of int64
        Each stored replication's first shipment (R + 1 offsets).
    delivered : ndarray of float64
        Each shipment's delivery (h; NaN: not delivered by the horizon).
    tonnes, teu : ndarray of float64
        Each shipment's size.
    shipment_flow : ndarray of int
        Each shipment's flow.
    keys : ndarray of int64
        Shape (groupings, flows): each flow's key in each grouping; the last grouping is by month, its key
        the flow's commodity (the group is ``(commodity * months + month) * R + replication``).
    bounds : ndarray of int64
        First group of each grouping in the one numbering, and the number of groups (groupings + 1).
    starts, position : ndarray of int64
        The months' starts (s) and positions in the listed months (:class:`MonthCells`).
    window : tuple of float
        [warm-up, horizon] (h): the deliveries counted.
    """
    lo, hi = window
    reps = rep_first.size - 1
    months = position.size
    listed = 0
    for at in range(months):
        listed += 1 if position[at] >= 0 else 0
    by_month = keys.shape[0] - 1
    sums = np.zeros((3, bounds[-1]), dtype=np.float64)
    for stored in range(reps):
        for row in range(rep_first[stored], rep_first[stored + 1]):
            when = delivered[row]
            if not lo <= when <= hi:
                continue
            flow = shipment_flow[row]
            t, e = tonnes[row], teu[row]
            for g in range(by_month):
                code = bounds[g] + keys[g, flow] * reps + stored
                sums[0, code] += t
                sums[1, code] += e
                sums[2, code] += 1.0
            second = np.int64(when * 3600.0)  # truncated, as a cast to whole seconds
            month = np.searchsorted(starts, second, side="right") - 1
            if 0 <= month < months and position[month] >= 0:
                code = bounds[by_month] + (keys[by_month, flow] * listed + position[month]) * reps + stored
                sums[0, code] += t
                sums[1, code] += e
                sums[2, code] += 1.0
    return sums
