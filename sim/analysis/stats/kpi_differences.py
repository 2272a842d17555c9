"""Paired comparison of KPIs between a base scenario and variants, replication by replication.

Input is the long per-replication KPI table every run produces (``kpis_by_replication``: table, key, period,
metric, replication, value). Runs made with the same seed use common random numbers — replication *r* of
every scenario sees the same parcels and arrivals on shared flows — so the KPIs are paired by replication and
compared with :func:`sim.analysis.stats.differences.paired_difference`. Runs with different seeds can be
compared with ``method="welch"`` instead.

The default selection follows what planners ask: throughput by commodity and by flow (t/yr), transit time by
flow (mean and p95, h), waiting time and utilisation by station, waiting time by priority class — with,
where there are any, the visits still waiting at the horizon, whose waits the mean leaves out
(:mod:`sim.results.waits`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.analysis.stats.differences import Difference, paired_difference, welch_difference

__all__ = [
    "COMPARISON_COLUMNS",
    "DEFAULT_KPIS",
    "PRECISION_KPIS",
    "SPARSE_METRICS",
    "compare_kpis",
    "kpi_label",
    "kpi_unit",
    "paired_precision",
    "select_kpis",
]

KEYS = ["table", "key", "period", "metric"]
DEFAULT_KPIS: tuple[tuple[str, str], ...] = (
    ("throughput_by_commodity", "tonnes_per_year"),
    ("throughput_by_flow", "tonnes_per_year"),
    ("transit_by_flow", "transit_mean_h"),
    ("transit_by_flow", "transit_p95_h"),
    ("stations", "wait_mean_h"),
    ("stations", "waiting_at_horizon"),
    ("stations", "utilisation"),
    ("throughput_by_traffic", "tonnes_per_year"),
    ("waits_by_traffic", "wait_mean_h"),
    ("route_choice", "share"),
    ("cost_by_commodity", "cost_usd_per_t"),
    ("cost_by_flow", "cost_usd_per_t"),
    ("emissions_by_commodity", "co2e_kg_per_t"),
    ("emissions_by_flow", "co2e_kg_per_t"),
    ("stations_by_class", "wait_mean_h"),
)
"""(table, metric) pairs compared by default (route shares, costs, emissions and waits by priority class
where a run has them)."""

SPARSE_METRICS = ("waiting_at_horizon",)
"""Counts that are zero at most stations: a row is kept only where either run has a non-zero value."""

PRECISION_KPIS: tuple[tuple[str, str], ...] = (
    ("throughput_by_commodity", "tonnes_per_year"),
    ("transit_by_flow", "transit_mean_h"),
)
"""(table, metric) pairs whose precision ``--precision`` controls by default."""

COMPARISON_COLUMNS = [
    "variant",
    *KEYS,
    "label",
    "unit",
    "n",
    "base_mean",
    "variant_mean",
    "diff",
    "diff_low",
    "diff_high",
    "relative",
    "relative_low",
    "relative_high",
    "significant",
    "method",
]

_UNITS = {
    "tonnes_per_year": "t/yr",
    "teu_per_year": "TEU/yr",
    "tonnes": "t",
    "teu": "TEU",
    "shipments": "shipments",
    "utilisation": "share",
    "queue_mean": "shipments",
    "in_system_mean": "shipments",
    "arrivals_per_h": "1/h",
    "waiting_at_horizon": "visits",
    "waiting_at_month_end": "visits",
    "visits": "visits",
    "started": "visits",
    "delivered": "shipments",
    "share": "share",
    "share_tonnes": "share",
    "probability": "share",
    "arrivals": "shipments",
    "diversions": "shipments",
    "diverted_share": "share",
    "left": "shipments",
    "left_share": "share",
    "left_tonnes": "t",
    "cost_usd_per_t": "US$/t",
    "cost_usd_per_teu": "US$/TEU",
    "co2e_kg_per_t": "kg CO2e/t",
    "co2e_kg_per_teu": "kg CO2e/TEU",
}
_TABLE_NAMES = {
    "throughput_by_commodity": "Throughput",
    "throughput_by_flow": "Throughput",
    "throughput_by_destination": "Throughput to",
    "throughput_by_month": "Monthly throughput",
    "transit_by_flow": "Transit",
    "stations": "Station",
    "stations_by_month": "Station by month",
    "stations_by_class": "Station by class",
    "throughput_by_traffic": "Throughput of",
    "waits_by_traffic": "Waits at",
    "route_choice": "Route",
    "diversions_by_flow": "Diverted",
    "diversions_by_station": "Diverted at",
    "left_by_flow": "Left",
    "left_by_station": "Left at",
    "cost_by_commodity": "Cost",
    "cost_by_flow": "Cost",
    "cost_by_route": "Cost",
    "emissions_by_commodity": "Emissions",
    "emissions_by_flow": "Emissions",
    "emissions_by_route": "Emissions",
}


def kpi_unit(metric: str) -> str:
    """Unit of a KPI metric, from its name (``*_h`` are hours)."""
    return "h" if metric.endswith("_h") else _UNITS.get(metric, "")


def kpi_label(table: str, key: str, period: str, metric: str) -> str:
    """Human label such as ``Transit · soy_png_tao · mean`` or ``Station · BRPNG/dry_bulk · wait mean``."""
    what = metric.removesuffix("_h").replace("_per_year", "").replace("transit_", "").replace("_", " ")
    where = f"{key} {period}".strip()
    return f"{_TABLE_NAMES.get(table, table)} · {where} · {what}"


def select_kpis(frame: pd.DataFrame, kpis: Iterable[tuple[str, str]] | None = DEFAULT_KPIS) -> pd.DataFrame:
    """Rows of a long KPI table whose (table, metric) is in ``kpis`` (all rows when ``kpis`` is None)."""
    if kpis is None:
        return frame
    wanted = pd.MultiIndex.from_tuples(list(kpis), names=["table", "metric"])
    chosen = pd.MultiIndex.from_frame(frame[["table", "metric"]]).isin(wanted)
    return frame.loc[chosen]


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    """Replications as rows, one column per KPI (table, key, period, metric)."""
    indexed = frame.drop_duplicates([*KEYS, "replication"]).set_index([*KEYS, "replication"])["value"]
    return indexed.unstack(KEYS)


def _row(kpi: tuple[str, ...], variant: str, result: Difference) -> dict[str, object]:
    table, key, period, metric = (str(part) for part in kpi)
    return {
        "variant": variant,
        "table": table,
        "key": key,
        "period": period,
        "metric": metric,
        "label": kpi_label(table, key, period, metric),
        "unit": kpi_unit(metric),
        "n": result.diff.n,
        "base_mean": result.base_mean,
        "variant_mean": result.variant_mean,
        "diff": result.diff.estimate,
        "diff_low": result.diff.low,
        "diff_high": result.diff.high,
        "relative": result.relative.estimate,
        "relative_low": result.relative.low,
        "relative_high": result.relative.high,
        "significant": result.significant,
        "method": result.method,
    }


def compare_kpis(
    base: pd.DataFrame,
    variant: pd.DataFrame,
    variant_name: str,
    kpis: Iterable[tuple[str, str]] | None = DEFAULT_KPIS,
    method: str = "paired",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Differences ``variant − base`` for every selected KPI, with intervals and a significance flag.

    Parameters
    ----------
    base, variant : pandas.DataFrame
        Long per-replication KPI tables (table, key, period, metric, replication, value).
    variant_name : str
        Name written in the ``variant`` column.
    kpis : iterable of (table, metric), or None
        KPIs to compare (default :data:`DEFAULT_KPIS`; None compares every KPI).
    method : {"paired", "welch"}
        ``paired`` pairs replications by number (common random numbers); ``welch`` treats the runs as
        independent.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per KPI with a value in either run, columns :data:`COMPARISON_COLUMNS`. A KPI found in one
        run only (a flow the variant adds) has NaN statistics and ``n`` 0.
    """
    if method not in ("paired", "welch"):
        raise ValueError(f"method must be 'paired' or 'welch'; got {method!r}")
    left, right = _wide(select_kpis(base, kpis)), _wide(select_kpis(variant, kpis))
    columns = left.columns.union(right.columns)
    if method == "paired":
        replications = left.index.intersection(right.index)
        left, right = left.reindex(replications), right.reindex(replications)
    rows = []
    for kpi in columns:
        x = left[kpi].to_numpy(np.float64) if kpi in left else np.full(len(left), np.nan)
        y = right[kpi].to_numpy(np.float64) if kpi in right else np.full(len(right), np.nan)
        if (
            method == "paired"
            and x.shape == y.shape
            and np.allclose(x, y, rtol=1e-12, atol=0.0, equal_nan=True)
        ):
            y = x  # equal up to floating-point rounding (e.g. a utilisation summed in another order)
        compute = paired_difference if method == "paired" else welch_difference
        result = compute(x, y, confidence)
        if result.diff.n == 0:  # a KPI of one run only (a new flow): still show its mean
            result = replace(result, base_mean=_mean(x), variant_mean=_mean(y))
        rows.append(_row(tuple(kpi), variant_name, result))
    out = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    out = out.loc[out["base_mean"].notna() | out["variant_mean"].notna()]  # e.g. legs have no waits
    zero = (out["base_mean"].fillna(0.0) == 0.0) & (out["variant_mean"].fillna(0.0) == 0.0)
    out = out.loc[~(out["metric"].isin(SPARSE_METRICS) & zero)]
    return _in_reading_order(out, kpis)


