"""Key performance indicators per replication, and their means with 95% confidence intervals.

Everything is measured over the window [warm-up, horizon]:

- throughput (by commodity, flow, destination, and by commodity and calendar month): tonnes, TEU and
  shipments delivered inside the window, and the same per year;
- transit (by flow): time from creation to delivery of shipments created after the warm-up and delivered
  before the horizon — mean, p50, p95 — and delay over free-flow time (mean, p95);
- stations: waiting time before service (mean, p95, max) of the visits that arrived in the window and
  started by the horizon, and the number of visits that arrived in the window and are still waiting at the
  horizon (``waiting_at_horizon``; their waits are censored — see :mod:`sim.results.waits`, the definition
  the analysis tables share); time-average queue length and number present, arrival rate, and utilisation
  (busy berth-hours over available berth-hours; load over capacity of departures; transits over slots; at
  stations with random disruptions, over each replication's own schedule);
- stations by calendar month (``stations_by_month``): the wait statistics of the visits that arrived in the
  month (same window rule), and the visits waiting at the month's end;
- stations by priority class (``stations_by_class``, stations with classes only): the wait statistics of
  each class's visits (same window rule), keyed ``STATION [CLASS]``;
- traffic classes (:mod:`sim.results.traffic`): throughput of the modelled and of the background flows
  (``throughput_by_traffic``), and at each queueing station a background flow visits, the waits of each
  class (``waits_by_traffic``, same window rule).

Per-replication values are kept in long form (``table, key, period, metric, replication, value``) so that
comparisons can pair replications; :func:`summarise` gives mean, std and a Student-t 95% interval.

The KPIs are computed from the Plan and the Trace directly, as group reductions over small integer codes
(station, flow, commodity, node, month; ``group = key * R + replication``): ``np.bincount`` sums, one sort
per table for the quantiles. Only the long output table is a DataFrame; nothing groups strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.network import Network, Station
from sim.plan import Plan
from sim.results.delivery import delivered_times
from sim.results.groups import Groups, group_sums
from sim.results.waits import QUEUEING_KINDS, in_wait_window
from sim.scenario.model import Scenario
from sim.trace import Trace

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["KpiBlocks", "class_key", "kpis_by_replication", "summarise"]

HOURS_PER_YEAR = 8760.0
KEYS = ["table", "key", "period", "metric"]


@dataclass(frozen=True)
class _Long:
    """One KPI table in long form: metric-major, then key, then period, then replication."""

    table: str
    keys: list[str]
    periods: list[str]
    metrics: list[str]
    values: FloatArray
    """Shape (metrics, keys, periods, replications)."""
    observed: BoolArray | None = None
    """Shape (keys, replications), for tables that list only the observed (key, replication) pairs."""

    def joined(self, *others: _Long) -> _Long:
        """The table with the replications of ``others`` appended."""
        parts = (self, *others)
        observed = None
        if self.observed is not None:
            observed = np.concatenate([p.observed for p in parts if p.observed is not None], axis=-1)
        values = np.concatenate([p.values for p in parts], axis=-1)
        return _Long(self.table, self.keys, self.periods, self.metrics, values, observed)


BLOCK_VISITS = 1 << 18
"""Visits reduced at a time: whole replications, about this many visits (a few MB per column, cache-sized)."""


def kpis_by_replication(scenario: Scenario, plan: Plan, trace: Trace) -> pd.DataFrame:
    """All KPIs, one row per (table, key, period, metric, replication).

    Replications are reduced a block at a time (:class:`KpiBlocks`): every group of a KPI lies in one
    replication, so the blocks' tables are joined side by side, value for value what one pass would give.
    """
    blocks = KpiBlocks(scenario, plan.network)
    blocks.add(plan, trace)
    return blocks.frame()


class KpiBlocks:
    """The per-replication KPIs of a run reduced block by block, as the engine produces the blocks.

    :meth:`add` reduces the Plan and Trace of some whole replications (in :data:`BLOCK_VISITS` pieces) to
    small per-replication tables and keeps only those; :meth:`frame` joins them side by side into the long
    table :func:`kpis_by_replication` gives for all the replications at once, value for value.
    """

    def __init__(self, scenario: Scenario, network: Network) -> None:
        self.scenario = scenario
        self.window = (scenario.warmup_h, scenario.horizon_h)
        self.available = np.array([_available(s, self.window) for s in network.stations], dtype=np.float64)
        self.replications: list[int] = []
        self._blocks: list[list[_Long]] = []

    def add(self, plan: Plan, trace: Trace) -> None:
        """Reduce the replications of ``plan`` (stored after those already added) and their Trace."""
        count = len(plan.replications)
        step = max(1, BLOCK_VISITS * count // max(plan.n_visits, 1))
        for start in range(0, count, step):
            stop = min(start + step, count)
            self._blocks.append(
                _block_tables(self.scenario, plan, trace, start, stop, self.window, self.available)
            )
        self.replications += plan.replications

    def frame(self) -> pd.DataFrame:
        """Every KPI of the replications added, one row per (table, key, period, metric, replication)."""
        import pandas as pd

        parts = [first.joined(*rest) for first, *rest in zip(*self._blocks, strict=True)]
        numbers = np.asarray(self.replications, dtype=np.int64)
        columns: dict[str, list[NDArray[Any]]] = {c: [] for c in (*KEYS, "replication", "value")}
        for part in parts:
            for name, column in _columns(part, numbers).items():
                columns[name].append(column)
        # object arrays of str become pandas' str columns, as the grouped tables gave
        return pd.DataFrame({name: np.concatenate(chunks) for name, chunks in columns.items()})


def _block_tables(
    scenario: Scenario,
    plan: Plan,
    trace: Trace,
    start: int,
    stop: int,
    window: tuple[float, float],
    available: FloatArray,
) -> list[_Long]:
    """Every KPI table of stored replications ``start:stop``."""
    part = plan.block(start, stop)
    v0 = int(plan.first_visit[plan.rep_first[start]])
    v1 = v0 + part.n_visits
    times = Trace(trace.arrive[v0:v1], trace.start[v0:v1], trace.end[v0:v1])
    shipments = _Shipments.of(scenario, part, times)
    tables = [
        _throughput(shipments, window, codes, labels, f"throughput_by_{name}")
        for name, codes, labels in (
            ("commodity", shipments.commodity, shipments.commodities),
            ("flow", shipments.flow, shipments.flows),
            ("destination", shipments.destination, shipments.nodes),
        )
    ]
    tables.append(_monthly(scenario, shipments, window))
    tables.append(_transit(shipments, window))
    tables.append(_stations(part, times, shipments, window, _available_by_rep(part, window, available)))
    tables.append(_stations_by_month(scenario, part, times, shipments, window))
    tables.append(_stations_by_class(part, times, shipments, window))
    tables.append(_throughput(shipments, window, shipments.traffic, list(TRAFFIC), "throughput_by_traffic"))
    tables.append(_waits_by_traffic(scenario, part, times, shipments, window))
    return tables


def _available_by_rep(plan: Plan, window: tuple[float, float], available: FloatArray) -> FloatArray:
    """Available capacity of each (station, stored replication), shape (stations, replications).

    Stations with random disruptions (``plan.capacity_by_rep``) have each replication's own schedule; a
    replication with none of it available gives NaN.
    """
    by_rep = np.repeat(available[:, None], len(plan.replications), axis=1)
    stations = plan.network.stations
    for stored, schedules in enumerate(plan.capacity_by_rep):
        for index, schedule in schedules.items():
            own = _available(replace(stations[index], capacity=schedule), window)
            by_rep[index, stored] = own if own else np.nan
    return by_rep


def _columns(part: _Long, numbers: IntArray) -> dict[str, NDArray[Any]]:
    """The long-form columns of one table (label columns as object arrays)."""
    metrics = np.asarray(part.metrics, dtype=object)
    if part.observed is not None:  # (key, replication) pairs in key order, then replication order
        key, rep = np.nonzero(part.observed)
        n = key.size
        return {
            "table": np.full(n * metrics.size, part.table, dtype=object),
            "key": np.tile(np.asarray(part.keys, dtype=object)[key], metrics.size),
            "period": np.full(n * metrics.size, "", dtype=object),
            "metric": np.repeat(metrics, n),
            "replication": np.tile(numbers[rep], metrics.size),
            "value": part.values[:, :, 0, :][:, key, rep].reshape(-1),
        }
    m, k, p, r = part.values.shape
    grid = np.indices((m, k, p, r)).reshape(4, -1)
    return {
        "table": np.full(grid.shape[1], part.table, dtype=object),
        "key": np.asarray(part.keys, dtype=object)[grid[1]],
        "period": np.asarray(part.periods, dtype=object)[grid[2]],
        "metric": metrics[grid[0]],
        "replication": numbers[grid[3]],
        "value": part.values.reshape(-1),
    }


@dataclass(frozen=True)
class _Shipments:
    """The shipment columns the KPIs need, as arrays of codes into small label lists."""

    replications: int
    rep: IntArray
    """Index (0 … R − 1) of each shipment's replication in the Plan."""
    flow: IntArray
    commodity: IntArray
    destination: IntArray
    traffic: IntArray
    """Traffic class of each shipment: 0 modelled, 1 background (:data:`TRAFFIC`)."""
    flows: list[str]
    commodities: list[str]
    nodes: list[str]
    tonnes: FloatArray
    teu: FloatArray
    created: FloatArray
    delivered: FloatArray
    free_flow_h: FloatArray

    @classmethod
    def of(cls, scenario: Scenario, plan: Plan, trace: Trace) -> _Shipments:
        flows = plan.network.flows
        specs = [scenario.flows[f.flow] for f in flows]
        commodities = sorted({s.commodity for s in specs})
        nodes = sorted({n for f in flows for n in (f.nodes[0], f.nodes[-1])})
        flow_commodity = np.array([commodities.index(s.commodity) for s in specs], dtype=np.int64)
        flow_destination = np.array([nodes.index(f.nodes[-1]) for f in flows], dtype=np.int64)
        flow_traffic = np.array([int(s.background) for s in specs], dtype=np.int64)
        flow = np.asarray(plan.shipment_flow, dtype=np.int64)
        count = len(plan.replications)
        return cls(
            replications=count,
            rep=np.repeat(np.arange(count, dtype=np.int64), np.diff(plan.rep_first)),
            flow=flow,
            commodity=flow_commodity[flow],
            destination=flow_destination[flow],
            traffic=flow_traffic[flow],
            flows=[f.name for f in flows],
            commodities=commodities,
            nodes=nodes,
            tonnes=plan.tonnes,
            teu=plan.teu,
            created=plan.created,
            delivered=delivered_times(plan, trace),  # NaN for a ship that left (never delivered)
            free_flow_h=plan.free_flow_h,
        )


