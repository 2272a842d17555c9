"""Hypothesis strategies for random small corridor networks (ports, a canal, a train, flows both ways)."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

from sim.scenario import Scenario, scenario_from_data

PORTS = ["XXAAA", "XXBBB", "XXCCC", "XXDDD"]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A valid random scenario with 2–4 ports on a line through a canal, a train, and 1–4 flows."""
    n_ports = draw(st.integers(2, 4))
    ports = PORTS[:n_ports]
    days = draw(st.sampled_from([20.0, 40.0]))
    nodes: dict[str, Any] = {
        p: {
            "name": p,
            "kind": "port",
            "berths": {
                "bulk": {
                    "count": draw(st.integers(1, 3)),
                    "rate": draw(st.sampled_from([500.0, 1000.0, 2000.0])),
                    "rate_unit": "t/h",
                    "overhead_h": draw(st.sampled_from([0.0, 2.0])),
                    "variability": draw(
                        st.sampled_from(
                            [{"dist": "fixed", "value": 1.0}, {"dist": "exponential", "mean": 1.0}]
                        )
                    ),
                },
                "box": {"count": 1, "rate": 50.0, "rate_unit": "TEU/h"},
            },
        }
        for p in ports
    }
    nodes["XXCNL"] = {
        "name": "Canal",
        "kind": "chokepoint",
        "chokepoint": {"slots_per_day": draw(st.sampled_from([2.0, 6.0, 24.0])), "transit_h": 8.0},
    }
    nodes["XXHUB"] = {"name": "Hub", "kind": "hub"}
    legs = {
        f"l{i}": {"from": a, "to": b, "mode": "sea", "distance_nm": 600.0, "speed_kn": 12.0}
        for i, (a, b) in enumerate(itertools.pairwise(ports))
    }
    legs["canal_in"] = {"from": ports[0], "to": "XXCNL", "mode": "sea", "transit_h": 12.0}
    legs["canal_out"] = {"from": "XXCNL", "to": ports[-1], "mode": "sea", "transit_h": 12.0}
    services = {
        "train": {
            "from": "XXHUB",
            "to": ports[0],
            "mode": "rail",
            "headway_h": draw(st.sampled_from([6.0, 24.0])),
            "capacity": draw(st.sampled_from([10.0, 40.0])),
            "capacity_unit": "TEU",
            "transit_h": 20.0,
        }
    }
    flows = {f"f{i}": draw(_flow(ports)) for i in range(draw(st.integers(1, 4)))}
    disruptions = draw(_disruptions(ports, days))
    data = {
        "schema": 1,
        "name": "random",
        "start": "2024-01-01",
        "horizon_days": days,
        "warmup_days": 0.0,
        "replications": draw(st.integers(1, 2)),
        "seed": draw(st.integers(0, 2**16)),
        "commodities": {
            "bulk": {"kind": "bulk", "cargo_class": "bulk"},
            "box": {"kind": "container", "cargo_class": "box", "tonnes_per_teu": 10.0},
        },
        "nodes": nodes,
        "legs": legs,
        "services": services,
        "flows": flows,
        "disruptions": disruptions,
    }
    return scenario_from_data(data)


@st.composite
def _flow(draw: st.DrawFn, ports: list[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from(["line", "reverse", "canal", "rail"]))
    arrivals = draw(st.sampled_from(["poisson", "regular"]))
    if kind == "rail":
        return {
            "commodity": "box",
            "origin": "XXHUB",
            "destination": ports[0],
            "annual_volume": 20000.0,
            "volume_unit": "TEU",
            "parcel": {"dist": "empirical", "values": [1.0, 4.0, 12.0]},
            "parcel_unit": "TEU",
            "arrivals": arrivals,
        }
    route = {"line": ports, "reverse": ports[::-1], "canal": [ports[0], "XXCNL", ports[-1]]}[kind]
    parcel = draw(
        st.sampled_from(
            [{"dist": "fixed", "value": 20000.0}, {"dist": "uniform", "low": 10000.0, "high": 30000.0}]
        )
    )
    return {
        "commodity": "bulk",
        "origin": route[0],
        "destination": route[-1],
        "route": route,
        "annual_volume": draw(st.sampled_from([5.0e5, 1.0e6, 2.0e6])),
        "volume_unit": "t",
        "parcel": parcel,
        "parcel_unit": "t",
        "arrivals": arrivals,
    }


@st.composite
def _disruptions(draw: st.DrawFn, ports: list[str], days: float) -> dict[str, Any]:
    found: dict[str, Any] = {}
    horizon = days * 24.0
    if draw(st.booleans()):
        start = draw(st.floats(0.0, horizon / 2))
        found["closure"] = {
            "kind": "berths",
            "target": draw(st.sampled_from(ports)),
            "start_h": start,
            "end_h": start + draw(st.floats(1.0, horizon / 2)),
            "set": draw(st.sampled_from([0, 1])),
        }
    if draw(st.booleans()):
        found["drought"] = {
            "kind": "slots",
            "target": "XXCNL",
            "start_h": 24.0,
            "end_h": 24.0 * 10,
            "scale": draw(st.sampled_from([0.0, 0.5])),
        }
    if draw(st.booleans()):
        found["strike"] = {"kind": "capacity", "target": "train", "start_h": 48.0, "end_h": 96.0, "set": 0}
    if draw(st.booleans()):
        found["storm"] = {"kind": "speed", "target": "l0", "start_h": 0.0, "end_h": 72.0, "scale": 0.5}
    return found
