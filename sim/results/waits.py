"""Waiting time before service: the one definition used by the KPIs, the analysis tables and the reports.

A visit to a queueing station (berth pool, scheduled service, chokepoint — legs and dwells do not queue)
waits from its arrival until its service starts. The observation window is [warm-up, horizon):

- the **wait statistics** (mean, p95, max) are over the visits whose whole wait lies in the window: they
  arrived at or after the warm-up, before the horizon, and started by the horizon;
- visits that arrived in the window but are **still waiting at the horizon** are right-censored — their wait
  is only known to exceed ``horizon − arrive`` — and are left out of the statistics but counted, as
  ``waiting_at_horizon``, beside every wait statistic.

Leaving censored waits out biases the mean low when a queue is still standing at the horizon (a closure or a
strike near the end of the run); the count tells the reader when that happens and how large it is compared
with the visits per replication. Counting the censored visits with the horizon as their start instead would
mix finished waits with lower bounds, make the p95 and max depend on where the run stops, and still be
biased low; a Kaplan–Meier estimate would need more visits than a station sees near the horizon.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import BoolArray, FloatArray

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["QUEUEING_KINDS", "WAIT_METRICS", "in_wait_window", "wait_statistics", "window_waits"]

QUEUEING_KINDS = ("berth", "service", "chokepoint")
"""Station kinds where a visit can wait (legs and dwells are pure delays)."""

WAIT_METRICS = ("wait_mean_h", "wait_p95_h", "wait_max_h", "waiting_at_horizon")
"""The per-replication wait statistics of :func:`wait_statistics` that the KPIs report."""


def in_wait_window(
    queueing: BoolArray, arrive: FloatArray, start: FloatArray, warmup_h: float, horizon_h: float
) -> tuple[BoolArray, BoolArray]:
    """Which visits are observed waits, and which of those started by the horizon.

    Parameters
    ----------
    queueing : ndarray of bool
        Whether each visit is at a queueing station (:data:`QUEUEING_KINDS`).
    arrive, start : ndarray of float64
        Arrival and service start (h; NaN when not reached by the horizon).
    warmup_h, horizon_h : float
        The observation window, hours from the scenario start.

    Returns
    -------
    keep : ndarray of bool
        The queueing visits that arrived in [warm-up, horizon).
    started : ndarray of bool
        For the kept visits, in order: service started by the horizon (the others are still waiting).
    """
    keep = queueing & (arrive >= warmup_h) & (arrive < horizon_h)  # NaN compares False
    return keep, (start <= horizon_h)[keep]


def window_waits(visits: pd.DataFrame, warmup_h: float, horizon_h: float) -> pd.DataFrame:
    """The queueing visits that arrived in the window [warm-up, horizon), with their waits.

    Parameters
    ----------
    visits : pandas.DataFrame
        The visits table (``replication, station, kind, arrive, start`` at least; times in hours, NaN when
        the event had not happened by the horizon).
    warmup_h, horizon_h : float
        The observation window, hours from the scenario start.

    Returns
    -------
    pandas.DataFrame
        One row per visit, in the visits' order: ``replication``, ``station`` and ``kind`` (str), ``arrive``
        and ``start`` (h), ``wait_h`` (start − arrive, h; NaN when still waiting at the horizon) and
        ``waiting`` (bool: still waiting at the horizon).
    """
    import pandas as pd

    arrive = visits["arrive"].to_numpy(np.float64)
    start = visits["start"].to_numpy(np.float64)
    queueing = visits["kind"].isin(QUEUEING_KINDS).to_numpy(dtype=bool)  # str or categorical
    keep, started = in_wait_window(queueing, arrive, start, warmup_h, horizon_h)
    out = pd.DataFrame(
        {
            "replication": visits["replication"].to_numpy()[keep],
            "station": visits["station"][keep].astype(str).to_numpy(),
            "kind": visits["kind"][keep].astype(str).to_numpy(),
            "arrive": arrive[keep],
            "start": np.where(started, start[keep], np.nan),
        }
    )
    out["wait_h"] = out["start"] - out["arrive"]
    out["waiting"] = ~started
    return out


def wait_statistics(waits: pd.DataFrame) -> pd.DataFrame:
    """Wait statistics of each station in each replication.

    Parameters
    ----------
    waits : pandas.DataFrame
        From :func:`window_waits`.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``station``, ``replication``), for the pairs with at least one visit in the window:
        ``wait_mean_h``, ``wait_p95_h``, ``wait_max_h`` (h, over the visits that started; NaN when none did),
        ``visits`` (visits that arrived in the window) and ``waiting_at_horizon`` (those of them still waiting
        at the horizon).
    """
    import pandas as pd

    grouped = waits.groupby(["station", "replication"], sort=True)
    wait = grouped["wait_h"]
    return pd.DataFrame(
        {
            "wait_mean_h": wait.mean(),
            "wait_p95_h": wait.quantile(0.95),
            "wait_max_h": wait.max(),
            "visits": wait.size().astype(np.float64),
            "waiting_at_horizon": grouped["waiting"].sum().astype(np.float64),
        }
    )