def _throughput(
    shipments: _Shipments,
    window: tuple[float, float],
    codes: IntArray,
    labels: list[str],
    table: str,
) -> _Long:
    start, end = window
    done = (shipments.delivered >= start) & (shipments.delivered <= end)
    reps = shipments.replications
    group = codes[done] * reps + shipments.rep[done]
    tonnes, teu, count = group_sums(group, len(labels) * reps, shipments.tonnes[done], shipments.teu[done])
    per_year = HOURS_PER_YEAR / (end - start)
    values = np.stack([tonnes, teu, count, tonnes * per_year, teu * per_year])
    return _Long(
        table,
        labels,
        [""],
        ["tonnes", "teu", "shipments", "tonnes_per_year", "teu_per_year"],
        values.reshape(5, len(labels), 1, reps),
    )


def _month_numbers(scenario: Scenario, hours: FloatArray) -> IntArray:
    """Calendar month of each time, counted in months since 1970-01."""
    origin = np.datetime64(dt.datetime.combine(scenario.start, dt.time()), "s")
    moments = origin + (hours * 3600.0).astype("timedelta64[s]")
    return moments.astype("datetime64[M]").astype(np.int64)


def _monthly(scenario: Scenario, shipments: _Shipments, window: tuple[float, float]) -> _Long:
    start, end = window
    done = (shipments.delivered >= start) & (shipments.delivered <= end)
    months = np.unique(_month_numbers(scenario, np.linspace(start, end, 400)))
    delivered_in = _month_numbers(scenario, shipments.delivered[done])
    month = np.minimum(np.searchsorted(months, delivered_in), months.size - 1)
    known = months[month] == delivered_in  # a month the window does not list has no row (as a reindex)
    reps = shipments.replications
    cells = len(shipments.commodities) * months.size
    group = (shipments.commodity[done] * months.size + month) * reps + shipments.rep[done]
    tonnes, teu, count = group_sums(
        group[known], cells * reps, shipments.tonnes[done][known], shipments.teu[done][known]
    )
    labels = np.datetime_as_string(months.astype("datetime64[M]"), unit="M")
    return _Long(
        "throughput_by_month",
        shipments.commodities,
        [str(m) for m in labels],
        ["tonnes", "teu", "shipments"],
        np.stack([tonnes, teu, count]).reshape(3, len(shipments.commodities), months.size, reps),
    )


