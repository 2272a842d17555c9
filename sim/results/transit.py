"""Transit and delay of the shipments delivered in the window, by (flow, replication).

Over the shipments created after the warm-up and delivered by the horizon: the transit time (delivery −
creation, h) and the delay over the free-flow time (transit − free-flow, h; a difference of rounding size,
within 1e-9 of the transit, is no delay: the two sides add the same hours in different orders). One compiled
pass over the shipments (:func:`_transit_cells`) gives each counted shipment's values and group
(``flow * R + replication``) and each group's count and sums (in the Plan's order from 0, as ``np.bincount``
does); the quantiles are picked walking each kind of value in value order
(:func:`sim.results.groups.order_statistics`).
"""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.compiled import compiled
from sim.results.groups import interpolated, order_statistics, quantile_ranks
from sim.results.value_order import value_order

__all__ = ["TRANSIT_METRICS", "transit_statistics"]

TRANSIT_METRICS = (
    "transit_mean_h",
    "transit_p50_h",
    "transit_p95_h",
    "delay_mean_h",
    "delay_p95_h",
    "delivered",
)
"""The statistics of :func:`transit_statistics`, in order."""


def transit_statistics(
    rep_first: IntArray,
    created: FloatArray,
    delivered: FloatArray,
    free_flow_h: FloatArray,
    shipment_flow: IntArray,
    flows: int,
    window: tuple[float, float],
) -> FloatArray:
    """The statistics of :data:`TRANSIT_METRICS` of each (flow, replication), shape (6, flows × R).

    Parameters
    ----------
    rep_first : ndarray of int64
        Each stored replication's first shipment (R + 1 offsets).
    created, delivered, free_flow_h : ndarray of float64
        Each shipment's creation and delivery (h; NaN: not delivered by the horizon) and free-flow time (h).
    shipment_flow : ndarray of int
        Each shipment's flow (0 … ``flows`` − 1).
    flows : int
        Number of flows.
    window : tuple of float
        [warm-up, horizon] (h).

    Returns
    -------
    ndarray of float64
        Means and quantiles NaN for a group without shipments; ``delivered`` their count.
    """
    transit, delay, group, size, totals = _transit_cells(
        rep_first, created, delivered, free_flow_h, shipment_flow, window, flows
    )
    groups = group.reshape(-1, 1)
    transit_order, delay_order = value_order(transit), value_order(delay)
    picked = []
    for values, order, q in (
        (transit, transit_order, 0.5),
        (transit, transit_order, 0.95),
        (delay, delay_order, 0.95),
    ):
        at, nxt, fraction = quantile_ranks(size, q)
        low, high, _ = order_statistics(values, groups, order, at, nxt, size.size)
        picked.append(interpolated(low, high, fraction, size))
    with np.errstate(invalid="ignore", divide="ignore"):
        transit_mean, delay_mean = (np.where(size > 0, total / size, np.nan) for total in totals)
    return np.stack([transit_mean, picked[0], picked[1], delay_mean, picked[2], size.astype(np.float64)])


@compiled
def _transit_cells(
    rep_first: IntArray,
    created: FloatArray,
    delivered: FloatArray,
    free_flow_h: FloatArray,
    shipment_flow: IntArray,
    window: tuple[float, float],
    flows: int,
) -> tuple[FloatArray, FloatArray, IntArray, IntArray, FloatArray]:
    """The counted shipments' transits, delays and groups; each group's count and sums (transit, delay)."""
    lo, hi = window
    reps = rep_first.size - 1
    transit = np.empty(created.size, dtype=np.float64)
    delay = np.empty(created.size, dtype=np.float64)
    group = np.empty(created.size, dtype=np.int64)
    size = np.zeros(flows * reps, dtype=np.int64)
    totals = np.zeros((2, flows * reps), dtype=np.float64)
    found = 0
    for stored in range(reps):
        for row in range(rep_first[stored], rep_first[stored + 1]):
            if not (created[row] >= lo and delivered[row] <= hi):
                continue
            hours = delivered[row] - created[row]
            late = hours - free_flow_h[row]
            late = late if abs(late) > 1e-9 * abs(hours) else 0.0
            code = shipment_flow[row] * reps + stored
            size[code] += 1
            totals[0, code] += hours
            totals[1, code] += late
            transit[found], delay[found], group[found] = hours, late, code
            found += 1
    return transit[:found].copy(), delay[:found].copy(), group[:found].copy(), size, totals
