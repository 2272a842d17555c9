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
- traffic classes (:mod:`sim.results.traffic`): throughput of the modelled and of the background flows
  (``throughput_by_traffic``);
- the waits by group — by calendar month, traffic class and priority class (``stations_by_month``,
  ``waits_by_traffic``, ``stations_by_class``): :mod:`sim.results.kpis_by_group`.

Per-replication values are kept in long form (``table, key, period, metric, replication, value``) so that
comparisons can pair replications; :func:`summarise` gives mean, std and a Student-t 95% interval.

The KPIs are computed from the Plan and the Trace directly, as group reductions over small integer codes
(station, flow, commodity, node, month; ``group = key * R + replication``): sums that add their rows in the
Plan's order from 0 (as ``np.bincount`` does), in compiled passes over the visits
(:mod:`sim.results.wait_groups`) and the shipments (:mod:`sim.results.throughput`), and one sort of the
values per statistic for the quantiles. Only the long output table is a DataFrame; nothing groups strings.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import FloatArray
from sim.network import Network, Station
from sim.plan import Plan
from sim.results.codes import COMMODITY, DESTINATION, FLOW, TRAFFIC, FlowCodes, ShipmentCodes
from sim.results.delivery import delivered_times
from sim.results.groups import pieces
from sim.results.kpis_by_group import TRAFFIC as TRAFFIC_CLASSES
from sim.results.kpis_by_group import WaitTables
from sim.results.long_form import LongTable, long_frame
from sim.results.station_use import CHOKEPOINT, OCCUPIED, SERVICE
from sim.results.throughput import MonthCells, throughput_sums
from sim.results.transit import TRANSIT_METRICS, transit_statistics
from sim.results.waits import QUEUEING_KINDS
from sim.scenario.model import Scenario
from sim.trace import Trace

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["KpiBlocks", "joined_frame", "kpis_by_replication", "summarise"]

HOURS_PER_YEAR = 8760.0
KEYS = ["table", "key", "period", "metric"]


def kpis_by_replication(
    scenario: Scenario, plan: Plan, trace: Trace, delivered: FloatArray | None = None
) -> pd.DataFrame:
    """All KPIs, one row per (table, key, period, metric, replication).

    Replications are reduced a block at a time (:class:`KpiBlocks`): every group of a KPI lies in one
    replication, so the blocks' tables are joined side by side, value for value what one pass would give.
    ``delivered``: the shipments' delivery times when already known (as :meth:`KpiBlocks.add`).
    """
    blocks = KpiBlocks(scenario, plan.network)
    blocks.add(plan, trace, delivered)
    return blocks.frame()


class KpiBlocks:
    """The per-replication KPIs of a run reduced block by block, as the engine produces the blocks.

    :meth:`add` reduces the Plan and Trace of some whole replications (in cache-sized pieces,
    :func:`sim.results.groups.pieces`) to small per-replication tables and keeps only those; :meth:`frame`
    joins them side by side into the long table :func:`kpis_by_replication` gives for all the replications
    at once, value for value.
    """

    def __init__(self, scenario: Scenario, network: Network) -> None:
        self.scenario = scenario
        self.window = (scenario.warmup_h, scenario.horizon_h)
        self.available = np.array([_available(s, self.window) for s in network.stations], dtype=np.float64)
        self.waits = WaitTables(scenario, network, self.window)
        self.codes = FlowCodes.of(scenario, network)
        self.months = MonthCells.of(scenario, self.window)
        self.use = np.array([_USE.get(s.kind, OCCUPIED) for s in network.stations], dtype=np.int64)
        self.replications: list[int] = []
        self._blocks: list[list[LongTable]] = []

    def add(self, plan: Plan, trace: Trace, delivered: FloatArray | None = None) -> None:
        """Reduce the replications of ``plan`` (stored after those already added) and their Trace.

        ``delivered``: each shipment's delivery (h, :func:`sim.results.delivery.delivered_times`) when the
        caller has it already (the ledger's, :attr:`sim.results.ledger.ShipmentLedger.delivered`).
        """
        if delivered is None:
            delivered = delivered_times(plan, trace)
        for start, stop in pieces(plan):
            self._blocks.append(_block_tables(self, plan, trace, delivered, start, stop))
        self.replications += plan.replications

    @property
    def blocks(self) -> list[list[LongTable]]:
        """The tables of each piece added, in order (:func:`sim.results.long_form.long_frame`'s blocks)."""
        return self._blocks

    def frame(self) -> pd.DataFrame:
        """Every KPI of the replications added, one row per (table, key, period, metric, replication)."""
        return long_frame(self._blocks, self.replications)


def joined_frame(
    kpis: KpiBlocks,
    diversions: list[LongTable] | None,
    choices: pd.DataFrame | None,
    ledgers: list[list[LongTable]],
) -> pd.DataFrame:
    """The long KPI table of a run, in :class:`~sim.runner.RunResult`'s order of tables.

    The KPIs of ``kpis``, the diversion tables (over all its replications; None: the scenario has none),
    the route choices' frame, then the ledger's tables of each block (none: no ledger); the long tables laid
    out by one :func:`~sim.results.long_form.long_frame`, the route choices joined in between.
    """
    numbers = kpis.replications
    diverted = [([diversions], numbers)] if diversions is not None else []
    ledger = [(ledgers, numbers)] if ledgers and ledgers[0] else []
    if choices is None:
        return long_frame(kpis.blocks, numbers, *diverted, *ledger)
    import pandas as pd

    tables = [long_frame(kpis.blocks, numbers, *diverted), choices]
    if ledger:
        tables.append(long_frame(*ledger[0]))
    return pd.concat(tables, ignore_index=True)


