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
TTW). Totals add the shipments' values in the Plan's order (as ``np.bincount`` does). Per-station CO₂e is the
sum, over route groups and positions (:mod:`sim.results.station_co2e`), of the factor times the tonnes (or
TEU) delivered: the same total as visit by visit, to rounding (within 1e-12 relative on library scenarios).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled
from sim.plan import Plan
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

    Every total is summed in one compiled pass over the shipments (:class:`_Totals`).
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
    rows = np.array([index[c] for c in columns], dtype=np.int64)
    thousandths = 2 if scenario.emissions is not None else 0  # CO₂e: kg in the ledger, t in the KPIs
    counted = _Counted(scenario, ledger.delivered, ledger.ended)
    return _block_tables(
        scenario, plan, names, (ledger.table, rows, thousandths), counted, ledger.station_co2e_t
    )


def _block_tables(
    scenario: Scenario,
    plan: Plan,
    names: list[str],
    values: tuple[FloatArray, IntArray, int],
    counted: _Counted,
    station_co2e_t: FloatArray | None,
) -> list[LongTable]:
    """The ledger KPI tables of the replications of ``plan``.

    ``values``: the ledger's table, the rows of it summed after tonnes and TEU, and how many of the last
    of those are divided by 1000 (kg to t).
    """
    reps = len(plan.replications)
    flows = plan.network.flows
    specs = [scenario.flows[f.flow] for f in flows]
    commodities = sorted({s.commodity for s in specs})
    route_names = [">".join(f.nodes) for f in flows]
    routes = sorted(set(route_names))
    choices = sorted({f.flow for f in flows if f.alternative})
    keys = [
        [commodities.index(s.commodity) for s in specs],
        [routes.index(r) for r in route_names],
        [choices.index(f.flow) if f.alternative else -1 for f in flows],
    ]
    totals = _Totals(plan, counted, values, keys)
    groupings = [
        ("flow", [f.name for f in flows], totals.by_flow),
        ("commodity", commodities, totals.by(0)),
        ("route", routes, totals.by(1)),
    ]
    tables = [table for by, keys, sums in groupings for table in _tables(scenario, names, by, keys, sums)]
    if choices:
        tables += _tables(scenario, names, "flow", choices, totals.by(2))
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
    takes that flow's sums, a key with several is summed on its own. All the sums are one compiled pass
    over the shipments (:func:`_key_sums`).
    """

    def __init__(
        self,
        plan: Plan,
        counted: _Counted,
        values: tuple[FloatArray, IntArray, int],
        keys: list[list[int]],
    ) -> None:
        flows = len(plan.network.flows)
        self.reps = reps = len(plan.replications)
        self.keys = [np.asarray(k, dtype=np.int64).reshape(flows) for k in keys]
        self.counts = [np.bincount(k[k >= 0], minlength=int(k.max(initial=-1)) + 1) for k in self.keys]
        shared = [
            np.where(c[k] > 1, k, -1) if c.size else k for k, c in zip(self.keys, self.counts, strict=True)
        ]
        table, rows, thousandths = values
        sizes = np.array([flows, *(c.size for c in self.counts)], dtype=np.int64) * reps
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        sums = _key_sums(
            plan.rep_first,
            plan.shipment_flow,
            counted.done,
            counted.delivers,
            plan.tonnes,
            plan.teu,
            table,
            rows,
            thousandths,
            np.stack([np.arange(flows), *shared]).astype(np.int64),
            bounds,
        )
        count = 2 + rows.size
        self.by_flow = sums[:, : bounds[1]].reshape(count, flows, reps)
        self._shared = [
            sums[:, bounds[g + 1] : bounds[g + 2]].reshape(count, c.size, reps)
            for g, c in enumerate(self.counts)
        ]

    def by(self, grouping: int) -> FloatArray:
        """Sums by key of grouping ``grouping`` (a flow keyed −1 is left out), shape (values, keys, R)."""
        key, count = self.keys[grouping], self.counts[grouping]
        out = np.zeros((self.by_flow.shape[0], count.size, self.reps))
        for flow, k in enumerate(key.tolist()):
            if k >= 0 and count[k] == 1:
                out[:, k] = self.by_flow[:, flow]
        many = count > 1
        out[:, many] = self._shared[grouping][:, many]
        return out


@compiled
def _key_sums(
    rep_first: IntArray,
    shipment_flow: IntArray,
    done: BoolArray,
    delivers: BoolArray,
    tonnes: FloatArray,
    teu: FloatArray,
    table: FloatArray,
    rows: IntArray,
    thousandths: int,
    keys: IntArray,
    bounds: IntArray,
) -> FloatArray:
    """Tonnes, TEU and ``table[rows]`` of the ``done`` shipments, summed by grouping, key and replication.

    Tonnes and TEU count only where ``delivers`` (0 otherwise); the last ``thousandths`` rows are divided by
    1000 shipment by shipment before they are added. ``keys`` has shape (groupings, flows) (−1: the flow's
    shipments are left out); group ``key * R + replication`` of grouping ``g`` is column ``bounds[g] + group``
    of the result, shape (2 + rows, groups). Each sum adds its shipments in the Plan's order from 0.
    """
    reps = rep_first.size - 1
    count = 2 + rows.size
    sums = np.zeros((bounds[-1], count), dtype=np.float64)  # a shipment's values side by side
    value = np.empty(count, dtype=np.float64)
    divided = rows.size - thousandths
    for stored in range(reps):
        for row in range(rep_first[stored], rep_first[stored + 1]):
            if not done[row]:
                continue
            value[0] = tonnes[row] if delivers[row] else 0.0
            value[1] = teu[row] if delivers[row] else 0.0
            for k in range(divided):
                value[2 + k] = table[rows[k], row]
            for k in range(divided, rows.size):
                value[2 + k] = table[rows[k], row] / 1000.0
            flow = shipment_flow[row]
            for g in range(keys.shape[0]):
                key = keys[g, flow]
                if key < 0:
                    continue
                code = bounds[g] + key * reps + stored
                for k in range(count):
                    sums[code, k] += value[k]
    return sums.T


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
