"""The ledger: what each visit and each shipment costs (US$) and emits (kg CO₂e), from Plan + Trace.

Rates and factors come from the scenario's ``costs:`` and ``emissions:`` sections
(:mod:`sim.scenario.ledger`). Each station visit is charged by kind:

- legs and services: freight ``usd_per_unit + usd_per_unit_km × km`` per tonne or TEU (component ``sea``,
  ``rail`` or ``inland`` by the link's mode) and ``intensity × km × units`` of CO₂e (transport);
- berth pools (a call: loading, discharge or transshipment): ``usd_per_call + usd_per_unit × units``
  (``port``) and ``kg_per_unit × units`` of CO₂e (hub);
- chokepoints: ``usd_per_transit + usd_per_unit × units`` (``canal``); the sailing through is in the legs.

Money and CO₂e of the route are Plan data (the route is fixed in the Plan); the cost of time needs the Trace:
``value per t × tonnes × holding rate × hours / 8760``, split into hours waiting (arrival to start at queueing
stations) and the rest (``transit_time``); it is NaN for a shipment not delivered by the horizon. A shipment
that left at a chokepoint (:mod:`sim.results.delivery`) pays for the visits it made and the hours until it
left (none at the chokepoint: it left on arrival), and delivers nothing. The
``carbon`` component prices well-to-wheel CO₂e at ``costs.carbon_price_usd_per_t``.

A visit's money and CO₂e depend only on its (station, flow) pair and the shipment's size, so the ledger is
computed over groups of shipments that visit the same stations (:mod:`sim.results.route_groups`), position
by position — the same operations on the same numbers, in the same order for each shipment, as a sum over
its visits — rather than visit by visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.plan import Plan
from sim.rates import MONEY, Rates, station_rates
from sim.results.delivery import delivered_times, ended_times
from sim.results.groups import pieces
from sim.results.route_groups import RouteGroup, route_groups
from sim.scenario.model import Scenario
from sim.trace import Trace

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COST_COMPONENTS",
    "ShipmentLedger",
    "ledger_columns",
    "ledger_frame",
    "shipment_ledger",
]

COST_COMPONENTS = ("sea", "rail", "inland", "port", "canal", "transit_time", "waiting_time", "carbon")
"""Cost columns ``cost_<component>_usd`` of the shipments table, in order; ``cost_total_usd`` is their sum."""
HOURS_PER_YEAR = 8760.0
QUEUEING = ("berth", "service", "chokepoint")


@dataclass(frozen=True)
class ShipmentLedger:
    """The ledger of a Plan's shipments, and the CO₂e of the visits of those counted in the window.

    Attributes
    ----------
    names : list of str
        The columns of :func:`ledger_columns`, in order (:func:`ledger_names`).
    table : ndarray of float64
        Their values, shape (columns, shipments).
    delivered : ndarray of float64
        When each shipment was delivered (h; the end of its last visit; NaN if not by the horizon, or never:
        it left at a chokepoint).
    ended : ndarray of float64
        When each shipment's journey ended (h): its delivery, or when it left (:mod:`sim.results.delivery`).
    station_co2e_t : ndarray of float64, or None
        Shape (2, stations, replications): well-to-wheel and tank-to-wheel CO₂e (t) of the visits of the
        shipments delivered or left in [warm-up, horizon], by station and stored replication (NaN where a
        factor is unknown); None without an ``emissions:`` section.
    """

    names: list[str]
    table: FloatArray
    delivered: FloatArray
    ended: FloatArray
    station_co2e_t: FloatArray | None

    @property
    def columns(self) -> dict[str, FloatArray]:
        """The columns by name (views of :attr:`table`)."""
        return dict(zip(self.names, self.table, strict=True))


def ledger_columns(scenario: Scenario, plan: Plan, trace: Trace) -> pd.DataFrame:
    """Per-shipment ledger columns, aligned with :func:`sim.results.tables.shipments_table`'s rows.

    ``cost_<component>_usd`` for :data:`COST_COMPONENTS` and ``cost_total_usd`` (when the scenario has a
    ``costs:`` section); ``co2e_wtw_kg``, ``co2e_ttw_kg``, ``co2e_transport_wtw_kg`` and ``co2e_hub_wtw_kg``
    (when it has ``emissions:``); ``waiting_h``. No columns at all when it has neither section.
    """
    return ledger_frame(shipment_ledger(scenario, plan, trace))


def ledger_frame(ledger: ShipmentLedger) -> pd.DataFrame:
    """The ledger's columns as one DataFrame (on the ledger's 2-D array: no column is copied)."""
    import pandas as pd

    if not ledger.names:
        return pd.DataFrame(index=pd.RangeIndex(ledger.delivered.size))
    return pd.DataFrame(ledger.table.T, columns=ledger.names, copy=False)


def ledger_names(scenario: Scenario) -> list[str]:
    """The columns of :func:`ledger_columns` for ``scenario``, in order."""
    if scenario.costs is None and scenario.emissions is None:
        return []
    names = ["waiting_h"]
    if scenario.emissions is not None:
        names += ["co2e_wtw_kg", "co2e_ttw_kg", "co2e_transport_wtw_kg", "co2e_hub_wtw_kg"]
    if scenario.costs is not None:
        names += [f"cost_{name}_usd" for name in (*MONEY, *COST_COMPONENTS[len(MONEY) :])]
        names.append("cost_total_usd")
    return names


def shipment_ledger(scenario: Scenario, plan: Plan, trace: Trace) -> ShipmentLedger:
    """The ledger of every shipment of ``plan`` (no columns without ``costs:`` or ``emissions:``)."""
    delivered = delivered_times(plan, trace)
    ended = ended_times(plan, trace)
    names = ledger_names(scenario)
    if not names:
        return ShipmentLedger([], np.empty((0, plan.n_shipments)), delivered, ended, None)
    table = np.zeros((len(names), plan.n_shipments))  # one array: the DataFrame needs no copy
    columns = dict(zip(names, table, strict=True))
    wtw = columns["co2e_wtw_kg"] if scenario.emissions is not None else np.zeros(plan.n_shipments)
    station_t = np.zeros((2, len(plan.network.stations), len(plan.replications)))
    rates = station_rates(scenario, plan.network)
    for start, stop in pieces(plan):  # cache-sized pieces of whole replications
        part = plan.block(start, stop)
        rows = slice(int(plan.rep_first[start]), int(plan.rep_first[stop]))
        v0 = int(plan.first_visit[rows.start])
        visits = slice(v0, v0 + part.n_visits)
        sums = _Sums(
            scenario,
            part,
            Trace(trace.arrive[visits], trace.start[visits], trace.end[visits]),
            rates,
            ended[rows],
            {name: column[rows] for name, column in columns.items()},
            wtw[rows],
            station_t[:, :, start:stop],
        )
        for group in route_groups(part):
            sums.add(group)
    hours = ended - plan.created  # to delivery, or to leaving for a ship that left
    waiting = columns["waiting_h"]
    waiting[np.isnan(hours)] = np.nan
    if scenario.emissions is not None:
        np.subtract(columns["co2e_wtw_kg"], columns["co2e_hub_wtw_kg"], out=columns["co2e_transport_wtw_kg"])
    if scenario.costs is not None:
        hourly = _holding_usd_per_h(scenario, plan)
        np.multiply(hourly, hours - waiting, out=columns["cost_transit_time_usd"])
        np.multiply(hourly, waiting, out=columns["cost_waiting_time_usd"])
        carbon = columns["cost_carbon_usd"]
        np.divide(wtw, 1000.0, out=carbon)
        carbon *= scenario.costs.carbon_price_usd_per_t
        total = columns["cost_total_usd"]  # zeros: the components added in order
        for name in COST_COMPONENTS:
            total += columns[f"cost_{name}_usd"]
    return ShipmentLedger(
        names, table, delivered, ended, station_t if scenario.emissions is not None else None
    )


def _linear(
    fixed: float, per_t: float, tonnes: FloatArray, per_teu: float, teu: FloatArray
) -> FloatArray | None:
    """``fixed + per_t × tonnes + per_teu × teu``, evaluated left to right; None when it is 0 throughout.

    Terms that are 0 are left out: adding them changes no sum that starts at 0 (sizes are finite), so the
    value added to a shipment's sum is the one the full expression gives, bit for bit.
    """
    value = None
    if per_t:
        value = per_t * tonnes
        if fixed:
            value += fixed
    elif fixed:
        value = np.full(tonnes.shape, fixed)
    if per_teu:
        if value is None:
            value = per_teu * teu
        else:
            value += per_teu * teu
    return value


class _Sums:
    """Per-shipment sums over the visits of some whole replications, one route group at a time.

    Written into ``columns`` (the ledger's columns), ``wtw`` (well-to-wheel CO₂e, kg) and ``station_t``
    (shape (2, stations, replications)), the replications' rows of the run's arrays.

    Each sum starts at 0 and adds a shipment's visits in route order, skipping the visits that add exactly
    0 (no rate, no factor; waits at stations that do not queue): the sums a ``np.bincount`` over the visits
    gives, bit for bit. The CO₂e of the visits of the shipments counted in the window (delivered in it, or
    left in it: ``ended``) is summed by (station, replication) as ``factor × (tonnes or TEU carried)`` per
    route group and position — the same total as visit by visit, to rounding.
    """

    def __init__(
        self,
        scenario: Scenario,
        plan: Plan,
        trace: Trace,
        rates: Rates,
        ended: FloatArray,
        columns: dict[str, FloatArray],
        wtw: FloatArray,
        station_t: FloatArray,
    ) -> None:
        stations = plan.network.stations
        self.plan, self.trace, self.rates = plan, trace, rates
        self.columns, self.wtw, self.station_t = columns, wtw, station_t
        self.emissions = scenario.emissions is not None
        self.costs = scenario.costs is not None
        self.queueing = [s.kind in QUEUEING for s in stations]
        self.hub = [s.kind == "berth" for s in stations]
        reps = len(plan.replications)
        self.rep = np.repeat(np.arange(reps, dtype=np.int64), np.diff(plan.rep_first))
        self.done = (ended >= scenario.warmup_h) & (ended <= scenario.horizon_h)

    def add(self, group: RouteGroup) -> None:
        """Add the visits of the group's shipments."""
        rates, rows, flow = self.rates, group.rows, group.flow
        tonnes, teu = self.plan.tonnes[rows], self.plan.teu[rows]
        sums: dict[str, FloatArray] = {}

        def add(name: str, value: FloatArray) -> None:
            found = sums.get(name)
            if found is None:
                sums[name] = value + 0.0  # as a sum from 0: −0 becomes 0
            else:
                found += value

        delivered = self._delivered(group, tonnes, teu) if self.emissions else None
        for j, station in enumerate(group.stations.tolist()):
            if self.costs:
                fixed, per_t, per_teu = rates.usd[:, station, flow]
                usd = _linear(fixed, per_t, tonnes, per_teu, teu)
                if usd is not None:
                    add(f"cost_{MONEY[rates.component[station, flow]]}_usd", usd)
            wtw = _linear(0.0, rates.wtw_kg[0, station, flow], tonnes, rates.wtw_kg[1, station, flow], teu)
            if wtw is not None:
                add("wtw", wtw)
                if self.emissions and self.hub[station]:
                    add("co2e_hub_wtw_kg", wtw)
            if delivered is not None:
                for which, factors in enumerate((rates.wtw_kg, rates.ttw_kg)):
                    self._station_sum(which, station, factors[:, station, flow], delivered)
                ttw = _linear(
                    0.0, rates.ttw_kg[0, station, flow], tonnes, rates.ttw_kg[1, station, flow], teu
                )
                if ttw is not None:
                    add("co2e_ttw_kg", ttw)
            if self.queueing[station]:
                at = group.first + j
                add("waiting_h", self.trace.start[at] - self.trace.arrive[at])
        for name, value in sums.items():
            (self.wtw if name == "wtw" else self.columns[name])[rows] = value

    def _delivered(
        self, group: RouteGroup, tonnes: FloatArray, teu: FloatArray
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """The group's replications with shipments counted in the window, and those shipments' t and TEU."""
        done = self.done[group.rows]
        rep = self.rep[group.rows][done]
        reps = self.station_t.shape[2]
        present = np.flatnonzero(np.bincount(rep, minlength=reps)).astype(np.int64)
        t = np.bincount(rep, weights=tonnes[done], minlength=reps)[present]
        e = np.bincount(rep, weights=teu[done], minlength=reps)[present]
        return present, t.astype(np.float64), e.astype(np.float64)

    def _station_sum(
        self,
        which: int,
        station: int,
        factors: FloatArray,
        delivered: tuple[IntArray, FloatArray, FloatArray],
    ) -> None:
        """Add ``factor × units`` (t CO₂e) of one visit position to its station, by replication."""
        per_t, per_teu = factors
        if not (per_t or per_teu):
            return
        present, tonnes, teu = delivered
        self.station_t[which, station, present] += (per_t * tonnes + per_teu * teu) / 1000.0


def _holding_usd_per_h(scenario: Scenario, plan: Plan) -> FloatArray:
    """US$ per hour of holding each shipment: value × tonnes × rate / 8760 (0 for commodities not valued)."""
    assert scenario.costs is not None
    per_tonne_hour = np.zeros(len(plan.network.flows))
    for flow in plan.network.flows:
        value = scenario.costs.cargo_values.get(scenario.flows[flow.flow].commodity)
        if value is not None:
            per_tonne_hour[flow.index] = value.usd_per_t * value.holding_rate_per_year / HOURS_PER_YEAR
    return np.asarray(per_tonne_hour[plan.shipment_flow] * plan.tonnes, dtype=np.float64)
