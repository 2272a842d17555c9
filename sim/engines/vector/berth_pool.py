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

Long queues at constant capacity are also cut into chunks of :data:`CHUNK` ships stepped side by side, as
if each chunk were a replication (:func:`_chunked`): a chunk is first computed from an empty pool, then again
from the ends the chunk before it left, up to the first ship that finds every berth free — from there on the
two computations give the same floats, since every earlier end is then at or before that ship's arrival and a
start is ``max(arrival, earliest end)``. A row whose chunk never finds every berth free is finished ship by
ship from that chunk's ends. So long single runs (one replication of a year of an M/M/c port) step a few
hundred columns instead of one ship at a time.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.schedule import Schedule

__all__ = ["ROWS_FOR_COLUMNS", "PoolState", "berth_pool"]


ROWS_FOR_COLUMNS = 12
"""With at least this many replications a pool is stepped column by column across rows (at 20 replications
this measured ~5 % faster than the loop per row; it was 24)."""
CHUNK = 256
"""Ships per chunk when a long queue at constant capacity is cut into chunks stepped side by side."""
CHUNKS_AT_LEAST = 128
"""Rows are cut into chunks when the longest holds at least this many: each pass over the chunks costs
~6 array operations per queue position (~1.5 ms for 256 positions), and a cut row takes 2–5 passes, against
~0.1–0.2 µs per ship for the heap loop — so chunks pay from a few tens of thousands of ships (measured: an
M/M/4 year of 200,000 ships in one replication 1.9x faster, a 3-berth tandem port of 16,000 ships 15 %
slower)."""
ROUNDS = 8
"""Rounds of redoing chunks from their predecessors' ends before a row is finished ship by ship."""

INF = float("inf")


