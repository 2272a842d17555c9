"""The compiled event loops of stations with priority classes: every replication of a grid in one call.

:mod:`.priority` turns a station's grid and state into plain arrays and calls one of these loops; each
walks the rows of the grid one after another, a row being one replication's event loop. The floats are the
reference engine's: every time computed is an arrival, an end (start plus work), a capacity change or a
slot time (start plus ``24 / slots``), by the same operations in the same order (no fast-math), so the two
engines agree exactly.

A capacity schedule is two float64 arrays, ``times`` (``times[0]`` is ``-inf``) and ``values``, looked up as
:class:`~sim.schedule.Schedule` does. Each class's waiting visits are a FIFO queue: columns are admitted in
increasing order and the smallest is taken first, so a row of ``queue`` per class with a head and a tail
index does what a heap of increasing pushes would. A berth pool's services under way are a binary min-heap
of their ends in the row's slice of ``ends``, ``busy`` of them.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.class_draws import ClassArray
from sim.compiled import compiled
from sim.engines.priority import OPEN
from sim.network import diverts

__all__ = ["chokepoint_rows", "pool_rows", "slot_owners"]

INF = np.inf

_diverts = compiled(diverts)
"""The diversion rule of both engines (:func:`sim.network.diverts`), compiled from the same source (the count
``ahead`` is compared as a float64, which is exact below 2**53 ships)."""


@compiled
def _index(times: FloatArray, t: float) -> int:
    """The schedule's step holding time ``t``: ``bisect_right(times, t) - 1``."""
    return int(np.searchsorted(times, t, side="right")) - 1


@compiled
def _at(times: FloatArray, values: FloatArray, t: float) -> float:
    """The schedule's value at ``t`` (:meth:`~sim.schedule.Schedule.at`)."""
    return float(values[_index(times, t)])


@compiled
def _next_change(times: FloatArray, t: float) -> float:
    """The first change strictly after ``t`` (h), or ``inf`` (:meth:`~sim.schedule.Schedule.next_change`)."""
    index = _index(times, t) + 1
    return float(times[index]) if index < times.size else INF


@compiled
def _next_positive(times: FloatArray, values: FloatArray, t: float) -> float:
    """The earliest time ``>= t`` (h) with a positive value, or ``inf`` (:meth:`.Schedule.next_positive`)."""
    index = _index(times, t)
    if values[index] > 0:
        return t
    for later in range(index + 1, values.size):
        if values[later] > 0:
            return float(times[later])
    return INF


@compiled
def _push(heap: FloatArray, size: int, value: float) -> None:
    """Add ``value`` to the min-heap ``heap[:size]`` (it becomes ``heap[:size + 1]``)."""
    k = size
    while k > 0:
        parent = (k - 1) // 2
        if heap[parent] <= value:
            break
        heap[k] = heap[parent]
        k = parent
    heap[k] = value


@compiled
def _pop(heap: FloatArray, size: int) -> None:
    """Remove the least of the min-heap ``heap[:size]`` (it becomes ``heap[:size - 1]``)."""
    size -= 1
    value = heap[size]
    k = 0
    while True:
        child = 2 * k + 1
        if child >= size:
            break
        if child + 1 < size and heap[child + 1] < heap[child]:
            child += 1
        if value <= heap[child]:
            break
        heap[k] = heap[child]
        k = child
    heap[k] = value  # (the heap emptied: its one value rewritten in place)


@compiled
def _first_class(head: IntArray, tail: IntArray) -> int:
    """The highest class with a visit waiting (there is one)."""
    c = 0
    while head[c] == tail[c]:
        c += 1
    return c


