"""Hypothesis strategies for random inputs: random corridor scenarios and random hand-built Plans.

Used by the invariant properties (tests/properties) and the engine contract (tests/engines).

Scenarios come from the schema (so they exercise the Plan drawing too): 2–4 ports on a line joined by legs and
a feeder service, a canal, a rail hub with a train (headways, offsets or a timetable); flows in both
directions, flows that come back through a port they left, flows that join the line in the middle (a shared
station at different route positions); trains and feeders that fill up; berths with zero or non-zero
overheads and fixed, exponential or uniform variability; yard dwell (export, import, transshipment; fixed
whole hours for exact ties, or random) at some pools; poisson, regular, renewal (bunched or smooth) or batch
arrivals (ships of one flow arriving at the same instant); closures of a whole port or of one berth pool (a
ship at berth when they start), slot cuts, capacity strikes (set or scaled) and slow steaming, at whole or
arbitrary (non-dyadic) times; and a random disruption of any kind (:mod:`sim.spells`: exponential or fixed
spells, a fraction down, random strikes, monthly weights), drawn per replication, that may overlap the fixed
windows.

Priority classes: the canal may serve booked and unbooked ships (reserved transits for either, a default
share for flows that name none) and bulk pools berth-window classes; some bulk flows name their class, or
shares drawn per shipment.

Plans are built directly on a small random Network with integer times and integer work: every time is an
exact binary number, so ties (equal arrivals, a release at an arrival instant, a departure at an arrival
instant, a closure edge at an arrival) are exact and frequent, and the routes are arbitrary station sequences
(a station visited twice, cycles through the station graph), with legs and dwells as the pure delays. Some
stations get their own schedule in each replication (as random disruptions give them), with integer change
times too. Berth pools and chokepoints may have two or three priority classes (chokepoints reserved shares
too), every visit there in a random class: equal arrivals of different classes, a release at an arrival of a
higher class, are exact ties.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
from hypothesis import strategies as st

from sim.network import FlowDiversion, FlowRoute, Network, Station
from sim.plan import Plan
from sim.scenario import Scenario, scenario_from_data
from sim.schedule import Schedule, windowed
from tests.plans import HandShipment, assemble_plan

PORTS = ["XXAAA", "XXBBB", "XXCCC", "XXDDD"]
VARIABILITY = [
    {"dist": "fixed", "value": 1.0},
    {"dist": "exponential", "mean": 1.0},
    {"dist": "uniform", "low": 0.5, "high": 1.5},
]


@st.composite
def scenarios(draw: st.DrawFn, max_replications: int = 3, leaving: bool = False) -> Scenario:
    """A valid random corridor scenario (2–4 ports, canal, hub with a train, feeder, 1–5 flows).

    With ``leaving``, ships surely meet a queue they may leave: the canal's own traffic (a flow whose route is
    the canal alone) and a flow through it leave above a drawn threshold.
    """
    ports = PORTS[: draw(st.integers(2, 4))]
    days = draw(st.sampled_from([12.0, 20.0, 25.0, 40.0]))
    data: dict[str, Any] = {
        "schema": 1,
        "name": "random",
        "start": "2024-01-01",
        "horizon_days": days,
        "warmup_days": 0.0,
        "replications": draw(st.integers(1, max_replications)),
        "seed": draw(st.integers(0, 2**16)),
        "commodities": {
            "bulk": {"kind": "bulk", "cargo_class": "bulk"},
            "box": {"kind": "container", "cargo_class": "box", "tonnes_per_teu": 10.0},
        },
        "nodes": {p: draw(_port(p)) for p in ports},
        "legs": _legs(ports, draw),
        "services": draw(_services(ports)),
    }
    data["nodes"]["XXCNL"] = {
        "name": "Canal",
        "kind": "chokepoint",
        "chokepoint": {
            "slots_per_day": draw(st.sampled_from([2.0, 5.0, 6.0, 7.0, 24.0])),
            "transit_h": 8.0,
            "variability": draw(st.sampled_from(VARIABILITY)),
            **draw(st.sampled_from(CANAL_CLASSES)),
        },
    }
    data["nodes"]["XXHUB"] = {"name": "Hub", "kind": "hub"}
    data["nodes"]["XXHRN"] = {"name": "Cape", "kind": "hub"}
    data["flows"] = {f"f{i}": draw(_flow(ports)) for i in range(draw(st.integers(1, 5)))}
    if leaving:
        data["flows"].update(draw(_leaving_flows(ports)))
    _flow_classes(draw, data)
    data["disruptions"] = draw(_disruptions(ports, days * 24.0))
    return scenario_from_data(data)


CANAL_CLASSES: list[dict[str, Any]] = [
    {},
    {"classes": ["booked", "unbooked"]},
    {"classes": ["booked", "unbooked"], "reserved_share": {"booked": 0.7, "unbooked": 0.3}},
    {"classes": ["booked", "unbooked"], "reserved_share": {"unbooked": 0.25}},
    {
        "classes": ["booked", "unbooked"],
        "reserved_share": {"booked": 0.5},
        "default_share": {"booked": 0.4, "unbooked": 0.6},
    },
    {
        "classes": ["booked", "unbooked"],
        "reserved_share": {"booked": 0.5},
        "default_share": {"booked": 0.8, "unbooked": 0.2},
        "booking_slots": 1,
    },
]
"""The canal FIFO, or with booked and unbooked classes (reserved transits, a default draw, booking slots)."""
POOL_CLASSES: list[dict[str, Any]] = [
    {},
    {"classes": ["window", "other"]},
    {"classes": ["a", "b", "c"], "default_share": {"a": 0.3, "c": 0.7}},
]
"""A bulk pool served FIFO, or with priority classes (berth windows)."""
MEMBERSHIP: dict[str, list[Any]] = {
    "XXCNL": ["booked", "unbooked", {"booked": 0.5, "unbooked": 0.5}],
    "window": ["window", "other", {"window": 0.25, "other": 0.75}],
    "a": ["a", "b", {"a": 0.2, "b": 0.3, "c": 0.5}],
}
"""Classes a flow may name at the canal, or at a pool by its first class."""


def _flow_classes(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """Some bulk flows name their class (or shares) at the canal and at their first port."""
    canal = data["nodes"]["XXCNL"]["chokepoint"]
    for flow in data["flows"].values():
        if flow["commodity"] != "bulk" or not draw(st.booleans()):
            continue
        chosen: dict[str, Any] = {}
        if "classes" in canal and "XXCNL" in flow["route"]:
            chosen["XXCNL"] = draw(st.sampled_from(MEMBERSHIP["XXCNL"]))
        first = flow["route"][0]
        pool = data["nodes"][first].get("berths", {}).get("bulk", {})  # the canal's own traffic: none
        if "classes" in pool:
            chosen[first] = draw(st.sampled_from(MEMBERSHIP[pool["classes"][0]]))
        if chosen:
            flow["classes"] = chosen


DWELL = [
    {"dist": "fixed", "value": 24.0},
    {"dist": "fixed", "value": 36.0},
    {"dist": "gamma", "mean": 30.0, "cv": 0.8},
    {"dist": "uniform", "low": 5.0, "high": 50.0},
]
"""Yard times (h): whole hours make ties with arrivals and departures exact."""
ARRIVALS: list[Any] = [
    "poisson",
    "regular",
    {"process": "renewal", "cv": 2.0},
    {"process": "renewal", "cv": 0.5},
    {"process": "batch", "size": {"dist": "empirical", "values": [1.0, 2.0, 3.0]}},
]


@st.composite
def _dwell(draw: st.DrawFn) -> dict[str, Any] | None:
    directions = draw(st.lists(st.sampled_from(["export", "import", "transshipment"]), unique=True))
    return {d: draw(st.sampled_from(DWELL)) for d in directions} or None


@st.composite
def _port(draw: st.DrawFn, name: str) -> dict[str, Any]:
    pools: dict[str, Any] = {
        "bulk": {
            "count": draw(st.integers(1, 3)),
            "rate": draw(st.sampled_from([500.0, 700.0, 1000.0, 2000.0, 2500.0])),
            "rate_unit": "t/h",
            "overhead_h": draw(st.sampled_from([0.0, 0.5, 2.0, 3.3])),
            "variability": draw(st.sampled_from(VARIABILITY)),
            **draw(st.sampled_from(POOL_CLASSES)),
        },
        "box": {
            "count": draw(st.integers(1, 2)),
            "rate": draw(st.sampled_from([40.0, 50.0])),
            "rate_unit": "TEU/h",
            "overhead_h": draw(st.sampled_from([0.0, 1.0])),
            "variability": draw(st.sampled_from(VARIABILITY)),
        },
    }
    for pool in pools.values():
        dwell = draw(_dwell())
        if dwell is not None:
            pool["dwell_h"] = dwell
    return {"name": name, "kind": "port", "berths": pools}


def _legs(ports: list[str], draw: st.DrawFn) -> dict[str, Any]:
    legs: dict[str, Any] = {
        f"l{i}": {
            "from": a,
            "to": b,
            "mode": "sea",
            "distance_nm": draw(st.sampled_from([300.0, 600.0, 610.0])),
            "speed_kn": 12.0,
            "variability": draw(st.sampled_from(VARIABILITY)),
        }
        for i, (a, b) in enumerate(itertools.pairwise(ports))
    }
    legs["canal_in"] = {"from": ports[0], "to": "XXCNL", "mode": "sea", "transit_h": 12.0}
    legs["canal_out"] = {"from": "XXCNL", "to": ports[-1], "mode": "sea", "transit_h": 12.0}
    # the way round the canal, for diversions: whole hours, so a diverted ship can tie with others
    legs["cape_in"] = {"from": "XXCNL", "to": "XXHRN", "mode": "sea", "transit_h": 30.0}
    for port in ports:
        legs[f"cape_{port}"] = {"from": "XXHRN", "to": port, "mode": "sea", "transit_h": 40.0}
    return legs


@st.composite
def _services(draw: st.DrawFn, ports: list[str]) -> dict[str, Any]:
    timetable = draw(
        st.sampled_from(
            [
                {"headway_h": 6.0},
                {"headway_h": 24.0},
                {"headway_h": 24.0, "offset_h": 5.5},
                {"timetable": {"cycle_h": 24.0, "departures_h": [0.1, 3.7, 12.35]}},
            ]
        )
    )
    return {
        "train": {
            "from": "XXHUB",
            "to": ports[0],
            "mode": "rail",
            **timetable,
            "capacity": draw(st.sampled_from([8.0, 10.0, 12.0, 40.0])),
            "capacity_unit": "TEU",
            "transit_h": 20.0,
            "variability": draw(st.sampled_from(VARIABILITY)),
        },
        "feeder": {
            "from": ports[0],
            "to": ports[1],
            "mode": "sea",
            "headway_h": 36.0,
            "offset_h": 7.0,
            "capacity": draw(st.sampled_from([30000.0, 60000.0])),
            "capacity_unit": "t",
            "transit_h": 30.0,
        },
    }


@st.composite
def _flow(draw: st.DrawFn, ports: list[str]) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(["line", "reverse", "canal", "canal_back", "rail", "feeder", "back", "middle"])
    )
    arrivals = draw(st.sampled_from(ARRIVALS))
    if kind == "rail":
        parcel = draw(
            st.sampled_from(
                [
                    {"dist": "empirical", "values": [1.0, 4.0, 12.0]},
                    {"dist": "fixed", "value": 1.0},
                    {"dist": "fixed", "value": 3.0},
                ]
            )
        )
        return {
            "commodity": "box",
            "origin": "XXHUB",
            "destination": ports[0],
            "annual_volume": 20000.0,
            "volume_unit": "TEU",
            "parcel": parcel,
            "parcel_unit": "TEU",
            "arrivals": arrivals,
        }
    routes = {
        "line": _by_leg(ports),
        "reverse": _by_leg(ports[::-1]),
        "canal": [ports[0], "XXCNL", ports[-1]],
        "canal_back": [ports[-1], "XXCNL", ports[0]],
        "feeder": [ports[0], "feeder", ports[1]],
        "back": _by_leg([ports[0], ports[1], ports[0]]),
        "middle": _by_leg(ports[len(ports) // 2 :: -1]),
    }
    route = routes[kind]
    parcel = draw(
        st.sampled_from(
            [{"dist": "fixed", "value": 20000.0}, {"dist": "uniform", "low": 10000.0, "high": 30000.0}]
        )
    )
    flow = {
        "commodity": "bulk",
        "origin": route[0],
        "destination": route[-1],
        "route": route,
        "annual_volume": draw(st.sampled_from([5.0e5, 1.0e6, 2.0e6, 2.5e6])),
        "volume_unit": "t",
        "parcel": parcel,
        "parcel_unit": "t",
        "arrivals": arrivals,
    }
    if kind.startswith("canal") and draw(st.booleans()):
        flow["diversion"] = draw(_diversion(route[-1]))
        flow["annual_volume"] = draw(st.sampled_from([5.0e6, 1.0e7]))  # a queue to divert from
    return flow


@st.composite
def _leaving_flows(draw: st.DrawFn, ports: list[str]) -> dict[str, Any]:
    """The canal's own traffic (its route the canal alone) and a flow through it, both leaving the queue."""

    def leave() -> dict[str, Any]:
        return {"at": "XXCNL", "threshold_days": draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])), "leaves": True}

    own = {
        "commodity": "bulk",
        "origin": "XXCNL",
        "destination": "XXCNL",
        "route": ["XXCNL"],
        "annual_volume": draw(st.sampled_from([2.0e7, 4.0e7])),
        "volume_unit": "t",
        "parcel": {"dist": "fixed", "value": 20000.0},
        "parcel_unit": "t",
        "arrivals": draw(st.sampled_from(ARRIVALS)),
        "diversion": leave(),
    }
    through = {**draw(_flow(ports)), "route": [ports[0], "XXCNL", ports[-1]], "diversion": leave()}
    through.update(origin=ports[0], destination=ports[-1], commodity="bulk", volume_unit="t", parcel_unit="t")
    through["parcel"] = {"dist": "fixed", "value": 20000.0}
    through["annual_volume"] = 5.0e6
    return {"canal_own": own, "canal_leaving": through}


