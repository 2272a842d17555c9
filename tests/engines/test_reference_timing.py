"""Exact event times: timetables, slot spacing and capacity changes fire exactly when they say.

SimPy schedules an event at ``now + delay``; with ``delay = when - now`` that sum can miss ``when`` by an ulp
(``3.7 + (12.35 - 3.7) == 12.349999999999998``). A departure fired an ulp early then found itself still due
and ran twice. These stories pin the documented times, on every engine.
"""

from __future__ import annotations

import pytest

from sim.engines import ENGINES, get_engine
from sim.scenario import scenario_from_data
from tests.engine.plans import hand_plan
from tests.factories import base_data

ENGINE_NAMES = sorted(ENGINES)


def _rail(departures: list[float], capacity: float) -> object:
    data = base_data(days=5.0)
    data["nodes"]["XXHUB"] = {"name": "Hub", "kind": "hub"}
    data["nodes"]["XXEND"] = {"name": "End", "kind": "hub"}
    data["services"] = {
        "train": {
            "from": "XXHUB",
            "to": "XXEND",
            "mode": "rail",
            "capacity": capacity,
            "capacity_unit": "TEU",
            "transit_h": 1.0,
            "timetable": {"cycle_h": 24.0, "departures_h": departures},
        }
    }
    data["flows"]["f"] = {
        "commodity": "box",
        "origin": "XXHUB",
        "destination": "XXEND",
        "annual_volume": 1.0,
        "volume_unit": "TEU",
        "parcel": {"dist": "fixed", "value": 1.0},
        "parcel_unit": "TEU",
    }
    return scenario_from_data(data)


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_departure_runs_once_even_when_its_time_is_not_reachable_by_one_addition(engine: str) -> None:
    scenario = _rail([0.1, 3.7, 12.35], capacity=1.0)
    trace = get_engine(engine)(hand_plan(scenario, [(5.0, "f", [1.0], [1.0])] * 3))
    assert trace.start.tolist() == [12.35, 24.1, 27.7]


def _canal(slots: float, disruptions: dict[str, object]) -> object:
    data = base_data(days=5.0)
    data["nodes"]["XXCNL"] = {
        "name": "Canal",
        "kind": "chokepoint",
        "chokepoint": {"slots_per_day": slots, "transit_h": 1.0},
    }
    data["nodes"]["XXAAA"] = {"name": "A", "kind": "hub"}
    data["legs"] = {"out": {"from": "XXCNL", "to": "XXAAA", "mode": "sea", "transit_h": 1.0}}
    data["flows"]["f"] = {
        "commodity": "bulk",
        "origin": "XXCNL",
        "destination": "XXAAA",
        "route": ["XXCNL", "XXAAA"],
        "annual_volume": 1.0,
        "volume_unit": "t",
        "parcel": {"dist": "fixed", "value": 1.0},
        "parcel_unit": "t",
    }
    data["disruptions"] = disruptions
    return scenario_from_data(data)


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_transit_starts_exactly_one_spacing_after_the_previous(engine: str) -> None:
    scenario = _canal(7.0, {})
    trace = get_engine(engine)(hand_plan(scenario, [(t, "f", [1.0, 1.0], [0.0, 0.0]) for t in (0.3, 0.49)]))
    assert trace.start[0::2].tolist() == [0.3, 0.3 + 24.0 / 7.0]  # not 3.7285714285714286


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_slots_return_exactly_at_the_end_of_a_closure(engine: str) -> None:
    shut = {"shut": {"kind": "slots", "target": "XXCNL", "start_h": 0.28, "end_h": 2.77, "set": 0}}
    trace = get_engine(engine)(hand_plan(_canal(24.0, shut), [(1.0, "f", [1.0, 1.0], [0.0, 0.0])]))
    assert trace.start[0] == 2.77


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_berths_reopen_exactly_at_the_end_of_a_closure(engine: str) -> None:
    data = base_data(days=5.0)
    data["nodes"]["XXPRT"] = {
        "name": "P",
        "kind": "port",
        "berths": {"bulk": {"count": 1, "rate": 1.0, "rate_unit": "t/h"}},
    }
    data["flows"]["f"] = {
        "commodity": "bulk",
        "origin": "XXPRT",
        "destination": "XXPRT",
        "route": ["XXPRT"],
        "annual_volume": 1.0,
        "volume_unit": "t",
        "parcel": {"dist": "fixed", "value": 1.0},
        "parcel_unit": "t",
    }
    data["disruptions"] = {
        "shut": {"kind": "berths", "target": "XXPRT", "start_h": 0.28, "end_h": 2.77, "set": 0}
    }
    trace = get_engine(engine)(hand_plan(scenario_from_data(data), [(2.77, "f", [1.0], [0.0])]))
    assert trace.start.tolist() == [2.77]  # not 2.7700000000000005
