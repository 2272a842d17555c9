"""Multi-berth FIFO pools (c berths, capacity windows without pre-emption).

The n-th ship in FIFO order starts at the earliest time ``t >= max(A[n], start[n-1])`` at which fewer than
``capacity(t)`` of the ships before it are still at berth (``end > t``; a berth freed at ``t`` is free at
``t``). Only the ``c_max`` latest ends can matter (``c_max`` = most berths ever open), and the ship always
replaces the earliest of them. With constant capacity ``c`` the start is ``max(base, min(ends))``
(Kiefer–Wolfowitz); with windows the start is the first candidate time — the base, an end, a capacity
change — at which the count is below the capacity.

Such a pool has no prefix-scan form. It is one compiled loop (:func:`~sim.compiled.compiled`)
over all rows of the grid, ship by ship along each row, for every number of rows, so its cost per ship does
not depend on how many replications there are (measured ~10 ns a ship at constant capacity, ~20 ns with
capacity windows; benchmarks/README.md). The loop computes each start and end by the same float operations
as the reference engine (a ``max``, one addition), so the floats are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.compiled import compiled
from sim.schedule import Schedule

__all__ = ["PoolState", "berth_pool"]


INF = float("inf")


@dataclass(frozen=True)
class PoolState:
    """Where a pool is after the ships started so far.

    Attributes
    ----------
    ends : ndarray, shape (rows, c_max)
        The ``c_max`` latest ends (h) per row, ``-inf`` for berths never used (``+inf`` for a berth that is
        never free: a row of a grid of pools with fewer berths than the widest).
    last : ndarray, shape (rows,)
        Latest start (h) per row.
    """

    ends: FloatArray
    last: FloatArray

    @classmethod
    def empty(cls, rows: int, most: int) -> PoolState:
        """A pool nobody has used."""
        return cls(np.full((rows, most), -np.inf), np.full(rows, -np.inf))


def berth_pool(
    arrive: FloatArray,
    work: FloatArray,
    counts: IntArray,
    capacity: Schedule,
    state: PoolState | None = None,
    until: float = INF,
) -> tuple[FloatArray, PoolState | None]:
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
    state : PoolState, optional
        The pool after earlier ships (empty by default).
    until : float
        Start nobody at or after this time (h): they keep ``+inf`` and the state stops before them.

    Returns
    -------
    start : ndarray, shape (rows, n)
        Start times (h), ``+inf`` for ships not started.
    state : PoolState or None
        The pool after the ships started, to resume from; ``None`` when ``until`` is infinite (every ship
        that will ever start has).
    """
    most = max(int(capacity.values.max()), 1)
    state = state if state is not None else PoolState.empty(arrive.shape[0], most)
    start = np.full(arrive.shape, np.inf)
    if capacity.values.max() <= 0:
        return start, state
    arrive, work = np.ascontiguousarray(arrive), np.ascontiguousarray(work)
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    last = state.last.astype(np.float64, copy=True)
    if capacity.is_constant:
        ends = np.sort(state.ends, axis=1)
        _constant_rows(arrive, work, counts, ends, last, float(until), start)
    else:
        ends = np.array(state.ends, dtype=np.float64, order="C")
        times = np.ascontiguousarray(capacity.times, dtype=np.float64)
        values = np.ascontiguousarray(capacity.values, dtype=np.float64)
        _window_rows(arrive, work, counts, times, values, ends, last, float(until), start)
    return start, PoolState(ends, last) if until < INF else None


@compiled
def _constant_rows(
    arrive: FloatArray,
    work: FloatArray,
    counts: IntArray,
    ends: FloatArray,
    last: FloatArray,
    until: float,
    start: FloatArray,
) -> None:
    """Constant capacity, every row: each ship takes the earliest kept end; its own end is inserted.

    ``arrive`` and ``work`` are the grid's arrivals and times at berth (h); ``ends`` (rows × berths, sorted
    ascending per row), ``last`` (rows) and ``start`` (rows × n, ``+inf`` until started), all in h, are
    updated in place; nobody starts at or after ``until`` (h). The ship's start is
    ``max(arrival, earliest end)`` and its end ``start + work``; the end replaces the earliest and moves up
    past the later ones (an insertion: values only moved, so exact). FIFO order needs no separate check: a
    ship that waited took the earliest end, so every later ship finds the earliest kept end at or after
    that start.
    """
    berths = ends.shape[1]
    for row in range(arrive.shape[0]):
        kept = ends[row]
        for n in range(counts[row]):
            a = arrive[row, n]
            first = kept[0]
            s = a if a > first else first
            if s >= until:
                break
            finish = s + work[row, n]
            i = 1
            while i < berths and kept[i] < finish:
                kept[i - 1] = kept[i]
                i += 1
            kept[i - 1] = finish
            start[row, n] = s
            last[row] = s


@compiled
def _window_rows(
    arrive: FloatArray,
    work: FloatArray,
    counts: IntArray,
    times: FloatArray,
    values: FloatArray,
    ends: FloatArray,
    last: FloatArray,
    until: float,
    start: FloatArray,
) -> None:
    """Capacity windows, every row: walk candidate times until a berth is free and open.

    ``arrive`` and ``work`` are as in :func:`_constant_rows`; ``times`` (h, ``times[0] = -inf``) and
    ``values`` (berths open) are the capacity schedule; ``ends`` (rows × berths, any order), ``last`` (rows)
    and ``start`` (rows × n, ``+inf`` until started), all in h, are updated in place. From
    ``t = max(arrival, last start)`` the walk counts the kept ends after ``t``; while they fill the berths
    open at ``t`` it moves to the earlier of the earliest of them and the next capacity change. The ship
    then replaces the earliest kept end with ``t + work``. A row's candidate times never decrease, so the
    regime of ``t`` is found by moving forward through ``times``.
    """
    berths = ends.shape[1]
    regimes = times.size
    for row in range(arrive.shape[0]):
        kept = ends[row]
        previous = last[row]
        k = 0
        for n in range(counts[row]):
            a = arrive[row, n]
            t = a if a > previous else previous
            while t < np.inf:
                while k + 1 < regimes and times[k + 1] <= t:
                    k += 1
                busy = 0
                earliest = np.inf
                for i in range(berths):
                    if kept[i] > t:
                        busy += 1
                        earliest = min(earliest, kept[i])
                if busy < values[k]:
                    break
                change = times[k + 1] if k + 1 < regimes else np.inf
                t = earliest if earliest <= change else change
            if t >= until:
                break
            slot = 0
            for i in range(1, berths):
                if kept[i] < kept[slot]:
                    slot = i
            kept[slot] = t + work[row, n]
            start[row, n] = t
            previous = t
        last[row] = previous