def _transit(shipments: _Shipments, window: tuple[float, float]) -> _Long:
    start, end = window
    done = (shipments.created >= start) & (shipments.delivered <= end)
    transit = shipments.delivered[done] - shipments.created[done]
    delay = transit - shipments.free_flow_h[done]
    # the two sides add the same hours in different orders: a difference of rounding size is no delay
    delay = np.where(np.abs(delay) > 1e-9 * np.abs(transit), delay, 0.0)
    reps = shipments.replications
    count = len(shipments.flows) * reps
    group = shipments.flow[done] * reps + shipments.rep[done]
    transits = Groups.of(group, transit, count, reps)
    delays = Groups.of(group, delay, count, reps)
    values = np.stack(
        [
            transits.mean(),
            transits.quantile(0.5),
            transits.quantile(0.95),
            delays.mean(),
            delays.quantile(0.95),
            transits.size.astype(np.float64),
        ]
    )
    flows = len(shipments.flows)
    return _Long(
        "transit_by_flow",
        shipments.flows,
        [""],
        ["transit_mean_h", "transit_p50_h", "transit_p95_h", "delay_mean_h", "delay_p95_h", "delivered"],
        values.reshape(6, flows, 1, reps),
        observed=(transits.size > 0).reshape(flows, reps),
    )