@dataclass(frozen=True)
class PoolState:
    """Where a pool is after the ships started so far.

    Attributes
    ----------
    ends : ndarray, shape (rows, c_max)
        The ``c_max`` latest ends (h) per row, ``-inf`` for berths never used.
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
    if arrive.shape[0] >= ROWS_FOR_COLUMNS or _chunks_pay(counts, capacity, most):
        return _down_columns(arrive, work, counts, capacity, state, until)
    ends = state.ends.copy()
    last = state.last.copy()
    for row in range(arrive.shape[0]):
        n = int(counts[row])
        times, spans = arrive[row, :n].tolist(), work[row, :n].tolist()
        kept = ends[row].tolist()
        if capacity.is_constant:
            out, kept = _row_constant(times, spans, kept, until)
        else:
            out, kept = _row_windows(times, spans, capacity, kept, float(last[row]), until)
        start[row, : len(out)] = out
        ends[row] = kept
        if out:
            last[row] = out[-1]
    return start, PoolState(ends, last) if until < INF else None


def _row_constant(
    arrive: list[float], work: list[float], ends: list[float], until: float
) -> tuple[list[float], list[float]]:
    """One replication, constant capacity: a heap of the latest ends.

    FIFO order needs no separate check here: a ship that waited took the earliest end, so every later ship
    finds the earliest kept end at or after that start.
    """
    heapq.heapify(ends)
    replace = heapq.heapreplace
    out = [0.0] * len(arrive)
    n = 0
    for a, w in zip(arrive, work, strict=True):
        first = ends[0]
        s = a if a > first else first
        if s >= until:
            break
        replace(ends, s + w)
        out[n] = s
        n += 1
    return out[:n], ends


def _row_windows(
    arrive: list[float], work: list[float], capacity: Schedule, ends: list[float], last: float, until: float
) -> tuple[list[float], list[float]]:
    """One replication with capacity windows: walk candidate times until a berth is free and open."""
    times, values = capacity.times.tolist(), capacity.values.tolist()
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
        if t >= until:
            break
        ends[ends.index(min(ends))] = t + w
        out.append(t)
        last = t
    return out, ends


SORTED_UP_TO = 16
"""Pools with at most this many berths keep their ends sorted (a clipped insertion) when stepped."""


def _down_columns(
    arrive: FloatArray,
    work: FloatArray,
    counts: IntArray,
    capacity: Schedule,
    state: PoolState,
    until: float,
) -> tuple[FloatArray, PoolState | None]:
    """All replications at once, one queue position per step (columns made contiguous first).

    Every column is stepped; starts at or after ``until`` are then dropped (a row's starts never decrease,
    so those are a suffix) and the state is rebuilt from the ships kept.
    """
    longest = int(counts.max())
    arrive_t = np.ascontiguousarray(arrive[:, :longest].T)
    work_t = np.ascontiguousarray(work[:, :longest].T)
    most = state.ends.shape[1]
    if not capacity.is_constant:
        begin = _columns_windows(arrive_t, work_t, capacity, state)
    elif _chunks_pay(counts, capacity, most):
        begin = _chunked(arrive_t, work_t, np.sort(state.ends, axis=1), CHUNK)
    elif most <= SORTED_UP_TO:
        begin = _columns_sorted(arrive_t, work_t, np.sort(state.ends, axis=1))[0]
    else:
        begin = _columns_argmin(arrive_t, work_t, state.ends)
    start = np.full(arrive.shape, np.inf)
    if until == INF:  # padding arrives at +inf and starts at +inf: nothing to drop
        start[:, :longest] = begin.T
        return start, None
    kept = until > begin.T
    start[:, :longest][kept] = begin.T[kept]
    finished = np.where(kept, start[:, :longest] + work[:, :longest], -np.inf)
    ends = np.partition(np.concatenate([state.ends, finished], axis=1), -most, axis=1)[:, -most:]
    last = np.maximum(state.last, np.where(kept, start[:, :longest], -np.inf).max(axis=1, initial=-np.inf))
    return start, PoolState(ends, last)


def _chunks_pay(counts: IntArray, capacity: Schedule, most: int) -> bool:
    """Whether :func:`_chunked` computes this pool.

    Fewer rows than :data:`ROWS_FOR_COLUMNS` (with more, the rows already give the column steps their
    width: chunks measured slower at 20 rows and above), constant capacity, sorted ends
    (:data:`SORTED_UP_TO`) and a row of at least :data:`CHUNKS_AT_LEAST` chunks.
    """
    return (
        counts.size < ROWS_FOR_COLUMNS
        and capacity.is_constant
        and most <= SORTED_UP_TO
        and int(counts.max()) >= max(CHUNKS_AT_LEAST, 2) * CHUNK
    )


def _chunked(arrive: FloatArray, work: FloatArray, initial: FloatArray, chunk: int) -> FloatArray:
    """:func:`_columns_sorted` with every row cut into chunks of ``chunk`` ships stepped side by side.

    ``arrive`` and ``work`` are (queue position × row), as in :func:`_columns_sorted`; ``initial`` the sorted
    ends (rows × berths). First every chunk is computed from an empty pool (a row's first chunk from
    ``initial``). Then, round after round, every chunk whose predecessor's final ends differ from those it
    started from is computed again from them, noting for each ship whether it found every berth free (the
    latest kept end at or before its arrival): up to the first such ship the new starts hold, from it on the
    empty-pool starts (every end that differs is at or before that arrival, so before every later arrival of
    the row), and the chunk's final ends are equivalent to its empty-pool ones. A chunk where no ship finds
    every berth free hands its new final ends to the next chunk in the next round. A row's first chunk that
    is still to be redone after :data:`ROUNDS` rounds started from exact ends: the row is finished ship by
    ship from there (:func:`_row_constant`). Every start is computed by the same operations as stepping the
    whole row, so the floats are the same.
    """
    longest, rows = arrive.shape
    pieces = -(-longest // chunk)
    width = pieces * chunk

    def cut(values: FloatArray, fill: float) -> FloatArray:  # (chunk position, row × piece)
        padded = np.full((width, rows), fill)
        padded[:longest] = values
        return np.ascontiguousarray(padded.reshape(pieces, chunk, rows).transpose(1, 2, 0).reshape(chunk, -1))

    times, spans = cut(arrive, np.inf), cut(work, 0.0)
    used = np.full((rows * pieces, initial.shape[1]), -np.inf)  # the ends each chunk started from
    used[::pieces] = initial
    empty_begin, empty_final = _columns_sorted(times, spans, used)
    begin = empty_begin.copy()
    used[1:] = empty_final[:-1]
    redo = np.flatnonzero(np.arange(rows * pieces) % pieces)  # every chunk after a row's first
    for _ in range(ROUNDS):
        if redo.size == 0:
            break
        latest = np.empty((chunk, redo.size))
        redone, left = _columns_sorted(times[:, redo], spans[:, redo], used[redo], latest)
        free = latest <= times[:, redo]
        found: BoolArray = np.logical_or.reduce(free, axis=0)
        before = np.arange(chunk)[:, None] < np.where(found, free.argmax(axis=0), chunk)[None, :]
        begin[:, redo] = np.where(before, redone, empty_begin[:, redo])
        final = np.where(found[:, None], empty_final[redo], left)
        onward = (redo + 1) % pieces != 0
        successor = redo[onward] + 1
        changed = np.any(final[onward] != used[successor], axis=1)
        used[successor[changed]] = final[onward][changed]
        redo = successor[changed]
    starts = np.ascontiguousarray(begin.reshape(chunk, rows, pieces).transpose(2, 0, 1).reshape(width, rows))
    for row in np.unique(redo // pieces).tolist():
        stuck = int(redo[redo // pieces == row].min())  # the row's first chunk still to redo: exact ends
        after = stuck % pieces * chunk
        times_left, work_left = arrive[after:, row].tolist(), work[after:, row].tolist()
        out, _ = _row_constant(times_left, work_left, used[stuck].tolist(), INF)
        starts[after : after + len(out), row] = out
    return starts[:longest]


def _columns_sorted(
    arrive: FloatArray, work: FloatArray, initial: FloatArray, latest: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Constant capacity: ends kept sorted per row; the ship takes the earliest, its end is inserted.

    With the kept ends sorted, ``e[0] <= … <= e[c-1]``, and ``e[c] = +inf``, inserting the new end ``x``
    (never below ``e[0]``) in place of ``e[0]`` gives ``e'[k] = min(max(x, e[k]), e[k + 1])``: two array
    operations over all berths and rows per ship, the values only moved (exact). With one or two berths a
    bubble over separate rows of ends takes fewer operations. Returns the starts and the final sorted ends
    (rows × berths); ``latest``, when given (queue position × row), receives the latest kept end each ship
    finds (that of the fullest berth).
    """
    berths = initial.shape[1]
    if berths <= 2 and latest is None:
        return _columns_bubble(arrive, work, initial)
    one = np.full((berths + 1, arrive.shape[1]), np.inf)
    one[:berths] = initial.T
    other = one.copy()
    # (earliest end, kept ends, kept ends shifted up one) of each buffer, made once
    ends, spare = (one[0], one[:berths], one[1:]), (other[0], other[:berths], other[1:])
    begin = np.empty_like(arrive)
    end = np.empty(arrive.shape[1])
    high, low, add = np.maximum, np.minimum, np.add
    for n, (a, w, s) in enumerate(zip(arrive, work, begin, strict=True)):
        if latest is not None:
            latest[n] = ends[1][berths - 1]
        high(a, ends[0], out=s)
        add(s, w, out=end)
        high(end, ends[1], out=spare[1])
        low(spare[1], ends[2], out=spare[1])
        ends, spare = spare, ends
    return begin, ends[1].T.copy()


