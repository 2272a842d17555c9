"""Scheduled services: shipments wait FIFO for the next departure with room; the head is never overtaken.

A departure at ``d`` with room ``capacity(d)`` loads the queue head first while the load fits; a shipment
larger than a whole departure leaves alone on an empty one; with no room nobody leaves. A shipment that
arrives at ``d`` itself still boards (decisions close the instant).

- Equal sizes (one TEU per shipment, or every parcel alike): departure ``j`` takes ``K[j]`` shipments. In
  *slot* space — departure ``j`` owns slots ``[Σ K[:j], Σ K[:j+1])`` — shipment ``n`` takes slot
  ``σ[n] = max(first slot of its first reachable departure, σ[n-1] + 1)``: a max-plus scan in integers
  (the K interleaved scans of a capacity-K service, with capacity allowed to vary), exact.
- Unequal sizes: a loop over departures, vectorised across replications; each departure's load is a
  row-wise cumulative sum over the heads of the queues, which adds sizes in the same order as the
  reference engine (so ``load + size > room`` is decided identically).
"""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.network import Station

__all__ = ["ROWS_FOR_LOOP", "service"]


ROWS_FOR_LOOP = 24
"""With fewer replications, unequal sizes are loaded shipment by shipment in a plain loop per replication;
with more, departure by departure across replications."""


def service(
    arrive: FloatArray,
    size: FloatArray | float,
    counts: IntArray,
    station: Station,
    horizon_h: float,
    first: int = 0,
    until: float = np.inf,
) -> tuple[FloatArray, int]:
    """Departure time (h) each shipment leaves on, ``+inf`` when no departure considered takes it.

    Parameters
    ----------
    arrive : ndarray, shape (rows, n)
        FIFO-ordered arrival times (h), ``+inf`` padded.
    size : ndarray, shape (rows, n), or float
        Shipment sizes in the service's unit (t or TEU), or the one size of every shipment.
    counts : ndarray of int64
        Finite arrivals per row.
    station : Station
        The service (timetable and capacity schedule).
    horizon_h : float
        Departures after it are not simulated (h).
    first : int
        Index of the first departure to load (earlier ones have left).
    until : float
        Load only departures before this time (h).

    Returns
    -------
    start : ndarray, shape (rows, n)
        Departure times (h).
    next : int
        Index of the first departure not loaded.
    """
    every = station.departures_between(0.0, horizon_h)
    last = int(np.searchsorted(every, until, side="left"))
    departures = every[first:last]
    rooms = station.capacity.at_many(departures)
    present = int(counts.sum())
    if present == 0 or departures.size == 0:
        return np.full(arrive.shape, np.inf), last
    ready = np.searchsorted(departures, arrive, side="left").astype(np.int64, copy=False)
    if isinstance(size, float):
        taken = _departure_for_equal(ready, _places(rooms, size, present))
    else:
        taken = _departure_for(ready, size, counts, rooms)
    safe = np.minimum(taken, departures.size - 1)
    return np.where(taken < departures.size, departures[safe], np.inf), last


def _departure_for(ready: IntArray, size: FloatArray, counts: IntArray, rooms: FloatArray) -> IntArray:
    """Departure index of each shipment (``len(rooms)`` when none), for sizes given per shipment."""
    padding = np.arange(size.shape[1])[None, :] >= counts[:, None]
    sizes = size[~padding]
    if np.all(sizes == sizes[0]):
        return _departure_for_equal(ready, _places(rooms, float(sizes[0]), sizes.size))
    if ready.shape[0] >= ROWS_FOR_LOOP:
        return _departure_for_unequal(ready, np.where(padding, np.inf, size), counts, rooms)
    taken = np.full(ready.shape, rooms.size, dtype=np.int64)
    for row in range(ready.shape[0]):
        n = int(counts[row])
        taken[row, :n] = _row_unequal(ready[row, :n].tolist(), size[row, :n].tolist(), rooms.tolist())
    return taken


