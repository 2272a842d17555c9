"""KPIs by group: the waits at queueing stations by calendar month, by traffic class and by priority class.

Each table applies the window rule of :mod:`sim.results.waits` (visits that arrived in [warm-up, horizon);
their waits are in the statistics when they started by the horizon) within its groups:

- ``stations_by_month``: the wait statistics of the visits that arrived in each calendar month, and the
  visits waiting at the month's end;
- ``waits_by_traffic``: at each queueing station a background flow visits (:mod:`sim.results.traffic`),
  the waits of the modelled and of the background visits;
- ``stations_by_class`` (stations with priority classes only): the waits of each class's visits, keyed
  ``STATION [CLASS]``.

They share the group reduction of wait statistics (:func:`group_wait_statistics`) with one another and with
the station KPIs of :mod:`sim.results.kpis` (the core station and flow KPIs).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.compiled import compiled
from sim.plan import Plan
from sim.results.codes import ShipmentCodes, WindowWaits, month_numbers
from sim.results.groups import Groups
from sim.results.long_form import LongTable
from sim.results.waits import QUEUEING_KINDS
from sim.scenario.model import Scenario

__all__ = [
    "TRAFFIC",
    "class_key",
    "group_wait_statistics",
    "stations_by_class",
    "stations_by_month",
    "waits_by_traffic",
]


MONTH_METRICS = ("wait_mean_h", "wait_p95_h", "wait_max_h", "visits", "started", "waiting_at_month_end")
"""Metrics of ``stations_by_month``: wait statistics of the visits that arrived in the month (the window's
rule of :mod:`sim.results.waits`), those visits, those of them that started by the horizon (the statistics
are over these), and the visits waiting at the month's end."""


def _window_months(scenario: Scenario, window: tuple[float, float]) -> tuple[IntArray, FloatArray]:
    """Calendar months (since 1970-01) meeting [warm-up, horizon), each with its end (h, ≤ horizon)."""
    lo, hi = window
    first, last = month_numbers(scenario, np.array([lo, hi], dtype=np.float64))
    months = np.arange(first, last + 2, dtype=np.int64)
    origin = np.datetime64(dt.datetime.combine(scenario.start, dt.time()), "s")
    bounds = (months.astype("datetime64[M]").astype("datetime64[s]") - origin).astype(np.float64) / 3600.0
    begins, ends = bounds[:-1], np.minimum(bounds[1:], hi)
    meets = begins < hi
    return months[:-1][meets], ends[meets]


def stations_by_month(
    scenario: Scenario, plan: Plan, waits: WindowWaits, reps: int, window: tuple[float, float]
) -> LongTable:
    """Waits at each queueing station by calendar month of arrival, and the visits waiting at month ends.

    A visit is counted in the month it arrived in, under the window rule of :mod:`sim.results.waits` (arrived
    in [warm-up, horizon); its wait is in the statistics when it started by the horizon). A visit is waiting
    at a month's end instant ``e`` (the horizon for the last month) when it arrived in the window before
    ``e`` and had not started by ``e`` — at the last month's end, ``waiting_at_horizon``.
    """
    stations = plan.network.stations
    months, ends = _window_months(scenario, window)
    n_months = months.size
    queueing_stations = np.flatnonzero(np.isin([s.kind for s in stations], QUEUEING_KINDS))
    code = np.full(len(stations), -1, dtype=np.int64)
    code[queueing_stations] = np.arange(queueing_stations.size)
    keys = queueing_stations.size
    count = keys * n_months * reps
    group, waiting = _month_cells(code[waits.station], waits.rep, waits.arrive, waits.start, ends, reps, keys)
    statistics = group_wait_statistics(group, waits, count)
    started = statistics[3] - statistics[4]
    values = np.stack([*statistics[:4], started, waiting])
    labels = np.datetime_as_string(months.astype("datetime64[M]"), unit="M")
    return LongTable(
        "stations_by_month",
        [stations[i].name for i in queueing_stations],
        [str(m) for m in labels],
        list(MONTH_METRICS),
        values.reshape(len(MONTH_METRICS), keys, n_months, reps),
    )


@compiled
def _month_cells(
    station: IntArray,
    rep: IntArray,
    arrive: FloatArray,
    start: FloatArray,
    ends: FloatArray,
    reps: int,
    keys: int,
) -> tuple[IntArray, IntArray]:
    """Each visit's (station, month of arrival, replication) group, and the visits waiting at month ends.

    ``station`` is the visit's queueing-station code (0 … ``keys`` − 1), ``ends`` the months' end instants
    (h). A visit arrived in the first month whose end is after its arrival (arrivals are before the
    horizon, the last end); it is waiting at end ``e`` when ``arrive < e < start`` (``start`` NaN: it never
    started). Both results are laid out (station, month, replication), replication fastest.
    """
    months = ends.size
    group = np.empty(station.size, dtype=np.int64)
    waiting = np.zeros(keys * months * reps, dtype=np.int64)
    for visit in range(station.size):
        first = np.searchsorted(ends, arrive[visit], side="right")
        month = min(first, max(months - 1, 0))
        group[visit] = (station[visit] * months + month) * reps + rep[visit]
        began = start[visit]
        after = months if np.isnan(began) else np.searchsorted(ends, began, side="left")
        for end in range(first, min(after, months)):
            waiting[(station[visit] * months + end) * reps + rep[visit]] += 1
    return group, waiting


