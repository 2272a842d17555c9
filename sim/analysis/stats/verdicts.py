"""Verdicts on a comparison's differences that the terminal and the report both state.

* :func:`identical` — the difference is zero in every replication (interval [0, 0]): the change did not touch
  the KPI (common random numbers give it the same value in both runs);
* :func:`too_wide` — a headline difference whose interval is too wide to tell the scenarios apart, so the
  reader is told to rerun with ``--precision``.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.stats.kpi_differences import PRECISION_KPIS

__all__ = ["WIDE_SHARE", "identical", "too_wide"]

WIDE_SHARE = 0.005
"""An interval narrower than this share of the base mean is precise enough to call a difference nil."""


def identical(table: pd.DataFrame) -> pd.Series:
    """Rows whose difference is zero in every replication (interval [0, 0])."""
    return (table["diff"] == 0) & (table["diff_low"] == 0) & (table["diff_high"] == 0)


def too_wide(table: pd.DataFrame) -> pd.DataFrame:
    """Headline differences (:data:`PRECISION_KPIS`) whose interval is too wide to tell the runs apart.

    A difference is too uncertain when its interval includes zero, is wider on each side than the difference
    itself, and is wider than :data:`WIDE_SHARE` of the base mean (so precisely estimated nil effects pass).
    """
    pairs = pd.MultiIndex.from_frame(table[["table", "metric"]])
    headline = pd.Series(pairs.isin(list(PRECISION_KPIS)), index=table.index)
    half = (table["diff_high"] - table["diff_low"]) / 2
    wide = (
        headline
        & ~table["significant"].astype(bool)
        & ~identical(table)
        & (half >= table["diff"].abs())
        & (half > WIDE_SHARE * table["base_mean"].abs())
    )
    return table.loc[wide]
