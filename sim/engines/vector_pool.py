"""Multi-berth FIFO pools (c berths, capacity windows without pre-emption).

The n-th ship in FIFO order starts at the earliest time ``t >= max(A[n], start[n-1])`` at which fewer than
``capacity(t)`` of the ships before it are still at berth (``end > t``; a berth freed at ``t`` is free at
``t``). Only the ``c_max`` latest ends can matter (``c_max`` = most berths ever open), and the ship always
replaces the earliest of them. With constant capacity ``c`` the start is ``max(base, min(ends))``
(Kiefer–Wolfowitz); with windows the start is the first candidate time — the base, an end, a capacity
change — at which the count is below the capacity.

Such a pool has no prefix-scan form, so it is vectorised across replications: one step per queue position,
each step a handful of array operations over all rows. With few rows a plain loop over the row's ships
(Python floats and a heap) is cheaper than numpy's per-call cost; :func:`berth_pool` picks the path.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right

import numpy as np
from numpy.typing import NDArray

from sim.schedule import Schedule

__all__ = ["ROWS_FOR_COLUMNS", "berth_pool"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ROWS_FOR_COLUMNS = 24
"""With at least this many replications a pool is stepped column by column across rows."""

INF = float("inf")


def berth_pool(arrive: FloatArray, work: FloatArray, counts: IntArray, capacity: Schedule) -> FloatArray:
    """Start times (h) at a FIFO pool of identical berths.

    Parameters
    ----------
    arrive : ndarray, shape (rows, n)
        FIFO-ordered arrival times (h), ``+inf`` padded.
    work : ndarray, shape (rows, n)
        Time at berth (h).
    counts : ndarray of int64
        Finite arrivals per row.
    capacity : Schedule
        Berths open over time (whole numbers).
    """
    start = np.full(arrive.shape, np.inf)
    most = int(capacity.values.max())
    if most <= 0:
        return start
    if arrive.shape[0] >= ROWS_FOR_COLUMNS:
        _down_columns(arrive, work, int(counts.max()), capacity, most, start)
        return start
    for row in range(arrive.shape[0]):
        n = int(counts[row])
        times, spans = arrive[row, :n].tolist(), work[row, :n].tolist()
        if capacity.is_constant:
            start[row, :n] = _row_constant(times, spans, most)
        else:
            start[row, :n] = _row_windows(times, spans, capacity, most)
    return start


def _row_constant(arrive: list[float], work: list[float], berths: int) -> list[float]:
    """One replication, constant capacity: a heap of the ``berths`` latest ends."""
    ends = [-INF] * berths
    last = -INF
    out = []
    for a, w in zip(arrive, work, strict=True):
        s = a if a > last else last
        s = max(s, ends[0])
        heapq.heapreplace(ends, s + w)
        out.append(s)
        last = s
    return out


def _row_windows(arrive: list[float], work: list[float], capacity: Schedule, most: int) -> list[float]:
    """One replication with capacity windows: walk candidate times until a berth is free and open."""
    times, values = capacity.times.tolist(), capacity.values.tolist()
    ends = [-INF] * most
    last = -INF
    out = []
    for a, w in zip(arrive, work, strict=True):
        t = a if a > last else last
        while t < INF:
            k = bisect_right(times, t) - 1
            busy = [e for e in ends if e > t]
            if len(busy) < values[k]:
                break
            change = times[k + 1] if k + 1 < len(times) else INF
            t = min(min(busy, default=INF), change)
        ends[ends.index(min(ends))] = t + w
        out.append(t)
        last = t
    return out


def _down_columns(
    arrive: FloatArray, work: FloatArray, longest: int, capacity: Schedule, most: int, start: FloatArray
) -> None:
    """All replications at once, one queue position per step."""
    rows = np.arange(arrive.shape[0])
    ends = np.full((arrive.shape[0], most), -np.inf)
    last = np.full(arrive.shape[0], -np.inf)
    changes = capacity.times[1:]
    for n in range(longest):
        base = np.maximum(arrive[:, n], last)
        if capacity.is_constant:
            slot = ends.argmin(axis=1)
            begin = np.maximum(base, ends[rows, slot])
        else:
            begin = _first_open(base, ends, changes, capacity)
            slot = ends.argmin(axis=1)
        ends[rows, slot] = begin + work[:, n]
        start[:, n] = begin
        last = begin


def _first_open(base: FloatArray, ends: FloatArray, changes: FloatArray, capacity: Schedule) -> FloatArray:
    """Per row, the earliest candidate time ``>= base`` with fewer busy berths than open ones."""
    rows = base.size
    candidates = np.concatenate([base[:, None], ends, np.broadcast_to(changes, (rows, changes.size))], axis=1)
    np.maximum(candidates, base[:, None], out=candidates)
    busy = (ends[:, None, :] > candidates[:, :, None]).sum(axis=2)
    allowed = capacity.at_many(candidates)
    first: FloatArray = np.where(busy < allowed, candidates, np.inf).min(axis=1)
    return first
