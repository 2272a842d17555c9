"""Demand over time: the shipment arrival intensity of a flow, from annual volume, seasonality and parcels.

A flow ships ``annual_volume`` a year, spread over calendar months by its seasonality weights. The shipment
rate (per hour) is the volume rate divided by the mean parcel size. Where a parcel-limit window makes parcels
smaller, the rate rises to keep the volume. Arrival times come from inverting the cumulative intensity
``Lambda(t)``: unit-rate Poisson points (or evenly spaced points for regular arrivals) mapped through
``Lambda^-1``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray

__all__ = ["Intensity", "month_starts_h"]


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

    @property
    def cumulative(self) -> FloatArray:
        """``Lambda`` at each edge (expected shipments since time 0)."""
        return np.concatenate([[0.0], np.cumsum(self.rates * np.diff(self.edges))])

    def invert(self, points: FloatArray) -> FloatArray:
        """Times ``t`` with ``Lambda(t) = points`` (points beyond ``Lambda(horizon)`` are dropped)."""
        cumulative = self.cumulative
        points = points[points < cumulative[-1]]
        segment = np.searchsorted(cumulative, points, side="right") - 1
        segment = np.minimum(segment, self.rates.size - 1)
        # skip zero-rate segments: searchsorted 'right' already lands on the last segment with that Lambda
        return self.edges[segment] + (points - cumulative[segment]) / self.rates[segment]