def _overlap(a: FloatArray, b: FloatArray, window: tuple[float, float]) -> FloatArray:
    """Length of [a, b) ∩ window, with NaN ends read as 'still going at the horizon'."""
    lo, hi = window
    length = np.fmin(b, hi)  # fmin: NaN gives the horizon
    length -= np.maximum(a, lo)
    return np.maximum(length, 0.0, out=length)


STATION_METRICS = (
    "queue_mean",
    "in_system_mean",
    "arrivals_per_h",
    "utilisation",
    "wait_mean_h",
    "wait_p95_h",
    "wait_max_h",
    "waiting_at_horizon",
)


def _stations(
    plan: Plan, trace: Trace, shipments: _Shipments, window: tuple[float, float], available: FloatArray
) -> _Long:
    """Station KPIs; ``available`` is the capacity of each (station, replication), shape (stations, reps)."""
    lo, hi = window
    span = hi - lo
    stations = plan.network.stations
    reps = shipments.replications
    count = len(stations) * reps
    visit_rep = np.repeat(shipments.rep, np.diff(plan.first_visit))
    group = np.asarray(plan.visit_station, dtype=np.int64) * reps + visit_rep
    arrive, start, end = trace.arrive, trace.start, trace.end
    sink = np.where(np.isnan(arrive), count, group)  # visits never reached: a bin that is dropped
    started = (start >= lo) & (start <= hi)
    queue, present, busy, arrivals, starts, load = group_sums(
        sink,
        count + 1,
        _overlap(arrive, start, window),
        _overlap(arrive, end, window),
        _overlap(np.fmin(start, hi), end, window),
        ((arrive >= lo) & (arrive < hi)).astype(np.float64),
        started.astype(np.float64),
        np.where(started, plan.visit_size, 0.0),
    )[:6, :count]
    queue, present, arrivals = queue / span, present / span, arrivals / span
    kinds = np.array([s.kind for s in stations], dtype=object)
    per_group = np.repeat(np.arange(len(stations)), reps)
    used = np.where(
        (kinds == "service")[per_group], load, np.where((kinds == "chokepoint")[per_group], starts, busy)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = used / available.reshape(-1)

    queueing = np.isin(kinds, QUEUEING_KINDS)[np.asarray(plan.visit_station, dtype=np.int64)]
    keep, began = in_wait_window(queueing, trace.arrive, trace.start, lo, hi)
    wait_group = group[keep]
    wait = np.where(began, trace.start[keep] - trace.arrive[keep], np.nan)
    waits = Groups.of(wait_group, wait, count, reps)
    window_visits = np.bincount(wait_group, minlength=count)
    still = np.bincount(wait_group, weights=(~began).astype(np.float64), minlength=count)
    seen = window_visits > 0
    waiting = np.where(seen | np.isin(kinds, QUEUEING_KINDS)[per_group], still, np.nan)
    values = np.stack(
        [
            queue,
            present,
            arrivals,
            utilisation,
            np.where(seen, waits.mean(), np.nan),
            np.where(seen, waits.quantile(0.95), np.nan),
            np.where(seen, waits.max(), np.nan),
            waiting,
        ]
    )
    return _Long(
        "stations",
        [s.name for s in stations],
        [""],
        list(STATION_METRICS),
        values.reshape(len(STATION_METRICS), len(stations), 1, reps),
    )


MONTH_METRICS = ("wait_mean_h", "wait_p95_h", "wait_max_h", "visits", "started", "waiting_at_month_end")
"""Metrics of ``stations_by_month``: wait statistics of the visits that arrived in the month (the window's
rule of :mod:`sim.results.waits`), those visits, those of them that started by the horizon (the statistics
are over these), and the visits waiting at the month's end."""


def _window_months(scenario: Scenario, window: tuple[float, float]) -> tuple[IntArray, FloatArray]:
    """Calendar months (since 1970-01) meeting [warm-up, horizon), each with its end (h, ≤ horizon)."""
    lo, hi = window
    first, last = _month_numbers(scenario, np.array([lo, hi], dtype=np.float64))
    months = np.arange(first, last + 2, dtype=np.int64)
    origin = np.datetime64(dt.datetime.combine(scenario.start, dt.time()), "s")
    bounds = (months.astype("datetime64[M]").astype("datetime64[s]") - origin).astype(np.float64) / 3600.0
    begins, ends = bounds[:-1], np.minimum(bounds[1:], hi)
    meets = begins < hi
    return months[:-1][meets], ends[meets]


def _stations_by_month(
    scenario: Scenario, plan: Plan, trace: Trace, shipments: _Shipments, window: tuple[float, float]
) -> _Long:
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
    return _Long(
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


def _waits_by_traffic(
    scenario: Scenario, plan: Plan, trace: Trace, shipments: _Shipments, window: tuple[float, float]
) -> _Long:
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
    return _Long(
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


def _stations_by_class(plan: Plan, trace: Trace, shipments: _Shipments, window: tuple[float, float]) -> _Long:
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
        return _Long(
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
    return _Long(
        "stations_by_class",
        keys,
        [""],
        list(CLASS_METRICS),
        values.reshape(len(CLASS_METRICS), len(keys), 1, reps),
    )


def _available(station: Station, window: tuple[float, float]) -> float:
    """Capacity available in the window: berth-hours, departure capacity, or transit slots."""
    lo, hi = window
    if station.kind == "berth":
        return station.capacity.integral(lo, hi)
    if station.kind == "chokepoint":
        return station.capacity.integral(lo, hi) / 24.0
    if station.kind == "service":
        departures = station.departures_between(lo, hi)
        return float(station.capacity.at_many(departures).sum())
    return float("nan")


def summarise(by_replication: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation, count and Student-t confidence interval of each KPI over replications.

    The interval (:func:`sim.results.intervals.half_width`) is NaN when fewer than two replications give a
    value.
    """
    from sim.results.intervals import half_width

    grouped = by_replication.dropna(subset=["value"]).groupby(KEYS, sort=False)["value"]
    summary = grouped.agg(mean="mean", std="std", n="size").reset_index()
    half = half_width(summary["std"].to_numpy(), summary["n"].to_numpy(), confidence)
    summary["ci_low"] = summary["mean"] - half
    summary["ci_high"] = summary["mean"] + half
    return summary
