"""Group reductions over small integer codes: the arithmetic under the KPI tables.

A group is ``key * replications + replication`` (key: a station, flow, commodity, node or month code), so
one ``np.bincount`` gives every (key, replication) sum at once, and one sort of the values gives the order
statistics of every group (:func:`order_statistics`). Nothing here knows what a KPI is;
:mod:`sim.results.kpis` says which groups to reduce.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.compiled import compiled
from sim.plan import Plan

__all__ = ["BLOCK_VISITS", "interpolated", "order_statistics", "pieces", "quantile_ranks"]

BLOCK_VISITS = 1 << 18
"""Visits reduced at a time: whole replications, about this many visits (a few MB per column, cache-sized)."""


def pieces(plan: Plan, visits: int = BLOCK_VISITS) -> list[tuple[int, int]]:
    """Stored replications ``start:stop`` of ``plan`` in runs of about ``visits`` visits (one at least)."""
    count = len(plan.replications)
    step = max(1, visits * count // max(plan.n_visits, 1))
    return [(start, min(start + step, count)) for start in range(0, count, step)]


def quantile_ranks(size: IntArray, q: float) -> tuple[IntArray, IntArray, FloatArray]:
    """The ranks (0-based, ascending) of the two order statistics of each group's ``q`` quantile.

    Linear interpolation between order statistics, as pandas' group quantile: the value is ``low + (high −
    low) × fraction`` (``low`` itself when ``fraction`` is 0) with ``low`` and ``high`` the values of ranks
    ``at`` and ``nxt``. Returns ``at``, ``nxt`` (−1 for an empty group: never reached) and ``fraction``.
    """
    position = q * (size - 1)
    below = np.floor(position).astype(np.int64)
    last = np.maximum(size - 1, 0)
    return np.minimum(below, last), np.minimum(below + 1, last), position - below


def interpolated(low: FloatArray, high: FloatArray, fraction: FloatArray, size: IntArray) -> FloatArray:
    """The quantiles from the order statistics of :func:`quantile_ranks` (NaN for an empty group)."""
    return np.where(size > 0, np.where(fraction == 0.0, low, low + (high - low) * fraction), np.nan)


@compiled
def order_statistics(
    values: FloatArray, groups: IntArray, order: IntArray, at: IntArray, nxt: IntArray, count: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each group's values of ranks ``at`` and ``nxt`` (0-based, ascending) and its largest value (NaN: none).

    ``groups`` has shape (values, groupings): each value's group in each grouping (in one numbering of
    ``count`` groups; −1: in none). ``order`` lists the values ascending
    (:func:`~sim.results.value_order.value_order`); walking it, each group's values come in ascending order,
    so counting them gives each one's rank: no group's values are gathered or sorted.
    """
    low = np.full(count, np.nan)
    high = np.full(count, np.nan)
    top = np.full(count, np.nan)
    rank = np.zeros(count, dtype=np.int64)
    for i in order:
        value = values[i]
        for g in range(groups.shape[1]):
            code = groups[i, g]
            if code < 0:
                continue
            r = rank[code]
            if r == at[code]:
                low[code] = value
            if r == nxt[code]:
                high[code] = value
            rank[code] = r + 1
            top[code] = value
    return low, high, top
