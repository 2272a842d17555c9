"""Stations with priority classes: berth pools and chokepoints that serve the highest class first.

The rules are the reference engine's (:mod:`sim.engines.priority`): whenever a berth or a transit slot is
free, the waiting visit of the highest class goes first, FIFO within a class, with no pre-emption; a
chokepoint's transit owned by a class goes to that class's first waiting visit if any. Priority breaks the
FIFO order, so neither the max-plus scan nor the pool's column steps apply: each replication (a row of the
queue grid) is an event loop over its visits in plain Python floats, a FIFO queue per class — the scalar
path of DESIGN.md, 15–20× SimPy. Every time it computes is an arrival, an end (start plus work), a capacity
change or a slot time (start plus ``24 / slots``), the same floating-point operations as the reference
engine, so the two agree exactly.

Within a row the grid is in FIFO order, so a visit's column is its FIFO key within its class. A row's state
(:class:`RowState`) lets the windowed settling of cycles (:mod:`~sim.engines.vector.windows`) resume it:
the visits not started before ``until`` come back in the next window with the new arrivals.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.class_draws import ClassArray
from sim.engines.priority import OPEN, SlotOwners
from sim.network import Station, diverts
from sim.schedule import Schedule

__all__ = ["PriorityState", "RowState", "diverting_priority", "priority"]

INF = float("inf")


@dataclass
class RowState:
    """Where one replication's station is after the visits started so far.

    Attributes
    ----------
    last : float
        The last decision time (h): visits that arrived by then and are not started are waiting.
    ends : list of float
        Ends (h) of the services started (berth pools; a heap, pruned as they pass).
    next_free : float
        When the next transit may start (h; chokepoints).
    transits : int
        Transits given so far (chokepoints: the number of the next one).
    owners : SlotOwners or None
        The owners of the chokepoint's transits (one object shared by every row: the owner depends on the
        transit number only; kept so that a resumed row does not recount them).
    """

    last: float = -INF
    ends: list[float] = field(default_factory=list)
    next_free: float = -INF
    transits: int = 0
    owners: SlotOwners | None = None


@dataclass(frozen=True)
class PriorityState:
    """The state of every row of a priority station's grid."""

    rows: list[RowState]


@dataclass(frozen=True)
class _Steps:
    """A schedule as Python lists, for scalar lookups (the rules of :class:`~sim.schedule.Schedule`)."""

    times: list[float]
    values: list[float]

    def at(self, t: float) -> float:
        return self.values[bisect_right(self.times, t) - 1]

    def next_change(self, t: float) -> float:
        index = bisect_right(self.times, t)
        return self.times[index] if index < len(self.times) else INF

    def next_positive(self, t: float) -> float:
        index = bisect_right(self.times, t) - 1
        if self.values[index] > 0:
            return t
        for later in range(index + 1, len(self.values)):
            if self.values[later] > 0:
                return self.times[later]
        return INF


def priority(
    arrive: FloatArray,
    work: FloatArray,
    classes: ClassArray,
    counts: IntArray,
    station: Station,
    capacity: Schedule,
    state: PriorityState | None = None,
    until: float = INF,
) -> tuple[FloatArray, PriorityState]:
    """Start times (h) at a berth pool or chokepoint with priority classes.

    Parameters
    ----------
    arrive : ndarray, shape (rows, n)
        FIFO-ordered arrival times (h), ``+inf`` padded.
    work : ndarray, shape (rows, n)
        Time at berth (h; berth pools).
    classes : ndarray of int8, shape (rows, n)
        Class of each visit (0 the highest).
    counts : ndarray of int64
        Finite arrivals per row.
    station : Station
        The station (its kind, classes and reserved shares).
    capacity : Schedule
        Berths open, or slots per day, over time.
    state : PriorityState, optional
        Where each row was left (fresh by default).
    until : float
        Start nobody at or after this time (h): they keep ``+inf``.

    Returns
    -------
    start : ndarray, shape (rows, n)
        Start times (h), ``+inf`` for visits not started.
    state : PriorityState
        Where each row is left, to resume from.
    """
    rows = state.rows if state is not None else [RowState() for _ in range(arrive.shape[0])]
    steps = _Steps(capacity.times.tolist(), capacity.values.tolist())
    start = np.full(arrive.shape, np.inf)
    n_classes = max(len(station.classes), 1)
    owners: list[int] = []
    if station.kind == "chokepoint":  # one owner sequence for every row (it depends on the transit number)
        shared = next((row.owners for row in rows if row.owners is not None), None)
        shared = shared if shared is not None else SlotOwners(station.reserved)
        for row_state in rows:
            row_state.owners = shared
        owners = shared.first(max(row.transits for row in rows) + arrive.shape[1]) if shared.reserves else []
    for row, row_state in enumerate(rows):
        n = int(counts[row])
        times, kinds = arrive[row, :n].tolist(), classes[row, :n].tolist()
        if station.kind == "chokepoint":
            begun = _chokepoint_row(times, kinds, n_classes, steps, owners, row_state, until)
        else:
            begun = _pool_row(times, work[row, :n].tolist(), kinds, n_classes, steps, row_state, until)
        if begun[0]:
            start[row, begun[0]] = begun[1]
    return start, PriorityState(rows)


