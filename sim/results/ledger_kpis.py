"""Cost and emission KPIs per replication, in the long form of :mod:`sim.results.kpis`.

Counted over the shipments delivered in the window [warm-up, horizon] (as throughput is), and those that
left at a chokepoint in it (their costs and emissions, no tonnes: :mod:`sim.results.delivery`), grouped by
flow (a choice flow has a row per alternative, ``FLOW/ALTERNATIVE``, and one for the whole flow, ``FLOW``),
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
from sim.results.ledger import COST_COMPONENTS, VisitLedger, visit_ledger
from sim.scenario.model import Scenario

__all__ = ["joined_blocks", "ledger_kpis_by_replication"]

KEYS = ["table", "key", "period", "metric"]


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
    done, delivers = _counted(shipments, lo, hi)
    rep = _replication_position(shipments["replication"].to_numpy(), replications)
    values = {name: np.where(delivers, shipments[name].to_numpy(), 0.0) for name in ("tonnes", "teu")}
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


def joined_blocks(blocks: list[pd.DataFrame], replications: list[int]) -> pd.DataFrame:
    """The tables of :func:`ledger_kpis_by_replication` for consecutive blocks of replications, as one.

    Each block's table lists every (table, metric, key) cell with its replications in order, fastest; the
    joined table has the cells in the same order, each with the replications of every block in turn — the
    table one call over all the replications gives.

    Parameters
    ----------
    blocks : list of pandas.DataFrame
        One table per block, in replication order.
    replications : list of int
        How many replications each block holds.
    """
    if len(blocks) == 1:
        return blocks[0]
    cells = [np.arange(len(frame)) // count for frame, count in zip(blocks, replications, strict=True)]
    joined = pd.concat(blocks, ignore_index=True)
    order = np.argsort(np.concatenate(cells), kind="stable")
    return joined.iloc[order].reset_index(drop=True)


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


def _counted(shipments: pd.DataFrame, lo: float, hi: float) -> tuple[BoolArray, BoolArray]:
    """The shipments counted — delivered in [lo, hi], or left in it (column ``left``) — and which deliver.

    A ship that left pays what it sailed and delivers nothing: its costs count, its tonnes do not.
    """
    delivered = shipments["delivered"].to_numpy()
    delivers = (delivered >= lo) & (delivered <= hi)
    if "left" not in shipments:
        return delivers, delivers
    left = shipments["left"].to_numpy()
    return delivers | ((left >= lo) & (left <= hi)), delivers


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
