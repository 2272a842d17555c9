"""Tidy tables computed from a run's result files: the inputs of the plots and of the report.

Each function takes a :class:`~sim.analysis.tables.run_data.RunData` and returns a pandas DataFrame with one
row per observation unit (a month and commodity, a station, a shipment, a flow …). Values that vary between
replications carry the mean over replications and a 95 % t-interval (``*_low``, ``*_high``). Unless a
function says otherwise, only what happens after the warm-up counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.tables.run_data import HOURS_PER_YEAR, RunData
from sim.results.intervals import half_width
from sim.results.waits import QUEUEING_KINDS, wait_statistics, window_waits

__all__ = [
    "QUEUEING_KINDS",
    "flow_routes",
    "flow_summary",
    "monthly_throughput",
    "port_throughput",
    "replication_summary",
    "station_monthly_waits",
    "station_waiting",
    "transit_times",
]


def replication_summary(wide: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval (:func:`sim.results.intervals.half_width`) across replications, one row per column.

    Parameters
    ----------
    wide : pandas.DataFrame
        One row per replication, one column per quantity (NaN values are ignored).
    confidence : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``wide.columns``, with columns ``mean``, ``low``, ``high``, ``n``; bounds are NaN with
        fewer than two replications.
    """
    n = wide.notna().sum(axis=0).astype(float)
    mean = wide.mean(axis=0)
    sd = wide.std(axis=0, ddof=1)
    half = half_width(sd.to_numpy(), n.to_numpy(), confidence)
    return pd.DataFrame({"mean": mean, "low": mean - half, "high": mean + half, "n": n.astype(int)})


def _month_of(run: RunData, hours: pd.Series) -> pd.Series:
    stamps = run.timestamps(hours.to_numpy())
    return pd.Series(stamps.to_period("M").to_timestamp(), index=hours.index)


def monthly_throughput(run: RunData) -> pd.DataFrame:
    """Tonnes, TEU and shipments delivered per calendar month and commodity (warm-up months included).

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (month start), ``commodity``, ``tonnes``, ``tonnes_low``, ``tonnes_high`` (t per
        month, mean over replications), ``teu``, ``shipments``, ``month_hours`` (hours of the month inside the
        simulated horizon) and ``in_warmup`` (the month starts before the warm-up ends).
    """
    ships = run.shipments.loc[run.shipments["delivered"].notna()].copy()
    ships["month"] = _month_of(run, ships["delivered"])
    months = pd.period_range(run.start, run.timestamps([run.horizon_h - 1e-9])[0], freq="M").to_timestamp()
    commodities = sorted(run.shipments["commodity"].unique())
    reps = sorted(run.shipments["replication"].unique())
    full = pd.MultiIndex.from_product(
        [reps, months, commodities], names=["replication", "month", "commodity"]
    )
    sums = ships.groupby(["replication", "month", "commodity"])[["tonnes", "teu"]].sum()
    sums["shipments"] = ships.groupby(["replication", "month", "commodity"]).size()
    sums = sums.reindex(full, fill_value=0.0)
    tonnes = sums["tonnes"].unstack("replication").T
    summary = replication_summary(tonnes)
    out = summary.rename(columns={"mean": "tonnes", "low": "tonnes_low", "high": "tonnes_high"}).drop(
        columns="n"
    )
    means = sums.groupby(["month", "commodity"])[["teu", "shipments"]].mean()
    out = out.join(means).reset_index()
    start_h = (out["month"] - run.start) / pd.Timedelta(hours=1)
    end_h = (out["month"] + pd.offsets.MonthBegin(1) - run.start) / pd.Timedelta(hours=1)
    out["month_hours"] = np.minimum(end_h, run.horizon_h) - np.maximum(start_h, 0.0)
    out["in_warmup"] = start_h < run.warmup_h
    return out


