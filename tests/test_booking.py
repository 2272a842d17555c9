"""Booking slots given out in the Plan (:mod:`sim.booking`): per planned day, in creation order."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from sim.drawing import draw_plan
from sim.errors import InputError
from sim.network import build_network
from sim.plan import Plan
from sim.scenario import scenario_from_data
from tests.plans import base_data

CUT = (10 * 24.0, 20 * 24.0)
"""The slot cut (h): 10 slots a day -> 5 from day 10 to day 20."""


def _data(booking: int | None = 6) -> dict[str, Any]:
    """Port A -> canal C -> port B; ~11 ships a day, 0.9 of them want to book; 6 booking slots a day."""
    data = base_data(days=40)
    berths = {
        "count": 4,
        "rate": 2000.0,
        "rate_unit": "t/h",
        "variability": {"dist": "uniform", "low": 0.5, "high": 1.5},
    }
    for port in ("XXAAA", "XXBBB"):
        data["nodes"][port] = {"name": port, "kind": "port", "berths": {"bulk": dict(berths)}}
    canal: dict[str, Any] = {
        "slots_per_day": 10.0,
        "transit_h": 10.0,
        "classes": ["booked", "unbooked"],
        "reserved_share": {"booked": 0.6},
        "default_share": {"booked": 0.9, "unbooked": 0.1},
    }
    if booking is not None:
        canal["booking_slots"] = booking
    data["nodes"]["XXCNL"] = {"name": "Canal", "kind": "chokepoint", "chokepoint": canal}
    data["legs"] = {
        "ac": {
            "from": "XXAAA",
            "to": "XXCNL",
            "mode": "sea",
            "transit_h": 30.0,
            "variability": {"dist": "uniform", "low": 0.5, "high": 1.5},
        },
        "cb": {"from": "XXCNL", "to": "XXBBB", "mode": "sea", "transit_h": 30.0},
    }
    data["flows"]["f"] = {
        "commodity": "bulk",
        "annual_volume": 4.0e7,
        "volume_unit": "t",
        "parcel": {"dist": "uniform", "low": 5.0e3, "high": 1.5e4},
        "parcel_unit": "t",
        "arrivals": "poisson",
        "origin": "XXAAA",
        "destination": "XXBBB",
        "route": ["XXAAA", "XXCNL", "XXBBB"],
    }
    data["disruptions"] = {
        "cut": {"kind": "slots", "target": "XXCNL", "start_h": CUT[0], "end_h": CUT[1], "set": 5.0}
    }
    return data


def _plan(data: dict[str, Any]) -> Plan:
    scenario = scenario_from_data(data)
    return draw_plan(scenario, build_network(scenario), range(3), 11)


def _canal_visits(plan: Plan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Canal visits in Plan order: visit index, replication, planned day (created + earlier work, by hand)."""
    canal = next(s.index for s in plan.network.stations if s.kind == "chokepoint")
    visits, reps, days = [], [], []
    for ship in range(plan.n_shipments):
        first, last = int(plan.first_visit[ship]), int(plan.first_visit[ship + 1])
        arrival = 0.0
        for visit in range(first, last):
            if plan.visit_station[visit] == canal:
                visits.append(visit)
                reps.append(int(plan.shipment_rep[ship]))
                days.append(int((plan.created[ship] + arrival) // 24.0))
            arrival += float(plan.visit_work[visit])
    return np.array(visits), np.array(reps), np.array(days)


def _booking_limit(day: int) -> int:
    """floor(6 x slots / 10): 6 a day, 3 during the cut (it starts and ends at midnight)."""
    return 3 if CUT[0] <= day * 24.0 < CUT[1] else 6


def test_booked_ships_per_planned_day_never_exceed_the_booking_slots_and_go_in_creation_order() -> None:
    booked_plan, wanting_plan = _plan(_data()), _plan(_data(booking=None))
    assert booked_plan.visit_class is not None
    assert wanting_plan.visit_class is not None
    visits, reps, days = _canal_visits(booked_plan)
    booked = booked_plan.visit_class[visits] == 0
    wants = wanting_plan.visit_class[visits] == 0  # the same draws without booking slots: who wants to book
    assert not (booked & ~wants).any()  # only ships that want to book are booked
    full_days = 0
    for rep, day in {(int(r), int(d)) for r, d in zip(reps, days, strict=True)}:
        mine = (reps == rep) & (days == day)
        limit = _booking_limit(day)
        assert booked[mine].sum() <= limit
        # in creation order (Plan order): the first `limit` ships that want to book are booked, no others
        wanting = np.flatnonzero(mine & wants)
        np.testing.assert_array_equal(booked[wanting], np.arange(wanting.size) < limit)
        full_days += wanting.size > limit
    assert full_days > 10  # the test bites: many days have more ships wanting to book than slots
    # both booking limits are met on some day: 6 a day outside the cut, 3 inside
    assert {int(booked[(reps == r) & (days == d)].sum()) for r, d in zip(reps, days, strict=True)} >= {3, 6}


def test_booking_is_the_same_whatever_block_the_replication_is_drawn_in() -> None:
    scenario = scenario_from_data(_data())
    network = build_network(scenario)
    alone = draw_plan(scenario, network, [2], 11)
    together = draw_plan(scenario, network, range(3), 11).block(2, 3)
    assert alone.visit_class is not None
    assert together.visit_class is not None
    np.testing.assert_array_equal(alone.visit_class, together.visit_class)


def test_booking_slots_need_classes() -> None:
    data = _data()
    canal = data["nodes"]["XXCNL"]["chokepoint"]
    for key in ("classes", "reserved_share", "default_share"):
        del canal[key]
    with pytest.raises(InputError, match="booking_slots"):
        scenario_from_data(copy.deepcopy(data))


@pytest.mark.parametrize("shift_days", [0, 2**20 + 5])
def test_booking_counts_any_planned_day(shift_days: int) -> None:
    """Far days (past the counted range) are booked by the same rule: per day, the first six wanting."""
    from dataclasses import replace

    from sim.booking import booked_classes

    scenario = scenario_from_data(_data())
    wanting = _plan(_data(booking=None))
    assert wanting.visit_class is not None
    shifted = replace(wanting, created=wanting.created + 24.0 * shift_days)
    booked = booked_classes(scenario, shifted)
    assert booked is not None
    visits, reps, days = _canal_visits(shifted)
    wants = wanting.visit_class[visits] == 0
    for rep, day in {(int(r), int(d)) for r, d in zip(reps, days, strict=True)}:
        wanting_that_day = np.flatnonzero((reps == rep) & (days == day) & wants)
        limit = _booking_limit(day) if shift_days == 0 else 6
        np.testing.assert_array_equal(
            booked[visits[wanting_that_day]] == 0, np.arange(wanting_that_day.size) < limit
        )


def test_a_planned_arrival_that_is_not_finite_is_refused() -> None:
    from dataclasses import replace

    from sim.booking import booked_classes

    wanting = _plan(_data(booking=None))
    created = wanting.created.copy()
    created[:20] = np.nan  # some of them want to book
    with pytest.raises(ValueError, match="not finite"):
        booked_classes(scenario_from_data(_data()), replace(wanting, created=created))
