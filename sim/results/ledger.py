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
stations) and the rest (``transit_time``); it is NaN for a shipment not delivered by the horizon. The
``carbon`` component prices well-to-wheel CO₂e at ``costs.carbon_price_usd_per_t``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel

from sim.arrays import FloatArray, IntArray
from sim.plan import Plan
from sim.scenario.ledger import Costs, Emissions
from sim.scenario.ledger_checks import link_distance_km, link_mode
from sim.scenario.model import Scenario
from sim.trace import Trace

__all__ = ["COST_COMPONENTS", "VisitLedger", "ledger_columns", "visit_ledger"]

MONEY = ("sea", "rail", "inland", "port", "canal")
"""Route components of a visit's money, by station kind and link mode."""
COST_COMPONENTS = ("sea", "rail", "inland", "port", "canal", "transit_time", "waiting_time", "carbon")
"""Cost columns ``cost_<component>_usd`` of the shipments table, in order; ``cost_total_usd`` is their sum."""
HOURS_PER_YEAR = 8760.0
SPECIFICITY = {"link": 8, "node": 4, "commodity": 2, "cargo_class": 1}
QUEUEING = ("berth", "service", "chokepoint")
Entry = TypeVar("Entry", bound=BaseModel)


@dataclass(frozen=True)
class _Place:
    """What a station is, for matching rates: kind, link or node, mode, cargo class, km."""

    kind: str
    link: str | None
    node: str
    mode: str | None
    cargo_class: str | None
    km: float


@dataclass(frozen=True)
class VisitLedger:
    """Per-visit money and emissions, aligned with the Plan's visit arrays.

    Money is in US$ with its component (an index into :data:`MONEY`); CO₂e in kg.
    """

    usd: FloatArray
    component: IntArray
    co2e_wtw_kg: FloatArray
    co2e_ttw_kg: FloatArray


def _places(scenario: Scenario, plan: Plan) -> dict[int, _Place]:
    places: dict[int, _Place] = {}
    for flow in plan.network.flows:
        for step, index in zip(flow.steps, flow.stations, strict=True):
            if index in places:
                continue
            station = plan.network.stations[index]
            if step.kind in ("leg", "service"):
                km = link_distance_km(scenario, step.ref)
                places[index] = _Place(
                    step.kind,
                    step.ref,
                    station.node,
                    link_mode(scenario, step.ref),
                    None,
                    np.nan if km is None else km,
                )
            else:
                places[index] = _Place(step.kind, None, step.ref, None, step.cargo_class, 0.0)
    return places


def _best(entries: Mapping[str, Entry], want: dict[str, str | None], container: bool) -> Entry | None:
    """The most specific entry whose selectors all match ``want`` (see :mod:`sim.scenario.ledger`)."""
    best: Entry | None = None
    score = -1
    for key in sorted(entries):
        entry = entries[key]
        if getattr(entry, "unit", "t") == "TEU" and not container:
            continue
        points = 0
        for field, value in want.items():
            chosen = getattr(entry, field, None)
            if chosen is None:
                continue
            if chosen != value:
                points = -1
                break
            points += SPECIFICITY.get(field, 0)
        if points > score:
            best, score = entry, points
    return best


@dataclass
class _Rates:
    """Per (station, flow): which money component, and fixed / per-tonne / per-TEU money and CO₂e."""

    component: IntArray
    usd: FloatArray  # shape (3, stations, flows): fixed, per t, per TEU
    wtw_kg: FloatArray  # shape (2, stations, flows): per t, per TEU
    ttw_kg: FloatArray

    def charge(self, station: int, flow: int, fixed: float, per_unit: float, unit: str) -> None:
        self.usd[0, station, flow] = fixed
        self.usd[1 if unit == "t" else 2, station, flow] = per_unit

    def emit(self, station: int, flow: int, wtw: float, ttw: float | None, unit: str) -> None:
        column = 0 if unit == "t" else 1
        self.wtw_kg[column, station, flow] = wtw
        self.ttw_kg[column, station, flow] = np.nan if ttw is None else ttw


def _rates(scenario: Scenario, plan: Plan) -> _Rates:
    """Match every rate and factor to every (station, flow) pair of the network, once."""
    costs = scenario.costs or Costs()
    emissions = scenario.emissions or Emissions()
    shape = (len(plan.network.stations), len(plan.network.flows))
    rates = _Rates(
        np.zeros(shape, dtype=np.int64), np.zeros((3, *shape)), np.zeros((2, *shape)), np.zeros((2, *shape))
    )
    places = _places(scenario, plan)
    for flow in plan.network.flows:
        spec = scenario.flows[flow.name]
        commodity = scenario.commodities[spec.commodity]
        container = commodity.kind == "container"
        f = flow.index
        for index in set(flow.stations):
            place = places[index]
            want: dict[str, str | None] = {
                "commodity": spec.commodity,
                "cargo_class": place.cargo_class or commodity.cargo_class,
            }
            if place.kind in ("leg", "service"):
                want |= {"link": place.link, "mode": place.mode}
                rates.component[index, f] = MONEY.index(
                    {"sea": "sea", "rail": "rail"}.get(str(place.mode), "inland")
                )
                rate = _best(costs.freight, want, container)
                if rate is not None:
                    per_unit = rate.usd_per_unit + rate.usd_per_unit_km * place.km
                    rates.charge(index, f, 0.0, per_unit, rate.unit)
                factor = _best(emissions.transport, want, container)
                if factor is not None:
                    ttw = factor.ttw_g_per_unit_km
                    rates.emit(
                        index,
                        f,
                        factor.wtw_g_per_unit_km * place.km / 1000.0,
                        None if ttw is None else ttw * place.km / 1000.0,
                        factor.unit,
                    )
            elif place.kind == "berth":
                want["node"] = place.node
                rates.component[index, f] = MONEY.index("port")
                charge = _best(costs.ports, want, container)
                if charge is not None:
                    rates.charge(index, f, charge.usd_per_call, charge.usd_per_unit, charge.unit)
                hub = _best(emissions.hubs, want, container)
                if hub is not None:
                    rates.emit(index, f, hub.wtw_kg_per_unit, hub.ttw_kg_per_unit, hub.unit)
            else:
                want["node"] = place.node
                rates.component[index, f] = MONEY.index("canal")
                toll = _best(costs.canals, want, container)
                if toll is not None:
                    rates.charge(index, f, toll.usd_per_transit, toll.usd_per_unit, toll.unit)
    return rates


def visit_ledger(scenario: Scenario, plan: Plan) -> VisitLedger:
    """Money and CO₂e of every visit of the Plan; zeros where no rate or factor applies."""
    rates = _rates(scenario, plan)
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
    last_visit = plan.first_visit[1:] - 1
    delivered = trace.end[last_visit] if n else np.empty(0)
    hours = delivered - plan.created
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
        value = scenario.costs.cargo_values.get(scenario.flows[flow.name].commodity)
        if value is not None:
            per_tonne_hour[flow.index] = value.usd_per_t * value.holding_rate_per_year / HOURS_PER_YEAR
    return np.asarray(per_tonne_hour[plan.shipment_flow] * plan.tonnes, dtype=np.float64)
