"""KPIs by group: the waits at queueing stations by calendar month, by traffic class and by priority class.

Each table applies the window rule of :mod:`sim.results.waits` (visits that arrived in [warm-up, horizon);
their waits are in the statistics when they started by the horizon) within its groups:

- ``stations_by_month``: the wait statistics of the visits that arrived in each calendar month, and the
  visits waiting at the month's end;
- ``waits_by_traffic``: at each queueing station a background flow visits (:mod:`sim.results.traffic`),
  the waits of the modelled and of the background visits;
- ``stations_by_class`` (stations with priority classes only): the waits of each class's visits, keyed
  ``STATION [CLASS]``.

They share the group reduction of wait statistics (:func:`_wait_statistics`) with one another; the core
station and flow KPIs are :mod:`sim.results.kpis`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.plan import Plan
from sim.results.codes import ShipmentCodes, month_numbers
from sim.results.groups import Groups
from sim.results.long_form import LongTable
from sim.results.waits import QUEUEING_KINDS, in_wait_window
from sim.scenario.model import Scenario
from sim.trace import Trace

__all__ = ["TRAFFIC", "class_key", "stations_by_class", "stations_by_month", "waits_by_traffic"]


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
    scenario: Scenario, plan: Plan, trace: Trace, shipments: ShipmentCodes, window: tuple[float, float]
) -> LongTable:
    """Waits at each queueing station by calendar month of arrival, and the visits waiting at month ends.

    A visit is counted in the month it arrived in, under the window rule of :mod:`sim.results.waits` (arrived
    in [warm-up, horizon); its wait is in the statistics when it started by the horizon). A visit is waiting
    at a month's end instant ``e`` (the horizon for the last month) when it arrived in the window before
    ``e`` and had not started by ``e`` — at the last month's end, ``waiting_at_horizon``.
    """
    lo, hi = window
    stations = plan.network.stations
    reps = shipments.replications
    months, ends = _window_months(scenario, window)
    n_months = months.size
    queueing_stations = np.flatnonzero(np.isin([s.kind for s in stations], QUEUEING_KINDS))
    code = np.full(len(stations), -1, dtype=np.int64)
    code[queueing_stations] = np.arange(queueing_stations.size)
    keys = queueing_stations.size
    count = keys * n_months * reps
    visit_code = code[np.asarray(plan.visit_station, dtype=np.int64)]
    visit_rep = np.repeat(shipments.rep, np.diff(plan.first_visit))
    keep, began = in_wait_window(visit_code >= 0, trace.arrive, trace.start, lo, hi)
    arrive, start = trace.arrive[keep], trace.start[keep]
    station, rep = visit_code[keep], visit_rep[keep]
    # month of arrival: the last month whose end is after the arrival (arrivals are before the horizon)
    month = np.minimum(np.searchsorted(ends, arrive, side="right"), max(n_months - 1, 0))
    group = (station * n_months + month) * reps + rep
    wait = np.where(began, start - arrive, np.nan)
    waits = Groups.of(group, wait, count, reps)
    visits = np.bincount(group, minlength=count).astype(np.float64)
    started = np.bincount(group, weights=began.astype(np.float64), minlength=count)
    # waiting at end e_j when arrive < e_j < start (start NaN: never): +1 at the first such month, −1 after
    # the last, summed along the months
    first = np.searchsorted(ends, arrive, side="right")
    after = np.maximum(np.searchsorted(ends, np.where(began, start, np.inf), side="left"), first)
    row = (station * reps + rep) * (n_months + 1)
    cells = keys * reps * (n_months + 1)
    steps = np.bincount(row + first, minlength=cells) - np.bincount(row + after, minlength=cells)
    steps = steps.reshape(keys, reps, n_months + 1)
    waiting = np.cumsum(steps, axis=2)[:, :, :n_months].transpose(0, 2, 1).reshape(-1)
    seen = waits.size > 0
    values = np.stack(
        [
            np.where(seen, waits.mean(), np.nan),
            np.where(seen, waits.quantile(0.95), np.nan),
            np.where(seen, waits.max(), np.nan),
            visits,
            started,
            waiting,
        ]
    )
    labels = np.datetime_as_string(months.astype("datetime64[M]"), unit="M")
    return LongTable(
        "stations_by_month",
        [stations[i].name for i in queueing_stations],
        [str(m) for m in labels],
        list(MONTH_METRICS),
        values.reshape(len(MONTH_METRICS), keys, n_months, reps),
    )


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
    scenario: Scenario, plan: Plan, trace: Trace, shipments: ShipmentCodes, window: tuple[float, float]
) -> LongTable:
    """Waits of the modelled and of the background visits at each station a background flow visits."""
    lo, hi = window
    stations = plan.network.stations
    shared = _shared_stations(scenario, plan)
    code = np.full(len(stations), -1, dtype=np.int64)
    code[shared] = np.arange(len(shared))
    reps = shipments.replications
    count = len(shared) * len(TRAFFIC) * reps
    visits_per_shipment = np.diff(plan.first_visit)
    visit_code = code[np.asarray(plan.visit_station, dtype=np.int64)]
    keep, began = in_wait_window(visit_code >= 0, trace.arrive, trace.start, lo, hi)
    traffic = np.repeat(shipments.traffic, visits_per_shipment)[keep]
    rep = np.repeat(shipments.rep, visits_per_shipment)[keep]
    group = (visit_code[keep] * len(TRAFFIC) + traffic) * reps + rep
    wait = np.where(began, trace.start[keep] - trace.arrive[keep], np.nan)
    values = _wait_statistics(group, wait, began, count, reps)
    return LongTable(
        "waits_by_traffic",
        [stations[i].name for i in shared],
        list(TRAFFIC),
        list(TRAFFIC_METRICS),
        values.reshape(len(TRAFFIC_METRICS), len(shared), len(TRAFFIC), reps),
    )


CLASS_METRICS = TRAFFIC_METRICS
"""Metrics of ``stations_by_class``: those of ``waits_by_traffic``, for a class's visits."""


