"""Occupancy over time, reconstructed from visit times: berth utilisation by month and queue length.

Both are integrals of step functions. A berth pool is busy with ``n(t)`` shipments, the number whose service
interval ``[start, end)`` covers ``t``; a queue holds ``q(t)`` shipments, those with ``arrive <= t < start``.
The integral of a step function over ``[a, b)`` is the sum over intervals of their overlap with it, so both
reduce to clipped interval overlaps — no event loop, vectorised over visits. Visits not started (or not
finished) by the horizon count up to the horizon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.tables.run_data import RunData
from sim.analysis.tables.tidy import QUEUEING_KINDS
from sim.arrays import FloatArray

__all__ = ["monthly_utilisation", "overlap_hours", "queue_length", "time_average_queue"]


def overlap_hours(begin: FloatArray, end: FloatArray, edges: FloatArray) -> FloatArray:
    """Total overlap of intervals ``[begin_i, end_i)`` with each bin ``[edges_k, edges_k+1)``.

    Parameters
    ----------
    begin, end : ndarray, shape (n,)
        Interval bounds in hours (``end >= begin``).
    edges : ndarray, shape (m + 1,)
        Increasing bin edges in hours.

    Returns
    -------
    ndarray, shape (m,)
        Interval-hours inside each bin.
    """
    if begin.size == 0:
        return np.zeros(edges.size - 1)
    # Time covered before each edge, summed over intervals: sum_i clip(edge - begin_i, 0, end_i - begin_i).
    # Sorting turns that sum into two cumulative sums evaluated by searchsorted.
    covered = _covered_before(np.sort(begin), edges) - _covered_before(np.sort(end), edges)
    busy: FloatArray = np.maximum(np.diff(covered), 0.0)  # clip rounding noise of the prefix sums
    return busy


def _covered_before(times: FloatArray, edges: FloatArray) -> FloatArray:
    """``sum_i max(0, edge - t_i)`` for each edge, with ``times`` sorted."""
    count = np.searchsorted(times, edges, side="right")
    prefix = np.concatenate([[0.0], np.cumsum(times)])
    covered: FloatArray = count * edges - prefix[count]
    return covered


def _month_edges(run: RunData) -> tuple[pd.DatetimeIndex, FloatArray]:
    last = run.timestamps([run.horizon_h - 1e-9])[0]
    months = pd.period_range(run.start, last, freq="M").to_timestamp()
    bounds = months.append(pd.DatetimeIndex([months[-1] + pd.offsets.MonthBegin(1)]))
    hours = np.array([(b - run.start).total_seconds() / 3600.0 for b in bounds], dtype=np.float64)
    return months, np.clip(hours, 0.0, run.horizon_h)


def monthly_utilisation(run: RunData) -> pd.DataFrame:
    """Berth utilisation of every berth pool in every calendar month (warm-up months included).

    Utilisation is busy berth-hours divided by nominal berth-hours (``capacity`` berths × hours of the month
    inside the horizon), averaged over replications. Capacity cut by a disruption is not subtracted from the
    denominator, so a closure shows as low utilisation and a cut as utilisation of the nominal pool.

    Returns
    -------
    pandas.DataFrame
        Columns ``station``, ``node``, ``month`` (month start), ``utilisation`` (0–1), ``in_warmup``.
    """
    months, edges = _month_edges(run)
    berths = run.stations.loc[(run.stations["kind"] == "berth") & (run.stations["capacity"] > 0)]
    visits = run.visits.loc[(run.visits["kind"] == "berth") & run.visits["start"].notna()]
    groups = dict(tuple(visits.groupby("station")))
    reps = max(run.replications, 1)
    rows = []
    for station, node, capacity in berths[["station", "node", "capacity"]].itertuples(index=False):
        v = groups.get(station, visits.iloc[:0])
        start = v["start"].to_numpy(np.float64)
        end = np.minimum(v["end"].fillna(run.horizon_h).to_numpy(np.float64), run.horizon_h)
        busy = overlap_hours(start, end, edges) / reps
        with np.errstate(invalid="ignore", divide="ignore"):
            util = busy / (float(capacity) * np.diff(edges))
        rows.append(
            pd.DataFrame(
                {
                    "station": station,
                    "node": node,
                    "month": months,
                    "utilisation": util,
                    "in_warmup": edges[:-1] < run.warmup_h,
                }
            )
        )
    columns = ["station", "node", "month", "utilisation", "in_warmup"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)


def _waiting_intervals(run: RunData) -> pd.DataFrame:
    v = run.visits
    v = v.loc[v["kind"].isin(QUEUEING_KINDS) & v["arrive"].notna() & (v["arrive"] < run.horizon_h)]
    out = v[["replication", "station", "arrive"]].copy()
    out["until"] = np.minimum(v["start"].fillna(run.horizon_h), run.horizon_h)
    return out


def time_average_queue(run: RunData) -> pd.DataFrame:
    """Time-average number waiting at each queueing station over the measured window (Little's L_q).

    Returns
    -------
    pandas.DataFrame
        Columns ``station`` and ``queue_mean`` (shipments, mean over replications), largest first.
    """
    w = _waiting_intervals(run)
    begin = np.maximum(w["arrive"], run.warmup_h)
    hours = (w["until"] - begin).clip(lower=0.0)
    total = hours.groupby(w["station"]).sum() / (run.window_h * max(run.replications, 1))
    return total.rename("queue_mean").sort_values(ascending=False).rename_axis("station").reset_index()


def queue_length(run: RunData, stations: list[str], bin_h: float | None = None) -> pd.DataFrame:
    """Time-average queue length per time bin at the given stations (whole horizon, warm-up included).

    Parameters
    ----------
    run : RunData
        The run.
    stations : list of str
        Station names to reconstruct.
    bin_h : float or None
        Bin width in hours; by default daily (24 h) for horizons up to 90 days and weekly (168 h) beyond.

    Returns
    -------
    pandas.DataFrame
        Columns ``station``, ``time_h`` (bin start, h), ``date``, ``queue_mean`` (mean over replications of
        the time-average number waiting in the bin) and ``queue_p10`` / ``queue_p90`` (spread across
        replications). ``attrs`` holds ``bin_h`` and ``warmup_end`` (a timestamp) for the plot.
    """
    if bin_h is None:
        bin_h = 24.0 if run.horizon_h <= 90 * 24.0 else 168.0
    edges = np.append(np.arange(0.0, run.horizon_h, bin_h), run.horizon_h)
    w = _waiting_intervals(run)
    reps = sorted(run.shipments["replication"].unique())
    rows = []
    for station in stations:
        mine = w.loc[w["station"] == station]
        per_rep = np.zeros((len(reps), edges.size - 1))
        for i, rep in enumerate(reps):
            r = mine.loc[mine["replication"] == rep]
            per_rep[i] = overlap_hours(r["arrive"].to_numpy(), r["until"].to_numpy(), edges) / np.diff(edges)
        rows.append(
            pd.DataFrame(
                {
                    "station": station,
                    "time_h": edges[:-1],
                    "date": run.timestamps(edges[:-1]),
                    "queue_mean": per_rep.mean(axis=0),
                    "queue_p10": np.quantile(per_rep, 0.1, axis=0),
                    "queue_p90": np.quantile(per_rep, 0.9, axis=0),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    out.attrs.update(bin_h=bin_h, warmup_end=run.timestamps([run.warmup_h])[0])
    return out
