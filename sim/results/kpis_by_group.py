"""KPIs by group: the waits at queueing stations by calendar month, by traffic class and by priority class.

Each table applies the window rule of :mod:`sim.results.waits` (visits that arrived in [warm-up, horizon);
their waits are in the statistics when they started by the horizon) within its groups:

- ``stations_by_month``: the wait statistics of the visits that arrived in each calendar month, and the
  visits waiting at the month's end;
- ``waits_by_traffic``: at each queueing station a background flow visits (:mod:`sim.results.traffic`),
  the waits of the modelled and of the background visits;
- ``stations_by_class`` (stations with priority classes only): the waits of each class's visits, keyed
  ``STATION [CLASS]``.

They share one reduction of the window's waits (:mod:`sim.results.wait_groups`: one pass over the visits,
one sort) with one another and with the station KPIs of :mod:`sim.results.kpis` (:class:`WaitTables`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.network import Network
from sim.plan import Plan
from sim.results.codes import month_numbers
from sim.results.long_form import LongTable
from sim.results.wait_groups import Visits, WaitKeys, wait_statistics_by_grouping
from sim.results.waits import QUEUEING_KINDS
from sim.scenario.model import Scenario
from sim.trace import Trace

__all__ = ["TRAFFIC", "WaitTables", "class_key"]


MONTH_METRICS = ("wait_mean_h", "wait_p95_h", "wait_max_h", "visits", "started", "waiting_at_month_end")
"""Metrics of ``stations_by_month``: wait statistics of the visits that arrived in the month (the window's
rule of :mod:`sim.results.waits`), those visits, those of them that started by the horizon (the statistics
are over these), and the visits waiting at the month's end."""

TRAFFIC = ("modelled", "background")
"""Traffic classes: the scenario's own flows, and those marked ``background`` (its ports' other traffic)."""

TRAFFIC_METRICS = ("wait_mean_h", "wait_p95_h", "wait_max_h", "visits", "waiting_at_horizon")
"""Metrics of ``waits_by_traffic``: the wait statistics of each class's visits in the window (the rule of
:mod:`sim.results.waits`), those visits, and those of them still waiting at the horizon."""

CLASS_METRICS = TRAFFIC_METRICS
"""Metrics of ``stations_by_class``: those of ``waits_by_traffic``, for a class's visits."""


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


def _shared_stations(scenario: Scenario, network: Network) -> list[int]:
    """Queueing stations a background flow visits, in station order (the keys of ``waits_by_traffic``)."""
    background = {name for name, flow in scenario.flows.items() if flow.background}
    stations = network.stations
    visited = {i for route in network.flows if route.name in background for i in route.stations}
    return [i for i in sorted(visited) if stations[i].kind in QUEUEING_KINDS]


def class_key(station: str, klass: str) -> str:
    """The key of a (station, priority class) pair in ``stations_by_class``: ``chk:PAPCN [booked]``."""
    return f"{station} [{klass}]"


class WaitTables:
    """The waits of the window by station and by the groups of this module, for some whole replications.

    Built once per run (the keys and labels of each table depend on the scenario and network only);
    :meth:`tables` reduces the visits of some replications.
    """

    def __init__(self, scenario: Scenario, network: Network, window: tuple[float, float]) -> None:
        self.window = window
        stations = network.stations
        queueing = [i for i, s in enumerate(stations) if s.kind in QUEUEING_KINDS]
        self.queueing = queueing
        self.months, ends = _window_months(scenario, window)
        self.shared = _shared_stations(scenario, network)
        with_classes = [s for s in stations if s.has_priority]
        self.classes = [class_key(s.name, c) for s in with_classes for c in s.classes]
        self.station_names = [s.name for s in stations]
        codes = np.full((4, len(stations)), -1, dtype=np.int64)
        codes[0, queueing] = queueing
        codes[1, queueing] = np.arange(len(queueing))
        codes[2, self.shared] = np.arange(len(self.shared))
        first = 0
        for station in with_classes:
            codes[3, station.index] = first
            first += len(station.classes)
        counts = [len(stations), len(queueing) * self.months.size, len(self.shared) * len(TRAFFIC), first]
        self.keys = WaitKeys(codes, np.array(counts, dtype=np.int64), ends)

    def tables(
        self, plan: Plan, trace: Trace, shipment_traffic: IntArray, use: IntArray
    ) -> tuple[FloatArray, FloatArray, list[LongTable]]:
        """The station wait statistics and use, and the tables of this module.

        ``shipment_traffic`` is each shipment's traffic class (0 modelled, 1 background), ``use`` how each
        station counts its use (:func:`sim.results.station_use.add_use`). The wait statistics have shape
        (5, stations × R) (:func:`~sim.results.wait_groups.wait_statistics_by_grouping`), the use (4,
        stations × R): hours queued, hours present, arrivals, use.
        """
        reps = len(plan.replications)
        klass = plan.visit_class
        visits = Visits(
            plan.rep_first,
            plan.first_visit,
            plan.visit_station,
            np.empty(0, dtype=np.int64) if klass is None else klass,
            shipment_traffic,
            plan.visit_size,
            trace.arrive,
            trace.start,
            trace.end,
        )
        statistics, month_waiting, used = wait_statistics_by_grouping(self.keys, visits, use, self.window)
        stations, by_month, by_traffic, by_class = statistics
        return (
            stations,
            used,
            [
                self._by_month(by_month, month_waiting, reps),
                self._by_class(by_class, reps, klass is not None),
                self._by_traffic(by_traffic, reps),
            ],
        )

    def _by_month(self, statistics: FloatArray, waiting: FloatArray, reps: int) -> LongTable:
        """``stations_by_month``: waits at each queueing station by calendar month of arrival.

        A visit is counted in the month it arrived in, under the window rule of :mod:`sim.results.waits`
        (arrived in [warm-up, horizon); its wait is in the statistics when it started by the horizon). A
        visit is waiting at a month's end instant ``e`` (the horizon for the last month) when it arrived
        in the window before ``e`` and had not started by ``e`` (at the last end: ``waiting_at_horizon``).
        """
        started = statistics[3] - statistics[4]
        values = np.stack([*statistics[:4], started, waiting])
        labels = np.datetime_as_string(self.months.astype("datetime64[M]"), unit="M")
        keys = len(self.queueing)
        return LongTable(
            "stations_by_month",
            [self.station_names[i] for i in self.queueing],
            [str(m) for m in labels],
            list(MONTH_METRICS),
            values.reshape(len(MONTH_METRICS), keys, self.months.size, reps),
        )

    def _by_traffic(self, statistics: FloatArray, reps: int) -> LongTable:
        """``waits_by_traffic``: waits of the modelled and background visits at stations both visit."""
        return LongTable(
            "waits_by_traffic",
            [self.station_names[i] for i in self.shared],
            list(TRAFFIC),
            list(TRAFFIC_METRICS),
            statistics.reshape(len(TRAFFIC_METRICS), len(self.shared), len(TRAFFIC), reps),
        )

    def _by_class(self, statistics: FloatArray, reps: int, has_classes: bool) -> LongTable:
        """``stations_by_class``: waits at each station with priority classes, by class (highest first)."""
        if not self.classes or not has_classes:
            return LongTable(
                "stations_by_class", [], [""], list(CLASS_METRICS), np.empty((len(CLASS_METRICS), 0, 1, reps))
            )
        return LongTable(
            "stations_by_class",
            self.classes,
            [""],
            list(CLASS_METRICS),
            statistics.reshape(len(CLASS_METRICS), len(self.classes), 1, reps),
        )