def _wait_statistics(
    group: IntArray, wait: FloatArray, began: BoolArray, count: int, reps: int
) -> FloatArray:
    """Mean, p95 and max wait (h; NaN for a group without visits), visits and visits still waiting, by group.

    ``group`` is each visit's group (0 … ``count`` − 1, replication fastest), ``wait`` its wait (NaN when it
    had not started by the horizon, ``began`` False). Shape (5, ``count``), rows as :data:`TRAFFIC_METRICS`.
    """
    waits = Groups.of(group, wait, count, reps)
    visits = np.bincount(group, minlength=count).astype(np.float64)
    still = np.bincount(group, weights=(~began).astype(np.float64), minlength=count)
    seen = visits > 0
    return np.stack(
        [
            np.where(seen, waits.mean(), np.nan),
            np.where(seen, waits.quantile(0.95), np.nan),
            np.where(seen, waits.max(), np.nan),
            visits,
            still,
        ]
    )


def class_key(station: str, klass: str) -> str:
    """The key of a (station, priority class) pair in ``stations_by_class``: ``chk:PAPCN [booked]``."""
    return f"{station} [{klass}]"


def stations_by_class(
    plan: Plan, trace: Trace, shipments: ShipmentCodes, window: tuple[float, float]
) -> LongTable:
    """Waits at each station with priority classes, by class (visits in class order, highest first)."""
    stations = [s for s in plan.network.stations if s.has_priority]
    first = np.zeros(len(plan.network.stations) + 1, dtype=np.int64)  # code of a station's first class
    for station in stations:
        first[station.index + 1] = len(station.classes)
    first = np.cumsum(first)
    keys = [class_key(s.name, c) for s in stations for c in s.classes]
    reps = shipments.replications
    count = len(keys) * reps
    if not keys or plan.visit_class is None:
        return LongTable(
            "stations_by_class", [], [""], list(CLASS_METRICS), np.empty((len(CLASS_METRICS), 0, 1, reps))
        )
    station_of = np.asarray(plan.visit_station, dtype=np.int64)
    classed = np.zeros(len(plan.network.stations), dtype=bool)
    classed[[s.index for s in stations]] = True
    keep, began = in_wait_window(classed[station_of], trace.arrive, trace.start, *window)
    visit_rep = np.repeat(shipments.rep, np.diff(plan.first_visit))
    group = (first[station_of[keep]] + plan.visit_class[keep]) * reps + visit_rep[keep]
    wait = np.where(began, trace.start[keep] - trace.arrive[keep], np.nan)
    values = _wait_statistics(group, wait, began, count, reps)
    return LongTable(
        "stations_by_class",
        keys,
        [""],
        list(CLASS_METRICS),
        values.reshape(len(CLASS_METRICS), len(keys), 1, reps),
    )
