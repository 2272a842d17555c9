"""The KPIs as computed before :mod:`sim.results.kpis` used array reductions: pandas group-bys over strings.

Kept, unchanged but for this paragraph, so that ``test_kpis_reference.py`` can compare the two on every
library scenario until this copy is deleted; it follows the KPI semantics of the code it replaced as
merged (utilisation over each replication's own capacity under random disruptions; dwells do not queue).
Not used by ``sim``.

Key performance indicators per replication, and their means with 95% confidence intervals.

Everything is measured over the window [warm-up, horizon]:

- throughput (by commodity, flow, destination, and by commodity and calendar month): tonnes, TEU and
  shipments delivered inside the window, and the same per year;
- transit (by flow): time from creation to delivery of shipments created after the warm-up and delivered
  before the horizon — mean, p50, p95 — and delay over free-flow time (mean, p95);
- stations: waiting time before service (mean, p95, max) of the visits that arrived in the window and
  started by the horizon, and the number of visits that arrived in the window and are still waiting at the
  horizon (``waiting_at_horizon``; their waits are censored — see :mod:`sim.results.waits`, the definition
  the analysis tables share); time-average queue length and number present, arrival rate, and utilisation
  (busy berth-hours over available berth-hours; load over capacity of departures; transits over slots).

Per-replication values are kept in long form (``table, key, period, metric, replication, value``) so that
comparisons can pair replications; :func:`summarise` gives mean, std and a Student-t 95% interval.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from sim.network import Network, Station
from sim.plan import Plan
from sim.results.intervals import half_width
from sim.results.waits import QUEUEING_KINDS, WAIT_METRICS, wait_statistics, window_waits
from sim.scenario.model import Scenario

__all__ = ["kpis_by_replication", "summarise"]

HOURS_PER_YEAR = 8760.0
KEYS = ["table", "key", "period", "metric"]


def kpis_by_replication(
    scenario: Scenario, plan: Plan, shipments: pd.DataFrame, visits: pd.DataFrame
) -> pd.DataFrame:
    """All KPIs, one row per (table, key, period, metric, replication)."""
    replications = list(plan.replications)
    network = plan.network
    window = (scenario.warmup_h, scenario.horizon_h)
    parts = [
        _throughput(shipments, window, replications, by, f"throughput_by_{name}")
        for name, by in (("commodity", "commodity"), ("flow", "flow"), ("destination", "destination"))
    ]
    parts.append(_monthly(scenario, shipments, window, replications))
    parts.append(_transit(shipments, window))
    parts.append(_stations(network, visits, plan.visit_size, window, replications))
    if plan.capacity_by_rep:  # random disruptions: each replication's own available capacity
        parts[-1] = _random_utilisation(parts[-1], plan, window)
    table = pd.concat(parts, ignore_index=True)
    return table[[*KEYS, "replication", "value"]]


def _full_index(keys: list[str], replications: list[int]) -> pd.MultiIndex:
    return pd.MultiIndex.from_product([keys, replications], names=["key", "replication"])


def _throughput(
    shipments: pd.DataFrame, window: tuple[float, float], replications: list[int], by: str, table: str
) -> pd.DataFrame:
    start, end = window
    done = shipments[(shipments["delivered"] >= start) & (shipments["delivered"] <= end)]
    grouped = done.groupby([by, "replication"], observed=False).agg(
        tonnes=("tonnes", "sum"), teu=("teu", "sum"), shipments=("tonnes", "size")
    )
    grouped.index = grouped.index.set_names(["key", "replication"])
    keys = [str(k) for k in shipments[by].cat.categories]
    grouped = grouped.reindex(_full_index(keys, replications), fill_value=0.0)
    per_year = HOURS_PER_YEAR / (end - start)
    grouped["tonnes_per_year"] = grouped["tonnes"] * per_year
    grouped["teu_per_year"] = grouped["teu"] * per_year
    return _long(grouped, table)


def _long(wide: pd.DataFrame, table: str, period: str | pd.Series = "") -> pd.DataFrame:
    frame = wide.reset_index().melt(
        id_vars=[c for c in ("key", "period", "replication") if c in wide.index.names],
        var_name="metric",
        value_name="value",
    )
    frame["table"] = table
    if "period" not in frame:
        frame["period"] = period
    frame["value"] = frame["value"].astype(np.float64)
    frame["key"] = frame["key"].astype(str)
    return frame


def _month_labels(scenario: Scenario, hours: np.ndarray) -> np.ndarray:
    origin = np.datetime64(dt.datetime.combine(scenario.start, dt.time()), "s")
    moments = origin + (hours * 3600.0).astype("timedelta64[s]")
    return np.datetime_as_string(moments.astype("datetime64[M]"), unit="M")


def _monthly(
    scenario: Scenario, shipments: pd.DataFrame, window: tuple[float, float], replications: list[int]
) -> pd.DataFrame:
    start, end = window
    done = shipments[(shipments["delivered"] >= start) & (shipments["delivered"] <= end)].copy()
    done["period"] = _month_labels(scenario, done["delivered"].to_numpy())
    grouped = done.groupby(["commodity", "period", "replication"], observed=True).agg(
        tonnes=("tonnes", "sum"), teu=("teu", "sum"), shipments=("tonnes", "size")
    )
    grouped.index = grouped.index.set_names(["key", "period", "replication"])
    months = np.unique(_month_labels(scenario, np.linspace(start, end, 400)))
    commodities = [str(c) for c in shipments["commodity"].cat.categories]
    full = pd.MultiIndex.from_product(
        [commodities, months, replications], names=["key", "period", "replication"]
    )
    return _long(grouped.reindex(full, fill_value=0.0), "throughput_by_month")


def _transit(shipments: pd.DataFrame, window: tuple[float, float]) -> pd.DataFrame:
    start, end = window
    done = shipments[(shipments["created"] >= start) & (shipments["delivered"] <= end)].copy()
    done["transit"] = done["delivered"] - done["created"]
    delay = done["transit"] - done["free_flow_h"]
    # the two sides add the same hours in different orders: a difference of rounding size is no delay
    done["delay"] = delay.where(delay.abs() > 1e-9 * done["transit"].abs(), 0.0)
    grouped = done.groupby(["flow", "replication"], observed=True)
    wide = pd.DataFrame(
        {
            "transit_mean_h": grouped["transit"].mean(),
            "transit_p50_h": grouped["transit"].quantile(0.5),
            "transit_p95_h": grouped["transit"].quantile(0.95),
            "delay_mean_h": grouped["delay"].mean(),
            "delay_p95_h": grouped["delay"].quantile(0.95),
            "delivered": grouped["transit"].size().astype(np.float64),
        }
    )
    wide.index = wide.index.set_names(["key", "replication"])
    return _long(wide, "transit_by_flow")


def _overlap(a: np.ndarray, b: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    """Length of [a, b) ∩ window, with NaN ends read as 'still going at the horizon'."""
    lo, hi = window
    b = np.where(np.isnan(b), hi, b)
    return np.asarray(np.clip(np.minimum(b, hi) - np.maximum(a, lo), 0.0, None), dtype=np.float64)


def _stations(
    network: Network,
    visits: pd.DataFrame,
    sizes: np.ndarray,
    window: tuple[float, float],
    replications: list[int],
) -> pd.DataFrame:
    lo, hi = window
    span = hi - lo
    arrived = visits[visits["arrive"].notna()]
    arrive, start, end = (arrived[c].to_numpy() for c in ("arrive", "start", "end"))
    frame = pd.DataFrame(
        {
            "key": arrived["station"].astype(str).to_numpy(),
            "replication": arrived["replication"].to_numpy(),
            "queue": _overlap(arrive, start, window) / span,
            "present": _overlap(arrive, end, window) / span,
            "busy": _overlap(np.where(np.isnan(start), hi, start), end, window),
            "arrival": ((arrive >= lo) & (arrive < hi)).astype(np.float64) / span,
            "started": ((start >= lo) & (start <= hi)).astype(np.float64),
        }
    )
    frame["load"] = frame["started"] * sizes[visits["arrive"].notna().to_numpy()]
    sums = frame.groupby(["key", "replication"]).sum()
    names = [s.name for s in network.stations]
    sums = sums.reindex(_full_index(names, replications), fill_value=0.0)
    available = pd.Series({s.name: _available(s, window) for s in network.stations})
    keys = sums.index.get_level_values("key")
    used = np.where(
        _is_load_based(network, keys),
        sums["load"],
        np.where(_is_count_based(network, keys), sums["started"], sums["busy"]),
    )
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN: no capacity at all in the window
        utilisation = used / available.reindex(keys).to_numpy()
    wide = pd.DataFrame(
        {
            "queue_mean": sums["queue"],
            "in_system_mean": sums["present"],
            "arrivals_per_h": sums["arrival"],
            "utilisation": utilisation,
        },
        index=sums.index,
    )
    waits = wait_statistics(window_waits(visits, lo, hi)).rename_axis(["key", "replication"])
    wide = wide.join(waits[list(WAIT_METRICS)], how="left")
    queueing = [s.name for s in network.stations if s.kind in QUEUEING_KINDS]
    none_left = keys.isin(queueing) & wide["waiting_at_horizon"].isna()
    wide.loc[none_left, "waiting_at_horizon"] = 0.0  # no visit in the window: none still waiting
    return _long(wide, "stations")


def _random_utilisation(stations: pd.DataFrame, plan: Plan, window: tuple[float, float]) -> pd.DataFrame:
    """Utilisation of stations with random schedules over each replication's own available capacity."""
    out = stations.copy()
    for stored, schedules in enumerate(plan.capacity_by_rep):
        rep = plan.replications[stored]
        for index, schedule in schedules.items():
            station = plan.network.stations[index]
            own = _available(dataclasses.replace(station, capacity=schedule), window) or np.nan
            rows = (
                (out["key"] == station.name) & (out["replication"] == rep) & (out["metric"] == "utilisation")
            )
            out.loc[rows, "value"] = out.loc[rows, "value"] * _available(station, window) / own
    return out


