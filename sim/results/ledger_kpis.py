"""Cost and emission KPIs per replication, in the long form of :mod:`sim.results.kpis`.

Counted over the shipments delivered in the window [warm-up, horizon] (as throughput is), grouped by flow,
commodity and route (the flow's node path, ``BRSSZ>CNTAO``): totals of each cost component (US$) and of
CO₂e (tonnes, well-to-wheel and tank-to-wheel), and per tonne and per TEU delivered. Per-station CO₂e
(``emissions_by_station``: legs, services and hubs) counts the visits of the same shipments. The runner
appends these rows to :func:`sim.results.kpis.kpis_by_replication`'s, so ``summarise`` gives their means and
Student-t intervals like every other KPI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
    done = (shipments["delivered"] >= lo) & (shipments["delivered"] <= hi)
    frame = shipments[done].copy()
    routes = {f.name: ">".join(f.nodes) for f in plan.network.flows}
    frame["route"] = frame["flow"].astype(str).map(routes)
    sums = ["tonnes", "teu"]
    if scenario.costs is not None:
        sums += [f"cost_{name}_usd" for name in COST_COMPONENTS] + ["cost_total_usd"]
    if scenario.emissions is not None:
        frame["co2e_wtw_t"] = frame["co2e_wtw_kg"] / 1000.0
        frame["co2e_ttw_t"] = frame["co2e_ttw_kg"] / 1000.0
        sums += ["co2e_wtw_t", "co2e_ttw_t"]
    parts = []
    for by, keys in (
        ("flow", [f.name for f in plan.network.flows]),
        ("commodity", [str(c) for c in shipments["commodity"].cat.categories]),
        ("route", sorted(set(routes.values()))),
    ):
        grouped = _sum_strict(frame, [frame[by].astype(str), frame["replication"]], sums)
        full = pd.MultiIndex.from_product([keys, replications], names=["key", "replication"])
        grouped.index = grouped.index.set_names(["key", "replication"])
        grouped = grouped.reindex(full)
        grouped[["tonnes", "teu"]] = grouped[["tonnes", "teu"]].fillna(0.0)
        if scenario.costs is not None:
            money = _per_unit(grouped, "cost_total_usd", 1.0, "cost_usd")
            parts.append(_long(money, f"cost_by_{by}", "cost"))
        if scenario.emissions is not None:
            carbon = _per_unit(grouped, "co2e_wtw_t", 1000.0, "co2e_kg")
            parts.append(_long(carbon, f"emissions_by_{by}", "co2e"))
    if scenario.emissions is not None:
        parts.append(_by_station(scenario, plan, shipments, done.to_numpy(), replications))
    table = pd.concat(parts, ignore_index=True)
    return table[columns]


def _sum_strict(frame: pd.DataFrame, by: list[pd.Series], columns: list[str]) -> pd.DataFrame:
    """Group sums that are NaN when any member is NaN (a TTW total is unknown if one factor lacks TTW)."""
    grouped = frame[columns].groupby(by)
    sums = grouped.sum()
    return sums.mask(grouped.count() < grouped.size().to_numpy()[:, None])


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
    scenario: Scenario, plan: Plan, shipments: pd.DataFrame, done: np.ndarray, replications: list[int]
) -> pd.DataFrame:
    """CO₂e per station (legs, services, hubs) of the visits of shipments delivered in the window."""
    ledger = visit_ledger(scenario, plan)
    row = plan.visit_shipment
    counted = done[row]
    names = [s.name for s in plan.network.stations]
    frame = pd.DataFrame(
        {
            "key": np.asarray(names, dtype=object)[plan.visit_station[counted]],
            "replication": plan.shipment_rep[row][counted],
            "co2e_wtw_t": ledger.co2e_wtw_kg[counted] / 1000.0,
            "co2e_ttw_t": ledger.co2e_ttw_kg[counted] / 1000.0,
        }
    )
    grouped = _sum_strict(frame, [frame["key"], frame["replication"]], ["co2e_wtw_t", "co2e_ttw_t"])
    full = pd.MultiIndex.from_product([names, replications], names=["key", "replication"])
    wide = grouped.reindex(full).fillna({"co2e_wtw_t": 0.0})
    return _long(wide, "emissions_by_station", "co2e")