@st.composite
def _diversion(draw: st.DrawFn, destination: str) -> dict[str, Any]:
    """A diversion at the canal, round the cape, or leaving (threshold 0: any ship behind another turns)."""
    threshold = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))
    if draw(st.booleans()):
        return {"at": "XXCNL", "threshold_days": threshold, "leaves": True}
    return {"at": "XXCNL", "threshold_days": threshold, "route": ["XXCNL", "XXHRN", destination]}


def _by_leg(nodes: list[str]) -> list[str]:
    """A route through ``nodes``, naming leg ``l0`` where the feeder also joins the first two ports."""
    route = [nodes[0]]
    for a, b in itertools.pairwise(nodes):
        route += ["l0", b] if {a, b} == set(PORTS[:2]) else [b]
    return route


@st.composite
def _disruptions(draw: st.DrawFn, ports: list[str], horizon: float) -> dict[str, Any]:
    found: dict[str, Any] = {}
    # closures of a whole port or of its bulk pool, on distinct ports (windows at one station may not overlap)
    for i, port in enumerate(draw(st.lists(st.sampled_from(ports), max_size=2, unique=True))):
        start = draw(st.one_of(st.integers(0, int(horizon / 2)).map(float), st.floats(0.0, horizon / 2)))
        found[f"closure{i}"] = {
            "kind": "berths",
            "target": port + draw(st.sampled_from(["", "/bulk"])),
            "start_h": start,
            "end_h": start + draw(st.floats(1.0, horizon / 2)),
            "set": draw(st.sampled_from([0, 1, 4])),
        }
    if draw(st.booleans()):
        found["drought"] = {
            "kind": "slots",
            "target": "XXCNL",
            "start_h": draw(st.sampled_from([24.0, 30.5])),
            "end_h": draw(st.sampled_from([24.0 * 6, 24.0 * 10])),
            "scale": draw(st.sampled_from([0.0, 0.5])),
        }
    if draw(st.booleans()):
        found["strike"] = {
            "kind": "capacity",
            "target": draw(st.sampled_from(["train", "feeder"])),
            "start_h": 48.0,
            "end_h": draw(st.sampled_from([96.0, 96.5])),
            **draw(st.sampled_from([{"set": 0}, {"scale": 0.0}, {"scale": 0.3}])),
        }
    if draw(st.booleans()):
        found["storm"] = {
            "kind": "speed",
            "target": "l0",
            "start_h": draw(st.sampled_from([0.0, 10.0])),
            "end_h": 72.0,
            "scale": 0.5,
        }
    if draw(st.booleans()):
        found["weather"] = draw(_random_disruption(ports))
    return found


