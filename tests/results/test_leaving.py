"""Ships that left a chokepoint's queue, in the results: the ways taken, KPIs, tables and the ledger.

The story (tests/plans.py ``leave_story``, threshold half a day = 3 ships at 6 slots a day, a transit every
4 h): six ``f`` ships (leg ``in`` 1 h, the canal 10 h, leg ``out`` 1 h) created at 0 h reach the canal at
1 h together; ``f0``-``f3`` stay (0-3 ahead) and start at 1, 5, 9, 13 h; ``f4`` and ``f5`` find 4 ahead and
leave at 1 h. ``g`` ships (route: the canal alone) are created at the canal: ``g0`` at 2 h finds 3 waiting
(f1-f3) and stays, starting at 17 h; ``g1`` at 3 h finds 4 (f1-f3, g0) and leaves — it made no visit.
Deliveries: f0-f3 at 12, 16, 20, 24 h; g0 at 27 h.

Ledger: sea freight US$5/t a leg, US$1,000 a canal transit, cargo worth US$876/t held at 100 %/yr (US$0.1
a tonne-hour); every ship carries 1 t.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.engines import ENGINES, get_engine
from sim.results.delivery import delivered_times, ended_times
from sim.results.diversions import routes_taken
from sim.results.kpis import kpis_by_replication
from sim.results.ledger import ledger_columns, shipment_ledger
from sim.results.ledger_kpis import ledger_kpis_by_replication
from sim.results.tables import shipments_table
from sim.runner import RunResult
from sim.scenario import Scenario, scenario_from_data
from tests.plans import hand_plan, leave_story

F, G = [1.0, 10.0, 1.0], [10.0]
LEFT = [False] * 4 + [True, True, False, True]
"""Ships in creation order: f0-f5, g0, g1."""


def _scenario() -> Scenario:
    data: dict[str, Any] = leave_story(0.5).model_dump(by_alias=True, exclude_none=True)
    data["costs"] = {
        "freight": {"sea": {"mode": "sea", "unit": "t", "usd_per_unit": 5.0}},
        "canals": {"canal": {"node": "XXCNL", "unit": "t", "usd_per_transit": 1000.0}},
        "cargo_values": {"bulk": {"usd_per_t": 876.0, "holding_rate_per_year": 1.0}},
    }
    return scenario_from_data(data)


@pytest.fixture(scope="module", params=sorted(ENGINES))
def story(request: pytest.FixtureRequest) -> RunResult:
    scenario = _scenario()
    shipments = [(0.0, "f", F, [0.0] * 3)] * 6 + [(2.0, "g", G, [0.0]), (3.0, "g", G, [0.0])]
    plan = hand_plan(scenario, shipments)
    trace = get_engine(str(request.param))(plan)
    taken, times, diversions = routes_taken(plan, trace)
    return RunResult(scenario, plan.network, taken, times, str(request.param), 0, 0.0, diversions)


def _kpi(table: pd.DataFrame, name: str, key: str) -> pd.Series:
    return table[(table.table == name) & (table.key == key)].set_index("metric").value


def test_a_ship_that_left_keeps_the_visits_before_the_chokepoint_and_no_others(story: RunResult) -> None:
    plan, trace = story.plan, story.trace
    assert plan.left is not None
    np.testing.assert_array_equal(plan.left, LEFT)
    names = [plan.network.stations[s].name for s in plan.visit_station]
    routes = [names[a:b] for a, b in zip(plan.first_visit[:-1], plan.first_visit[1:], strict=True)]
    assert routes[4] == routes[5] == ["leg:in"]  # sailed in, left at the canal
    assert routes[7] == []  # its route is the canal alone: it made no visit
    assert routes[0] == ["leg:in", "chk:XXCNL", "leg:out"]
    np.testing.assert_array_equal(ended_times(plan, trace), [12, 16, 20, 24, 1, 1, 27, 3])
    np.testing.assert_array_equal(delivered_times(plan, trace), [12, 16, 20, 24, np.nan, np.nan, 27, np.nan])


def test_shipments_table_says_when_each_ship_left(story: RunResult) -> None:
    table = shipments_table(story.plan, story.trace, story.scenario)
    np.testing.assert_array_equal(table["left"], [np.nan] * 4 + [1.0, 1.0, np.nan, 3.0])
    assert table.loc[np.asarray(LEFT), "delivered"].isna().all()
    assert "diverted" not in story.shipments  # no flow diverts: no diverted column


def test_throughput_transit_and_waits_count_what_happened(story: RunResult) -> None:
    table = kpis_by_replication(story.scenario, story.plan, story.trace)
    assert _kpi(table, "throughput_by_flow", "f")["shipments"] == 4
    assert _kpi(table, "throughput_by_flow", "g")["tonnes"] == 1
    transit = _kpi(table, "transit_by_flow", "f")
    assert transit["delivered"] == 4
    assert transit["transit_mean_h"] == pytest.approx((12 + 16 + 20 + 24) / 4)
    canal = _kpi(table, "stations", "chk:XXCNL")
    assert canal["wait_mean_h"] == pytest.approx((0 + 4 + 8 + 12 + 15) / 5)  # the ships that stayed
    assert canal["waiting_at_horizon"] == 0
    legs = _kpi(table, "stations", "leg:in")
    assert legs["arrivals_per_h"] * 720.0 == pytest.approx(6)  # the two that left sailed in too


def test_left_kpis_count_ships_and_tonnes_by_flow_and_chokepoint(story: RunResult) -> None:
    table = story.kpis_by_replication
    assert not table.table.str.startswith("diversions_").any()  # no flow diverts
    f, g = _kpi(table, "left_by_flow", "f"), _kpi(table, "left_by_flow", "g")
    assert (f["arrivals"], f["left"], f["left_tonnes"]) == (6, 2, 2)
    assert f["left_share"] == pytest.approx(1 / 3)
    assert (g["arrivals"], g["left"]) == (2, 1)
    canal = _kpi(table, "left_by_station", "chk:XXCNL")
    assert (canal["arrivals"], canal["left"], canal["left_share"]) == (8, 3, 3 / 8)


def test_a_ship_that_left_pays_what_it_sailed_and_delivers_nothing(story: RunResult) -> None:
    ledger = ledger_columns(story.scenario, story.plan, story.trace)
    # f4: leg in (US$5) and the hour to the canal (US$0.1); g1: nothing at all
    np.testing.assert_allclose(ledger["cost_total_usd"][[4, 5, 7]], [5.1, 5.1, 0.0])
    assert ledger["cost_canal_usd"][4] == 0.0
    # f1: two legs, a transit, 16 h of which 4 waiting
    assert ledger["cost_total_usd"][1] == pytest.approx(10 + 1000 + 1.6)
    assert ledger["cost_waiting_time_usd"][1] == pytest.approx(0.4)
    kpis = ledger_kpis_by_replication(
        story.scenario, story.plan, shipment_ledger(story.scenario, story.plan, story.trace)
    )
    cost = _kpi(kpis, "cost_by_flow", "f")
    delivered = sum(10 + 1000 + 0.1 * hours for hours in (12, 16, 20, 24))
    assert cost["cost_total_usd"] == pytest.approx(delivered + 2 * 5.1)  # the two that left count
    assert cost["tonnes"] == 4  # but deliver nothing
    assert cost["cost_usd_per_t"] == pytest.approx((delivered + 2 * 5.1) / 4)


def leaving_scenario() -> Scenario:
    """tests/scenario/good/base.yaml with a busy canal (4 slots a day, 1 in a 20-day drought): the soybeans
    and the canal's other traffic (``other``, its route the canal alone) leave above a day of slots."""
    from tests.results.test_diversion_run import _scenario

    data: dict[str, Any] = _scenario(diversion=False).model_dump(by_alias=True, exclude_none=True)
    leave = {"at": "PAPCN", "threshold_days": 1.0, "leaves": True}
    data["flows"]["soy"]["diversion"] = leave
    data["commodities"]["transit"] = {"kind": "bulk", "cargo_class": "canal_transit"}
    data["flows"]["other"] = {
        "commodity": "transit",
        "origin": "PAPCN",
        "destination": "PAPCN",
        "route": ["PAPCN"],
        "annual_volume": 3.0e7,
        "volume_unit": "t",
        "parcel": {"dist": "fixed", "value": 40000.0},
        "parcel_unit": "t",
        "background": True,
        "diversion": leave,
    }
    return scenario_from_data(data)


def test_a_run_where_ships_leave_agrees_in_both_engines_and_says_so() -> None:
    from rich.console import Console

    from sim.cli.summary import print_summary
    from sim.runner import run

    scenario = leaving_scenario()
    reference, vector = (run(scenario, engine=e, replications=2) for e in ("reference", "vector"))
    a, b = reference.kpis_by_replication, vector.kpis_by_replication
    assert list(a["key"]) == list(b["key"])
    np.testing.assert_array_equal(a["value"], b["value"])
    left = _kpi(a, "left_by_flow", "other")
    assert left["left"].min() > 0
    assert left["left_share"].max() < 1
    console = Console(record=True, width=80)
    print_summary(vector, console)
    assert "Left the queue, other:" in console.export_text()
