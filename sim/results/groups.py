"""Group reductions over small integer codes: the arithmetic under the KPI tables.

A group is ``key * replications + replication`` (key: a station, flow, commodity, node or month code), so
one ``np.bincount`` gives every (key, replication) sum at once, and one sort per table gives the order
statistics. Nothing here knows what a KPI is; :mod:`sim.results.kpis` says which groups to reduce.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.plan import Plan

__all__ = ["BLOCK_VISITS", "Groups", "argsort_by_value", "group_sums", "pieces"]

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


def argsort_by_value(values: FloatArray) -> IntArray:
    """``np.argsort(values)``, NaN last, without NaN in the sort (numpy's fast sort path has none)."""
    missing = np.isnan(values)
    return np.argsort(np.where(missing, np.inf, values) if missing.any() else values).astype(np.int64)


@dataclass(frozen=True)
class Groups:
    """Values sorted by (group, value), NaN excluded, with each group's offset and size.

    Groups are ``key * reps + replication``; the values are sorted once by value (``np.argsort``, which
    several groupings of the same values may share) and then, stably, by group (a radix sort of small
    integers), which leaves each group's values in order.
    """

    values: FloatArray
    first: IntArray
    size: IntArray
    total: FloatArray
    """Sum of each group, added in the rows' order."""

    @classmethod
    def of(cls, group: IntArray, values: FloatArray, count: int, order: IntArray | None = None) -> Groups:
        """Group ``values`` by ``group`` (codes in ``[0, count)``; a code < 0 leaves its row out).

        ``order`` is :func:`argsort_by_value` of ``values`` when already known.
        """
        by_value = argsort_by_value(values) if order is None else order
        keep = (group >= 0) & ~np.isnan(values)
        by_value = by_value[keep[by_value]]
        narrow = np.uint16 if count <= np.iinfo(np.uint16).max else np.int64
        codes = group[by_value].astype(narrow)
        by_group = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[by_group], np.arange(count + 1)).astype(np.int64)
        # summed in the rows' order, before sorting
        total = np.bincount(group[keep], weights=values[keep], minlength=count).astype(np.float64, copy=False)
        return cls(values[by_value[by_group]], bounds[:-1], np.diff(bounds), total)

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
