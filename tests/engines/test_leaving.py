"""Ships that leave a chokepoint's queue (``diversion: {leaves: true}``), worked on paper in both engines."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engines import ENGINES, get_engine
from sim.trace import first_difference
from tests.plans import hand_plan, leave_story

WORK_F = [1.0, 10.0, 1.0]
"""in, canal transit, out (h)."""
WORK_G = [10.0]
"""the canal transit of a flow whose route is the canal alone (h)."""


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_ships_leave_behind_a_queue_longer_than_the_threshold(engine: str) -> None:
    # six f ships reach the canal at 1 h together; half a day at 6 slots a day = 3 ships ahead accepted
    created = [0.0] * 6 + [8.0, 12.0]
    plan = hand_plan(leave_story(0.5), [(t, "f", WORK_F, [0.0] * 3) for t in created])
    trace = get_engine(engine)(plan)
    first = plan.first_visit[:-1]
    canal = first + 1
    # ships 0-3 stay (0, 1, 2, 3 ahead) and transit at 1, 5, 9, 13 h; ships 4 and 5 find 4 ahead and leave:
    # their canal visit never starts and ends at the instant they arrived; they never sail the exit leg
    np.testing.assert_array_equal(trace.start[canal], [1.0, 5.0, 9.0, 13.0, np.nan, np.nan, 17.0, 21.0])
    np.testing.assert_array_equal(trace.end[canal[4:6]], [1.0, 1.0])
    assert np.isnan(trace.arrive[canal[4:6] + 1]).all()
    # those that stayed: the canal ends after the transit, the exit leg follows
    np.testing.assert_array_equal(trace.end[canal[:4]], [11.0, 15.0, 19.0, 23.0])
    np.testing.assert_array_equal(trace.end[canal[:4] + 1], [12.0, 16.0, 20.0, 24.0])


def test_a_ship_whose_route_is_the_chokepoint_alone_leaves_at_its_creation(engine: str) -> None:
    # g ships are created at the canal; f ships reach it 1 h after their creation. Threshold 0: any ship
    # behind another leaves. At 1 h f0 (created at 0 h) and g0 (created at 1 h) arrive together: f0 is
    # first in creation order (the FIFO tie order), stays with nobody ahead and starts at once; g0 has f0
    # ahead (starting at 1 h: still waiting when g0 arrives) and leaves. g1 at 3 h: nobody waits, it stays
    # and starts at 5 h (the next slot); g2 at 4 h finds g1 waiting and leaves; g3 at 5 h finds g1 (starting
    # at 5 h: still ahead) and leaves; f1 reaches the canal at 6 h with nobody waiting and starts at 9 h.
    shipments = [
        (1.0, "g", WORK_G, [0.0]),
        (0.0, "f", WORK_F, [0.0] * 3),
        (3.0, "g", WORK_G, [0.0]),
        (4.0, "g", WORK_G, [0.0]),
        (5.0, "g", WORK_G, [0.0]),
        (5.0, "f", WORK_F, [0.0] * 3),
    ]
    plan = hand_plan(leave_story(0.0), shipments)
    trace = get_engine(engine)(plan)
    flows = [plan.network.flows[int(f)].name for f in plan.shipment_flow]
    assert flows == ["f", "g", "g", "g", "g", "f"]  # creation order
    canal = plan.first_visit[:-1] + np.array([1, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(trace.arrive[canal], [1.0, 1.0, 3.0, 4.0, 5.0, 6.0])
    np.testing.assert_array_equal(trace.start[canal], [1.0, np.nan, 5.0, np.nan, np.nan, 9.0])
    np.testing.assert_array_equal(trace.end[canal], [11.0, 1.0, 15.0, 4.0, 5.0, 19.0])
    np.testing.assert_array_equal(trace.end[plan.first_visit[[0, 5]] + 2], [12.0, 20.0])  # both f sail out


def test_the_engines_agree_on_a_crowd_that_leaves() -> None:
    rng = np.random.default_rng(7)
    created = np.sort(rng.integers(0, 200, 120)).astype(float)
    shipments = [
        (t, "f", WORK_F, [0.0] * 3) if k % 3 else (t, "g", WORK_G, [0.0]) for k, t in enumerate(created)
    ]
    plan = hand_plan(leave_story(1.0), shipments)
    reference = get_engine("reference")(plan)
    vector = get_engine("vector")(plan)
    assert first_difference(reference, vector, rtol=0.0) is None
    left = np.isnan(reference.start) & np.isfinite(reference.end)
    assert 10 < left.sum() < 100  # the story has a queue: some ships leave, most do not
