"""Scheduled services: shipments wait FIFO for the next departure with room; the head is never overtaken.

A departure at ``d`` with room ``capacity(d)`` loads the queue head first while the load fits; a shipment
larger than a whole departure leaves alone on an empty one; with no room nobody leaves. A shipment that
arrives at ``d`` itself still boards (decisions close the instant).

- Equal sizes (one TEU per shipment, or every parcel alike): departure ``j`` takes ``K[j]`` shipments. In
  *slot* space — departure ``j`` owns slots ``[Σ K[:j], Σ K[:j+1])`` — shipment ``n`` takes slot
  ``σ[n] = max(first slot of its first reachable departure, σ[n-1] + 1)``: a max-plus scan in integers
  (the K interleaved scans of a capacity-K service, with capacity allowed to vary), exact; one compiled
  pass along each row (:func:`_equal_rows`).
- Unequal sizes: one compiled loop (:func:`~sim.compiled.compiled`) over all rows, shipment
  by shipment along each row, for every number of rows; the load of a departure is summed one shipment at
  a time in the reference engine's order (so ``load + size > room`` is decided identically).
"""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.compiled import compiled
from sim.network import Station

__all__ = ["service"]


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
    if isinstance(size, float):
        return _equal_starts(departures, arrive, _places(rooms, size, present)), last
    padding = np.arange(size.shape[1])[None, :] >= counts[:, None]
    sizes = size[~padding]
    if np.all(sizes == sizes[0]):
        return _equal_starts(departures, arrive, _places(rooms, float(sizes[0]), sizes.size)), last
    ready = np.empty(arrive.shape, dtype=np.int64)
    positions_along_rows(departures, arrive, False, ready)
    taken = _departure_for(ready, size, counts, rooms)
    safe = np.minimum(taken, departures.size - 1)
    return np.where(taken < departures.size, departures[safe], np.inf), last


def _departure_for(ready: IntArray, size: FloatArray, counts: IntArray, rooms: FloatArray) -> IntArray:
    """Departure index of each shipment (``len(rooms)`` when none), for sizes that differ."""
    taken = np.full(ready.shape, rooms.size, dtype=np.int64)
    _unequal_rows(
        np.ascontiguousarray(ready, dtype=np.int64),
        np.ascontiguousarray(size, dtype=np.float64),
        np.ascontiguousarray(counts, dtype=np.int64),
        np.ascontiguousarray(rooms, dtype=np.float64),
        taken,
    )
    return taken


@compiled
def positions_along_rows(table: np.ndarray, queries: np.ndarray, right: bool, out: IntArray) -> None:
    """``np.searchsorted(table, queries, side)`` for queries ascending along each row, into ``out``.

    ``table`` is ascending; ``side`` is ``"right"`` when ``right``. Each row's position only moves
    forward while its queries ascend, so most queries cost one comparison and the rest a bisection of
    the table past the last position (a query below the one before restarts from the beginning: the
    same positions whatever the order).
    """
    size = table.size
    for row in range(queries.shape[0]):
        j = 0
        previous = queries[row, 0] if queries.shape[1] else 0
        for c in range(queries.shape[1]):
            q = queries[row, c]
            if q < previous:
                j = 0
            previous = q
            if j < size and (table[j] < q or (right and table[j] == q)):
                if right:
                    j += np.searchsorted(table[j:], q, side="right")
                else:
                    j += np.searchsorted(table[j:], q, side="left")
            out[row, c] = j


@compiled
def _unequal_rows(
    ready: IntArray, size: FloatArray, counts: IntArray, rooms: FloatArray, taken: IntArray
) -> None:
    """Every row, shipment by shipment: the departure each boards, written into ``taken`` (rows × n).

    ``ready`` is each shipment's first reachable departure, ``size`` its size (t or TEU), ``rooms`` each
    departure's room; ``taken`` holds ``len(rooms)`` (no departure) where nothing is written. The load is
    summed one shipment at a time as in the reference engine, so ``load + size > room`` is decided on the
    same floats.
    """
    departures = rooms.size
    for row in range(ready.shape[0]):
        j, load, closed = 0, 0.0, False
        for n in range(counts[row]):
            r, s = ready[row, n], size[row, n]
            if r > j:
                j, load, closed = r, 0.0, False
            while j < departures:
                room = rooms[j]
                if room > 0 and not closed:
                    if load + s <= room:
                        load += s
                        break
                    if load == 0.0 and s > room:  # larger than a whole departure: alone on an empty one
                        closed = True
                        break
                j, load, closed = j + 1, 0.0, False
            taken[row, n] = j


def _places(rooms: FloatArray, size: float, most: int) -> IntArray:
    """How many shipments of one ``size`` each departure takes (load added one by one, as the reference)."""
    if size == 0.0:
        return np.where(rooms > 0, most + 1, 0).astype(np.int64)
    longest = int(min(np.ceil(rooms.max(initial=0.0) / size) + 2, most + 1))
    loads = np.cumsum(np.full(max(longest, 1), size))
    fit = np.searchsorted(loads, rooms, side="right").astype(np.int64)
    return np.where(rooms <= 0, 0, np.where(size > rooms, 1, fit)).astype(np.int64)


def _equal_starts(departures: FloatArray, arrive: FloatArray, places: IntArray) -> FloatArray:
    """Departure time (h) of each shipment by the slot scan (``inf`` when none takes it), one compiled pass.

    ``places`` is how many shipments each departure takes (:func:`_places`).
    """
    filled = np.cumsum(places, dtype=np.int64)
    before = np.concatenate([[0], filled]).astype(np.int64)
    start = np.empty(arrive.shape)
    _equal_rows(departures, np.ascontiguousarray(arrive), before, filled, start)
    return start


@compiled
def _equal_rows(
    departures: FloatArray, arrive: FloatArray, before: IntArray, filled: IntArray, start: FloatArray
) -> None:
    """The slot scan of equal sizes along each row, into ``start`` (h; ``inf``: no departure takes it).

    Per shipment ``n`` of a row: its first reachable departure ``ready`` (``searchsorted(departures,
    arrival)``), its slot ``n + max over m <= n of (before[ready[m]] - m)`` (``before``: slots of the
    departures before each, ``filled``: up to and including it) and the departure owning that slot,
    ``searchsorted(filled, slot, side="right")`` — both searches walked forward along the row as
    :func:`positions_along_rows` walks them. Integers throughout, then one departure time picked: the
    times the numpy scan (``maximum.accumulate`` over the grid) gave.
    """
    n_departures = departures.size
    for row in range(arrive.shape[0]):
        j = 0
        previous = arrive[row, 0] if arrive.shape[1] else 0.0
        k = 0
        previous_slot = 0
        lead = 0
        for c in range(arrive.shape[1]):
            q = arrive[row, c]
            if q < previous:
                j = 0
            previous = q
            if j < n_departures and departures[j] < q:
                j += int(np.searchsorted(departures[j:], q, side="left"))
            step = before[j] - c
            lead = step if c == 0 or step > lead else lead
            slot = c + lead
            if c == 0 or slot < previous_slot:
                k = 0
            previous_slot = slot
            if k < n_departures and filled[k] <= slot:
                k += int(np.searchsorted(filled[k:], slot, side="right"))
            start[row, c] = departures[k] if k < n_departures else np.inf