def _columns_bubble(
    arrive: FloatArray, work: FloatArray, initial: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Sorted ends as separate rows; the new end bubbles up past the later ones (starts, final ends)."""
    berths = initial.shape[1]
    ends = [initial[:, i].copy() for i in range(berths)]
    spare = np.empty(arrive.shape[1])
    begin = np.empty_like(arrive)
    high, low, add = np.maximum, np.minimum, np.add
    for a, w, s in zip(arrive, work, begin, strict=True):
        high(a, ends[0], out=s)
        e = add(s, w, out=spare)
        for i in range(1, berths):
            low(e, ends[i], out=ends[i - 1])
            high(e, ends[i], out=e)
        ends[berths - 1], spare = e, ends[berths - 1]
    return begin, np.stack(ends, axis=1)


def _columns_argmin(arrive: FloatArray, work: FloatArray, initial: FloatArray) -> FloatArray:
    """Constant capacity: the ship replaces the earliest of the kept ends."""
    rows, berths = initial.shape
    ends = initial.ravel().copy()
    offset = np.arange(rows, dtype=np.int64) * berths
    begin = np.empty_like(arrive)
    for n in range(arrive.shape[0]):
        slot = ends.reshape(rows, berths).argmin(axis=1)
        slot += offset
        s = np.maximum(arrive[n], ends[slot])
        begin[n] = s
        ends[slot] = s + work[n]
    return begin


def _columns_windows(
    arrive: FloatArray, work: FloatArray, capacity: Schedule, state: PoolState
) -> FloatArray:
    """Capacity windows: the first open candidate time per row, then replace the earliest end."""
    rows = np.arange(arrive.shape[1])
    ends = state.ends.copy()
    last = state.last.copy()
    changes = capacity.times[1:]
    begin = np.empty_like(arrive)
    for n in range(arrive.shape[0]):
        s = _first_open(np.maximum(arrive[n], last), ends, changes, capacity)
        slot = ends.argmin(axis=1)
        ends[rows, slot] = s + work[n]
        begin[n] = s
        last = s
    return begin


def _first_open(base: FloatArray, ends: FloatArray, changes: FloatArray, capacity: Schedule) -> FloatArray:
    """Per row, the earliest candidate time ``>= base`` with fewer busy berths than open ones."""
    rows = base.size
    candidates = np.concatenate([base[:, None], ends, np.broadcast_to(changes, (rows, changes.size))], axis=1)
    np.maximum(candidates, base[:, None], out=candidates)
    busy = (ends[:, None, :] > candidates[:, :, None]).sum(axis=2)
    allowed = capacity.at_many(candidates)
    first: FloatArray = np.where(busy < allowed, candidates, np.inf).min(axis=1)
    return first