@compiled
def pool_rows(
    arrive: FloatArray,
    work: FloatArray,
    kinds: ClassArray,
    counts: IntArray,
    times: FloatArray,
    values: FloatArray,
    n_classes: int,
    last: FloatArray,
    ends: FloatArray,
    busy: IntArray,
    until: float,
    start: FloatArray,
) -> None:
    """Every row of a berth pool with classes: at each arrival, end and capacity change, fill the free berths.

    Decisions happen at the end of an instant: the arrivals and ends at that time are counted first.

    Parameters
    ----------
    arrive, work : ndarray of float64, shape (rows, n)
        FIFO-ordered arrival times (h) and times at berth (h).
    kinds : ndarray of int8, shape (rows, n)
        Class of each visit (0 the highest).
    counts : ndarray of int64, shape (rows,)
        Finite arrivals per row.
    times, values : ndarray of float64
        The berths open over time (a schedule's change times, h, and values).
    n_classes : int
        Number of classes (at least 1).
    last : ndarray of float64, shape (rows,)
        Each row's last decision time (h): visits that arrived by then and are not started are waiting.
        Updated in place.
    ends : ndarray of float64, shape (rows, width)
        Each row's ends (h) of the services under way, a min-heap in ``ends[row, :busy[row]]``; ``width``
        is at least the most berths ever open. Updated in place.
    busy : ndarray of int64, shape (rows,)
        Services under way per row. Updated in place.
    until : float
        Start nobody at or after this time (h).
    start : ndarray of float64, shape (rows, n)
        Filled with the start times (h) of the visits started; other cells are left as they are.
    """
    queue = np.empty((n_classes, arrive.shape[1]), dtype=np.int64)
    head = np.zeros(n_classes, dtype=np.int64)
    tail = np.zeros(n_classes, dtype=np.int64)
    for row in range(arrive.shape[0]):
        n = counts[row]
        heap = ends[row]
        size = busy[row]
        now = last[row]
        head[:] = 0
        tail[:] = 0
        waiting = 0
        i = 0
        while i < n and arrive[row, i] <= now:  # left waiting in an earlier window
            c = kinds[row, i]
            queue[c, tail[c]] = i
            tail[c] += 1
            i += 1
            waiting += 1
        while True:
            t = arrive[row, i] if i < n else INF
            if waiting:  # min(t, end, change) as Python takes it: the first of equal times
                end = heap[0] if size else INF
                if end < t:  # noqa: PLR1730
                    t = end
                change = _next_change(times, now)
                if change < t:  # noqa: PLR1730
                    t = change
            if t >= until:  # an infinite time too
                break
            now = t
            while i < n and arrive[row, i] <= t:
                c = kinds[row, i]
                queue[c, tail[c]] = i
                tail[c] += 1
                i += 1
                waiting += 1
            while size and heap[0] <= t:
                _pop(heap, size)
                size -= 1
            room = _at(times, values, t)
            while waiting and size < room:
                c = _first_class(head, tail)
                column = queue[c, head[c]]
                head[c] += 1
                waiting -= 1
                _push(heap, size, t + work[row, column])
                size += 1
                start[row, column] = t
        last[row] = now
        busy[row] = size


