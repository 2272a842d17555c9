"""Exact event times: timetables, slot spacing and capacity changes fire exactly when they say.

SimPy schedules an event at ``now + delay``; with ``delay = when - now`` that sum can miss ``when`` by an ulp
(``3.7 + (12.35 - 3.7) == 12.349999999999998``). A departure fired an ulp early then found itself still due
and ran twice. These stories pin the documented times, on every engine.
"""

from __future__ import annotations

import pytest

from sim.engines import ENGINES, get_engine
from tests.plans import canal_story, hand_plan, port_story, service_story

ENGINE_NAMES = sorted(ENGINES)


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_departure_runs_once_even_when_its_time_is_not_reachable_by_one_addition(engine: str) -> None:
    scenario = service_story(1.0, {"timetable": {"cycle_h": 24.0, "departures_h": [0.1, 3.7, 12.35]}})
    trace = get_engine(engine)(hand_plan(scenario, [(5.0, "f", [1.0], [1.0])] * 3))
    assert trace.start.tolist() == [12.35, 24.1, 27.7]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_transit_starts_exactly_one_spacing_after_the_previous(engine: str) -> None:
    # both created at 0; the leg before the canal (work 0.3 h, 0.49 h) brings them there at exactly 0.3, 0.49
    shipments = [(0.0, "f", [t, 1.0, 1.0], [0.0] * 3) for t in (0.3, 0.49)]
    trace = get_engine(engine)(hand_plan(canal_story(7.0), shipments))
    assert trace.start[1::3].tolist() == [0.3, 0.3 + 24.0 / 7.0]  # not 3.7285714285714286


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_slots_return_exactly_at_the_end_of_a_closure(engine: str) -> None:
    shut = {"shut": {"kind": "slots", "target": "XXCNL", "start_h": 0.28, "end_h": 2.77, "set": 0}}
    trace = get_engine(engine)(hand_plan(canal_story(24.0, shut), [(0.0, "f", [1.0, 1.0, 1.0], [0.0] * 3)]))
    assert trace.start[1] == 2.77  # at the canal


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_berths_reopen_exactly_at_the_end_of_a_closure(engine: str) -> None:
    shut = {"shut": {"kind": "berths", "target": "XXPRT", "start_h": 0.28, "end_h": 2.77, "set": 0}}
    trace = get_engine(engine)(hand_plan(port_story(1, shut), [(2.77, "f", [1.0], [0.0])]))
    assert trace.start.tolist() == [2.77]  # not 2.7700000000000005
