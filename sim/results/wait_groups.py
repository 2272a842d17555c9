"""The wait statistics of every wait table, from one pass over the visits and one sort of their waits.

The station KPIs and the three tables of :mod:`sim.results.kpis_by_group` all reduce the same waits — the
visits to queueing stations that arrived in the window [warm-up, horizon) (:mod:`sim.results.waits`) —
by four groupings: (station, replication); (queueing station, calendar month of arrival, replication);
(station a background flow visits, traffic class, replication); (station with classes and class,
replication). Each grouping's groups are numbered ``key * R + replication`` (:mod:`sim.results.groups`);
here the four are laid end to end in one numbering, so that

- one compiled pass over the visits (:func:`_cells`) finds each observed visit's four groups, adds its wait
  (if it started by the horizon) to each group's count and sum — in the Plan's order, from 0, as
  ``np.bincount`` does — or counts it as still waiting, and counts the visits waiting at each month's end;
- the started waits are sorted by value once (:func:`sim.results.value_order.value_order`), and a second
  compiled pass (:func:`sim.results.groups.order_statistics`) walks them in that order, counting each
  group's waits, to pick the two order statistics of each group's p95 and its largest wait.

The statistics are those of a sort of each group's waits (pandas' group quantile: linear interpolation
between order statistics), value for value: an order statistic is the same float whichever equal values
the sorts put first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.class_draws import ClassArray
from sim.compiled import compiled
from sim.results.groups import interpolated, order_statistics, quantile_ranks
from sim.results.station_use import add_use
from sim.results.value_order import value_order

__all__ = ["GROUPINGS", "Visits", "WaitKeys", "wait_statistics_by_grouping"]

GROUPINGS = ("station", "month", "traffic", "class")
"""The four groupings, in the order of :class:`WaitKeys`' codes and of the statistics returned."""

P95 = 0.95
NARROW_GROUPS = int(np.iinfo(np.int16).max)
"""Up to this many groups in all, a wait's groups are stored as int16 (int32 above)."""


@dataclass(frozen=True)
class WaitKeys:
    """How each grouping keys a visit, from its station (and month, traffic class or priority class).

    Attributes
    ----------
    codes : ndarray of int64
        Shape (4, stations): the station's key in each grouping of :data:`GROUPINGS` (−1: the grouping
        leaves its visits out). A visit's key is ``code`` (station), ``code * months + month`` (month),
        ``code * 2 + traffic`` (traffic) or ``code + class`` (class).
    keys : ndarray of int64
        Number of keys of each grouping (months and traffic classes included).
    ends : ndarray of float64
        The calendar months' end instants (h, the last one the horizon).
    """

    codes: IntArray
    keys: IntArray
    ends: FloatArray


@dataclass(frozen=True)
class Visits:
    """The visits of some whole replications, as the pass over them reads them.

    Attributes
    ----------
    rep_first, first_visit : ndarray of int64
        The Plan's offsets: each stored replication's first shipment, each shipment's first visit.
    station : ndarray of int
        Station of each visit.
    klass : ndarray of int
        Priority class of each visit (empty when the Plan has none: the class grouping is then empty).
    traffic : ndarray of int64
        Traffic class of each shipment (0 modelled, 1 background).
    size : ndarray of float64
        Load of each visit (t or TEU).
    arrive, start, end : ndarray of float64
        The visits' times (h; NaN when not reached by the horizon).
    """

    rep_first: IntArray
    first_visit: IntArray
    station: IntArray
    klass: IntArray | ClassArray
    traffic: IntArray
    size: FloatArray
    arrive: FloatArray
    start: FloatArray
    end: FloatArray