@compiled
def chokepoint_rows(
    arrive: FloatArray,
    kinds: ClassArray,
    counts: IntArray,
    times: FloatArray,
    values: FloatArray,
    n_classes: int,
    owners: IntArray,
    next_free: FloatArray,
    transits: IntArray,
    until: float,
    thresholds: FloatArray,
    start: FloatArray,
    turned: BoolArray,
) -> None:
    """Every row of a chokepoint with classes: a transit every ``24 / slots`` h, given by priority.

    The next transit starts at the first time with slots from ``max(next free, earliest waiting arrival)``;
    it goes to the visit picked among those arrived by then: the first waiting visit of the class that owns
    the transit if any, else of the highest class waiting. With constant slots the first time with slots is
    that time itself and the spacing one number (the same floats as looking them up).

    An arriving ship whose threshold is finite first counts the ships waiting ahead of it — those of its
    class and every higher one that arrived before it in FIFO order and were not yet given a transit — and
    diverts by :func:`sim.network.diverts` at the slots of its arrival time, as the reference engine admits
    an instant's arrivals before it gives the instant's transit.

    Parameters
    ----------
    arrive : ndarray of float64, shape (rows, n)
        FIFO-ordered arrival times (h).
    kinds : ndarray of int8, shape (rows, n)
        Class of each visit (0 the highest).
    counts : ndarray of int64, shape (rows,)
        Finite arrivals per row.
    times, values : ndarray of float64
        Slots per day over time (a schedule's change times, h, and values).
    n_classes : int
        Number of classes (at least 1).
    owners : ndarray of int64
        The owner of each transit by its number (:meth:`~sim.engines.priority.SlotOwners.first`), at least
        ``transits.max() + n`` of them; empty: every transit is open.
    next_free : ndarray of float64, shape (rows,)
        When each row's next transit may start (h). Updated in place.
    transits : ndarray of int64, shape (rows,)
        Transits each row has given (the number of its next one). Updated in place.
    until : float
        Start nobody at or after this time (h).
    thresholds : ndarray of float64, shape (rows, n), or shape (0, 0)
        Diversion thresholds (d; ``inf``: never diverts); empty where no ship may divert.
    start : ndarray of float64, shape (rows, n)
        Filled with the start times (h) of the visits started; other cells are left as they are.
    turned : ndarray of bool, shape (rows, n), or shape (0, 0)
        Set where a ship diverted (empty with empty ``thresholds``).
    """
    queue = np.empty((n_classes, arrive.shape[1]), dtype=np.int64)
    head = np.zeros(n_classes, dtype=np.int64)
    tail = np.zeros(n_classes, dtype=np.int64)
    constant = values.size == 1 and values[0] > 0
    spacing = 24.0 / values[0] if constant else 0.0
    reserved = owners.size > 0
    diverting = thresholds.shape[0] > 0
    for row in range(arrive.shape[0]):
        n = counts[row]
        free = next_free[row]
        given = transits[row]
        head[:] = 0
        tail[:] = 0
        waiting = 0
        i = 0
        while waiting or i < n:
            base = free if waiting or free > arrive[row, i] else arrive[row, i]
            t = base if constant else _next_positive(times, values, base)
            if t >= until:  # an infinite time too
                break
            while i < n and arrive[row, i] <= t:
                c = kinds[row, i]
                if diverting and thresholds[row, i] < INF:
                    ahead = 0
                    for higher in range(c + 1):
                        ahead += tail[higher] - head[higher]
                    if _diverts(ahead, _at(times, values, arrive[row, i]), thresholds[row, i]):
                        turned[row, i] = True
                        i += 1
                        continue
                queue[c, tail[c]] = i
                tail[c] += 1
                i += 1
                waiting += 1
            if not waiting:  # every ship arrived by t diverted
                continue
            c = owners[given] if reserved else OPEN
            if c == OPEN or head[c] == tail[c]:
                c = _first_class(head, tail)
            start[row, queue[c, head[c]]] = t
            head[c] += 1
            waiting -= 1
            given += 1
            free = t + (spacing if constant else 24.0 / _at(times, values, t))
        next_free[row] = free
        transits[row] = given


@compiled
def slot_owners(labels: IntArray, weights: FloatArray, total: float, owners: IntArray) -> None:
    """The owners of transits ``0 … len(owners) − 1`` by :class:`~sim.engines.priority.SlotOwners`'s walk.

    ``labels``, ``weights`` and ``total`` are its owners (classes, :data:`~sim.engines.priority.OPEN` last),
    their shares and the shares' sum; each transit every owner gains its share in credit, the first with
    the most credit takes it and gives back ``total`` — the same float operations in the same order.
    """
    credit = np.zeros(weights.size)
    for k in range(owners.size):
        best = 0
        for j in range(weights.size):
            credit[j] += weights[j]
            if credit[j] > credit[best]:
                best = j
        credit[best] -= total
        owners[k] = labels[best]