def _block_tables(
    blocks: KpiBlocks, plan: Plan, trace: Trace, delivered: FloatArray, start: int, stop: int
) -> list[LongTable]:
    """Every KPI table of stored replications ``start:stop`` (``delivered``: of each shipment of ``plan``)."""
    window = blocks.window
    part = plan.block(start, stop)
    v0 = int(plan.first_visit[plan.rep_first[start]])
    v1 = v0 + part.n_visits
    times = Trace(trace.arrive[v0:v1], trace.start[v0:v1], trace.end[v0:v1])
    rows = slice(int(plan.rep_first[start]), int(plan.rep_first[stop]))
    shipments = ShipmentCodes.of(blocks.codes, part, delivered[rows])
    station_waits, station_use, (by_month, by_class, by_traffic) = blocks.waits.tables(
        part, times, shipments.traffic, blocks.use
    )
    by_commodity, by_flow, by_destination, monthly, by_traffic_class = _throughput(
        part, shipments, blocks.months, window
    )
    by_rep = _available_by_rep(part, window, blocks.available)
    return [
        by_commodity,
        by_flow,
        by_destination,
        monthly,
        _transit(part, shipments, window),
        _stations(part, station_use, station_waits, window, by_rep),
        by_month,
        by_class,
        by_traffic_class,
        by_traffic,
    ]


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


THROUGHPUT_METRICS = ["tonnes", "teu", "shipments", "tonnes_per_year", "teu_per_year"]
"""Metrics of the ``throughput_by_*`` tables (``throughput_by_month``: the first three)."""


def _throughput(
    plan: Plan, shipments: ShipmentCodes, months: MonthCells, window: tuple[float, float]
) -> list[LongTable]:
    """The throughput tables: by commodity, flow, destination, month and traffic class (in that order).

    Tonnes, TEU and shipments delivered in the window [warm-up, horizon] (:mod:`sim.results.throughput`),
    and the same per year but by month.
    """
    codes = shipments.codes
    reps = shipments.replications
    groupings = [
        ("commodity", COMMODITY, codes.commodities),
        ("flow", FLOW, codes.flows),
        ("destination", DESTINATION, codes.nodes),
        ("traffic", TRAFFIC, list(TRAFFIC_CLASSES)),
    ]
    counts = [len(labels) for _, _, labels in groupings] + [len(codes.commodities) * months.months.size]
    bounds = np.concatenate([[0], np.cumsum(np.array(counts, dtype=np.int64) * reps)])
    keys = codes.table[[row for _, row, _ in groupings] + [COMMODITY]]
    sums = throughput_sums(
        plan.rep_first,
        shipments.delivered,
        plan.tonnes,
        plan.teu,
        plan.shipment_flow,
        keys,
        bounds,
        months.starts,
        months.position,
        window,
    )
    per_year = HOURS_PER_YEAR / (window[1] - window[0])
    tables = []
    for g, (name, _, labels) in enumerate(groupings):
        tonnes, teu, count = sums[:, bounds[g] : bounds[g + 1]]
        values = np.stack([tonnes, teu, count, tonnes * per_year, teu * per_year])
        table = LongTable(
            f"throughput_by_{name}", labels, [""], THROUGHPUT_METRICS, values.reshape(5, len(labels), 1, reps)
        )
        tables.append(table)
    names = np.datetime_as_string(months.months.astype("datetime64[M]"), unit="M")
    monthly = LongTable(
        "throughput_by_month",
        codes.commodities,
        [str(m) for m in names],
        THROUGHPUT_METRICS[:3],
        sums[:, bounds[-2] :].reshape(3, len(codes.commodities), months.months.size, reps),
    )
    return [*tables[:3], monthly, tables[3]]


def _transit(plan: Plan, shipments: ShipmentCodes, window: tuple[float, float]) -> LongTable:
    """``transit_by_flow`` (:mod:`sim.results.transit`): the (flow, replication) pairs with deliveries."""
    flows = len(shipments.codes.flows)
    reps = shipments.replications
    values = transit_statistics(
        plan.rep_first, plan.created, shipments.delivered, plan.free_flow_h, plan.shipment_flow, flows, window
    )
    return LongTable(
        "transit_by_flow",
        shipments.codes.flows,
        [""],
        list(TRANSIT_METRICS),
        values.reshape(len(TRANSIT_METRICS), flows, 1, reps),
        observed=(values[-1] > 0).reshape(flows, reps),
    )


_USE = {"service": SERVICE, "chokepoint": CHOKEPOINT}
"""How a station kind's use is counted (:func:`~sim.results.station_use.add_use`); others: hours."""

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
    plan: Plan, use: FloatArray, waits: FloatArray, window: tuple[float, float], available: FloatArray
) -> LongTable:
    """Station KPIs; ``available`` is the capacity of each (station, replication), shape (stations, reps).

    ``use`` (hours queued, hours present, arrivals, use) and ``waits`` (mean, p95 and max wait, visits,
    visits still waiting) are sums and statistics of each (station, replication), from
    :class:`~sim.results.kpis_by_group.WaitTables`.
    """
    lo, hi = window
    span = hi - lo
    stations = plan.network.stations
    reps = len(plan.replications)
    queued, present, arrivals, used = use
    queue, present, arrivals = queued / span, present / span, arrivals / span
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = used / available.reshape(-1)
    kind = np.array([s.kind for s in stations], dtype=object)
    queueing = np.repeat(np.isin(kind, QUEUEING_KINDS), reps)
    still = np.where((waits[3] > 0) | queueing, waits[4], np.nan)
    values = np.stack([queue, present, arrivals, utilisation, *waits[:3], still])
    return LongTable(
        "stations",
        [s.name for s in stations],
        [""],
        list(STATION_METRICS),
        values.reshape(len(STATION_METRICS), len(stations), 1, reps),
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