TRAFFIC = ("modelled", "background")
"""Traffic classes: the scenario's own flows, and those marked ``background`` (its ports' other traffic)."""

TRAFFIC_METRICS = ("wait_mean_h", "wait_p95_h", "wait_max_h", "visits", "waiting_at_horizon")
"""Metrics of ``waits_by_traffic``: the wait statistics of each class's visits in the window (the rule of
:mod:`sim.results.waits`), those visits, and those of them still waiting at the horizon."""


def _shared_stations(scenario: Scenario, plan: Plan) -> list[int]:
    """Queueing stations a background flow visits, in station order (the keys of ``waits_by_traffic``)."""
    background = {name for name, flow in scenario.flows.items() if flow.background}
    stations = plan.network.stations
    visited = {i for route in plan.network.flows if route.name in background for i in route.stations}
    return [i for i in sorted(visited) if stations[i].kind in QUEUEING_KINDS]


def waits_by_traffic(
    scenario: Scenario, plan: Plan, waits: WindowWaits, shipments: ShipmentCodes
) -> LongTable:
    """Waits of the modelled and of the background visits at each station a background flow visits."""
    stations = plan.network.stations
    shared = _shared_stations(scenario, plan)
    code = np.full(len(stations), -1, dtype=np.int64)
    code[shared] = np.arange(len(shared))
    reps = shipments.replications
    count = len(shared) * len(TRAFFIC) * reps
    traffic = shipments.traffic[waits.shipment]
    station = code[waits.station]
    group = np.where(station >= 0, (station * len(TRAFFIC) + traffic) * reps + waits.rep, -1)
    values = group_wait_statistics(group, waits, count)
    return LongTable(
        "waits_by_traffic",
        [stations[i].name for i in shared],
        list(TRAFFIC),
        list(TRAFFIC_METRICS),
        values.reshape(len(TRAFFIC_METRICS), len(shared), len(TRAFFIC), reps),
    )


CLASS_METRICS = TRAFFIC_METRICS
"""Metrics of ``stations_by_class``: those of ``waits_by_traffic``, for a class's visits."""


def group_wait_statistics(group: IntArray, waits: WindowWaits, count: int) -> FloatArray:
    """Mean, p95 and max wait (h; NaN for a group without visits), visits and visits still waiting, by group.

    ``group`` is the group (0 … ``count`` − 1, replication fastest; −1: in none) of each visit of
    ``waits``. Shape (5, ``count``), rows as :data:`TRAFFIC_METRICS`.
    """
    statistics = Groups.of(group, waits.wait, count, waits.order)  # over the visits that began
    waiting = group[waits.waiting]
    still = np.bincount(waiting[waiting >= 0], minlength=count).astype(np.float64)
    visits = statistics.size + still
    seen = visits > 0
    return np.stack(
        [
            np.where(seen, statistics.mean(), np.nan),
            np.where(seen, statistics.quantile(0.95), np.nan),
            np.where(seen, statistics.max(), np.nan),
            visits,
            still,
        ]
    )


def class_key(station: str, klass: str) -> str:
    """The key of a (station, priority class) pair in ``stations_by_class``: ``chk:PAPCN [booked]``."""
    return f"{station} [{klass}]"


def stations_by_class(plan: Plan, waits: WindowWaits, reps: int) -> LongTable:
    """Waits at each station with priority classes, by class (visits in class order, highest first)."""
    stations = [s for s in plan.network.stations if s.has_priority]
    first = np.full(len(plan.network.stations), -1, dtype=np.int64)  # code of a station's first class
    codes = 0
    for station in stations:
        first[station.index] = codes
        codes += len(station.classes)
    keys = [class_key(s.name, c) for s in stations for c in s.classes]
    count = len(keys) * reps
    if not keys or plan.visit_class is None:
        return LongTable(
            "stations_by_class", [], [""], list(CLASS_METRICS), np.empty((len(CLASS_METRICS), 0, 1, reps))
        )
    code = first[waits.station]
    klass = plan.visit_class[waits.kept].astype(np.int64)
    group = np.where(code >= 0, (code + klass) * reps + waits.rep, -1)
    values = group_wait_statistics(group, waits, count)
    return LongTable(
        "stations_by_class",
        keys,
        [""],
        list(CLASS_METRICS),
        values.reshape(len(CLASS_METRICS), len(keys), 1, reps),
    )
