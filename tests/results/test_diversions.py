"""The ways shipments took, and the diversion KPIs, on the worked example of test_diversion.py (engines)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engines import get_engine
from sim.plan import Plan
from sim.results.diversions import diversion_kpis, routes_taken
from sim.results.kpis import kpis_by_replication
from sim.trace import Trace
from tests.plans import diversion_story, hand_plan

WORK = [1.0, 10.0, 1.0, 20.0, 30.0]


@pytest.fixture(scope="module")
def story() -> tuple[Plan, Trace]:
    # ships 0-3 transit, 4 and 5 divert (6 ships at the canal at 1 h, threshold 3 ships), 6 transits
    created = [0.0] * 6 + [8.0]
    plan = hand_plan(diversion_story(0.5), [(t, "f", WORK, [0.0] * 5) for t in created])
    return plan, get_engine("reference")(plan)


def test_each_shipment_keeps_the_visits_it_made(story: tuple[Plan, Trace]) -> None:
    plan, trace = story
    taken, times, diversions = routes_taken(plan, trace)
    assert diversions is not None
    names = [taken.network.stations[s].name for s in taken.visit_station]
    routes = [names[a:b] for a, b in zip(taken.first_visit[:-1], taken.first_visit[1:], strict=True)]
    assert routes[0] == ["leg:in", "chk:XXCNL", "leg:out"]
    assert routes[4] == ["leg:in", "leg:cape_in", "leg:cape_out"]  # no canal visit: it never transited
    assert not np.isnan(times.end[taken.first_visit[1:] - 1]).any()  # every last visit is the delivery
    np.testing.assert_array_equal(times.end[taken.first_visit[1:] - 1][[0, 4]], [12.0, 51.0])
    np.testing.assert_array_equal(diversions.diverted, [False] * 4 + [True, True, False])
    np.testing.assert_array_equal(diversions.extra_sailing_h[4:6], [39.0, 39.0])  # 20 + 30 - (10 + 1)


def test_diverted_ships_count_in_no_wait_at_the_canal(story: tuple[Plan, Trace]) -> None:
    plan, trace = story
    taken, times, _ = routes_taken(plan, trace)
    scenario = diversion_story(0.5)
    table = kpis_by_replication(scenario, taken, times)
    canal = table[(table.table == "stations") & (table.key == "chk:XXCNL")].set_index("metric").value
    assert canal["waiting_at_horizon"] == 0
    # waits 0, 4, 8, 12 (ships 0-3) and 9 - 9 + ... ship 6 arrives at 9 h and starts at 17 h: 8 h
    assert canal["wait_mean_h"] == pytest.approx((0 + 4 + 8 + 12 + 8) / 5)


def test_diversion_kpis_count_ships_and_extra_days(story: tuple[Plan, Trace]) -> None:
    plan, trace = story
    diversions = routes_taken(plan, trace)[2]
    assert diversions is not None
    table = diversion_kpis(diversions, (0.0, 720.0))
    by_flow = table[table.table == "diversions_by_flow"].set_index("metric").value
    assert by_flow["arrivals"] == 7
    assert by_flow["diversions"] == 2
    assert by_flow["diverted_share"] == pytest.approx(2 / 7)
    assert by_flow["extra_sailing_days"] == pytest.approx(78 / 24)
    assert by_flow["extra_sailing_days_mean"] == pytest.approx(39 / 24)
    station = table[table.table == "diversions_by_station"]
    assert set(station.key) == {"chk:XXCNL"}
    # a window that starts after the decisions at 1 h counts only the ship arriving at 9 h
    later = diversion_kpis(diversions, (2.0, 720.0)).set_index(["table", "metric"]).value
    assert later[("diversions_by_flow", "arrivals")] == 1
    assert later[("diversions_by_flow", "diversions")] == 0