def transit_times(run: RunData) -> pd.DataFrame:
    """Door-to-door time of every shipment created after the warm-up and delivered by the horizon.

    Returns
    -------
    pandas.DataFrame
        Columns ``replication``, ``shipment``, ``flow``, ``commodity``, ``tonnes``, ``transit_h`` (h),
        ``transit_days`` (d) and, when the run gives ``free_flow_h``, ``delay_h`` (transit minus free-flow
        time, h).
    """
    ships = run.shipments
    keep = ships["delivered"].notna() & (ships["created"] >= run.warmup_h)
    out = ships.loc[keep, ["replication", "shipment", "flow", "commodity", "tonnes"]].copy()
    out["transit_h"] = (ships["delivered"] - ships["created"])[keep]
    out["transit_days"] = out["transit_h"] / 24.0
    if "free_flow_h" in ships.columns:
        out["delay_h"] = out["transit_h"] - ships.loc[keep, "free_flow_h"]
    return out.reset_index(drop=True)


def station_waiting(run: RunData) -> pd.DataFrame:
    """Waiting time before service at every queueing station, after the warm-up.

    The definition is the KPIs' (:mod:`sim.results.waits`): waits of the visits that arrived in the window
    and started by the horizon; visits still waiting at the horizon are counted, not averaged.

    Returns
    -------
    pandas.DataFrame
        One row per station with a visit in the window, sorted by mean wait (longest first): ``station``,
        ``kind``, ``wait_mean_h`` with ``wait_low_h`` / ``wait_high_h`` (mean over replications of each
        replication's mean wait, 95 % CI; the KPI ``wait_mean_h``), ``wait_p95_h`` (pooled 95th percentile),
        ``visits_per_rep`` (visits that arrived in the window) and ``waiting_at_horizon`` (those of them still
        waiting at the horizon, per replication — right-censored waits, left out of the statistics; the KPI
        ``waiting_at_horizon``).
    """
    visits = window_waits(run.visits, run.warmup_h, run.horizon_h)
    per_rep = wait_statistics(visits)["wait_mean_h"].unstack("station")
    summary = replication_summary(per_rep)
    pooled = visits.groupby("station").agg(
        kind=("kind", "first"),
        wait_p95_h=("wait_h", _p95),
        visits=("wait_h", "size"),
        waiting=("waiting", "sum"),
    )
    out = summary.rename(columns={"mean": "wait_mean_h", "low": "wait_low_h", "high": "wait_high_h"})
    out = out.drop(columns="n").join(pooled)
    replications = max(run.replications, 1)
    out["visits_per_rep"] = out.pop("visits") / replications
    out["waiting_at_horizon"] = out.pop("waiting") / replications
    out.index.name = "station"
    return out.sort_values("wait_mean_h", ascending=False).reset_index()


def station_monthly_waits(run: RunData, stations: list[str]) -> pd.DataFrame:
    """Monthly waits at the given stations, from ``kpis.json`` (the KPI table ``stations_by_month``).

    Returns
    -------
    pandas.DataFrame
        One row per (station, month), stations in the order given, months in order: ``station``, ``month``
        (``YYYY-MM``), ``wait_mean_h`` with ``wait_low_h`` / ``wait_high_h`` (mean over replications and 95 %
        interval), ``wait_p95_h`` (mean over replications of each replication's 95th percentile) with
        ``wait_p95_low_h`` / ``wait_p95_high_h``, ``wait_max_h`` (mean over replications), ``visits`` (per
        replication, arrived in the month) and ``waiting_at_month_end`` (per replication). Empty when the
        run's ``kpis.json`` has no such table (runs written before it existed).
    """
    columns = ["station", "month", "wait_mean_h", "wait_low_h", "wait_high_h", "wait_p95_h"]
    columns += ["wait_p95_low_h", "wait_p95_high_h", "wait_max_h", "visits", "waiting_at_month_end"]
    records = run.kpis.get("tables", {}).get("stations_by_month", [])
    table = pd.DataFrame.from_records(
        records, columns=["key", "period", "metric", "mean", "ci_low", "ci_high"]
    )
    table = table[table["key"].isin(stations)]
    if table.empty:
        return pd.DataFrame(columns=columns)
    wide = table.pivot_table(index=["key", "period"], columns="metric", values="mean", dropna=False)
    out = wide.join(_bounds(table, "wait_mean_h", "wait_low_h", "wait_high_h"))
    out = out.join(_bounds(table, "wait_p95_h", "wait_p95_low_h", "wait_p95_high_h")).reset_index()
    out = out.rename(columns={"key": "station", "period": "month"})
    for name in columns:
        if name not in out:
            out[name] = np.nan
    out["order"] = out["station"].map({name: i for i, name in enumerate(stations)})
    return out.sort_values(["order", "month"])[columns].reset_index(drop=True)