def _is_load_based(network: Network, keys: pd.Index) -> np.ndarray:
    services = {s.name for s in network.stations if s.kind == "service"}
    return np.asarray(keys.isin(list(services)), dtype=bool)


def _is_count_based(network: Network, keys: pd.Index) -> np.ndarray:
    chokepoints = {s.name for s in network.stations if s.kind == "chokepoint"}
    return np.asarray(keys.isin(list(chokepoints)))


def _available(station: Station, window: tuple[float, float]) -> float:
    """Capacity available in the window: berth-hours, departure capacity, or transit slots."""
    lo, hi = window
    if station.kind == "berth":
        return station.capacity.integral(lo, hi)
    if station.kind == "chokepoint":
        return station.capacity.integral(lo, hi) / 24.0
    if station.kind == "service":
        departures = station.departures_between(lo, hi)
        return float(station.capacity.at_many(departures).sum())
    return float("nan")


def summarise(by_replication: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation, count and Student-t confidence interval of each KPI over replications.

    The interval (:func:`sim.results.intervals.half_width`) is NaN when fewer than two replications give a
    value.
    """
    grouped = by_replication.dropna(subset=["value"]).groupby(KEYS, sort=False)["value"]
    summary = grouped.agg(mean="mean", std="std", n="size").reset_index()
    half = half_width(summary["std"].to_numpy(), summary["n"].to_numpy(), confidence)
    summary["ci_low"] = summary["mean"] - half
    summary["ci_high"] = summary["mean"] + half
    return summary