def wait_statistics_by_grouping(
    keys: WaitKeys, visits: Visits, use: IntArray, window: tuple[float, float]
) -> tuple[list[FloatArray], FloatArray, FloatArray]:
    """Mean, p95 and max wait, visits and visits still waiting of each group of each grouping.

    The same pass over the visits sums their use of their stations (:mod:`sim.results.station_use`).

    Parameters
    ----------
    keys : WaitKeys
        The groupings.
    visits : Visits
        The visits of some whole replications.
    use : ndarray of int64
        How each station counts its use (:func:`sim.results.station_use.add_use`).
    window : tuple of float
        [warm-up, horizon) (h).

    Returns
    -------
    statistics : list of ndarray of float64
        Per grouping, shape (5, keys × R): mean, p95 and max wait (h; NaN for a group without visits),
        visits (arrived in the window) and those of them still waiting at the horizon.
    waiting_at_month_end : ndarray of float64
        Visits waiting at each month's end, by (queueing station, month, replication), replication fastest.
    station_use : ndarray of float64
        Shape (4, stations × R): hours queued, hours present, arrivals and use of each (station,
        replication) (rows as :data:`sim.results.station_use.QUEUED` …).
    """
    reps = visits.rep_first.size - 1
    counts = keys.keys * reps
    bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    used = np.zeros((4, use.size * reps))
    narrow = np.int16 if bounds[-1] <= NARROW_GROUPS else np.int32  # less to read in value order
    waits, groups = np.empty(visits.arrive.size), np.empty((visits.arrive.size, 4), dtype=narrow)
    found, size, total, still, month_waiting = _cells(
        visits.rep_first,
        visits.first_visit,
        visits.station,
        visits.klass,
        visits.traffic,
        (visits.size, visits.arrive, visits.start, visits.end),
        window,
        keys.codes,
        keys.ends,
        bounds,
        use,
        (used, waits, groups),
    )
    waits, groups = waits[:found], groups[:found]
    at, nxt, fraction = quantile_ranks(size, P95)
    low, high, top = order_statistics(waits, groups, value_order(waits), at, nxt, size.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(size > 0, total / size, np.nan)
    p95 = interpolated(low, high, fraction, size)
    arrived = size + still
    seen = arrived > 0
    every = np.stack(
        [
            np.where(seen, mean, np.nan),
            np.where(seen, p95, np.nan),
            np.where(seen, np.where(size > 0, top, np.nan), np.nan),
            arrived,
            still,
        ]
    )
    return [every[:, bounds[g] : bounds[g + 1]] for g in range(len(GROUPINGS))], month_waiting, used


@compiled
def _cells(
    rep_first: IntArray,
    first_visit: IntArray,
    visit_station: IntArray,
    visit_class: IntArray | ClassArray,
    shipment_traffic: IntArray,
    times: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    window: tuple[float, float],
    codes: IntArray,
    ends: FloatArray,
    bounds: IntArray,
    use: IntArray,
    out: tuple[FloatArray, FloatArray, IntArray],
) -> tuple[int, IntArray, FloatArray, FloatArray, FloatArray]:
    """The observed visits' started waits and groups, each group's count, sum and still waiting.

    Writes, in ``out`` (``used``, ``waits``, ``groups``), each reached visit's use of its station (added to
    ``used``), and the waits of the visits that started by the horizon (Plan order) with their group in each
    grouping (shape (waits, 4), in the one numbering of ``bounds``; −1: none). Returns how many waits, and
    per group the started waits, their sum (added in the Plan's order from 0) and the visits still waiting
    at the horizon; and the visits waiting at each month's end (a visit is waiting at end ``e`` when
    ``arrive < e`` and it had not started by ``e``; its month of arrival is the first whose end is after
    its arrival). ``times`` are the visits' load, arrival, start and end.
    """
    used, waits, groups = out
    size_of, arrive, start, end = times
    lo, hi = window
    reps = rep_first.size - 1
    n_months = ends.size
    with_class = visit_class.size > 0
    size = np.zeros(bounds[-1], dtype=np.int64)
    total = np.zeros(bounds[-1], dtype=np.float64)
    still = np.zeros(bounds[-1], dtype=np.float64)
    month_waiting = np.zeros(bounds[2] - bounds[1], dtype=np.float64)
    found = 0
    for stored in range(reps):
        for row in range(rep_first[stored], rep_first[stored + 1]):
            traffic = shipment_traffic[row]
            for visit in range(first_visit[row], first_visit[row + 1]):
                station = visit_station[visit]
                came = arrive[visit]
                if np.isnan(came):
                    continue  # never reached
                began = start[visit]
                add_use(
                    used,
                    station * reps + stored,
                    came,
                    began,
                    end[visit],
                    size_of[visit],
                    use[station],
                    window,
                )
                if codes[0, station] < 0 or not lo <= came < hi:
                    continue
                month = _month_after(ends, came)
                by_month = codes[1, station] * n_months
                klass = visit_class[visit] if with_class else -1
                month_of = min(month, max(n_months - 1, 0))
                cell = _visit_cells(codes, station, month_of, n_months, traffic, klass, bounds, reps, stored)
                if month < n_months and not began <= ends[month]:  # waiting at the month's end, maybe later
                    _waiting_at_ends(month_waiting, ends, month, began, by_month * reps + stored, reps)
                if began <= hi:  # started by the horizon
                    wait = began - came
                    for g in range(4):
                        code = cell[g]
                        if code >= 0:
                            size[code] += 1
                            total[code] += wait
                        groups[found, g] = code
                    waits[found] = wait
                    found += 1
                else:
                    for g in range(4):
                        if cell[g] >= 0:
                            still[cell[g]] += 1.0
    return found, size, total, still, month_waiting


@compiled
def _month_after(ends: FloatArray, instant: float) -> int:
    """The first month whose end is after ``instant`` (``ends`` ascending; their number if none is)."""
    month = 0
    while month < ends.size and ends[month] <= instant:
        month += 1
    return month


@compiled
def _visit_cells(
    codes: IntArray,
    station: int,
    month: int,
    months: int,
    traffic: int,
    klass: int,
    bounds: IntArray,
    reps: int,
    stored: int,
) -> tuple[int, int, int, int]:
    """A visit's group in each grouping (−1: none), from its station's ``codes`` (:class:`WaitKeys`).

    ``month`` is its month of arrival, ``traffic`` its shipment's traffic class, ``klass`` its priority
    class (−1: the Plan has none), ``stored`` its replication; groups are numbered as in :func:`_cells`.
    """
    at_station = bounds[0] + codes[0, station] * reps + stored
    by_month = bounds[1] + (codes[1, station] * months + month) * reps + stored
    shared, with_class = codes[2, station], codes[3, station]
    by_traffic = bounds[2] + (shared * 2 + traffic) * reps + stored if shared >= 0 else -1
    by_class = bounds[3] + (with_class + klass) * reps + stored if with_class >= 0 and klass >= 0 else -1
    return at_station, by_month, by_traffic, by_class


@compiled
def _waiting_at_ends(
    month_waiting: FloatArray, ends: FloatArray, month: int, began: float, first: int, step: int
) -> None:
    """Count a visit waiting at the ends of its month of arrival and the next until it began (NaN: never).

    Its count at end ``e`` is ``month_waiting[first + e * step]``.
    """
    after = ends.size if np.isnan(began) else np.searchsorted(ends, began, side="left")
    for end in range(month, min(after, ends.size)):
        month_waiting[first + end * step] += 1.0
