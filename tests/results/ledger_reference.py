"""The ledger and its KPIs as computed before route groups and array totals: visit by visit, then pandas.

Kept, unchanged but for this paragraph and its imports, so that ``test_kpis_reference.py`` can compare the
two on every library scenario until this copy is deleted: per-visit money and CO₂e (``visit_ledger``),
per-shipment sums by ``np.bincount`` over the visits (``ledger_columns``) and KPIs from the shipments
table (``ledger_kpis_by_replication``). Not used by ``sim``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.plan import Plan
from sim.rates import MONEY, station_rates
from sim.results.ledger import COST_COMPONENTS, _holding_usd_per_tonne_hour  # the rate, not the sums
from sim.scenario.model import Scenario
from sim.trace import Trace

__all__ = ["ledger_columns", "ledger_kpis_by_replication"]

HOURS_PER_YEAR = 8760.0
QUEUEING = ("berth", "service", "chokepoint")
KEYS = ["table", "key", "period", "metric"]


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
        hourly = _holding_usd_per_tonne_hour(scenario, plan)[plan.shipment_flow] * plan.tonnes
        columns["cost_transit_time_usd"] = hourly * (hours - waiting)
        columns["cost_waiting_time_usd"] = hourly * waiting
        columns["cost_carbon_usd"] = wtw / 1000.0 * scenario.costs.carbon_price_usd_per_t
        columns["cost_total_usd"] = sum(
            (columns[f"cost_{name}_usd"] for name in COST_COMPONENTS), start=np.zeros(n)
        )
    return pd.DataFrame(columns)


def ledger_kpis_by_replication(
    scenario: Scenario, plan: Plan, shipments: pd.DataFrame, ledger: VisitLedger | None = None
) -> pd.DataFrame:
    """Cost and emission KPIs, one row per (table, key, period, metric, replication).

    Empty when the scenario has neither a ``costs:`` nor an ``emissions:`` section. ``ledger`` is
    :func:`~sim.results.ledger.visit_ledger` of the Plan when already computed.
    """
    columns = [*KEYS, "replication", "value"]
    if scenario.costs is None and scenario.emissions is None:
        return pd.DataFrame({c: pd.Series(dtype=object if c in KEYS else float) for c in columns})
    replications = list(plan.replications)
    lo, hi = scenario.warmup_h, scenario.horizon_h
    delivered = shipments["delivered"].to_numpy()
    done = (delivered >= lo) & (delivered <= hi)
    rep = _replication_position(shipments["replication"].to_numpy(), replications)
    values = {"tonnes": shipments["tonnes"].to_numpy(), "teu": shipments["teu"].to_numpy()}
    if scenario.costs is not None:
        for name in [*(f"cost_{c}_usd" for c in COST_COMPONENTS), "cost_total_usd"]:
            values[name] = shipments[name].to_numpy()
    if scenario.emissions is not None:
        values["co2e_wtw_t"] = shipments["co2e_wtw_kg"].to_numpy() / 1000.0
        values["co2e_ttw_t"] = shipments["co2e_ttw_kg"].to_numpy() / 1000.0
    flow_codes = shipments["flow"].cat.codes.to_numpy()
    route_names = [">".join(f.nodes) for f in plan.network.flows]
    routes = sorted(set(route_names))
    route_of_flow = np.array([routes.index(r) for r in route_names], dtype=np.int64)
    chosen = _chosen(values, done)
    parts = []
    for by, keys, codes in (
        ("flow", [f.name for f in plan.network.flows], flow_codes),
        (
            "commodity",
            [str(c) for c in shipments["commodity"].cat.categories],
            shipments["commodity"].cat.codes,
        ),
        ("route", routes, route_of_flow[flow_codes]),
    ):
        grouped = _group_sums(np.asarray(codes)[done], rep[done], keys, replications, chosen)
        if scenario.costs is not None:
            money = _per_unit(grouped, "cost_total_usd", 1.0, "cost_usd")
            parts.append(_long(money, f"cost_by_{by}", "cost"))
        if scenario.emissions is not None:
            carbon = _per_unit(grouped, "co2e_wtw_t", 1000.0, "co2e_kg")
            parts.append(_long(carbon, f"emissions_by_{by}", "co2e"))
    parts.extend(_choice_flow_totals(scenario, plan, np.asarray(flow_codes), done, rep, replications, values))
    if scenario.emissions is not None:
        parts.append(_by_station(ledger or visit_ledger(scenario, plan), plan, done, rep, replications))
    table = pd.concat(parts, ignore_index=True)
    return table[columns]


def _choice_flow_totals(
    scenario: Scenario,
    plan: Plan,
    route_codes: IntArray,
    done: BoolArray,
    rep: IntArray,
    replications: list[int],
    values: dict[str, FloatArray],
) -> list[pd.DataFrame]:
    """``cost_by_flow`` and ``emissions_by_flow`` rows of each choice flow as a whole (key: the flow's id).

    Its routes have rows of their own (``FLOW/ALTERNATIVE``); the whole flow's row pairs with the same flow
    in a scenario where it has one route, so ``corridor compare`` gives what the choice saves.
    """
    routes = plan.network.flows
    names = sorted({route.flow for route in routes if route.alternative})
    if not names:
        return []
    code_of_route = np.array([names.index(r.flow) if r.alternative else -1 for r in routes], dtype=np.int64)
    codes = code_of_route[route_codes]
    mask = done & (codes >= 0)
    grouped = _group_sums(codes[mask], rep[mask], names, replications, _chosen(values, mask))
    parts = []
    if scenario.costs is not None:
        parts.append(_long(_per_unit(grouped, "cost_total_usd", 1.0, "cost_usd"), "cost_by_flow", "cost"))
    if scenario.emissions is not None:
        parts.append(_long(_per_unit(grouped, "co2e_wtw_t", 1000.0, "co2e_kg"), "emissions_by_flow", "co2e"))
    return parts


def _replication_position(numbers: IntArray, replications: list[int]) -> IntArray:
    """Position of each replication number in the Plan's stored order."""
    order = np.argsort(replications)
    return np.asarray(order[np.searchsorted(np.asarray(replications)[order], numbers)], dtype=np.int64)


Chosen = dict[str, tuple[FloatArray, FloatArray | None]]
"""Columns at the chosen rows: values with NaN as 0, and 1.0 where a value was NaN (None when none was)."""


def _chosen(values: dict[str, FloatArray], mask: BoolArray) -> Chosen:
    """Each column's values at ``mask`` (chosen once, summed by several groupings)."""
    chosen: Chosen = {}
    for name, column in values.items():
        picked = column[mask]
        missing = np.isnan(picked)
        if missing.any():
            chosen[name] = (np.where(missing, 0.0, picked), missing.astype(np.float64))
        else:
            chosen[name] = (picked, None)
    return chosen


def _group_sums(
    codes: IntArray, rep: IntArray, keys: list[str], replications: list[int], chosen: Chosen
) -> pd.DataFrame:
    """Sums of the chosen values by (key code, replication position), every pair present (0 when empty).

    A sum is NaN when any member is NaN (a TTW total is unknown if one factor on a route lacks TTW).
    """
    size = len(keys) * len(replications)
    group = codes.astype(np.int64) * len(replications) + rep  # category codes may be int8
    sums = {}
    for name, (filled, missing) in chosen.items():
        total = np.bincount(group, weights=filled, minlength=size)
        if missing is None:
            sums[name] = total
            continue
        unknown = np.bincount(group, weights=missing, minlength=size) > 0
        sums[name] = np.where(unknown, np.nan, total)
    index = pd.MultiIndex.from_product([keys, replications], names=["key", "replication"])
    return pd.DataFrame(sums, index=index)


def _per_unit(grouped: pd.DataFrame, total: str, scale: float, name: str) -> pd.DataFrame:
    """The group's totals plus ``name_per_t`` and ``name_per_teu``.

    ``total × scale`` per tonne and per TEU delivered (NaN when none was delivered).
    """
    wide = grouped.copy()
    wide[f"{name}_per_t"] = wide[total] * scale / wide["tonnes"].where(wide["tonnes"] > 0)
    wide[f"{name}_per_teu"] = wide[total] * scale / wide["teu"].where(wide["teu"] > 0)
    return wide


def _long(wide: pd.DataFrame, table: str, prefix: str) -> pd.DataFrame:
    keep = [c for c in wide.columns if c.startswith(prefix) or c in ("tonnes", "teu")]
    frame = wide[keep].reset_index()
    frame = frame.melt(id_vars=["key", "replication"], var_name="metric", value_name="value")
    frame["table"] = table
    frame["period"] = ""
    frame["value"] = frame["value"].astype(np.float64)
    return frame


def _by_station(
    ledger: VisitLedger, plan: Plan, done: BoolArray, rep: IntArray, replications: list[int]
) -> pd.DataFrame:
    """CO₂e per station (legs, services, hubs) of the visits of shipments delivered in the window."""
    counted = np.repeat(done, np.diff(plan.first_visit))  # the visits of the shipments counted
    names = [s.name for s in plan.network.stations]
    values = {"co2e_wtw_t": ledger.co2e_wtw_kg, "co2e_ttw_t": ledger.co2e_ttw_kg}
    chosen = {
        name: (filled / 1000.0, missing) for name, (filled, missing) in _chosen(values, counted).items()
    }  # kg to t after choosing: the same quotients, on fewer values (NaN stays NaN, 0 stays 0)
    visit_rep = np.repeat(rep[done], np.diff(plan.first_visit)[done])
    wide = _group_sums(plan.visit_station[counted], visit_rep, names, replications, chosen)
    return _long(wide, "emissions_by_station", "co2e")