RANDOM_SPELLS = [
    {"up": {"dist": "exponential", "mean": 30.0}, "down": {"dist": "exponential", "mean": 8.0}},
    {"fraction_down": 0.3, "mean_down_h": 12.0},
    {"rate_per_year": 150.0, "down": {"dist": "uniform", "low": 6.0, "high": 30.0}},
    {"up": {"dist": "fixed", "value": 24.0}, "down": {"dist": "fixed", "value": 12.0}},
    {"fraction_down": 0.2, "mean_down_h": 10.0, "monthly_weights": [3, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]},
]


@st.composite
def _random_disruption(draw: st.DrawFn, ports: list[str]) -> dict[str, Any]:
    """A random disruption of any kind (alternating up/down spells)."""
    kind, target = draw(
        st.sampled_from(
            [("berths", p) for p in ports]
            + [
                ("berths", ports[0] + "/bulk"),
                ("slots", "XXCNL"),
                ("speed", "l0"),
                ("capacity", "train"),
                ("capacity", "feeder"),
                ("parcel_limit", ports[0]),
            ]
        )
    )
    values: dict[str, list[dict[str, float]]] = {
        "berths": [{"set": 0}, {"set": 1}, {"scale": 0.5}],
        "slots": [{"scale": 0.0}, {"scale": 0.5}],
        "speed": [{"scale": 0.5}],
        "capacity": [{"set": 0}, {"scale": 0.3}],
        "parcel_limit": [{"scale": 0.5}],
    }
    window = draw(st.sampled_from([{}, {"start_h": 24.0, "end_h": 200.0}]))
    return {
        "kind": kind,
        "target": target,
        **draw(st.sampled_from(values[kind])),
        **window,
        "random": draw(st.sampled_from(RANDOM_SPELLS)),
    }


