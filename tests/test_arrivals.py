"""Arrival processes in expected-shipment time (sim/arrivals.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.arrivals import unit_points
from sim.examples import one_port
from sim.rng import stream
from sim.scenario.flows import Flow


def _flow(arrivals: Any) -> Flow:
    return one_port(1, 10.0, 1.0, arrivals=arrivals).flows["f"]


def _old_poisson(total: float, generator: np.random.Generator) -> np.ndarray:
    """The Poisson points as drawn before renewal processes existed (common random numbers kept)."""
    blocks: list[np.ndarray] = []
    reached, block = 0.0, int(total * 1.1) + 16
    while reached < total:
        points = reached + np.cumsum(-np.log1p(-generator.random(block)))
        blocks.append(points)
        reached = float(points[-1])
    return np.concatenate(blocks)


def test_poisson_points_are_the_ones_drawn_before() -> None:
    got = unit_points(_flow("poisson"), 500.0, stream(1, 0, "arrivals", "f"))
    np.testing.assert_array_equal(got, _old_poisson(500.0, stream(1, 0, "arrivals", "f")))


@pytest.mark.parametrize("arrivals", ["poisson", "regular", {"process": "renewal", "cv": 2.0}])
def test_points_increase_and_reach_past_the_total(arrivals: Any) -> None:
    points = unit_points(_flow(arrivals), 300.0, stream(5, 2, "arrivals", "f"))
    assert (np.diff(points) >= 0).all()
    assert points[0] > 0
    assert points[-1] >= 300.0


def test_renewal_points_are_drawn_from_the_stream_alone() -> None:
    flow = _flow({"process": "renewal", "cv": 3.0})
    first = unit_points(flow, 200.0, stream(9, 1, "arrivals", "f"))
    again = unit_points(flow, 200.0, stream(9, 1, "arrivals", "f"))
    np.testing.assert_array_equal(first, again)


def test_bunched_renewal_gaps_have_the_asked_coefficient_of_variation() -> None:
    points = unit_points(_flow({"process": "renewal", "cv": 2.0}), 2e5, stream(3, 0, "arrivals", "f"))
    gaps = np.diff(points)
    # 2e5 gamma gaps of cv 2: the sample mean and cv are within a few percent (4+ standard errors)
    assert gaps.mean() == pytest.approx(1.0, rel=0.03)
    assert gaps.std() / gaps.mean() == pytest.approx(2.0, rel=0.05)
