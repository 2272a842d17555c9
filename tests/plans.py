"""Hand-made engine inputs: tiny scenarios (one port, one train, one canal) and Plans of exact shipments.

The scenarios give the network; the Plans give every creation time, work time and size by hand, so a story's
answer can be worked out on paper. Every hand-made Plan in the tests — stories, the random Plans of
tests/strategies.py, the precondition checks — is assembled by :func:`assemble_plan`. The one-port M/·/c queue
lives in the package (:func:`sim.examples.one_port`, shared with the benchmarks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from sim.network import Network, build_network
from sim.plan import Plan
from sim.scenario import Scenario, scenario_from_data

__all__ = [
    "HandShipment",
    "assemble_plan",
    "base_data",
    "canal_story",
    "diversion_story",
    "hand_plan",
    "leave_story",
    "port_story",
    "service_story",
]


class HandShipment(NamedTuple):
    """One shipment of a hand-made Plan: when it is created and, per visit, station, work (h) and size."""

    created: float
    stations: Sequence[int]
    work: Sequence[float]
    size: Sequence[float] | None = None
    """Size in each station's unit (services only); zeros when omitted."""
    flow: int = 0
    tonnes: float = 1.0
    teu: float = 0.0
    free_flow_h: float | None = None
    """Transit time with no waiting (h); when omitted, the sum of ``work`` (as in ``draw_plan``)."""


def assemble_plan(
    network: Network,
    replications: Sequence[Sequence[HandShipment]],
    numbers: Sequence[int] | None = None,
) -> Plan:
    """A Plan of the given shipments, one list per replication (numbered ``numbers``, default 0, 1, ...).

    Each replication's shipments are stored in creation order, ties kept in the order given (the order that
    breaks FIFO ties).
    """
    numbers = tuple(range(len(replications))) if numbers is None else tuple(numbers)
    assert len(numbers) == len(replications)
    flat = [s for part in replications for s in sorted(part, key=lambda shipment: shipment.created)]
    for s in flat:
        assert len(s.stations) == len(s.work) == len(s.size if s.size is not None else s.work)
    counts = np.array([len(part) for part in replications], dtype=np.int64)
    steps = np.array([len(s.stations) for s in flat], dtype=np.int64)
    return Plan(
        network=network,
        seed=0,
        replications=numbers,
        rep_first=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        shipment_rep=np.repeat(np.array(numbers, dtype=np.int64), counts),
        shipment_id=np.concatenate([np.arange(c, dtype=np.int64) for c in counts]).astype(np.int64),
        shipment_flow=np.array([s.flow for s in flat], dtype=np.int64),
        created=np.array([s.created for s in flat], dtype=np.float64),
        tonnes=np.array([s.tonnes for s in flat], dtype=np.float64),
        teu=np.array([s.teu for s in flat], dtype=np.float64),
        free_flow_h=np.array(
            [sum(s.work) if s.free_flow_h is None else s.free_flow_h for s in flat], dtype=np.float64
        ),
        first_visit=np.concatenate([[0], np.cumsum(steps)]).astype(np.int64),
        visit_station=np.array([x for s in flat for x in s.stations], dtype=np.int64),
        visit_work=np.array([x for s in flat for x in s.work], dtype=np.float64),
        visit_size=np.array(
            [x for s in flat for x in (s.size if s.size is not None else [0.0] * len(s.work))],
            dtype=np.float64,
        ),
    )


def hand_plan(
    scenario: Scenario, shipments: Sequence[tuple[float, str, Sequence[float], Sequence[float]]]
) -> Plan:
    """A one-replication Plan of ``(created_h, flow, work_h per step, size per step)`` on ``scenario``."""
    network = build_network(scenario)
    flows = {f.name: f for f in network.flows}
    return assemble_plan(
        network,
        [
            [
                HandShipment(created, flows[flow].stations, work, size, flow=flows[flow].index)
                for created, flow, work, size in shipments
            ]
        ],
    )


def base_data(days: float = 30.0, seed: int = 3) -> dict[str, Any]:
    """A skeleton scenario dict with one bulk and one container commodity and no nodes yet."""
    return {
        "schema": 1,
        "name": "story",
        "start": "2024-01-01",
        "horizon_days": days,
        "replications": 1,
        "seed": seed,
        "commodities": {
            "bulk": {"kind": "bulk", "cargo_class": "bulk"},
            "box": {"kind": "container", "cargo_class": "box", "tonnes_per_teu": 10.0},
        },
        "nodes": {},
        "flows": {},
    }


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


def diversion_story(threshold_days: float) -> Scenario:
    """:func:`canal_story` at 6 slots a day (one transit every 4 h) with a way round: flow ``f`` diverts at
    ``XXCNL`` above ``threshold_days`` and sails ``cape_in`` (20 h) to hub ``XXHRN``, then ``cape_out`` (30 h)
    to ``XXBBB``. Steps of ``f``: ``in``, the canal, ``out``, then the alternative's ``cape_in``,
    ``cape_out``."""
    data = canal_story(6.0).model_dump(by_alias=True, exclude_none=True)
    data["nodes"]["XXHRN"] = {"name": "Cape", "kind": "hub"}
    data["legs"]["cape_in"] = {"from": "XXCNL", "to": "XXHRN", "mode": "sea", "transit_h": 20.0}
    data["legs"]["cape_out"] = {"from": "XXHRN", "to": "XXBBB", "mode": "sea", "transit_h": 30.0}
    data["flows"]["f"]["diversion"] = {
        "at": "XXCNL",
        "threshold_days": threshold_days,
        "route": ["XXCNL", "XXHRN", "XXBBB"],
    }
    return scenario_from_data(data)


def leave_story(threshold_days: float) -> Scenario:
    """:func:`canal_story` at 6 slots a day (one transit every 4 h) where ships leave instead of waiting:
    flow ``f`` (steps ``in``, the canal, ``out``) and flow ``g``, whose route is the canal alone, both leave
    at ``XXCNL`` above ``threshold_days`` (``diversion: {leaves: true}``)."""
    data = canal_story(6.0).model_dump(by_alias=True, exclude_none=True)
    leave = {"at": "XXCNL", "threshold_days": threshold_days, "leaves": True}
    data["flows"]["f"]["diversion"] = leave
    data["flows"]["g"] = {**_flow("bulk", "XXCNL", "XXCNL", ["XXCNL"]), "diversion": leave}
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