# --- hand-built Plans with integer times ---------------------------------------------------------------


@st.composite
def plans(draw: st.DrawFn, max_replications: int = 3) -> Plan:
    """A random Plan on a random small network, every time an integer number of hours."""
    horizon = float(draw(st.sampled_from([60, 150])))
    stations = tuple(draw(_station(i, horizon)) for i in range(draw(st.integers(1, 6))))
    n_routes = draw(st.integers(1, 4))
    routes = [
        draw(st.lists(st.integers(0, len(stations) - 1), min_size=1, max_size=5)) for _ in range(n_routes)
    ]
    flows = [FlowRoute(k, f"r{k}", (), tuple(route), ()) for k, route in enumerate(routes)]
    for k in range(n_routes):
        flows[k] = draw(_diverting(flows[k], stations))
    routes = [list(flow.stations) for flow in flows]
    network = Network(stations, tuple(flows), (), horizon)
    replications = draw(st.integers(1, max_replications))
    parts = [draw(_replication(routes, stations, horizon)) for _ in range(replications)]
    plan = _with_classes(draw, assemble_plan(network, parts))
    own = [s for s in stations if s.kind != "dwell" and draw(st.booleans())]  # dwells run at speed 1
    if not own:
        return plan
    schedules = tuple(
        {s.index: _own_schedule(draw, s, horizon) for s in own if draw(st.booleans())} for _ in parts
    )
    return dataclasses.replace(plan, capacity_by_rep=schedules)


