"""Single-server FIFO stations: one-berth pools and chokepoints, as one compiled loop.

A single FIFO server starts the n-th customer at ``S[n] = max(A[n], F[n-1])``, moved on to the next time the
server is open when the capacity is 0 there (a closure, no slots), and is next free at
``F[n] = S[n] + s[n]``: the visit's work at a one-berth pool, the slot spacing ``24 / slots(S[n])`` at a
chokepoint (the spacing is set at the start). A ship at berth when a closure begins finishes (no
pre-emption); a start at the very instant a closure begins waits for the berth to reopen (decisions are
taken at the end of the instant, after the capacity change).

The loop (:func:`~sim.compiled.compiled`) runs over every row of the grid, customer by customer, and
computes each start and free time by the reference engine's float operations (a ``max``, one addition, one
division for the spacing), so the floats are the reference's, bit for bit. A max-plus prefix scan
(``D = C + maximum.accumulate(A - C_before)``) gives the same recursion in three array operations but only
to a few ulps, and an ulp decides whether a start falls just before a closure or at it: a ship the
reference engine holds for a 12-hour closure started one ulp before it (``tests/engines/test_stories.py``,
"an ulp before a closure").
"""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray
from sim.compiled import compiled
from sim.schedule import Schedule

__all__ = ["single_server"]


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
    arrive = np.ascontiguousarray(arrive, dtype=np.float64)
    start = np.full(arrive.shape, np.inf)
    free = np.full(arrive.shape[0], -np.inf) if free is None else np.array(free, dtype=np.float64)
    spans = np.ascontiguousarray(work, dtype=np.float64) if work is not None else np.empty((0, 0))
    times = np.ascontiguousarray(capacity.times, dtype=np.float64)
    values = np.ascontiguousarray(capacity.values, dtype=np.float64)
    _server_rows(arrive, spans, work is None, times, values, float(until), free, start)
    return start, free


@compiled
def _server_rows(
    arrive: FloatArray,
    work: FloatArray,
    slots: bool,
    times: FloatArray,
    values: FloatArray,
    until: float,
    free: FloatArray,
    start: FloatArray,
) -> None:
    """Every row: each customer starts when it has arrived and the server is free and open.

    ``arrive`` (rows × n, ``+inf`` padded) and ``work`` (rows × n; unused when ``slots``) are in h;
    ``times`` (h, ``times[0] = -inf``) and ``values`` (berths or slots per day) are the capacity schedule;
    ``free`` (rows) and ``start`` (rows × n, ``+inf`` until started), in h, are updated in place; nobody
    starts at or after ``until`` (h). A row's candidate times never decrease, so the regime of ``t`` is found
    by moving forward through ``times``; a closed regime moves ``t`` to the next one's start.
    """
    regimes = times.size
    for row in range(arrive.shape[0]):
        ready = free[row]
        k = 0
        for n in range(arrive.shape[1]):
            a = arrive[row, n]
            if a == np.inf:
                break
            t = a if a > ready else ready
            while k + 1 < regimes and times[k + 1] <= t:
                k += 1
            while values[k] <= 0.0 and t < np.inf:
                if k + 1 < regimes:
                    k += 1
                    t = times[k]
                else:
                    t = np.inf
            if t >= until:
                break
            start[row, n] = t
            ready = t + (24.0 / values[k] if slots else work[row, n])
        free[row] = ready
