"""Cost and emission KPIs per replication, in the long form of :mod:`sim.results.kpis`.

Counted over the shipments delivered in the window [warm-up, horizon] (as throughput is), grouped by flow (a
choice flow has a row per alternative, ``FLOW/ALTERNATIVE``, and one for the whole flow, ``FLOW``),
commodity and route (the flow's node path, ``BRSSZ>CNTAO``): totals of each cost component (US$) and of
CO₂e (tonnes, well-to-wheel and tank-to-wheel), and per tonne and per TEU delivered. Per-station CO₂e
(``emissions_by_station``: legs, services and hubs) counts the visits of the same shipments. The runner
appends these rows to :func:`sim.results.kpis.kpis_by_replication`'s, so ``summarise`` gives their means and
Student-t intervals like every other KPI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.plan import Plan
from sim.results.ledger import COST_COMPONENTS, visit_ledger
from sim.scenario.model import Scenario

__all__ = ["ledger_kpis_by_replication"]

KEYS = ["table", "key", "period", "metric"]


def ledger_kpis_by_replication(scenario: Scenario, plan: Plan, shipments: pd.DataFrame) -> pd.DataFrame:
    """Cost and emission KPIs, one row per (table, key, period, metric, replication).

    Empty when the scenario has neither a ``costs:`` nor an ``emissions:`` section.
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
        grouped = _group_sums(np.asarray(codes)[done], rep[done], keys, replications, values, done)
        if scenario.costs is not None:
            money = _per_unit(grouped, "cost_total_usd", 1.0, "cost_usd")
            parts.append(_long(money, f"cost_by_{by}", "cost"))
        if scenario.emissions is not None:
            carbon = _per_unit(grouped, "co2e_wtw_t", 1000.0, "co2e_kg")
            parts.append(_long(carbon, f"emissions_by_{by}", "co2e"))
    parts.extend(_choice_flow_totals(scenario, plan, np.asarray(flow_codes), done, rep, replications, values))
    if scenario.emissions is not None:
        parts.append(_by_station(scenario, plan, done, rep, replications))
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
    grouped = _group_sums(codes[mask], rep[mask], names, replications, values, mask)
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


def _group_sums(
    codes: IntArray,
    rep: IntArray,
    keys: list[str],
    replications: list[int],
    values: dict[str, FloatArray],
    mask: BoolArray,
) -> pd.DataFrame:
    """Sums of ``values[mask]`` by (key code, replication position), every pair present (0 when empty).

    A sum is NaN when any member is NaN (a TTW total is unknown if one factor on a route lacks TTW).
    """
    size = len(keys) * len(replications)
    group = codes.astype(np.int64) * len(replications) + rep  # category codes may be int8
    sums = {}
    for name, column in values.items():
        chosen = column[mask]
        missing = np.isnan(chosen)
        total = np.bincount(group, weights=np.where(missing, 0.0, chosen), minlength=size)
        unknown = np.bincount(group, weights=missing.astype(np.float64), minlength=size) > 0
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
    scenario: Scenario, plan: Plan, done: BoolArray, rep: IntArray, replications: list[int]
) -> pd.DataFrame:
    """CO₂e per station (legs, services, hubs) of the visits of shipments delivered in the window."""
    ledger = visit_ledger(scenario, plan)
    row = plan.visit_shipment
    counted = done[row]
    names = [s.name for s in plan.network.stations]
    values = {"co2e_wtw_t": ledger.co2e_wtw_kg / 1000.0, "co2e_ttw_t": ledger.co2e_ttw_kg / 1000.0}
    wide = _group_sums(plan.visit_station[counted], rep[row][counted], names, replications, values, counted)
    return _long(wide, "emissions_by_station", "co2e")