def _with_classes(draw: st.DrawFn, plan: Plan) -> Plan:
    """Every visit at a station with classes in a random class (from a drawn seed: Plans can be large)."""
    sizes = np.array([len(s.classes) for s in plan.network.stations] or [0], dtype=np.int64)
    if not (sizes > 1).any():
        return plan
    uniform = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).random(plan.n_visits)
    per_visit = sizes[plan.visit_station]
    classes = np.where(per_visit > 1, np.floor(uniform * per_visit), 0).astype(np.int8)
    return dataclasses.replace(plan, visit_class=classes)


@st.composite
def leaving_plans(draw: st.DrawFn, max_replications: int = 3) -> Plan:
    """A random Plan where ships may leave a chokepoint, every time an integer number of hours.

    Station 0 is a chokepoint (2, 3 or 6 slots a day, with integer windows, maybe classes); flow 0's route is
    the chokepoint alone, the others visit it somewhere on a random route; most flows' ships leave above a
    threshold of 0, ½ or 1 day (others never do but count as ahead), so queue lengths tie with thresholds
    and arrivals tie with each other.
    """
    horizon = 150.0
    others = tuple(draw(_station(i + 1, horizon)) for i in range(draw(st.integers(0, 3))))
    slots = float(draw(st.sampled_from([2, 3, 6])))
    windows = [(a, b, float(draw(st.sampled_from([0, 1, 3])))) for a, b in _integer_windows(draw, horizon)]
    classes = draw(st.sampled_from(CLASSES))
    reserved = draw(st.sampled_from(RESERVED[len(classes)]))
    canal = Station(
        0, "c0", "chokepoint", "N", windowed(slots, windows), slots, classes=classes, reserved=reserved
    )
    stations = (canal, *others)
    flows = []
    for k in range(draw(st.integers(1, 4))):
        route = (
            [] if k == 0 else draw(st.lists(st.integers(1, len(stations) - 1), max_size=3)) if others else []
        )
        at = draw(st.integers(0, len(route)))
        route.insert(at, 0)
        threshold = draw(st.sampled_from([0.0, 0.5, 1.0]))
        leaves = k == 0 or draw(st.sampled_from([True, True, False]))
        diversion = FlowDiversion(at, len(route), threshold, (), leaves=True) if leaves else None
        flows.append(FlowRoute(k, f"r{k}", (), tuple(route), (), diversion))
    network = Network(stations, tuple(flows), (), horizon)
    parts = [
        draw(_replication([list(f.stations) for f in flows], stations, horizon))
        for _ in range(draw(st.integers(1, max_replications)))
    ]
    return _with_classes(draw, assemble_plan(network, parts))


