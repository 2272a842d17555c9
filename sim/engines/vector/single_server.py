"""Single-server FIFO stations as max-plus prefix scans: one-berth pools and chokepoints.

A single FIFO server with service times ``s`` frees at ``D[n] = max(A[n], D[n-1]) + s[n]``. Writing
``C`` for the running sum of ``s``, ``D[n] - C[n] = max(A[n] - C[n-1], D[n-1] - C[n-1])`` is a running
maximum, so a whole queue (every replication's row at once) is three array operations:
``D = C + maximum.accumulate(A - C_before)``. The result matches the sequential loop to a few ulps.

Capacity over time is piecewise constant (a :class:`~sim.schedule.Schedule`): the queue is scanned regime
by regime. In a regime ``[lo, hi)`` the server can start nobody before ``lo``; the customers whose start
falls before ``hi`` are kept, the rest carry over to the next regime. A regime with value 0 (a closure,
no slots) starts nobody: a ship at berth when a closure begins finishes (no pre-emption) and the next
starts when the server is both free and open.

- one-berth pool: service time is the visit's work (h);
- chokepoint: service time is the slot spacing ``24 / slots`` (h) of the regime the transit starts in,
  since the spacing is taken at the previous start.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.schedule import Schedule

__all__ = ["max_plus_scan", "single_server"]


def max_plus_scan(arrive: FloatArray, service: FloatArray, free: FloatArray) -> FloatArray:
    """Departure times of a FIFO single server, row by row.

    Parameters
    ----------
    arrive : ndarray, shape (rows, n)
        Arrival times (h), non-decreasing along each row (``-inf`` skips a column, ``+inf`` never arrives).
    service : ndarray, shape (rows, n)
        Service times (h), finite.
    free : ndarray, shape (rows,)
        When the server is free before the first column (h).

    Returns
    -------
    ndarray, shape (rows, n)
        ``D[n] = max(arrive[n], D[n-1]) + service[n]`` with ``D[-1] = free``.
    """
    total = np.cumsum(service, axis=1)
    before = np.zeros_like(total)
    before[:, 1:] = total[:, :-1]
    lead = np.maximum.accumulate(arrive - before, axis=1)
    np.maximum(lead, free[:, None], out=lead)
    return total + lead


def single_server(
    arrive: FloatArray,
    work: FloatArray | None,
    capacity: Schedule,
    free: FloatArray | None = None,
    until: float = np.inf,
) -> tuple[FloatArray, FloatArray]:
    """Start times (h) at a FIFO single server whose availability follows ``capacity``.

    Parameters
    ----------
    arrive : ndarray, shape (rows, n)
        FIFO-ordered arrival times (h), ``+inf`` padded.
    work : ndarray or None, shape (rows, n)
        Service times (h) for a berth; ``None`` for a chokepoint (spacing ``24 / slots``).
    capacity : Schedule
        Berths (0 or 1) or slots per day over time.
    free : ndarray, optional
        Per row, when the server is next free (h) before these customers; never busy by default.
    until : float
        Start nobody at or after this time (h): they keep ``+inf`` and the state stops before them.

    Returns
    -------
    start : ndarray, shape (rows, n)
        Start times (h), ``+inf`` for customers not started.
    free : ndarray, shape (rows,)
        When each row's server is next free after the customers started (h).
    """
    if free is None and until == np.inf and capacity.is_constant and capacity.values[0] > 0 < arrive.shape[1]:
        spacing = None if work is not None else 24.0 / float(capacity.values[0])
        return _always_open(arrive, work if work is not None else np.full(arrive.shape, spacing))
    start = np.full(arrive.shape, np.inf)
    free = np.full(arrive.shape[0], -np.inf) if free is None else free.copy()
    done = np.zeros(arrive.shape[0], dtype=np.int64)
    bounds = np.append(capacity.times, np.inf)
    for k, value in enumerate(capacity.values.tolist()):
        lo, hi = float(bounds[k]), min(float(bounds[k + 1]), until)
        if lo >= until:
            break
        if value > 0:
            service = work if work is not None else 24.0 / value
            _regime(arrive, service, lo, hi, start, free, done)
    return start, free


def _always_open(arrive: FloatArray, service: FloatArray) -> tuple[FloatArray, FloatArray]:
    """:func:`single_server` for a fresh server open throughout: one scan of whole rows.

    The same operations as one regime from ``-inf`` in which every customer waits, so the same floats.
    """
    leave = max_plus_scan(arrive, service, np.full(arrive.shape[0], -np.inf))
    start = np.empty_like(leave)
    start[:, 0] = arrive[:, 0]  # max(arrive, -inf)
    np.maximum(arrive[:, 1:], leave[:, :-1], out=start[:, 1:])
    last = np.isfinite(arrive).sum(axis=1) - 1
    rows = np.arange(arrive.shape[0])
    free = np.where(last >= 0, start[rows, last] + service[rows, last], -np.inf)
    return start, free


def _regime(
    arrive: FloatArray,
    service: FloatArray | float,
    lo: float,
    hi: float,
    start: FloatArray,
    free: FloatArray,
    done: IntArray,
) -> None:
    """Start every waiting customer whose start falls in ``[lo, hi)``.

    Updates in place ``start`` (h), ``free`` (when each row's server is next free, h) and ``done``
    (customers started, per row).
    """
    first = int(done.min())
    last = int((arrive[:, first:] < hi).sum(axis=1).max()) + first
    if last <= first:
        return
    columns = np.arange(first, last)
    waiting = columns[None, :] >= done[:, None]
    times = np.where(waiting, arrive[:, first:last], -np.inf)
    if isinstance(service, float):
        spans = np.where(waiting, service, 0.0)
    else:
        spans = np.where(waiting, service[:, first:last], 0.0)
    opened = np.maximum(free, lo)
    leave = max_plus_scan(times, spans, opened)
    previous = np.empty_like(leave)
    previous[:, 0] = opened
    previous[:, 1:] = leave[:, :-1]
    begin = np.maximum(times, previous)
    kept = waiting & (begin < hi)
    view = start[:, first:last]
    view[kept] = begin[kept]
    taken = kept.sum(axis=1)
    rows = np.flatnonzero(taken)
    last_kept = done[rows] + taken[rows] - 1 - first
    free[rows] = begin[rows, last_kept] + spans[rows, last_kept]
    done += taken
