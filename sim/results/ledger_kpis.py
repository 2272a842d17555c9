"""Cost and emission KPIs per replication, in the long form of :mod:`sim.results.long_form`.

Counted over the shipments delivered in the window [warm-up, horizon] (as throughput is), and those that
left at a chokepoint in it (their costs and emissions, no tonnes: :mod:`sim.results.delivery`), grouped by
flow (a choice flow has a row per alternative, ``FLOW/ALTERNATIVE``, and one for the whole flow, ``FLOW``),
commodity and route (the flow's node path, ``BRSSZ>CNTAO``): totals of each cost component (US$) and of
CO₂e (tonnes, well-to-wheel and tank-to-wheel), and per tonne and per TEU delivered. Per-station CO₂e
(``emissions_by_station``: legs, services and hubs) counts the visits of the same shipments. The runner
appends these rows to :func:`sim.results.kpis.kpis_by_replication`'s, so ``summarise`` gives their means and
Student-t intervals like every other KPI.

A total is NaN when any of its shipments' values is (a TTW total is unknown if one factor on a route lacks
TTW). Totals add the shipments' values in the Plan's order (``np.bincount``). Per-station CO₂e is the sum,
over route groups and positions (:mod:`sim.results.route_groups`), of the factor times the tonnes (or TEU)
delivered: the same total as visit by visit, to rounding (within 1e-12 relative on the library scenarios).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.plan import Plan
from sim.results.groups import pieces, weighted_sums
from sim.results.ledger import COST_COMPONENTS, ShipmentLedger
from sim.results.long_form import LongTable, long_frame
from sim.scenario.model import Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ledger_kpi_tables", "ledger_kpis_by_replication"]

COSTS = [*(f"cost_{c}_usd" for c in COST_COMPONENTS), "cost_total_usd"]
"""The cost columns summed, in the order of their metrics."""


def ledger_kpis_by_replication(scenario: Scenario, plan: Plan, ledger: ShipmentLedger) -> pd.DataFrame:
    """Cost and emission KPIs, one row per (table, key, period, metric, replication).

    No rows when the scenario has neither a ``costs:`` nor an ``emissions:`` section. ``ledger`` is
    :func:`~sim.results.ledger.shipment_ledger` of the Plan.
    """
    return long_frame([ledger_kpi_tables(scenario, plan, ledger)], list(plan.replications))


def ledger_kpi_tables(scenario: Scenario, plan: Plan, ledger: ShipmentLedger) -> list[LongTable]:
    """The tables of :func:`ledger_kpis_by_replication`, in long form (none without a ledger).

    Reduced in cache-sized pieces of whole replications (:func:`sim.results.groups.pieces`), joined side
    by side: every total lies in one replication, so the pieces give the numbers of one pass.
    """
    if scenario.costs is None and scenario.emissions is None:
        return []
    names = ["tonnes", "teu"]
    columns = []
    if scenario.costs is not None:
        names += COSTS
        columns += COSTS
    if scenario.emissions is not None:
        names += ["co2e_wtw_t", "co2e_ttw_t"]
        columns += ["co2e_wtw_kg", "co2e_ttw_kg"]
    index = {name: k for k, name in enumerate(ledger.names)}
    parts = []
    for start, stop in pieces(plan):
        part = plan.block(start, stop)
        rows = slice(int(plan.rep_first[start]), int(plan.rep_first[stop]))
        table = ledger.table[:, rows]
        values = [part.tonnes, part.teu, *(table[index[c]] for c in columns)]
        if scenario.emissions is not None:
            values[-2:] = [v / 1000.0 for v in values[-2:]]
        station_t = None if ledger.station_co2e_t is None else ledger.station_co2e_t[:, :, start:stop]
        counted = _Counted(scenario, ledger.delivered[rows], ledger.ended[rows])
        parts.append(_piece_tables(scenario, part, names, values, counted, station_t))
    return [first.joined(*rest) for first, *rest in zip(*parts, strict=True)]


def _piece_tables(
    scenario: Scenario,
    plan: Plan,
    names: list[str],
    values: list[FloatArray],
    counted: _Counted,
    station_co2e_t: FloatArray | None,
) -> list[LongTable]:
    """The ledger KPI tables of the replications of ``plan``."""
    reps = len(plan.replications)
    flows = plan.network.flows
    totals = _Totals(plan, counted, values)
    specs = [scenario.flows[f.flow] for f in flows]
    commodities = sorted({s.commodity for s in specs})
    route_names = [">".join(f.nodes) for f in flows]
    routes = sorted(set(route_names))
    groupings = [
        ("flow", [f.name for f in flows], totals.by_flow),
        ("commodity", commodities, totals.by([commodities.index(s.commodity) for s in specs])),
        ("route", routes, totals.by([routes.index(r) for r in route_names])),
    ]
    choices = sorted({f.flow for f in flows if f.alternative})
    tables = [table for by, keys, sums in groupings for table in _tables(scenario, names, by, keys, sums)]
    if choices:
        whole = totals.by([choices.index(f.flow) if f.alternative else -1 for f in flows])
        tables += _tables(scenario, names, "flow", choices, whole)
    if station_co2e_t is not None:
        stations = [s.name for s in plan.network.stations]
        shape = (2, len(stations), 1, reps)
        tables.append(
            LongTable(
                "emissions_by_station",
                stations,
                [""],
                ["co2e_wtw_t", "co2e_ttw_t"],
                station_co2e_t.reshape(shape),
            )
        )
    return tables


class _Counted:
    """Which shipments the ledger KPIs count: delivered in the window, or left at a chokepoint in it.

    A ship that left pays what it sailed and delivers nothing: its costs and CO₂e count, its tonnes and TEU
    do not (:mod:`sim.results.delivery`).
    """

    def __init__(self, scenario: Scenario, delivered: FloatArray, ended: FloatArray) -> None:
        lo, hi = scenario.warmup_h, scenario.horizon_h
        self.delivers = (delivered >= lo) & (delivered <= hi)
        self.done = (ended >= lo) & (ended <= hi)


class _Totals:
    """Sums of the shipments' values over those counted in the window (:class:`_Counted`), by flow key.

    Tonnes and TEU (the first two values) count only the shipments delivered. Every sum adds its shipments
    in the Plan's order (``np.bincount``), as a group-by over the shipments table would: a key with one flow
    takes that flow's sums, a key with several is summed on its own.
    """

    def __init__(self, plan: Plan, counted: _Counted, values: list[FloatArray]) -> None:
        self.reps = len(plan.replications)
        self.flow = plan.shipment_flow
        delivers = counted.delivers
        if not delivers.all():  # a ship that left delivers no tonnes or TEU
            values = [np.where(delivers, v, 0.0) for v in values[:2]] + values[2:]
        self.values = np.stack(values)
        rep = np.repeat(np.arange(self.reps, dtype=np.int64), np.diff(plan.rep_first))
        self.done = counted.done
        self.rep = rep
        self.by_flow = self._sums(np.arange(len(plan.network.flows)), len(plan.network.flows))

    def by(self, key_of_flow: list[int]) -> FloatArray:
        """Sums by key (a flow's key −1: left out), shape (values, keys, replications)."""
        key = np.asarray(key_of_flow, dtype=np.int64)
        count = np.bincount(key[key >= 0], minlength=int(key.max(initial=-1)) + 1)
        out = np.zeros((len(self.values), count.size, self.reps))
        for flow, k in enumerate(key_of_flow):
            if k >= 0 and count[k] == 1:
                out[:, k] = self.by_flow[:, flow]
        shared = np.where((key >= 0) & (count[np.maximum(key, 0)] > 1), key, -1)
        if (shared >= 0).any():
            many = count > 1
            out[:, many] = self._sums(shared, count.size)[:, many]
        return out

    def _sums(self, key_of_flow: IntArray, keys: int) -> FloatArray:
        """Sums over the shipments whose flow has a key (≥ 0), shape (values, keys, replications)."""
        size = keys * self.reps
        key = key_of_flow[self.flow]
        group = np.where(self.done & (key >= 0), key * self.reps + self.rep, size)  # others: dropped
        return weighted_sums(group, self.values, size).reshape(len(self.values), keys, self.reps)


def _tables(
    scenario: Scenario, names: list[str], by: str, keys: list[str], sums: FloatArray
) -> list[LongTable]:
    """``cost_by_<by>`` and ``emissions_by_<by>`` (those the scenario has) from the sums of ``names``."""
    tables = []
    picked = {name: sums[k] for k, name in enumerate(names)}
    if scenario.costs is not None:
        money = ["tonnes", "teu", *COSTS]
        per_unit = _per_unit(picked, "cost_total_usd", 1.0)
        tables.append(_table(f"cost_by_{by}", keys, money, picked, per_unit, "cost_usd"))
    if scenario.emissions is not None:
        carbon = ["tonnes", "teu", "co2e_wtw_t", "co2e_ttw_t"]
        per_unit = _per_unit(picked, "co2e_wtw_t", 1000.0)
        tables.append(_table(f"emissions_by_{by}", keys, carbon, picked, per_unit, "co2e_kg"))
    return tables


def _per_unit(sums: dict[str, FloatArray], total: str, scale: float) -> tuple[FloatArray, FloatArray]:
    """``total × scale`` per tonne and per TEU delivered (NaN when none was delivered)."""
    scaled = sums[total] * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        per_t = np.where(sums["tonnes"] > 0, scaled / sums["tonnes"], np.nan)
        per_teu = np.where(sums["teu"] > 0, scaled / sums["teu"], np.nan)
    return per_t, per_teu


def _table(
    table: str,
    keys: list[str],
    metrics: list[str],
    sums: dict[str, FloatArray],
    per_unit: tuple[FloatArray, FloatArray],
    name: str,
) -> LongTable:
    values = np.stack([*(sums[m] for m in metrics), *per_unit])
    every = [*metrics, f"{name}_per_t", f"{name}_per_teu"]
    return LongTable(table, keys, [""], every, values.reshape(len(every), len(keys), 1, -1))