def peak_wait_stations(run: RunData, top: int, kinds: tuple[str, ...] = ("berth", "chokepoint")) -> list[str]:
    """The ``top`` stations of the given kinds with the longest mean wait in their worst month.

    Ranked by the largest monthly mean wait (``stations_by_month``), so a station congested for a few weeks
    (a strike, a slot cut) ranks above one that is busy all year. Berth pools and chokepoints by default:
    at a scheduled service most of the wait is the wait for the next departure. Empty without the KPI.
    """
    records = run.kpis.get("tables", {}).get("stations_by_month", [])
    table = pd.DataFrame.from_records(records, columns=["key", "period", "metric", "mean"])
    kind = run.stations.set_index("station")["kind"].astype(str)
    table = table[(table["metric"] == "wait_mean_h") & table["key"].map(kind).isin(kinds)]
    peaks = table.groupby("key")["mean"].max().dropna()
    peaks = peaks[peaks > 0].sort_values(ascending=False, kind="stable")
    return [str(station) for station in peaks.index[:top]]


def _bounds(table: pd.DataFrame, metric: str, low: str, high: str) -> pd.DataFrame:
    """The 95 % interval of one metric of a long summarised table, by (key, period)."""
    rows = table[table["metric"] == metric].set_index(["key", "period"])[["ci_low", "ci_high"]]
    return rows.rename(columns={"ci_low": low, "ci_high": high})


def _p95(waits: pd.Series) -> float:
    observed = waits.dropna().to_numpy(np.float64)
    return float(np.quantile(observed, 0.95)) if observed.size else float("nan")


def port_throughput(run: RunData) -> pd.DataFrame:
    """Tonnes per year handled at each node's berth pools (loading and discharge), after the warm-up.

    Returns
    -------
    pandas.DataFrame
        One row per node of the network: ``node``, ``name`` (the node's name; its id in run directories
        written before names were stored), ``lat``, ``lon`` (degrees), ``role`` (``port`` when it has
        a berth pool, else ``chokepoint`` or ``hub``) and ``tonnes_per_year`` (t/yr over its berth pools, mean
        over replications; 0 for other nodes), sorted largest first.
    """
    v = run.visits
    v = v.loc[(v["kind"] == "berth") & (v["start"] >= run.warmup_h) & (v["start"] < run.horizon_h)]
    v = v.merge(run.shipments[["replication", "shipment", "tonnes"]], on=["replication", "shipment"])
    node_of = run.stations.set_index("station")["node"]
    tonnes = v.groupby(v["station"].map(node_of))["tonnes"].sum()
    scale = HOURS_PER_YEAR / run.window_h / max(run.replications, 1)
    kinds = run.stations.groupby("node")["kind"].agg(set)
    out = run.stations.drop_duplicates("node").set_index("node")[["lat", "lon"]].copy()
    names = run.stations.drop_duplicates("node").set_index("node").get("node_name")
    ids = pd.Series(out.index.astype(str), index=out.index)
    out.insert(0, "name", ids if names is None else names.reindex(out.index).fillna(ids))
    out["role"] = [_role(kinds[node]) for node in out.index]
    out["tonnes_per_year"] = tonnes.reindex(out.index, fill_value=0.0) * scale
    out.index.name = "node"
    return out.sort_values("tonnes_per_year", ascending=False).reset_index()


def _role(kinds: set[str]) -> str:
    if "berth" in kinds:
        return "port"
    return "chokepoint" if "chokepoint" in kinds else "hub"


def _route_nodes(run: RunData, stations: list[str], destination: str) -> list[str]:
    node_of = run.stations.set_index("station")["node"]
    nodes = [str(node_of.get(s, "")) for s in stations]
    last = stations[-1] if stations else ""
    if destination not in nodes and last.startswith("leg:") and "-" in last:
        nodes.append(last.split("-")[-1])  # a leg named leg:FROM-TO ends at TO
    nodes.append(destination)
    path = [n for n in nodes if n]
    return [n for i, n in enumerate(path) if i == 0 or n != path[i - 1]]


