"""Where the reference engine departs from its own documented rules (strict xfail: each shows the problem).

Both are reported to the lead; when the reference is changed, the test starts passing and ``strict`` makes
the run fail until the marker is removed. The vector engine follows the documented rule in each case.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engines import get_engine
from sim.network import Network, Station
from sim.plan import Plan
from sim.schedule import Schedule, windowed


def _plan(stations: tuple[Station, ...], shipments: list[tuple[float, list[int], list[float]]]) -> Plan:
    steps = [len(route) for _, route, _ in shipments]
    n = len(shipments)
    return Plan(
        network=Network(stations, (), (), 100.0),
        seed=0,
        replications=(0,),
        rep_first=np.array([0, n]),
        shipment_rep=np.zeros(n, dtype=np.int64),
        shipment_id=np.arange(n, dtype=np.int64),
        shipment_flow=np.zeros(n, dtype=np.int64),
        created=np.array([c for c, _, _ in shipments]),
        tonnes=np.ones(n),
        teu=np.zeros(n),
        free_flow_h=np.array([sum(w) for _, _, w in shipments]),
        first_visit=np.concatenate([[0], np.cumsum(steps)]).astype(np.int64),
        visit_station=np.array([s for _, route, _ in shipments for s in route], dtype=np.int64),
        visit_work=np.array([x for _, _, w in shipments for x in w]),
        visit_size=np.zeros(sum(steps)),
    )


@pytest.mark.xfail(
    strict=True, reason="reference decides at Y before a same-instant arrival through zero-work visits"
)
def test_an_arrival_through_zero_work_visits_keeps_its_fifo_place() -> None:
    # A (created first) reaches Y at t=0 through two zero-work berths; B (created second) arrives at Y at
    # t=0 directly. FIFO by (arrival, creation order) puts A first; the reference's decision at Y runs
    # after A's first zero-work hop but before its second and gives the berth to B. Zero work arises from a
    # bulk commodity at a TEU/h pool without overhead, or a variability of 0.
    berths = tuple(Station(i, name, "berth", "N", Schedule.constant(1), 1) for i, name in enumerate("XZY"))
    plan = _plan(berths, [(0.0, [0, 1, 2], [0.0, 0.0, 5.0]), (0.0, [2], [5.0])])
    trace = get_engine("reference")(plan)
    assert trace.start[[2, 3]].tolist() == [0.0, 5.0]
    assert get_engine("vector")(plan).start[[2, 3]].tolist() == [0.0, 5.0]


@pytest.mark.xfail(strict=True, raises=ZeroDivisionError, reason="reference divides by a speed factor of 0")
def test_a_leg_with_speed_factor_zero_does_not_crash() -> None:
    # The schema accepts a speed disruption with scale 0; the reference raises ZeroDivisionError. Whether a
    # stopped leg means "never arrives" (work / 0 = inf, what the vector engine does) or "wait until the
    # speed returns" is for the model to say.
    leg = Station(0, "leg:x", "leg", "N", windowed(1.0, [(0.0, 10.0, 0.0)]), 1.0)
    plan = _plan((leg,), [(1.0, [0], [4.0])])
    trace = get_engine("reference")(plan)
    assert np.isnan(trace.end[0])
