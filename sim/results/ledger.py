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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.arrays import FloatArray, IntArray
from sim.plan import Plan
from sim.rates import MONEY, station_rates
from sim.results.delivery import ended_times
from sim.scenario.model import Scenario
from sim.trace import Trace

__all__ = ["COST_COMPONENTS", "VisitLedger", "ledger_columns", "visit_ledger"]

COST_COMPONENTS = ("sea", "rail", "inland", "port", "canal", "transit_time", "waiting_time", "carbon")
"""Cost columns ``cost_<component>_usd`` of the shipments table, in order; ``cost_total_usd`` is their sum."""
HOURS_PER_YEAR = 8760.0
QUEUEING = ("berth", "service", "chokepoint")


@dataclass(frozen=True)
class VisitLedger:
    """Per-visit money and emissions, aligned with the Plan's visit arrays.

    Money is in US$ with its component (an index into :data:`MONEY`); CO₂e in kg.
    """

    usd: FloatArray
    component: IntArray
    co2e_wtw_kg: FloatArray
    co2e_ttw_kg: FloatArray


def visit_ledger(scenario: Scenario, plan: Plan) -> VisitLedger:
    """Money and CO₂e of every visit of the Plan; zeros where no rate or factor applies."""
    rates = station_rates(scenario, plan.network)
    row = plan.visit_shipment
    pair = plan.visit_station * len(plan.network.flows) + plan.shipment_flow[row]
    tonnes, teu = plan.tonnes[row], plan.teu[row]
    usd = rates.usd.reshape(3, -1)
    wtw = rates.wtw_kg.reshape(2, -1)
    ttw = rates.ttw_kg.reshape(2, -1)
    return VisitLedger(
        usd[0].take(pair) + usd[1].take(pair) * tonnes + usd[2].take(pair) * teu,
        rates.component.ravel().take(pair),
        wtw[0].take(pair) * tonnes + wtw[1].take(pair) * teu,
        ttw[0].take(pair) * tonnes + ttw[1].take(pair) * teu,
    )


def ledger_columns(
    scenario: Scenario, plan: Plan, trace: Trace, ledger: VisitLedger | None = None
) -> pd.DataFrame:
    """Per-shipment ledger columns, aligned with :func:`sim.results.tables.shipments_table`'s rows.

    ``cost_<component>_usd`` for :data:`COST_COMPONENTS` and ``cost_total_usd`` (when the scenario has a
    ``costs:`` section); ``co2e_wtw_kg``, ``co2e_ttw_kg``, ``co2e_transport_wtw_kg`` and ``co2e_hub_wtw_kg``
    (when it has ``emissions:``); ``waiting_h``. No columns at all when it has neither section.
    ``ledger`` is :func:`visit_ledger` of the Plan when already computed.
    """
    if scenario.costs is None and scenario.emissions is None:
        return pd.DataFrame(index=pd.RangeIndex(plan.n_shipments))
    ledger = visit_ledger(scenario, plan) if ledger is None else ledger
    row = plan.visit_shipment
    n = plan.n_shipments

    def per_shipment(values: FloatArray) -> FloatArray:
        return np.bincount(row, weights=values, minlength=n).astype(np.float64)

    station_kinds = [s.kind for s in plan.network.stations]
    queueing = np.array([kind in QUEUEING for kind in station_kinds], dtype=bool)[plan.visit_station]
    hub = np.array([kind == "berth" for kind in station_kinds], dtype=bool)[plan.visit_station]
    waiting = per_shipment(np.where(queueing, trace.start - trace.arrive, 0.0))
    hours = ended_times(plan, trace) - plan.created  # to delivery, or to leaving for a ship that left
    waiting = np.where(np.isnan(hours), np.nan, waiting)
    columns: dict[str, FloatArray] = {"waiting_h": waiting}
    wtw = per_shipment(ledger.co2e_wtw_kg)
    if scenario.emissions is not None:
        hub_wtw = per_shipment(np.where(hub, ledger.co2e_wtw_kg, 0.0))
        columns["co2e_wtw_kg"] = wtw
        columns["co2e_ttw_kg"] = per_shipment(ledger.co2e_ttw_kg)
        columns["co2e_transport_wtw_kg"] = wtw - hub_wtw
        columns["co2e_hub_wtw_kg"] = hub_wtw
    if scenario.costs is not None:
        groups = row * len(MONEY) + ledger.component
        by_component = np.bincount(groups, weights=ledger.usd, minlength=n * len(MONEY)).astype(np.float64)
        by_component = by_component.reshape(n, len(MONEY))
        for k, name in enumerate(MONEY):
            columns[f"cost_{name}_usd"] = by_component[:, k]
        hourly = _holding_usd_per_h(scenario, plan)
        columns["cost_transit_time_usd"] = hourly * (hours - waiting)
        columns["cost_waiting_time_usd"] = hourly * waiting
        columns["cost_carbon_usd"] = wtw / 1000.0 * scenario.costs.carbon_price_usd_per_t
        columns["cost_total_usd"] = sum(
            (columns[f"cost_{name}_usd"] for name in COST_COMPONENTS), start=np.zeros(n)
        )
    return pd.DataFrame(columns)


def _holding_usd_per_h(scenario: Scenario, plan: Plan) -> FloatArray:
    """US$ per hour of holding each shipment: value × tonnes × rate / 8760 (0 for commodities not valued)."""
    assert scenario.costs is not None
    per_tonne_hour = np.zeros(len(plan.network.flows))
    for flow in plan.network.flows:
        value = scenario.costs.cargo_values.get(scenario.flows[flow.flow].commodity)
        if value is not None:
            per_tonne_hour[flow.index] = value.usd_per_t * value.holding_rate_per_year / HOURS_PER_YEAR
    return np.asarray(per_tonne_hour[plan.shipment_flow] * plan.tonnes, dtype=np.float64)