def _in_reading_order(table: pd.DataFrame, kpis: Iterable[tuple[str, str]] | None) -> pd.DataFrame:
    """Sort rows by the order of ``kpis`` (then table, metric, key, period)."""
    order = {pair: i for i, pair in enumerate(kpis or ())}
    rank = [order.get((t, m), len(order)) for t, m in zip(table["table"], table["metric"], strict=True)]
    ranked = table.assign(_rank=rank).sort_values(
        ["_rank", "table", "metric", "key", "period"], kind="stable"
    )
    return ranked.drop(columns="_rank").reset_index(drop=True)


def _mean(values: NDArray[np.float64]) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan


def paired_precision(values: NDArray[np.float64], confidence: float = 0.95) -> NDArray[np.float64]:
    """Relative precision of paired differences: half-width of ``variant − base`` over ``|base mean|``.

    Parameters
    ----------
    values : ndarray, shape (n_replications, 2 k)
        Base values of k KPIs in the first k columns, the variant's in the last k (same order).
    confidence : float
        Confidence level.

    Returns
    -------
    ndarray, shape (k,)
        Precision per KPI. A KPI whose base mean is zero or undefined, or with fewer than two complete pairs,
        cannot have a relative precision and reports 0 (it does not hold the sequence back).
    """
    k = values.shape[1] // 2
    out = np.zeros(k)
    for j in range(k):
        result = paired_difference(values[:, j], values[:, k + j], confidence)
        half, scale = result.diff.half_width, abs(result.base_mean)
        if math.isfinite(half) and math.isfinite(scale) and scale > 0:
            out[j] = half / scale
    return out
