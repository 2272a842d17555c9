"""Diversion at a chokepoint, worked out on paper: who counts as ahead, ties, and the way round."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engines import ENGINES, get_engine
from sim.engines.vector.diversion import _Slots
from sim.network import diverts
from sim.schedule import windowed
from tests.plans import diversion_story, hand_plan

WORK = [1.0, 10.0, 1.0, 20.0, 30.0]
"""in, canal transit, out | cape_in, cape_out (h)."""


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_rule_counts_ships_against_days_of_slots() -> None:
    assert not diverts(3, 6.0, 0.5)  # 3 ships ahead are half a day at 6 a day: not more than the threshold
    assert diverts(4, 6.0, 0.5)
    assert diverts(1, 0.0, 2.0)  # a closed canal: any ship behind another diverts
    assert not diverts(0, 0.0, 2.0)  # the first in line waits for the slots to return
    assert not diverts(10**6, 0.0, np.inf)  # no diversion for its flow: never


def test_ships_ahead_include_those_arriving_in_the_same_instant_before_it(engine: str) -> None:
    # six ships reach the canal at 1 h together; threshold half a day = 3 ships at 6 slots a day
    created = [0.0] * 6 + [8.0, 12.0]
    plan = hand_plan(diversion_story(0.5), [(t, "f", WORK, [0.0] * 5) for t in created])
    trace = get_engine(engine)(plan)
    first = plan.first_visit[:-1]
    canal, detour = first + 1, first + 3
    # ships 0-3 stay (0, 1, 2, 3 ahead) and transit at 1, 5, 9, 13 h; ships 4 and 5 find 4 ahead and divert
    np.testing.assert_array_equal(trace.start[canal[:4]], [1.0, 5.0, 9.0, 13.0])
    assert np.isnan(trace.start[canal[4:6]]).all()
    np.testing.assert_array_equal(trace.arrive[detour[4:6]], [1.0, 1.0])  # round the cape at once
    np.testing.assert_array_equal(trace.end[detour[4:6] + 1], [51.0, 51.0])
    assert np.isnan(trace.arrive[canal[4:6] + 1]).all()  # never sail the canal's exit leg
    # at 9 h ship 2 (starting at 9, so still waiting) and ship 3 are ahead: 2, it stays, starts at 17 h;
    # at 13 h ships 3 (at 13) and 6 (at 17): 2 again, it starts at 21 h
    np.testing.assert_array_equal(trace.start[canal[6:]], [17.0, 21.0])
    assert np.isnan(trace.arrive[detour[:4]]).all()
    assert np.isnan(trace.arrive[detour[6:]]).all()


def test_threshold_zero_diverts_every_ship_behind_another(engine: str) -> None:
    plan = hand_plan(diversion_story(0.0), [(t, "f", WORK, [0.0] * 5) for t in (0.0, 0.0, 3.0, 4.0)])
    trace = get_engine(engine)(plan)
    first = plan.first_visit[:-1]
    # ship 0 transits at 1 h; ship 1 (same instant, 1 ahead) diverts; ship 2 arrives at 4 h with nobody
    # waiting (ship 0 started at 1 h) and transits at 5 h; ship 3 arrives at 5 h as ship 2 starts: ahead
    np.testing.assert_array_equal(trace.start[first + 1], [1.0, np.nan, 5.0, np.nan])
    np.testing.assert_array_equal(np.isfinite(trace.arrive[first + 3]), [False, True, False, True])


@settings(max_examples=200, deadline=None)
@given(
    windows=st.lists(
        st.tuples(st.integers(0, 100), st.integers(1, 50), st.sampled_from([0.0, 3.0, 12.0])), max_size=4
    ),
    times=st.lists(st.one_of(st.integers(0, 200).map(float), st.floats(0.0, 200.0)), min_size=1),
)
def test_the_kernels_slot_lookups_are_the_schedules(
    windows: list[tuple[int, int, float]], times: list[float]
) -> None:
    cuts, at = [], 0.0
    for gap, length, value in windows:  # disjoint windows, as scenarios give them
        cuts.append((at + gap, at + gap + length, value))
        at += gap + length
    schedule = windowed(6.0, [(float(a), float(b), v) for a, b, v in cuts])
    slots = _Slots(schedule)
    for t in times + [float(x) for x in schedule.times]:
        assert slots.at(t) == schedule.at(t)
        assert slots.next_positive(t) == schedule.next_positive(t)
