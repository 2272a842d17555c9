"""Priority classes drawn into the Plan (:mod:`sim.class_draws`): who is in which class, keyed streams."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from sim.drawing import draw_plan
from sim.network import build_network
from sim.plan import Plan
from sim.scenario import scenario_from_data
from tests.plans import base_data


def _data() -> dict[str, Any]:
    """Ports A and B with classed bulk pools, a leg between them; flows out-and-back and one way."""
    data = base_data(days=200)
    pool = {"count": 2, "rate": 1000.0, "rate_unit": "t/h", "classes": ["window", "other"]}
    for port in ("XXAAA", "XXBBB"):
        data["nodes"][port] = {"name": port, "kind": "port", "berths": {"bulk": dict(pool)}}
    data["legs"] = {"ab": {"from": "XXAAA", "to": "XXBBB", "mode": "sea", "transit_h": 24.0}}
    flow = {
        "commodity": "bulk",
        "annual_volume": 2.0e6,
        "volume_unit": "t",
        "parcel": {"dist": "fixed", "value": 1.0e4},
        "parcel_unit": "t",
    }
    data["flows"]["round"] = {
        **flow,
        "origin": "XXAAA",
        "destination": "XXAAA",
        "route": ["XXAAA", "XXBBB", "XXAAA"],
        "classes": {"XXAAA": {"window": 0.3, "other": 0.7}, "XXBBB": "window"},
    }
    data["flows"]["plain"] = {**flow, "origin": "XXAAA", "destination": "XXBBB", "route": ["XXAAA", "XXBBB"]}
    return data


def _plan(data: dict[str, Any], replications: int = 2) -> Plan:
    scenario = scenario_from_data(data)
    return draw_plan(scenario, build_network(scenario), range(replications), 7)


def _classes_of(plan: Plan, flow: str) -> np.ndarray:
    """Classes of the flow's visits at the berth pools, one row per shipment (route order)."""
    index = next(f.index for f in plan.network.flows if f.name == flow)
    visits = np.flatnonzero(plan.shipment_flow[plan.visit_shipment] == index)
    berths = [v for v in visits if plan.network.stations[plan.visit_station[v]].kind == "berth"]
    assert plan.visit_class is not None
    steps = sum(1 for s in plan.network.flows[index].stations if plan.network.stations[s].kind == "berth")
    return plan.visit_class[berths].reshape(-1, steps)


def test_named_class_shares_and_the_last_class_by_default() -> None:
    plan = _plan(_data())
    rounds = _classes_of(plan, "round")  # visits: A, B, A
    assert (rounds[:, 1] == 0).all()  # "window" named at B
    assert (rounds[:, 0] == rounds[:, 2]).all()  # one draw per node: the same class both times at A
    share = (rounds[:, 0] == 0).mean()
    half = 3.29 * np.sqrt(0.3 * 0.7 / rounds.shape[0])  # 99.9 % binomial interval
    assert abs(share - 0.3) < half
    assert (_classes_of(plan, "plain") == 1).all()  # names none: the last class


def test_a_station_default_share_draws_flows_that_name_none() -> None:
    data = _data()
    data["nodes"]["XXBBB"]["berths"]["bulk"]["default_share"] = {"window": 0.5, "other": 0.5}
    plain = _classes_of(_plan(data), "plain")
    assert (plain[:, 0] == 1).all()  # A has no default share
    assert 0.4 < (plain[:, 1] == 0).mean() < 0.6


def test_draws_keep_common_random_numbers_when_another_flow_is_added() -> None:
    data = _data()
    more = copy.deepcopy(data)
    more["flows"]["extra"] = {**data["flows"]["plain"], "classes": {"XXAAA": {"window": 0.5, "other": 0.5}}}
    np.testing.assert_array_equal(_classes_of(_plan(data), "round"), _classes_of(_plan(more), "round"))


def test_no_classes_no_class_array() -> None:
    data = _data()
    for port in ("XXAAA", "XXBBB"):
        del data["nodes"][port]["berths"]["bulk"]["classes"]
    del data["flows"]["round"]["classes"]
    assert _plan(data).visit_class is None