def diverting_priority(
    arrive: FloatArray, classes: ClassArray, counts: IntArray, station: Station, thresholds: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Starts (h) at a chokepoint with priority classes where ships may divert, and which divert.

    ``thresholds`` (days, on the FIFO grid; ``inf``: never diverts) as in
    :func:`~sim.engines.vector.diversion.diverting_chokepoint`; the rest as in :func:`priority`. A cycle
    through a diverting chokepoint is swept, never settled in windows, so there is no state to resume.
    """
    start = np.full(arrive.shape, np.inf)
    diverted = np.zeros(arrive.shape, dtype=bool)
    steps = _Steps(station.capacity.times.tolist(), station.capacity.values.tolist())
    n_classes = max(len(station.classes), 1)
    owners = SlotOwners(station.reserved)
    table = owners.first(arrive.shape[1]) if owners.reserves else []
    for row in range(arrive.shape[0]):
        n = int(counts[row])
        turned: list[int] = []
        columns, starts = _chokepoint_row(
            arrive[row, :n].tolist(),
            classes[row, :n].tolist(),
            n_classes,
            steps,
            table,
            RowState(),
            INF,
            thresholds[row, :n].tolist(),
            turned,
        )
        start[row, columns] = starts
        diverted[row, turned] = True
    return start, diverted


def _ahead(queues: list[list[int]], heads: list[int], klass: int) -> int:
    """The ships waiting ahead of an arrival of class ``klass``: its class's and every higher class's."""
    return sum(len(queues[c]) - heads[c] for c in range(klass + 1))


def _chokepoint_row(
    arrive: list[float],
    kinds: list[int],
    n_classes: int,
    slots: _Steps,
    owners: list[int],
    state: RowState,
    until: float,
    thresholds: list[float] | None = None,
    turned: list[int] | None = None,
) -> tuple[list[int], list[float]]:
    """One replication of a chokepoint: a transit every ``24 / slots`` h, given by priority.

    The next transit starts at the first time with slots from ``max(next free, earliest waiting arrival)``;
    it goes to the visit picked among those arrived by then. Returns the columns started and their starts.
    With constant slots the first time with slots is that time itself and the spacing one number (the same
    floats as looking them up). ``owners`` lists the owner of each transit by its number
    (:meth:`~sim.engines.priority.SlotOwners.first`; empty: every transit is open).

    Each class's waiting visits are a FIFO queue (columns admitted in increasing order, the smallest taken
    first): a list and the index of its head, which is what a heap of increasing pushes would give.

    With ``thresholds`` (days; ``inf``: never diverts) an arriving ship first counts the ships waiting
    ahead of it — those of its class and every higher one that arrived before it in FIFO order and were not
    yet given a transit (:func:`_ahead`) — and diverts by
    :func:`sim.network.diverts` (its column goes to ``turned``), as the reference engine admits an instant's
    arrivals before it gives the instant's transit.
    """
    queues: list[list[int]] = [[] for _ in range(n_classes)]
    heads = [0] * n_classes
    constant = len(slots.values) == 1 and slots.values[0] > 0
    spacing = 24.0 / slots.values[0] if constant else 0.0
    reserved = bool(owners)
    waiting, i, n = 0, 0, len(arrive)
    columns: list[int] = []
    starts: list[float] = []
    next_free, transits = state.next_free, state.transits
    while waiting or i < n:
        base = next_free if waiting or next_free > arrive[i] else arrive[i]
        t = base if constant else slots.next_positive(base)
        if t >= until:  # an infinite time too
            break
        while i < n and arrive[i] <= t:
            if (
                thresholds is not None
                and thresholds[i] < INF
                and diverts(_ahead(queues, heads, kinds[i]), slots.at(arrive[i]), thresholds[i])
            ):
                assert turned is not None
                turned.append(i)
                i += 1
                continue
            queues[kinds[i]].append(i)
            i += 1
            waiting += 1
        if not waiting:  # every ship arrived by t diverted
            continue
        c = owners[transits] if reserved else OPEN
        if c == OPEN or heads[c] == len(queues[c]):
            c = 0
            while heads[c] == len(queues[c]):
                c += 1
        columns.append(queues[c][heads[c]])
        heads[c] += 1
        starts.append(t)
        waiting -= 1
        transits += 1
        next_free = t + (spacing if constant else 24.0 / slots.at(t))
    state.next_free, state.transits = next_free, transits
    return columns, starts


def _pool_row(
    arrive: list[float],
    work: list[float],
    kinds: list[int],
    n_classes: int,
    berths: _Steps,
    state: RowState,
    until: float,
) -> tuple[list[int], list[float]]:
    """One replication of a berth pool: at every arrival, end and capacity change, fill the free berths.

    Decisions happen at the end of an instant: the arrivals and ends at that time are counted first. Returns
    the columns started and their starts.
    """
    queues: list[list[int]] = [[] for _ in range(n_classes)]  # FIFO per class, as in _chokepoint_row
    heads = [0] * n_classes
    ends = state.ends
    waiting, i, n = 0, 0, len(arrive)
    while i < n and arrive[i] <= state.last:  # left waiting in an earlier window
        queues[kinds[i]].append(i)
        i += 1
        waiting += 1
    columns: list[int] = []
    starts: list[float] = []
    while True:
        t = arrive[i] if i < n else INF
        if waiting:
            t = min(t, ends[0] if ends else INF, berths.next_change(state.last))
        if t >= until:  # an infinite time too
            break
        state.last = t
        while i < n and arrive[i] <= t:
            queues[kinds[i]].append(i)
            i += 1
            waiting += 1
        while ends and ends[0] <= t:
            heapq.heappop(ends)
        room = berths.at(t)
        while waiting and len(ends) < room:
            c = 0
            while heads[c] == len(queues[c]):
                c += 1
            column = queues[c][heads[c]]
            heads[c] += 1
            waiting -= 1
            heapq.heappush(ends, t + work[column])
            columns.append(column)
            starts.append(t)
    return columns, starts