@st.composite
def _diverting(draw: st.DrawFn, flow: FlowRoute, stations: tuple[Station, ...]) -> FlowRoute:
    """Sometimes the route with a chokepoint where ships may divert, and an alternative after it.

    The alternative starts with a leg (a diverted ship sails on at once) and may visit any station after,
    or there is none (its ships leave); thresholds are whole or half days, slots and times whole numbers, so
    queue lengths tie with thresholds.
    """
    chokepoints = [s.index for s in stations if s.kind == "chokepoint"]
    legs = [s.index for s in stations if s.kind == "leg"]
    if not chokepoints or not legs or not draw(st.booleans()):
        return flow
    route = list(flow.stations)
    at = draw(st.integers(0, len(route)))
    route.insert(at, draw(st.sampled_from(chokepoints)))
    threshold = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]))
    if draw(st.booleans()):  # its ships leave: no alternative
        return dataclasses.replace(
            flow, stations=tuple(route), diversion=FlowDiversion(at, len(route), threshold, (), leaves=True)
        )
    detour = [draw(st.sampled_from(legs))]
    detour += draw(st.lists(st.integers(0, len(stations) - 1), max_size=3))
    diversion = FlowDiversion(at, len(route), threshold, ())
    return dataclasses.replace(flow, stations=(*route, *detour), diversion=diversion)


