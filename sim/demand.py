"""Demand over time: the shipment arrival intensity of a flow, from annual volume, seasonality and parcels.

A flow ships ``annual_volume`` a year, spread over calendar months by its seasonality weights (see
:func:`volume_rate_h`: by default the weights are relative *rates*, so no weights means a constant rate;
with ``seasonality_basis: monthly_volume`` they are relative monthly *volumes*). The shipment
rate (per hour) is the volume rate divided by the mean parcel size. Where a parcel-limit window makes parcels
smaller, the rate rises to keep the volume. Arrival times come from inverting the cumulative intensity
``Lambda(t)``: unit-rate Poisson points (or evenly spaced points for regular arrivals) mapped through
``Lambda^-1``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.arrays import FloatArray

__all__ = ["MEAN_MONTH_DAYS", "Intensity", "month_starts_h", "volume_rate_h"]

MEAN_MONTH_DAYS = np.array([31, 28.2425, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.float64)
"""Days of each calendar month in the mean Gregorian year (365.2425 days; February 28.2425)."""


def volume_rate_h(annual_volume: float, weights: Sequence[float], basis: str, year: int, month: int) -> float:
    """A flow's volume per hour in a calendar month.

    ``basis="rate"``: the weights are relative rates; the rate in month m is ``w_m · k`` with ``k`` such that
    a mean Gregorian year carries ``annual_volume`` (``k = annual_volume / Σ w_i · days_i · 24``, February
    28.2425 days). Equal weights give one constant rate, whatever the month's length or the year.
    ``basis="monthly_volume"``: month m carries ``annual_volume · w_m / Σ w`` spread over its own days (so a
    short month runs hotter).
    """
    w = np.asarray(weights, dtype=np.float64)
    if basis == "monthly_volume":
        days = calendar.monthrange(year, month)[1]
        return float(annual_volume * w[month - 1] / w.sum() / (days * 24.0))
    return float(annual_volume * w[month - 1] / (24.0 * float(w @ MEAN_MONTH_DAYS)))


def month_starts_h(start: dt.date, horizon_h: float) -> FloatArray:
    """Hours from ``start`` of every calendar-month boundary inside ``(0, horizon_h)``, with 0 and horizon."""
    edges = [0.0]
    year, month = start.year, start.month
    origin = dt.datetime.combine(start, dt.time())
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        hours = (dt.datetime(year, month, 1) - origin).total_seconds() / 3600.0
        if hours >= horizon_h:
            break
        edges.append(hours)
    edges.append(horizon_h)
    return np.asarray(edges, dtype=np.float64)


@dataclass(frozen=True)
class Intensity:
    """A piecewise-constant arrival rate (shipments/h) on segments ``[edges[i], edges[i+1])``."""

    edges: FloatArray
    rates: FloatArray

    @cached_property
    def cumulative(self) -> FloatArray:
        """``Lambda`` at each edge (expected shipments since time 0; computed once)."""
        return np.concatenate([[0.0], np.cumsum(self.rates * np.diff(self.edges))])

    def invert(self, points: FloatArray) -> FloatArray:
        """Times ``t`` with ``Lambda(t) = points``, non-decreasing points (dropped past ``Lambda(horizon)``).

        By :func:`sim.inversion.invert_sorted` (a compiled pass, imported here: when a Plan is drawn).
        """
        from sim.inversion import invert_sorted

        points = np.asarray(points, dtype=np.float64)
        return invert_sorted(points, self.edges, self.rates, self.cumulative)
