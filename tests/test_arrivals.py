"""Arrival processes in expected-shipment time (sim/arrivals.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.arrivals import unit_points, unit_points_of
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


class _Slow:
    """A generator whose uniforms are a hundredth of its stream's: Poisson gaps so short that the first
    block of uniforms does not reach the total."""

    def __init__(self, rep: int) -> None:
        self._generator = stream(4, rep, "arrivals", "f")

    def random(self, size: int | None = None, out: np.ndarray | None = None) -> np.ndarray:
        drawn = self._generator.random(size=size, out=out) * 0.01
        if out is not None:
            out[:] = drawn
            return out
        return drawn


@pytest.mark.parametrize(
    "arrivals",
    [
        "poisson",
        "regular",
        {"process": "renewal", "cv": 2.0},
        {"process": "batch", "size": {"dist": "fixed", "value": 3}},
    ],
)
@pytest.mark.parametrize("total", [0.0, 0.5, 37.0, 800.0])
def test_points_of_several_streams_are_each_streams_own(arrivals: Any, total: float) -> None:
    """Drawn together, each replication's points are those its stream gives alone, bit for bit."""
    reps = [0, 3, 4, 10]
    if total == 0.0 and isinstance(arrivals, dict) and arrivals["process"] == "batch":
        with pytest.raises(ValueError, match="concatenate"):  # no batch below a total of 0: as drawn alone
            unit_points(_flow(arrivals), total, stream(8, 0, "arrivals", "f"))
        with pytest.raises(ValueError, match="concatenate"):
            unit_points_of(_flow(arrivals), total, [stream(8, 0, "arrivals", "f")])
        return
    together = unit_points_of(_flow(arrivals), total, [stream(8, r, "arrivals", "f") for r in reps])
    for rep, points in zip(reps, together, strict=True):
        np.testing.assert_array_equal(
            points, unit_points(_flow(arrivals), total, stream(8, rep, "arrivals", "f"))
        )
    assert unit_points_of(_flow(arrivals), total, []) == []


def test_poisson_streams_that_need_more_blocks_continue_on_their_own() -> None:
    reps = [1, 2]
    together = unit_points_of(_flow("poisson"), 300.0, [_Slow(r) for r in reps])  # type: ignore[list-item]
    for rep, points in zip(reps, together, strict=True):
        alone = unit_points(_flow("poisson"), 300.0, _Slow(rep))  # type: ignore[arg-type]
        np.testing.assert_array_equal(points, alone)
        assert points[-1] >= 300.0
        assert points.size > int(300.0 * 1.1) + 16  # more than one block
