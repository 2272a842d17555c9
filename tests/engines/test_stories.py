"""Small stories with exact answers, run on every engine: times a reader can work out by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.engines import ENGINES, get_engine
from tests.plans import canal_story, hand_plan, port_story, service_story

ENGINE_NAMES = sorted(ENGINES)


def _times(engine: str, scenario: Any, shipments: list[Any]) -> np.ndarray:
    trace = get_engine(engine)(hand_plan(scenario, shipments))
    return np.column_stack([trace.arrive, trace.start, trace.end])


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_fifo_ties_break_by_creation_order(engine: str) -> None:
    scenario = port_story(berths=1)
    times = _times(
        engine, scenario, [(5.0, "f", [2.0], [0.0]), (5.0, "f", [3.0], [0.0]), (5.0, "f", [1.0], [0.0])]
    )
    assert times[:, 1].tolist() == [5.0, 7.0, 10.0]
    assert times[:, 2].tolist() == [7.0, 10.0, 11.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_berth_freed_at_an_arrival_instant_is_taken_at_once(engine: str) -> None:
    times = _times(engine, port_story(berths=1), [(0.0, "f", [4.0], [0.0]), (4.0, "f", [1.0], [0.0])])
    assert times[1].tolist() == [4.0, 4.0, 5.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_closure_lets_the_ship_at_berth_finish_and_holds_the_next(engine: str) -> None:
    closure = {"shut": {"kind": "berths", "target": "XXPRT", "start_h": 5.0, "end_h": 20.0, "set": 0}}
    times = _times(
        engine,
        port_story(berths=1, disruptions=closure),
        [(0.0, "f", [10.0], [0.0]), (6.0, "f", [2.0], [0.0])],
    )
    assert times[0].tolist() == [0.0, 0.0, 10.0]  # not pre-empted
    assert times[1].tolist() == [6.0, 20.0, 22.0]  # waits for the reopening, not for the berth


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_berth_freed_an_ulp_after_a_closure_begins_waits_for_the_reopening(engine: str) -> None:
    """Found by the random contract: twelve 0.025-h calls from 215.7 h end, by repeated addition, at
    216.00000000000006 — just after a closure begins at 216 — so the thirteenth waits until 228. A prefix
    scan of the same sums ends one ulp *before* 216 and starts it at once."""
    closure = {"shut": {"kind": "berths", "target": "XXPRT", "start_h": 216.0, "end_h": 228.0, "set": 0}}
    scenario = port_story(berths=1, disruptions=closure)
    times = _times(engine, scenario, [(215.7, "f", [0.025], [0.0]) for _ in range(13)])
    free = 215.7
    for _ in range(12):
        free += 0.025
    assert free > 216.0  # the tie this story is about: the twelfth end is after the closure's start
    assert times[11, 2] == free
    assert times[12, 1:].tolist() == [228.0, 228.025]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_capacity_cut_below_the_busy_count_waits_for_enough_releases(engine: str) -> None:
    cut = {"cut": {"kind": "berths", "target": "XXPRT/bulk", "start_h": 1.0, "end_h": 100.0, "set": 1}}
    shipments = [(0.0, "f", [5.0], [0.0]), (0.0, "f", [8.0], [0.0]), (2.0, "f", [1.0], [0.0])]
    times = _times(engine, port_story(berths=2, disruptions=cut), shipments)
    # two busy, capacity now 1: the third starts only when busy < 1, i.e. when the second ends at 8
    assert times[2].tolist() == [2.0, 8.0, 9.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_full_departure_leaves_the_rest_for_the_next(engine: str) -> None:
    shipments = [(t, "f", [5.0], [1.0]) for t in (1.0, 2.0, 3.0)]
    times = _times(engine, service_story(capacity=2.0), shipments)
    assert times[:, 1].tolist() == [10.0, 10.0, 20.0]
    assert times[:, 2].tolist() == [15.0, 15.0, 25.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_the_head_of_the_queue_is_never_overtaken(engine: str) -> None:
    shipments = [(1.0, "f", [5.0], [1.5]), (2.0, "f", [5.0], [1.0]), (3.0, "f", [5.0], [0.5])]
    times = _times(engine, service_story(capacity=2.0), shipments)
    # 1.5 leaves at 10; 1.0 does not fit beside it, and 0.5 (which would) may not overtake it
    assert times[:, 1].tolist() == [10.0, 20.0, 20.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_an_oversize_shipment_leaves_alone_on_an_empty_departure(engine: str) -> None:
    shipments = [(1.0, "f", [5.0], [0.5]), (2.0, "f", [5.0], [3.0]), (3.0, "f", [5.0], [0.5])]
    times = _times(engine, service_story(capacity=2.0), shipments)
    assert times[:, 1].tolist() == [10.0, 20.0, 30.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_arriving_at_a_departure_instant_catches_it(engine: str) -> None:
    times = _times(engine, service_story(capacity=2.0), [(10.0, "f", [5.0], [1.0])])
    assert times[0].tolist() == [10.0, 10.0, 15.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_chokepoint_spaces_transit_starts_by_its_slots(engine: str) -> None:
    shipments = [(0.0, "f", [1.0, 10.0, 1.0], [0.0] * 3) for _ in range(3)]
    times = _times(engine, canal_story(slots=12.0), shipments)  # one start every 2 h
    canal = times[1::3]
    assert canal[:, 1].tolist() == [1.0, 3.0, 5.0]
    assert canal[:, 2].tolist() == [11.0, 13.0, 15.0]  # transits overlap: the canal is not a single berth


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_chokepoint_closure_holds_ships_until_slots_return(engine: str) -> None:
    closed = {"shut": {"kind": "slots", "target": "XXCNL", "start_h": 0.0, "end_h": 30.0, "set": 0}}
    times = _times(
        engine, canal_story(slots=24.0, disruptions=closed), [(0.0, "f", [1.0, 10.0, 1.0], [0.0] * 3)]
    )
    assert times[1].tolist() == [1.0, 30.0, 40.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_slow_steaming_window_stretches_legs_departing_inside_it(engine: str) -> None:
    slow = {"slow": {"kind": "speed", "target": "in", "start_h": 5.0, "end_h": 15.0, "scale": 0.5}}
    shipments = [(0.0, "f", [2.0, 10.0, 1.0], [0.0] * 3), (6.0, "f", [2.0, 10.0, 1.0], [0.0] * 3)]
    times = _times(engine, canal_story(slots=24.0, disruptions=slow), shipments)
    assert times[0].tolist() == [0.0, 0.0, 2.0]
    assert times[3].tolist() == [6.0, 6.0, 10.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_events_after_the_horizon_are_nan(engine: str) -> None:
    scenario = port_story(berths=1, days=1.0)  # horizon 24 h
    times = _times(engine, scenario, [(20.0, "f", [10.0], [0.0]), (22.0, "f", [1.0], [0.0])])
    assert times[0, :2].tolist() == [20.0, 20.0]
    assert np.isnan(times[0, 2])
    assert times[1, 0] == 22.0
    assert np.isnan(times[1, 1:]).all()


def test_a_replication_with_no_shipments_runs_and_tabulates() -> None:
    scenario = port_story(berths=1, days=1.0)  # 1 t a year: almost surely no arrival in a day
    result = sim.run(scenario, replications=3)
    assert result.plan.n_shipments == 0
    assert result.shipments.empty
    assert (result.kpis_by_replication.query("metric == 'shipments'")["value"] == 0).all()
