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

Every column of every shipment is written by one compiled pass over the shipments and their visits
(:mod:`sim.results.ledger_sums`, each sum in route order). The CO₂e by station of the shipments counted in
the window is summed over groups of shipments that visit the same stations, position by position
(:mod:`sim.results.station_co2e`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import FloatArray
from sim.plan import Plan
from sim.rates import MONEY, station_rates
from sim.results.delivery import delivered_of, ended_times
from sim.results.ledger_sums import COLUMNS, ledger_table
from sim.results.station_co2e import station_co2e
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
    names = ledger_names(scenario)
    if not names:
        ended = ended_times(plan, trace)
        return ShipmentLedger([], np.empty((0, plan.n_shipments)), delivered_of(plan, ended), ended, None)
    table = np.empty((len(names), plan.n_shipments))  # one array: the DataFrame needs no copy
    ended = np.empty(plan.n_shipments)
    rates = station_rates(scenario, plan.network)
    stations = plan.network.stations
    ledger_table(
        plan.first_visit,
        plan.visit_station,
        plan.shipment_flow,
        plan.tonnes,
        plan.teu,
        plan.created,
        np.empty(0, dtype=bool) if plan.left is None else plan.left,
        trace.arrive,
        trace.start,
        trace.end,
        rates.component,
        rates.usd,
        rates.wtw_kg,
        rates.ttw_kg,
        np.array([s.kind in QUEUEING for s in stations], dtype=bool),
        np.array([s.kind == "berth" for s in stations], dtype=bool),
        _holding_usd_per_tonne_hour(scenario, plan),
        0.0 if scenario.costs is None else scenario.costs.carbon_price_usd_per_t,
        np.array([names.index(c) if c in names else -1 for c in COLUMNS], dtype=np.int64),
        table,
        ended,
    )
    station_t = None
    if scenario.emissions is not None:
        done = (ended >= scenario.warmup_h) & (ended <= scenario.horizon_h)
        station_t = station_co2e(plan, rates, done)
    return ShipmentLedger(names, table, delivered_of(plan, ended), ended, station_t)


def _holding_usd_per_tonne_hour(scenario: Scenario, plan: Plan) -> FloatArray:
    """US$ per tonne-hour of holding each flow's cargo: value × rate / 8760 (0 for commodities not valued)."""
    per_tonne_hour = np.zeros(len(plan.network.flows))
    if scenario.costs is None:
        return per_tonne_hour
    for flow in plan.network.flows:
        value = scenario.costs.cargo_values.get(scenario.flows[flow.flow].commodity)
        if value is not None:
            per_tonne_hour[flow.index] = value.usd_per_t * value.holding_rate_per_year / HOURS_PER_YEAR
    return per_tonne_hour