def flow_routes(run: RunData) -> pd.DataFrame:
    """Every flow's path over the map and its delivered tonnes per year.

    Returns
    -------
    pandas.DataFrame
        Columns ``flow``, ``commodity``, ``tonnes_per_year`` (t/yr delivered after the warm-up, mean over
        replications), ``nodes`` (list of node ids along the route) and ``lons`` / ``lats`` (lists of degrees;
        nodes without coordinates are skipped).
    """
    ships = run.shipments
    window = ships["delivered"].between(run.warmup_h, run.horizon_h, inclusive="left")
    scale = HOURS_PER_YEAR / run.window_h / max(run.replications, 1)
    tonnes = ships.loc[window].groupby("flow")["tonnes"].sum() * scale
    # a delivered ship's route where the flow has one (a ship that left made only part of it)
    undelivered = ships["delivered"].isna().to_numpy()
    first = ships.iloc[np.argsort(undelivered, kind="stable")].drop_duplicates("flow").set_index("flow")
    stations = run.stations.drop_duplicates("node").dropna(subset=["lat", "lon"])
    coords = {
        str(n): (float(la), float(lo))
        for n, la, lo in stations[["node", "lat", "lon"]].itertuples(index=False)
    }
    rows = []
    for flow, ship in first.iterrows():
        visits = run.visits
        mine = visits.loc[
            (visits["replication"] == ship["replication"]) & (visits["shipment"] == ship["shipment"])
        ]
        nodes = _route_nodes(run, mine.sort_values("seq")["station"].tolist(), str(ship["destination"]))
        if str(ship["origin"]) not in nodes:
            nodes.insert(0, str(ship["origin"]))
        placed = [n for n in nodes if n in coords]
        rows.append(
            {
                "flow": flow,
                "commodity": ship["commodity"],
                "tonnes_per_year": float(tonnes.get(flow, 0.0)),
                "nodes": nodes,
                "lons": [coords[n][1] for n in placed],
                "lats": [coords[n][0] for n in placed],
            }
        )
    return pd.DataFrame(rows).sort_values("tonnes_per_year", ascending=False, ignore_index=True)


def flow_summary(run: RunData) -> pd.DataFrame:
    """Throughput and transit time per flow, with 95 % intervals across replications.

    Returns
    -------
    pandas.DataFrame
        One row per flow: ``flow``, ``commodity``, ``tonnes_per_year`` (delivered in the window, t/yr) with
        ``tonnes_low`` / ``tonnes_high``, ``transit_mean_d`` with ``transit_low_d`` / ``transit_high_d``
        (mean over replications of each replication's mean, days) and ``transit_p95_d`` (pooled, days).
    """
    ships = run.shipments
    flows = ships.drop_duplicates("flow").set_index("flow")["commodity"].astype(str)
    window = ships["delivered"].between(run.warmup_h, run.horizon_h)
    per_year = HOURS_PER_YEAR / run.window_h
    tonnes = ships.loc[window].groupby(["replication", "flow"])["tonnes"].sum().unstack("flow")
    tonnes = tonnes.reindex(index=sorted(ships["replication"].unique()), columns=flows.index).fillna(0.0)
    throughput = replication_summary(tonnes * per_year)
    transit = transit_times(run)
    mean_days = transit.groupby(["replication", "flow"])["transit_days"].mean().unstack("flow")
    days = replication_summary(mean_days.reindex(columns=flows.index))
    out = pd.DataFrame(
        {
            "flow": flows.index.astype(str),
            "commodity": flows.to_numpy(),
            "tonnes_per_year": throughput["mean"].to_numpy(),
            "tonnes_low": throughput["low"].to_numpy(),
            "tonnes_high": throughput["high"].to_numpy(),
            "transit_mean_d": days["mean"].to_numpy(),
            "transit_low_d": days["low"].to_numpy(),
            "transit_high_d": days["high"].to_numpy(),
        }
    )
    p95 = transit.groupby("flow")["transit_days"].quantile(0.95)
    out["transit_p95_d"] = out["flow"].map(p95.set_axis(p95.index.astype(str)))
    return out.sort_values("tonnes_per_year", ascending=False, ignore_index=True)
