"""Stations with priority classes: berth pools and chokepoints that serve the highest class first.

The rules are the reference engine's (:mod:`sim.engines.priority`): whenever a berth or a transit slot is
free, the waiting visit of the highest class goes first, FIFO within a class, with no pre-emption; a
chokepoint's transit owned by a class goes to that class's first waiting visit if any. Priority breaks the
FIFO order, so neither the max-plus scan nor the FIFO pool's loop applies: each replication (a row of the
queue grid) is an event loop over its visits, a FIFO queue per class, compiled
(:mod:`~sim.engines.vector.priority_loops`: one call walks every row of the grid). Every time it computes is
an arrival, an end (start plus work), a capacity change or a slot time (start plus ``24 / slots``), the same
floating-point operations as the reference engine, so the two agree exactly.

Within a row the grid is in FIFO order, so a visit's column is its FIFO key within its class. A station's
state (:class:`PriorityState`, arrays with a row per replication) lets the windowed settling of cycles
(:mod:`~sim.engines.vector.windows`) resume it: the visits not started before ``until`` come back in the
next window with the new arrivals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.class_draws import ClassArray
from sim.engines.priority import SlotOwners
from sim.engines.vector.priority_loops import chokepoint_rows, pool_rows, slot_owners
from sim.network import Station
from sim.schedule import Schedule

__all__ = ["PriorityState", "diverting_priority", "priority"]

_NO_THRESHOLDS = np.empty((0, 0))
_NO_TURNS = np.empty((0, 0), dtype=bool)


@dataclass(frozen=True)
class PriorityState:
    """Where each replication's station is after the visits started so far: arrays with a row per replication.

    The compiled loops update the arrays in place; the state returned by :func:`priority` is the one to
    resume from.

    Attributes
    ----------
    last : ndarray of float64, shape (rows,)
        The last decision time (h; berth pools): visits that arrived by then and are not started are waiting.
    ends : ndarray of float64, shape (rows, width)
        Ends (h) of the services under way (berth pools): a min-heap in ``ends[row, :busy[row]]``, pruned as
        they pass; ``width`` is the most berths the pool ever opens.
    busy : ndarray of int64, shape (rows,)
        Services under way (berth pools).
    next_free : ndarray of float64, shape (rows,)
        When the next transit may start (h; chokepoints).
    transits : ndarray of int64, shape (rows,)
        Transits given so far (chokepoints: the number of the next one).
    """

    last: FloatArray
    ends: FloatArray
    busy: IntArray
    next_free: FloatArray
    transits: IntArray

    @classmethod
    def fresh(cls, rows: int, station: Station, capacity: Schedule) -> PriorityState:
        """Every row before its first visit: no decision yet, every berth free, no transit given."""
        width = math.ceil(float(capacity.values.max())) if station.kind != "chokepoint" else 0
        return cls(
            last=np.full(rows, -np.inf),
            ends=np.empty((rows, max(width, 1))),
            busy=np.zeros(rows, dtype=np.int64),
            next_free=np.full(rows, -np.inf),
            transits=np.zeros(rows, dtype=np.int64),
        )


def priority(
    arrive: FloatArray,
    work: FloatArray,
    classes: ClassArray,
    counts: IntArray,
    station: Station,
    capacity: Schedule,
    state: PriorityState | None = None,
    until: float = np.inf,
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
    held = state if state is not None else PriorityState.fresh(arrive.shape[0], station, capacity)
    start = np.full(arrive.shape, np.inf)
    n_classes = max(len(station.classes), 1)
    counts = counts.astype(np.int64, copy=False)
    if station.kind == "chokepoint":
        owners = _owners(station.reserved, int(held.transits.max(initial=0)) + arrive.shape[1])
        chokepoint_rows(
            arrive, classes, counts, capacity.times, capacity.values, n_classes, owners,
            held.next_free, held.transits, until, _NO_THRESHOLDS, start, _NO_TURNS,
        )  # fmt: skip
    else:
        pool_rows(
            arrive, work, classes, counts, capacity.times, capacity.values, n_classes,
            held.last, held.ends, held.busy, until, start,
        )  # fmt: skip
    return start, held


def diverting_priority(
    arrive: FloatArray, classes: ClassArray, counts: IntArray, station: Station, thresholds: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Starts (h) at a chokepoint with priority classes where ships may divert, and which divert.

    ``thresholds`` (days, on the FIFO grid; ``inf``: never diverts) as in
    :func:`~sim.engines.vector.diversion.diverting_chokepoint`; the rest as in :func:`priority`. A cycle
    through a diverting chokepoint is swept, never settled in windows, so there is no state to resume.
    """
    rows = arrive.shape[0]
    start = np.full(arrive.shape, np.inf)
    diverted = np.zeros(arrive.shape, dtype=bool)
    capacity = station.capacity
    chokepoint_rows(
        arrive, classes, counts.astype(np.int64, copy=False), capacity.times, capacity.values,
        max(len(station.classes), 1), _owners(station.reserved, arrive.shape[1]),
        np.full(rows, -np.inf), np.zeros(rows, dtype=np.int64), np.inf, thresholds, start, diverted,
    )  # fmt: skip
    return start, diverted


def _owners(reserved: tuple[float, ...], count: int) -> IntArray:
    """The owners of transits ``0 … count − 1`` as an array, or an empty one when every transit is open.

    :class:`~sim.engines.priority.SlotOwners`'s round-robin, its credits and shares taken as it takes them
    and the walk compiled (:func:`~sim.engines.vector.priority_loops.slot_owners`: the same float additions
    and comparisons), so the owners are the ones it lists.
    """
    owners = SlotOwners(reserved)
    if not owners.reserves:
        return np.empty(0, dtype=np.int64)
    labels, weights, total = owners.round_robin()
    if len(labels) < 2:
        return np.full(count, labels[0], dtype=np.int64)
    listed = np.empty(count, dtype=np.int64)
    slot_owners(np.array(labels, dtype=np.int64), np.array(weights), total, listed)
    return listed