def _row_unequal(ready: list[int], size: list[float], rooms: list[float]) -> list[int]:
    """One replication, shipment by shipment: the departure each boards (``len(rooms)`` when none).

    The load is summed one shipment at a time as in the reference engine, so ``load + size > room`` is
    decided on the same floats.
    """
    j, load, closed = 0, 0.0, False
    out = []
    for r, s in zip(ready, size, strict=True):
        if r > j:
            j, load, closed = r, 0.0, False
        while j < len(rooms):
            room = rooms[j]
            if room > 0 and not closed:
                if load + s <= room:
                    load += s
                    break
                if load == 0.0 and s > room:  # larger than a whole departure: alone on an empty one
                    closed = True
                    break
            j, load, closed = j + 1, 0.0, False
        out.append(j)
    return out


def _places(rooms: FloatArray, size: float, most: int) -> IntArray:
    """How many shipments of one ``size`` each departure takes (load added one by one, as the reference)."""
    if size == 0.0:
        return np.where(rooms > 0, most + 1, 0).astype(np.int64)
    longest = int(min(np.ceil(rooms.max(initial=0.0) / size) + 2, most + 1))
    loads = np.cumsum(np.full(max(longest, 1), size))
    fit = np.searchsorted(loads, rooms, side="right").astype(np.int64)
    return np.where(rooms <= 0, 0, np.where(size > rooms, 1, fit)).astype(np.int64)


def _departure_for_equal(ready: IntArray, places: IntArray) -> IntArray:
    """Departure index of each shipment by the slot scan (``len(places)`` when none)."""
    filled = np.cumsum(places)
    before = np.concatenate([[0], filled]).astype(np.int64)
    position = np.arange(ready.shape[1], dtype=np.int64)[None, :]
    slot = position + np.maximum.accumulate(before[ready] - position, axis=1)
    return np.searchsorted(filled, slot, side="right").astype(np.int64, copy=False)


def _departure_for_unequal(
    ready: IntArray, size: FloatArray, counts: IntArray, rooms: FloatArray
) -> IntArray:
    """Departure index of each shipment, one departure at a time across rows."""
    n_rows, n_cols = ready.shape
    taken = np.full(ready.shape, rooms.size, dtype=np.int64)
    head = np.zeros(n_rows, dtype=np.int64)
    rows = np.arange(n_rows)
    width = 8  # columns looked at past each queue head, grown as departures take more
    j = 0
    while True:
        live = head < counts
        head_ready = np.where(live, ready[rows, np.minimum(head, n_cols - 1)], rooms.size)
        j = max(j, int(head_ready.min()))
        if j >= rooms.size:
            return taken
        room = float(rooms[j])
        if room > 0:
            active = rows[head_ready <= j]
            boarded, width = _boarding(ready, size, active, head[active], j, room, width)
            picks = np.arange(int(boarded.max()))[None, :]
            on = picks < boarded[:, None]
            taken[np.repeat(active, boarded), (head[active, None] + picks)[on]] = j
            head[active] += boarded
        j += 1


def _boarding(
    ready: IntArray, size: FloatArray, active: IntArray, head: IntArray, j: int, room: float, width: int
) -> tuple[IntArray, int]:
    """How many shipments from the heads of the ``active`` rows' queues board departure ``j`` with ``room``.

    Looks ``width`` columns past each head, doubling while a row fills them all; returns the counts and
    the width used.
    """
    n_cols = ready.shape[1]
    rows = active[:, None]
    while True:
        cols = head[:, None] + np.arange(width)[None, :]
        inside = cols < n_cols
        safe = np.minimum(cols, n_cols - 1)
        here = inside & (ready[rows, safe] <= j)
        sizes = np.where(here, size[rows, safe], np.inf)
        loads = np.cumsum(sizes, axis=1)
        boarded = (loads <= room).sum(axis=1)
        if not np.any((boarded == width) & inside[:, -1]):
            return _oversize(boarded, loads, sizes, room), width
        width *= 2


def _oversize(boarded: IntArray, loads: FloatArray, sizes: FloatArray, room: float) -> IntArray:
    """A shipment larger than the room boards alone onto a departure that is still empty (load 0)."""
    rows = np.arange(boarded.size)
    width = sizes.shape[1]
    nxt = np.minimum(boarded, width - 1)
    load = np.where(boarded > 0, loads[rows, np.maximum(boarded - 1, 0)], 0.0)
    alone = (boarded < width) & (load == 0.0) & np.isfinite(sizes[rows, nxt]) & (sizes[rows, nxt] > room)
    total: IntArray = (boarded + alone).astype(np.int64)
    return total
