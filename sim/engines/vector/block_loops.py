"""The compiled passes of a block: cutting it out of the Plan, and a station's FIFO grid and hand-on.

What a station costs beyond its kernel is the work around it: laying its visits out FIFO on a grid, and
handing the ends on as the next arrivals. As numpy expressions that is some twenty whole-array operations and
temporaries per station (and per window of a cycle); here each is one compiled pass
(:func:`~sim.compiled.compiled`) that only copies, compares and adds — a visit's end is its start plus its
work, the same one addition as before — so the times are the same floats.

- :func:`shipment_ends`, :func:`station_order`, :func:`station_pairs`, :func:`station_stats`: a block's
  ``has_next``, first arrivals, each station's visits (a counting sort: the order numpy's stable sort
  gives), the stations that feed each other, and each station's least work and one size, each one pass
  over the visits;
- :func:`fifo_rows`: a station's visits on the FIFO grid (each row sorted stably by arrival, with the
  visits' work laid out alongside);
- :func:`hand_on`, :func:`hand_on_tracked`: starts recorded, ends handed on as the next visits' arrivals,
  straight from the grid; :func:`hand_on_branches` the same at a chokepoint where ships may divert, with the
  diverted ones handed on to their alternative;
- :func:`close_times`: a settled block's ends, and its times after the horizon made NaN.

The passes of a cycle settled in windows are in :mod:`~sim.engines.vector.window_loops`.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled

__all__ = [
    "close_times",
    "fifo_rows",
    "hand_on",
    "hand_on_branches",
    "hand_on_tracked",
    "shipment_ends",
    "stable_order",
    "station_order",
    "station_pairs",
    "station_stats",
]

INF = np.inf


@compiled
def shipment_ends(
    first_visit: IntArray, created: FloatArray, horizon_h: float, has_next: BoolArray, arrive: FloatArray
) -> None:
    """Mark each shipment's last visit as having no next one, and set its first visit's arrival.

    ``first_visit`` (the block's shipments' first visits and one past the last, counted from the block's first
    visit) and ``created`` (h) are per shipment; ``has_next`` (all True on entry) and ``arrive`` are per
    visit of the block. A shipment created after ``horizon_h`` never arrives (``inf``); one without visits
    is skipped.
    """
    for s in range(first_visit.size - 1):
        a, b = first_visit[s], first_visit[s + 1]
        if b > a:
            has_next[b - 1] = False
            arrive[a] = created[s] if created[s] <= horizon_h else INF


@compiled
def station_order(
    stations: IntArray,
    row_first: IntArray,
    moved: IntArray,
    codes: np.ndarray,
    bounds: IntArray,
    order: IntArray,
) -> None:
    """Each station's visits, ascending: a counting sort of the visits by station.

    ``stations`` is each visit's station — or, when ``moved`` (rows × stations) has rows, a visit of row
    ``r`` (``row_first[r]:row_first[r + 1]``) is at ``moved[r, stations[visit]]``, a replication's copy of
    the station (:func:`sim.stacking.station_copies`). ``codes`` (the stations in their narrow type,
    :func:`~.block._code_type`) is written; ``bounds`` (stations + 1 zeros on entry) becomes the start of
    each station's visits in ``order`` (as many entries as visits), and ``order`` the visits station after
    station, each station's ascending — what a stable argsort of the codes gives.
    """
    if moved.shape[0] == 0:
        for i in range(stations.size):
            k = stations[i]
            codes[i] = k
            bounds[k + 1] += 1
    else:
        for r in range(row_first.size - 1):
            table = moved[r]
            for i in range(row_first[r], row_first[r + 1]):
                k = table[stations[i]]
                codes[i] = k
                bounds[k + 1] += 1
    for k in range(bounds.size - 1):
        bounds[k + 1] += bounds[k]
    at = bounds[:-1].copy()
    for i in range(codes.size):  # the narrow copy: fewer bytes to read than ``stations``
        k = codes[i]
        order[at[k]] = i
        at[k] += 1


@compiled
def station_pairs(
    codes: np.ndarray, has_next: BoolArray, n_stations: int, seen: BoolArray, route_ends: BoolArray
) -> None:
    """Mark the (station, next station) pairs visited in a row, and the stations where a route ends.

    ``seen`` (``n_stations ** 2`` entries) gets ``a * n_stations + b`` set for a visit at ``a`` followed by
    its shipment's visit at ``b``; ``route_ends`` (per station) is set where a visit has no next one.
    """
    for i in range(codes.size):
        a = np.int64(codes[i])
        if has_next[i]:
            seen[a * n_stations + np.int64(codes[i + 1])] = True
        else:
            route_ends[a] = True


@compiled
def fifo_rows(
    visits: IntArray,
    arrive: FloatArray,
    per_row: IntArray,
    work: FloatArray,
    cells: IntArray,
    times: FloatArray,
    spans: FloatArray,
    counts: IntArray,
) -> None:
    """Lay out visits FIFO on a grid: each row's visits sorted stably by arrival.

    ``visits`` are grouped by row (``per_row`` of them each, ascending within a row); ``arrive`` and
    ``work`` are per visit of the block. Written: ``cells`` (the visit in each cell; a padding cell
    ``c`` of a row starting at position ``p`` of ``visits`` holds ``visits[min(p + c, last)]``),
    ``times`` (arrivals, ``inf`` in padding), ``spans`` (work, 0 in padding) and ``counts`` (finite
    arrivals per row). Equal arrivals keep the order of ``visits`` (a stable sort), as
    :func:`~.fifo.fifo` does.
    """
    width = cells.shape[1]
    last = visits.size - 1
    at = 0
    key = np.empty(width)
    scratch = _SortScratch(width)
    for row in range(per_row.size):
        n = per_row[row]
        for c in range(n):
            key[c] = arrive[visits[at + c]]
        order = stable_order(key[:n], scratch)
        finite = 0
        for c in range(n):
            v = visits[at + order[c]]
            t = key[order[c]]
            cells[row, c] = v
            times[row, c] = t
            spans[row, c] = work[v]
            if t < INF:
                finite += 1
        for c in range(n, width):
            cells[row, c] = visits[min(at + c, last)]
            times[row, c] = INF
            spans[row, c] = 0.0
        counts[row] = finite
        at += n


_TOP = np.uint64(1) << np.uint64(63)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_BYTE = np.uint64(255)


@compiled
def _SortScratch(width: int) -> tuple[np.ndarray, np.ndarray, IntArray, IntArray, IntArray]:  # noqa: N802
    """Buffers for :func:`stable_order` of up to ``width`` values: keys and positions twice, byte counts."""
    return (
        np.empty(width, dtype=np.uint64),
        np.empty(width, dtype=np.uint64),
        np.empty(width, dtype=np.int64),
        np.empty(width, dtype=np.int64),
        np.zeros((8, 256), dtype=np.int64),
    )


@compiled
def stable_order(
    values: FloatArray, scratch: tuple[np.ndarray, np.ndarray, IntArray, IntArray, IntArray]
) -> IntArray:
    """The positions of ``values`` in ascending order, equal values in their given order (a stable sort).

    What ``np.argsort(values, kind="stable")`` gives, by a least-significant-byte radix sort of keys that
    order as the floats do (equal floats, 0.0 and -0.0 too, have equal keys; NaN sorts last): a byte in
    which every key agrees is skipped, and values already in order cost one pass. ``scratch`` is from
    :func:`_SortScratch` (at least ``values.size`` wide); the result is a view into it.
    """
    keys, other_keys, at, other_at, counts = scratch
    n = values.size
    floats = keys.view(np.float64)
    ordered = True
    for i in range(n):
        t = values[i]
        floats[i] = t + 0.0  # -0.0 becomes 0.0
        bits = keys[i]
        keys[i] = _ALL if t != t else ~bits if bits & _TOP else bits | _TOP  # noqa: PLR0124 (NaN last)
        at[i] = i
        if i and keys[i] < keys[i - 1]:
            ordered = False
    if ordered:
        return at[:n]
    counts[:, :] = 0
    for i in range(n):
        k = keys[i]
        for d in range(8):
            counts[d, (k >> np.uint64(8 * d)) & _BYTE] += 1
    for d in range(8):
        shift = np.uint64(8 * d)
        if counts[d, (keys[0] >> shift) & _BYTE] == n:
            continue  # every key has this byte
        total = 0
        for b in range(256):
            c = counts[d, b]
            counts[d, b] = total
            total += c
        for i in range(n):
            k = keys[i]
            b = (k >> shift) & _BYTE
            p = counts[d, b]
            other_keys[p] = k
            other_at[p] = at[i]
            counts[d, b] = p + 1
        keys, other_keys = other_keys, keys
        at, other_at = other_at, at
    return at[:n]


@compiled
def hand_on(
    cells: IntArray,
    sizes: IntArray,
    begin: FloatArray,
    spans: FloatArray,
    has_next: BoolArray,
    start: FloatArray,
    arrive: FloatArray,
) -> None:
    """Record the grid's starts and hand each end (start plus work, h) on as the next visit's arrival.

    ``cells``, ``begin`` (starts, h) and ``spans`` (work, h) are the FIFO grid, ``sizes`` the visits in
    each row (the rest is padding); ``has_next``, ``start`` and ``arrive`` are per visit of the block.
    """
    for row in range(cells.shape[0]):
        for c in range(sizes[row]):
            v = cells[row, c]
            s = begin[row, c]
            start[v] = s
            if has_next[v]:
                arrive[v + 1] = s + spans[row, c]


@compiled
def hand_on_tracked(
    cells: IntArray,
    sizes: IntArray,
    begin: FloatArray,
    spans: FloatArray,
    has_next: BoolArray,
    start: FloatArray,
    arrive: FloatArray,
    codes: np.ndarray,
    changed: BoolArray,
) -> None:
    """:func:`hand_on`, also marking in ``changed`` (per station) the stations whose arrivals changed."""
    for row in range(cells.shape[0]):
        for c in range(sizes[row]):
            v = cells[row, c]
            s = begin[row, c]
            start[v] = s
            if has_next[v]:
                finish = s + spans[row, c]
                if arrive[v + 1] != finish:
                    changed[codes[v + 1]] = True
                arrive[v + 1] = finish


@compiled
def station_stats(
    codes: np.ndarray,
    work: FloatArray,
    size: FloatArray,
    least: FloatArray,
    first_size: FloatArray,
    uniform: FloatArray,
) -> None:
    """Per station, from one pass over the visits: the least work, the first visit's size, one size or not.

    ``codes``, ``work`` (h, no NaN) and ``size`` are per visit. Written per station: ``least`` (``inf``
    on entry: what ``work[visits].min()`` gives), ``first_size`` (NaN on entry) and ``uniform`` (0 on
    entry; 1.0 when every visit's size equals the first's, as ``np.all(sizes == sizes[0])`` says — a NaN
    size never equals).
    """
    seen = np.zeros(least.size, dtype=np.bool_)
    for i in range(codes.size):
        k = codes[i]
        if not seen[k]:
            seen[k] = True
            first_size[k] = size[i]
            uniform[k] = 1.0 if size[i] == size[i] else 0.0  # a NaN size is never one size
        elif size[i] != first_size[k]:
            uniform[k] = 0.0
        least[k] = min(least[k], work[i])


@compiled
def close_times(
    start: FloatArray, work: FloatArray, arrive: FloatArray, end: FloatArray, horizon_h: float
) -> None:
    """A settled block's ends, start plus work (h), into ``end``; every time after ``horizon_h`` becomes NaN.

    Per visit, one pass: ``end = start + work`` (``np.add``'s one addition), then ``arrive``, ``start`` and
    ``end`` each set to NaN where greater than ``horizon_h`` — what ``np.putmask(t, t > horizon_h, nan)``
    does to each (NaN stays NaN: it is never greater).
    """
    nan = np.nan
    for i in range(start.size):
        s = start[i]
        e = s + work[i]
        end[i] = nan if e > horizon_h else e
        if s > horizon_h:
            start[i] = nan
        if arrive[i] > horizon_h:
            arrive[i] = nan


@compiled
def hand_on_branches(
    cells: IntArray,
    sizes: IntArray,
    begin: FloatArray,
    spans: FloatArray,
    diverted: BoolArray,
    decision: IntArray,
    has_next: BoolArray,
    start: FloatArray,
    arrive: FloatArray,
    detour: IntArray,
    leaves: BoolArray,
    left: BoolArray,
    codes: np.ndarray,
    track: bool,
    changed: BoolArray,
) -> None:
    """:func:`hand_on` at a chokepoint where ships may divert, then each decision handed on to its branch.

    First every cell's start recorded and its end handed on (marking in ``changed``, when ``track``, the
    stations whose arrivals changed, as :func:`hand_on_tracked`); then, for each cell that is a decision
    (``decision``: its index in the block's decisions, -1 for none; ``diverted`` on the grid), as
    :mod:`~sim.engines.vector.diversion` does: a shipment whose flow ``leaves`` records in ``left`` (per
    visit) whether it left; any other sets its alternative's first visit (``detour``) to arrive at its
    own arrival if it diverted, never (``inf``) if it transits — marking that station when it changed.
    """
    if track:
        hand_on_tracked(cells, sizes, begin, spans, has_next, start, arrive, codes, changed)
    else:
        hand_on(cells, sizes, begin, spans, has_next, start, arrive)
    for row in range(cells.shape[0]):
        for c in range(sizes[row]):
            w = decision[row, c]
            if w < 0:
                continue
            v = cells[row, c]
            if leaves[w]:
                left[v] = diverted[row, c]
                continue
            d = detour[w]
            a = arrive[v] if diverted[row, c] else INF
            if track and arrive[d] != a:
                changed[codes[d]] = True
            arrive[d] = a
