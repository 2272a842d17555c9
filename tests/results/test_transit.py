"""Transit and delay statistics by (flow, replication), from one compiled pass, equal a plain oracle."""

from __future__ import annotations

import numpy as np

from sim.results.transit import TRANSIT_METRICS, transit_statistics

WINDOW = (100.0, 900.0)


def _quantile(ordered: list[float], q: float) -> float:
    """pandas' group quantile: linear interpolation between order statistics."""
    position = q * (len(ordered) - 1)
    below = int(np.floor(position))
    fraction = position - below
    low, high = ordered[below], ordered[min(below + 1, len(ordered) - 1)]
    return low if fraction == 0.0 else low + (high - low) * fraction


def test_transit_statistics_equal_a_shipment_by_shipment_oracle() -> None:
    rng = np.random.default_rng(8)
    reps, n, flows = 3, 3000, 4
    rep_first = np.array([0, 900, 2100, n], dtype=np.int64)
    created = rng.uniform(0.0, 800.0, n)
    free_flow = np.round(rng.uniform(10.0, 200.0, n), 1)
    transit = free_flow + np.where(rng.random(n) < 0.3, 0.0, np.round(rng.exponential(20.0, n), 1))
    delivered = created + transit
    delivered[rng.random(n) < 0.1] = np.nan
    flow = rng.integers(0, flows, n)
    flow[rep_first[1] : rep_first[2]] = np.minimum(flow[rep_first[1] : rep_first[2]], 2)  # a flow without any
    got = transit_statistics(rep_first, created, delivered, free_flow, flow, flows, WINDOW)

    rep = np.repeat(np.arange(reps), np.diff(rep_first))
    want = np.full((len(TRANSIT_METRICS), flows * reps), np.nan)
    want[-1] = 0.0
    values: dict[int, list[tuple[float, float]]] = {}
    for row in range(n):
        if created[row] >= WINDOW[0] and delivered[row] <= WINDOW[1]:
            hours = delivered[row] - created[row]
            late = hours - free_flow[row]
            values.setdefault(flow[row] * reps + rep[row], []).append(
                (hours, late if abs(late) > 1e-9 * abs(hours) else 0.0)
            )
    for group, pairs in values.items():
        transits, delays = [p[0] for p in pairs], [p[1] for p in pairs]
        total_transit = total_delay = 0.0
        for hours, late in pairs:  # in the shipments' order
            total_transit += hours
            total_delay += late
        want[:, group] = [
            total_transit / len(pairs),
            _quantile(sorted(transits), 0.5),
            _quantile(sorted(transits), 0.95),
            total_delay / len(pairs),
            _quantile(sorted(delays), 0.95),
            len(pairs),
        ]
    assert (want[-1] == 0).any()  # an empty group: NaN statistics, no deliveries
    np.testing.assert_array_equal(got, want)
