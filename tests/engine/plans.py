"""Engine stories: tiny scenarios (one port, one train, one canal) and hand-made Plans of exact shipments.

The scenarios give the network; the Plans give every creation time, work time and size by hand, so a story's
answer can be worked out on paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.network import build_network
from sim.plan import Plan
from sim.scenario import Scenario, scenario_from_data
from tests.factories import base_data


def hand_plan(
    scenario: Scenario, shipments: Sequence[tuple[float, str, Sequence[float], Sequence[float]]]
) -> Plan:
    """A one-replication Plan of ``(created_h, flow, work_h per step, size per step)`` in creation order."""
    network = build_network(scenario)
    flows = {f.name: f for f in network.flows}
    ordered = sorted(enumerate(shipments), key=lambda item: (item[1][0], item[0]))
    stations: list[int] = []
    work: list[float] = []
    size: list[float] = []
    steps: list[int] = []
    for _, (_, flow, shipment_work, shipment_size) in ordered:
        route = flows[flow].stations
        assert len(shipment_work) == len(route) == len(shipment_size)
        stations += route
        work += shipment_work
        size += shipment_size
        steps.append(len(route))
    count = len(ordered)
    created = np.array([s[0] for _, s in ordered], dtype=np.float64)
    return Plan(
        network=network,
        seed=0,
        replications=(0,),
        rep_first=np.array([0, count], dtype=np.int64),
        shipment_rep=np.zeros(count, dtype=np.int64),
        shipment_id=np.arange(count, dtype=np.int64),
        shipment_flow=np.array([flows[s[1]].index for _, s in ordered], dtype=np.int64),
        created=created,
        tonnes=np.ones(count),
        teu=np.zeros(count),
        free_flow_h=np.array([sum(s[2]) for _, s in ordered], dtype=np.float64),
        first_visit=np.concatenate([[0], np.cumsum(steps)]).astype(np.int64),
        visit_station=np.array(stations, dtype=np.int64),
        visit_work=np.array(work, dtype=np.float64),
        visit_size=np.array(size, dtype=np.float64),
    )


def port_story(berths: int, disruptions: dict[str, Any] | None = None, days: float = 10.0) -> Scenario:
    """Port ``XXPRT`` with ``berths`` bulk berths at 1 t/h; flow ``f`` (1-t parcels) calls there and ends."""
    data = base_data(days=days)
    data["nodes"]["XXPRT"] = {
        "name": "P",
        "kind": "port",
        "berths": {"bulk": {"count": berths, "rate": 1.0, "rate_unit": "t/h"}},
    }
    data["flows"]["f"] = _flow("bulk", "XXPRT", "XXPRT", route=["XXPRT"])
    data["disruptions"] = disruptions or {}
    return scenario_from_data(data)


def service_story(capacity: float, departures: dict[str, Any] | None = None) -> Scenario:
    """A train of ``capacity`` TEU from hub ``XXAAA`` to hub ``XXBBB`` (5-h transit); flow ``f`` rides it.

    ``departures`` are the train's schedule keys, ``{"headway_h": 10.0}`` when omitted, or e.g.
    ``{"timetable": {"cycle_h": 24.0, "departures_h": [...]}}``.
    """
    data = base_data()
    data["nodes"]["XXAAA"] = {"name": "A", "kind": "hub"}
    data["nodes"]["XXBBB"] = {"name": "B", "kind": "hub"}
    data["services"] = {
        "train": {
            "from": "XXAAA",
            "to": "XXBBB",
            "mode": "rail",
            **(departures or {"headway_h": 10.0}),
            "capacity": capacity,
            "capacity_unit": "TEU",
            "transit_h": 5.0,
        }
    }
    data["flows"]["f"] = _flow("box", "XXAAA", "XXBBB")
    return scenario_from_data(data)


def canal_story(slots: float, disruptions: dict[str, Any] | None = None) -> Scenario:
    """Hub ``XXAAA`` → leg ``in`` (1 h) → canal ``XXCNL`` (``slots`` a day, 10-h transit) → leg ``out`` → hub
    ``XXBBB``; flow ``f`` (1-t parcels) goes through."""
    data = base_data()
    data["nodes"]["XXAAA"] = {"name": "A", "kind": "hub"}
    data["nodes"]["XXCNL"] = {
        "name": "Canal",
        "kind": "chokepoint",
        "chokepoint": {"slots_per_day": slots, "transit_h": 10.0},
    }
    data["nodes"]["XXBBB"] = {"name": "B", "kind": "hub"}
    data["legs"] = {
        "in": {"from": "XXAAA", "to": "XXCNL", "mode": "sea", "transit_h": 1.0},
        "out": {"from": "XXCNL", "to": "XXBBB", "mode": "sea", "transit_h": 1.0},
    }
    data["flows"]["f"] = _flow("bulk", "XXAAA", "XXBBB")
    data["disruptions"] = disruptions or {}
    return scenario_from_data(data)


def _flow(commodity: str, origin: str, destination: str, route: list[str] | None = None) -> dict[str, Any]:
    """A flow of 1-unit parcels (1 t of bulk, 1 TEU of boxes), 1 unit a year: the Plan gives the shipments."""
    unit = {"bulk": "t", "box": "TEU"}[commodity]
    flow: dict[str, Any] = {
        "commodity": commodity,
        "origin": origin,
        "destination": destination,
        "annual_volume": 1.0,
        "volume_unit": unit,
        "parcel": {"dist": "fixed", "value": 1.0},
        "parcel_unit": unit,
    }
    if route is not None:
        flow["route"] = route
    return flow
