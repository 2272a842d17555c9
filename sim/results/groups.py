"""Group reductions over small integer codes: the arithmetic under the KPI tables.

A group is ``key * replications + replication`` (key: a station, flow, commodity, node or month code), so
one ``np.bincount`` gives every (key, replication) sum at once, and one sort per table gives the order
statistics. Nothing here knows what a KPI is; :mod:`sim.results.kpis` says which groups to reduce.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.compiled import compiled
from sim.plan import Plan
from sim.results.value_order import value_order

__all__ = ["BLOCK_VISITS", "Groups", "group_sums", "pieces"]

BLOCK_VISITS = 1 << 18
"""Visits reduced at a time: whole replications, about this many visits (a few MB per column, cache-sized)."""


def pieces(plan: Plan, visits: int = BLOCK_VISITS) -> list[tuple[int, int]]:
    """Stored replications ``start:stop`` of ``plan`` in runs of about ``visits`` visits (one at least)."""
    count = len(plan.replications)
    step = max(1, visits * count // max(plan.n_visits, 1))
    return [(start, min(start + step, count)) for start in range(0, count, step)]


def group_sums(group: IntArray, size: int, *weights: FloatArray) -> FloatArray:
    """Per-group sums of each weight (rows) and the group sizes (last row), shape (len(weights) + 1, size)."""
    rows = [np.bincount(group, weights=w, minlength=size) for w in weights]
    rows.append(np.bincount(group, minlength=size).astype(np.float64))
    return np.stack(rows)


@dataclass(frozen=True)
class Groups:
    """Values sorted by (group, value), NaN excluded, with each group's offset and size.

    Groups are ``key * reps + replication``; the values are sorted once by value
    (:func:`~sim.results.value_order.value_order`, which several groupings of the same values may share)
    and then, stably, by group (a counting sort in one compiled pass, :func:`_grouped`), which leaves each
    group's values in order.
    """

    values: FloatArray
    first: IntArray
    size: IntArray
    total: FloatArray
    """Sum of each group, added in the rows' order."""

    @classmethod
    def of(cls, group: IntArray, values: FloatArray, count: int, order: IntArray | None = None) -> Groups:
        """Group ``values`` by ``group`` (codes in ``[0, count)``; a code < 0 leaves its row out).

        ``order`` lists the rows ascending by value (NaN rows may be left out: they are), when already known.
        """
        by_value = value_order(values) if order is None else order
        sorted_values, first, size, total = _grouped(group, values, by_value, count)
        return cls(sorted_values, first, size, total)

    def mean(self) -> FloatArray:
        """Mean of each group (NaN for an empty one)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.size > 0, self.total / self.size, np.nan)

    def quantile(self, q: float) -> FloatArray:
        """Linear interpolation between order statistics, as pandas' group quantile."""
        position = q * (self.size - 1)
        below = np.floor(position).astype(np.int64)
        fraction = position - below
        last = np.maximum(self.size - 1, 0)
        at = np.clip(self.first + np.minimum(below, last), 0, max(self.values.size - 1, 0))
        nxt = np.clip(self.first + np.minimum(below + 1, last), 0, max(self.values.size - 1, 0))
        if not self.values.size:
            return np.full(self.size.size, np.nan)
        low, high = self.values[at], self.values[nxt]
        value = np.where(fraction == 0.0, low, low + (high - low) * fraction)
        return np.where(self.size > 0, value, np.nan)

    def max(self) -> FloatArray:
        """Largest value of each group (NaN for an empty one)."""
        if not self.values.size:
            return np.full(self.size.size, np.nan)
        return np.where(self.size > 0, self.values[np.maximum(self.first + self.size - 1, 0)], np.nan)


@compiled
def _grouped(
    group: IntArray, values: FloatArray, by_value: IntArray, count: int
) -> tuple[FloatArray, IntArray, IntArray, FloatArray]:
    """Values in (group, value) order, each group's offset and size, and its sum in the rows' order.

    Rows with a group < 0 or a NaN value are left out. ``by_value`` orders the rows by value; a counting
    sort places them group by group in that order. Each sum adds its rows in row order, from 0 — the sums of
    ``np.bincount`` with weights, bit for bit.
    """
    size = np.zeros(count, dtype=np.int64)
    total = np.zeros(count, dtype=np.float64)
    for row in range(group.size):
        code, value = group[row], values[row]
        if code >= 0 and not np.isnan(value):
            size[code] += 1
            total[code] += value
    first = np.zeros(count, dtype=np.int64)
    for code in range(1, count):
        first[code] = first[code - 1] + size[code - 1]
    placed = first.copy()
    ordered = np.empty(int(size.sum()), dtype=np.float64)
    for row in by_value:
        code, value = group[row], values[row]
        if code >= 0 and not np.isnan(value):
            ordered[placed[code]] = value
            placed[code] += 1
    return ordered, first, size, total
