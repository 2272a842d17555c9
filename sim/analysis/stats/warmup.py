"""Warm-up detection with MSER-5 (White 1997; White, Cobb & Spratt 2000).

A simulation that starts empty under-states queues at first. MSER picks the truncation point ``d`` of an
output series that minimises the squared standard error of the mean of what is left,

    MSER(d) = Σ_{i>d} (Y_i − Ȳ_d)² / (n − d)²,

searching only the first half of the series (beyond it the statistic is unreliable). MSER-5 applies this to
means of non-overlapping batches of 5 observations, which smooths the series. Here the observations are the
mean waiting time of the shipments arriving in each time bin (e.g. per day), averaged over replications —
waits as the KPIs define them (:mod:`sim.results.waits`): visits still waiting at the horizon are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from sim.arrays import FloatArray
from sim.results.waits import window_waits

__all__ = ["ALL_STATIONS", "WarmupResult", "binned_series", "mser", "mser_warmup_hours", "warmup_report"]

ALL_STATIONS = "all queueing stations"


@dataclass(frozen=True)
class WarmupResult:
    """Where MSER truncates a series.

    Attributes
    ----------
    truncate : int
        Number of leading observations to discard (a multiple of ``batch_size``).
    batch_size : int
        Observations per batch (5 for MSER-5).
    n : int
        Length of the series (observations, before batching).
    statistic : ndarray
        MSER value for each candidate number of discarded batches.
    at_limit : bool
        True when the minimum sits at the end of the searched half: the run may be too short to warm up.
    """

    truncate: int
    batch_size: int
    n: int
    statistic: FloatArray
    at_limit: bool


def mser(series: ArrayLike, batch_size: int = 5) -> WarmupResult:
    """MSER-*b* truncation point of one output series.

    Parameters
    ----------
    series : array_like
        Observations in time order. NaN entries (empty bins) are dropped first.
    batch_size : int
        Observations averaged per batch (5 gives MSER-5; 1 gives plain MSER).

    Returns
    -------
    WarmupResult
        The truncation point in observations of the NaN-free series; 0 when there are fewer than two batches.
    """
    y = np.asarray(series, dtype=np.float64).ravel()
    y = y[np.isfinite(y)]
    k = y.size // batch_size
    if k < 2:
        return WarmupResult(0, batch_size, y.size, np.zeros(0), False)
    batches = y[: k * batch_size].reshape(k, batch_size).mean(axis=1)
    # Suffix sums give every candidate d in O(k).
    tail_sum = np.cumsum(batches[::-1])[::-1]
    tail_sq = np.cumsum((batches**2)[::-1])[::-1]
    remaining = np.arange(k, 0, -1, dtype=np.float64)
    sse = tail_sq - tail_sum**2 / remaining
    statistic = np.maximum(sse, 0.0) / remaining**2
    limit = k // 2
    d = int(np.argmin(statistic[: limit + 1]))
    return WarmupResult(d * batch_size, batch_size, y.size, statistic[: limit + 1], d == limit and limit > 0)


def binned_series(times: ArrayLike, values: ArrayLike, bin_h: float, horizon_h: float) -> FloatArray:
    """Mean of ``values`` per time bin of ``times``.

    Parameters
    ----------
    times : array_like
        Event times, hours from scenario start (e.g. arrival at a station).
    values : array_like
        Observation at each event (e.g. waiting hours); NaN entries are ignored.
    bin_h : float
        Bin width in hours.
    horizon_h : float
        End of the series in hours; events at or after it are ignored.

    Returns
    -------
    ndarray
        One mean per bin, NaN where a bin has no observation.
    """
    t = np.asarray(times, dtype=np.float64).ravel()
    v = np.asarray(values, dtype=np.float64).ravel()
    keep = np.isfinite(t) & np.isfinite(v) & (t >= 0) & (t < horizon_h)
    n_bins = max(1, math.ceil(horizon_h / bin_h))
    index = (t[keep] // bin_h).astype(np.int64)
    sums = np.bincount(index, weights=v[keep], minlength=n_bins)
    counts = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def mser_warmup_hours(
    times: ArrayLike, values: ArrayLike, horizon_h: float, bin_h: float = 24.0, batch_size: int = 5
) -> tuple[float, WarmupResult]:
    """MSER-*b* warm-up in hours for observations stamped with times.

    Parameters
    ----------
    times, values, horizon_h, bin_h
        As in :func:`binned_series`; pool all replications to get the across-replication mean per bin.
    batch_size : int
        Bins per MSER batch.

    Returns
    -------
    (float, WarmupResult)
        The warm-up in hours (start of the first kept bin) and the MSER details.
    """
    series = binned_series(times, values, bin_h, horizon_h)
    filled = np.flatnonzero(np.isfinite(series))
    result = mser(series, batch_size)
    if result.truncate == 0 or filled.size == 0:
        return 0.0, result
    return float(filled[result.truncate] * bin_h), result


def _verdict(detected_h: float, configured_h: float, at_limit: bool) -> str:
    if at_limit:
        return "no steady state found: the run may be too short or the system unstable"
    if detected_h > configured_h:
        return "configured warm-up looks too short"
    return "ok"


def warmup_report(
    visits: pd.DataFrame, horizon_h: float, warmup_h: float, top: int = 5, bin_h: float = 24.0
) -> pd.DataFrame:
    """MSER-5 on daily mean waiting time, for all queueing stations together and the busiest few.

    Parameters
    ----------
    visits : pandas.DataFrame
        The visits table (replications pooled: each day's value is the mean over every replication).
    horizon_h, warmup_h : float
        The run's horizon and configured warm-up, hours.
    top : int
        Also report the ``top`` stations with the most waiting hours.
    bin_h : float
        Bin width in hours.

    Returns
    -------
    pandas.DataFrame
        Columns ``station``, ``visits``, ``configured_warmup_h``, ``mser_warmup_h``, ``at_limit`` and
        ``verdict``. Seasonal demand (harvest peaks) also looks like a transient to MSER; read the verdict
        as a prompt to look at the queue-length plot, not as a rule.
    """
    queued = window_waits(visits, 0.0, horizon_h)  # the whole run: MSER looks for the transient
    waits = queued["wait_h"].to_numpy(np.float64)
    arrive = queued["arrive"].to_numpy(np.float64)
    stations = queued["station"].to_numpy()
    totals = pd.Series(waits).groupby(stations).sum().sort_values(ascending=False)
    groups = [(ALL_STATIONS, np.ones(arrive.size, dtype=bool))]
    groups += [(str(name), stations == name) for name in totals.index[:top] if totals[name] > 0]
    rows = []
    for name, mask in groups:
        hours, result = mser_warmup_hours(arrive[mask], waits[mask], horizon_h, bin_h)
        rows.append(
            {
                "station": name,
                "visits": int(mask.sum()),
                "configured_warmup_h": warmup_h,
                "mser_warmup_h": hours,
                "at_limit": result.at_limit,
                "verdict": _verdict(hours, warmup_h, result.at_limit),
            }
        )
    return pd.DataFrame(rows)
