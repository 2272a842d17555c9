"""The waits by group (month, traffic class, priority class) as pandas group-bys: a test oracle.

A straightforward oracle for :mod:`sim.results.kpis_by_group`, written from the definitions (docs/design.md,
:mod:`sim.results.waits`) on the visits table: the window's queueing visits, labelled with their calendar
month of arrival, their shipment's traffic class or their priority class, then grouped. Not used by ``sim``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.plan import Plan
from sim.results.waits import QUEUEING_KINDS
from sim.scenario.model import Scenario

__all__ = ["waits_by_group"]

STATISTICS = ["wait_mean_h", "wait_p95_h", "wait_max_h"]


def waits_by_group(
    scenario: Scenario, plan: Plan, shipments: pd.DataFrame, visits: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Each table by name, indexed by (key, period, metric, replication), column ``value``."""
    lo, hi = scenario.warmup_h, scenario.horizon_h
    table = visits.copy()
    table["klass"] = plan.visit_class if plan.visit_class is not None else 0
    flows = shipments[["replication", "shipment", "flow"]].astype({"flow": str})
    table = table.merge(flows, on=["replication", "shipment"], how="left", validate="many_to_one")
    background = {f.name: scenario.flows[f.flow].background for f in plan.network.flows}
    table["traffic"] = np.where(table["flow"].map(background).astype(bool), "background", "modelled")
    kept = table[table["kind"].isin(QUEUEING_KINDS) & (table["arrive"] >= lo) & (table["arrive"] < hi)].copy()
    kept["station"] = kept["station"].astype(str)
    kept["began"] = kept["start"] <= hi
    kept["wait"] = (kept["start"] - kept["arrive"]).where(kept["began"])
    reps = list(plan.replications)
    return {
        "stations_by_month": _by_month(scenario, plan, kept, reps),
        "waits_by_traffic": _by_traffic(scenario, plan, kept, reps),
        "stations_by_class": _by_class(plan, kept, reps),
    }


def _statistics(kept: pd.DataFrame) -> pd.DataFrame:
    grouped = kept.groupby(["key", "period", "replication"])
    return pd.DataFrame(
        {
            "wait_mean_h": grouped["wait"].mean(),
            "wait_p95_h": grouped["wait"].quantile(0.95),
            "wait_max_h": grouped["wait"].max(),
            "visits": grouped["wait"].size().astype(np.float64),
            "started": grouped["began"].sum().astype(np.float64),
        }
    )


def _long(wide: pd.DataFrame, keys: list[str], periods: list[str], reps: list[int]) -> pd.DataFrame:
    full = pd.MultiIndex.from_product([keys, periods, reps], names=["key", "period", "replication"])
    wide = wide.reindex(full)
    counts = [c for c in wide.columns if c not in STATISTICS]
    wide[counts] = wide[counts].fillna(0.0)
    long = wide.stack(future_stack=True).rename("value").reset_index()
    long = long.rename(columns={long.columns[3]: "metric"})
    return long.set_index(["key", "period", "metric", "replication"])


def _by_month(scenario: Scenario, plan: Plan, kept: pd.DataFrame, reps: list[int]) -> pd.DataFrame:
    lo, hi = scenario.warmup_h, scenario.horizon_h
    origin = pd.Timestamp(scenario.start)
    first = (origin + pd.to_timedelta(lo, unit="h")).to_period("M")
    months = []
    month = first
    while (month.start_time - origin) / pd.Timedelta(hours=1) < hi:
        months.append(month)
        month += 1
    ends = [min(((m + 1).start_time - origin) / pd.Timedelta(hours=1), hi) for m in months]
    kept = kept.copy()
    kept["period"] = (origin + pd.to_timedelta(kept["arrive"], unit="h")).dt.to_period("M").astype(str)
    kept["key"] = kept["station"]
    wide = _statistics(kept)
    waiting = []
    for label, end in zip((str(m) for m in months), ends, strict=True):
        at_end = kept[(kept["arrive"] < end) & (~kept["began"] | (kept["start"] > end))]
        count = at_end.groupby(["key", "replication"]).size().rename("waiting_at_month_end").reset_index()
        count["period"] = label
        waiting.append(count)
    wide = wide.join(pd.concat(waiting).set_index(["key", "period", "replication"]), how="outer")
    stations = [s.name for s in plan.network.stations if s.kind in QUEUEING_KINDS]
    wide = wide[[*STATISTICS, "visits", "started", "waiting_at_month_end"]]
    return _long(wide, stations, [str(m) for m in months], reps)


def _by_traffic(scenario: Scenario, plan: Plan, kept: pd.DataFrame, reps: list[int]) -> pd.DataFrame:
    routes = [f for f in plan.network.flows if scenario.flows[f.flow].background]
    visited = {plan.network.stations[i].name for route in routes for i in route.stations}
    stations = [s.name for s in plan.network.stations if s.name in visited and s.kind in QUEUEING_KINDS]
    kept = kept[kept["station"].isin(stations)].copy()
    kept["key"], kept["period"] = kept["station"], kept["traffic"]
    wide = _statistics(kept)
    wide["waiting_at_horizon"] = wide["visits"] - wide["started"]
    wide = wide[[*STATISTICS, "visits", "waiting_at_horizon"]]
    return _long(wide, stations, ["modelled", "background"], reps)


def _by_class(plan: Plan, kept: pd.DataFrame, reps: list[int]) -> pd.DataFrame:
    classed = {s.name: s.classes for s in plan.network.stations if s.has_priority}
    kept = kept[kept["station"].isin(list(classed))].copy()
    kept["key"] = [f"{s} [{classed[s][k]}]" for s, k in zip(kept["station"], kept["klass"], strict=True)]
    kept["period"] = ""
    wide = _statistics(kept)
    wide["waiting_at_horizon"] = wide["visits"] - wide["started"]
    wide = wide[[*STATISTICS, "visits", "waiting_at_horizon"]]
    keys = [f"{name} [{c}]" for name, classes in classed.items() for c in classes]
    return _long(wide, keys, [""], reps)
