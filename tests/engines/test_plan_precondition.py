"""Plans outside the engines' precondition (zero-time visits, stopped legs, missing classes) are refused.

Zero-time visits would make the order of same-instant decisions depend on event bookkeeping, so the model
excludes them: scenarios cannot produce them (tests/scenario/bad/*_zero.yaml) and the engines refuse
hand-made Plans that contain them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.engines import ENGINES, get_engine
from sim.network import FlowDiversion, FlowRoute, Network, Station
from sim.plan import Plan
from sim.schedule import Schedule, windowed
from tests.plans import HandShipment, assemble_plan


def _plan(stations: tuple[Station, ...], shipments: list[tuple[float, list[int], list[float]]]) -> Plan:
    network = Network(stations, (), (), 100.0)
    return assemble_plan(network, [[HandShipment(c, route, work) for c, route, work in shipments]])


def _diverting_plan(diversion: FlowDiversion) -> Plan:
    """One shipment through a chokepoint, a berth and a leg (stations 0-2); its flow has ``diversion``."""
    stations = (
        Station(0, "chk:C", "chokepoint", "N", Schedule.constant(6.0), 6.0),
        Station(1, "b", "berth", "N", Schedule.constant(1), 1),
        Station(2, "leg:x", "leg", "N", Schedule.constant(1.0), 1.0),
    )
    flow = FlowRoute(0, "f", (), (0, 1, 2), (), diversion)
    return assemble_plan(Network(stations, (flow,), (), 100.0), [[HandShipment(0.0, [0, 1, 2], [1.0] * 3)]])


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_zero_work_visit_is_refused(engine: str) -> None:
    berths = tuple(Station(i, name, "berth", "N", Schedule.constant(1), 1) for i, name in enumerate("XZY"))
    plan = _plan(berths, [(0.0, [0, 1, 2], [0.0, 0.0, 5.0]), (0.0, [2], [5.0])])
    with pytest.raises(ValueError, match="work > 0"):
        get_engine(engine)(plan)


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_leg_with_speed_factor_zero_is_refused(engine: str) -> None:
    leg = Station(0, "leg:x", "leg", "N", windowed(1.0, [(0.0, 10.0, 0.0)]), 1.0)
    plan = _plan((leg,), [(1.0, [0], [4.0])])
    with pytest.raises(ValueError, match="speed factor"):
        get_engine(engine)(plan)


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize(("at", "branch"), [(1, 2), (0, 2), (0, 1)])
def test_a_diversion_must_leave_a_chokepoint_by_a_leg(engine: str, at: int, branch: int) -> None:
    """Stations: a chokepoint, a berth, a leg. Only (0, 2) — decide at the chokepoint, leave by the leg —
    is a well-laid-out diversion; a berth as the decision point or as the alternative's first is refused."""
    plan = _diverting_plan(FlowDiversion(at, branch, 1.0, ()))
    if (at, branch) == (0, 2):
        get_engine(engine)(plan)
        return
    with pytest.raises(ValueError, match="starts with a leg"):
        get_engine(engine)(plan)


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize(("at", "branch"), [(0, 3), (0, 2), (1, 3)])
def test_ships_that_leave_have_no_alternative_laid_out(engine: str, at: int, branch: int) -> None:
    """The same stations; a diversion whose ships leave decides at the chokepoint and has nothing after the
    route: only (0, 3) is well laid out."""
    plan = _diverting_plan(FlowDiversion(at, branch, 1.0, (), leaves=True))
    if (at, branch) == (0, 3):
        get_engine(engine)(plan)
        return
    with pytest.raises(ValueError, match="none if its ships leave"):
        get_engine(engine)(plan)


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("classes", [(), ("hi", "lo")])
def test_a_visit_in_a_class_its_station_lacks_is_refused(engine: str, classes: tuple[str, ...]) -> None:
    berth = Station(0, "b", "berth", "N", Schedule.constant(1), 1, classes=classes)
    plan = _plan((berth,), [(0.0, [0], [1.0]), (0.0, [0], [1.0])])
    plan = dataclasses.replace(plan, visit_class=np.array([0, len(classes) or 1], dtype=np.int8))
    with pytest.raises(ValueError, match="is in class"):
        get_engine(engine)(plan)