def _own_schedule(draw: st.DrawFn, station: Station, horizon: float) -> Schedule:
    """A replication's own schedule of ``station`` (integer windows), as a random disruption gives it."""
    choices = {
        "berth": [0.0, 1.0, 2.0],
        "service": [0.0, 1.0, 3.0],
        "chokepoint": [0.0, 3.0, 12.0],
        "leg": [0.5, 2.0],
    }[station.kind]
    windows = _integer_windows(draw, horizon)
    return windowed(station.nominal, [(a, b, float(draw(st.sampled_from(choices)))) for a, b in windows])


CLASSES: list[tuple[str, ...]] = [(), ("hi", "lo"), ("hi", "lo"), ("a", "b", "c")]
"""Priority classes of a hand-made berth pool or chokepoint (none: FIFO)."""
RESERVED: dict[int, list[tuple[float, ...]]] = {
    0: [()],
    2: [(), (0.5, 0.0), (0.0, 0.4), (0.75, 0.25), (0.3, 0.3)],
    3: [(), (0.0, 0.0, 0.5), (0.2, 0.5, 0.3), (1 / 3, 0.0, 1 / 3)],
}
"""Shares of a chokepoint's transits reserved for each class (none, some, all; the lowest class too)."""


@st.composite
def _station(draw: st.DrawFn, index: int, horizon: float) -> Station:
    kind = draw(st.sampled_from(["berth", "berth", "service", "chokepoint", "leg", "dwell"]))
    windows = _integer_windows(draw, horizon)
    if kind == "berth":
        count = draw(st.integers(1, 3))
        values = [(a, b, float(draw(st.integers(0, 4)))) for a, b in windows]
        classes = draw(st.sampled_from(CLASSES))
        return Station(index, f"b{index}", "berth", "N", windowed(count, values), count, classes=classes)
    if kind == "service":
        cycle = float(draw(st.sampled_from([4, 6, 10])))
        departures = tuple(
            sorted(set(draw(st.lists(st.integers(0, int(cycle) - 1), min_size=1, max_size=2))))
        )
        room = float(draw(st.sampled_from([1, 2, 3, 5])))
        values = [(a, b, float(draw(st.integers(0, 3)))) for a, b in windows]
        return Station(
            index,
            f"s{index}",
            "service",
            "N",
            windowed(room, values),
            room,
            "TEU",
            cycle,
            tuple(float(d) for d in departures),
        )
    if kind == "chokepoint":
        slots = float(draw(st.sampled_from([3, 6, 8, 12, 24])))
        values = [(a, b, float(draw(st.sampled_from([0, 3, 12])))) for a, b in windows]
        classes = draw(st.sampled_from(CLASSES))
        reserved = draw(st.sampled_from(RESERVED[len(classes)]))
        return Station(
            index,
            f"c{index}",
            "chokepoint",
            "N",
            windowed(slots, values),
            slots,
            classes=classes,
            reserved=reserved,
        )
    if kind == "dwell":
        return Station(index, f"d{index}", "dwell", "N", windowed(1.0, []), 1.0, cargo_class="box")
    values = [(a, b, float(draw(st.sampled_from([0.5, 2.0])))) for a, b in windows]
    return Station(index, f"l{index}", "leg", "N", windowed(1.0, values), 1.0)


def _integer_windows(draw: st.DrawFn, horizon: float) -> list[tuple[float, float]]:
    edges = sorted(set(draw(st.lists(st.integers(0, int(horizon)), max_size=4))))
    return [(float(a), float(b)) for a, b in zip(edges[0::2], edges[1::2], strict=False)]


@st.composite
def _replication(
    draw: st.DrawFn, routes: list[list[int]], stations: tuple[Station, ...], horizon: float
) -> list[HandShipment]:
    count = draw(st.integers(0, 25))
    created = sorted(draw(st.lists(st.integers(0, int(horizon)), min_size=count, max_size=count)))
    shipments = []
    for t in created:
        k = draw(st.integers(0, len(routes) - 1))
        route = routes[k]
        work = [float(draw(st.integers(1, 9))) for _ in route]
        size = [
            float(draw(st.sampled_from([1, 1, 2, 4]))) if stations[s].kind == "service" else 0.0
            for s in route
        ]
        shipments.append(HandShipment(float(t), route, work, size, flow=k))
    return shipments
