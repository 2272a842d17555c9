"""The network a scenario describes, in the form the engines use: numbered stations and routes.

Every place a shipment spends time is a *station* with an integer index: berth pools (c servers, FIFO),
scheduled services (departures with capacity), chokepoints (slots per day), legs and dwells (pure delays:
travel, and yard time at a port). Each
flow's route is the sequence of station indices it visits. Time-varying capacity from disruptions becomes a
:class:`~sim.schedule.Schedule` per station.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.arrays import FloatArray
from sim.scenario.checks import disruption_stations, disruption_window_h
from sim.scenario.diversion import resolve_diversion
from sim.scenario.model import Disruption, Scenario
from sim.scenario.routes import Step, resolve_route, route_alternatives
from sim.schedule import Schedule, windowed

__all__ = [
    "DELAY_KINDS",
    "FlowDiversion",
    "FlowRoute",
    "Network",
    "ParcelLimit",
    "Station",
    "build_network",
    "diverts",
]

StationKind = Literal["berth", "service", "chokepoint", "leg", "dwell"]
DELAY_KINDS = frozenset({"leg", "dwell"})
"""Station kinds that are pure delays (no queue): a visit ends at start plus work over the speed factor."""


@dataclass(frozen=True)
class Station:
    """One place where shipments spend time.

    Attributes
    ----------
    index : int
        Position in :attr:`Network.stations`.
    name : str
        Name in results (``BRPNG/dry_bulk``, ``svc:x``, ``chk:PAPCN``, ``leg:x``).
    kind : str
        ``berth``, ``service``, ``chokepoint``, ``leg`` or ``dwell``.
    node : str
        The node it belongs to (a leg or service: its ``from`` node).
    capacity : Schedule
        Berths in service (berth), capacity per departure (service), slots per day (chokepoint), or speed
        factor (leg; a dwell's is 1 throughout), over time.
    nominal : float
        The undisrupted value of ``capacity``.
    unit : str
        Unit of service capacity and shipment size (``t`` or ``TEU``); empty for other kinds.
    cycle_h : float
        Timetable cycle (services only; 0 otherwise).
    departures_h : tuple of float
        Departure offsets within the cycle (services only).
    cargo_class : str
        The pool's cargo class (berths and dwells; empty otherwise).
    classes : tuple of str
        Priority classes, highest first (berths and chokepoints; empty: FIFO). A visit's class is
        :attr:`sim.plan.Plan.visit_class`, an index into this tuple.
    reserved : tuple of float
        Share of the transits reserved for each class (chokepoints with classes; empty otherwise).
    """

    index: int
    name: str
    kind: StationKind
    node: str
    capacity: Schedule
    nominal: float
    unit: str = ""
    cycle_h: float = 0.0
    departures_h: tuple[float, ...] = ()
    cargo_class: str = ""
    classes: tuple[str, ...] = ()
    reserved: tuple[float, ...] = ()

    @property
    def has_priority(self) -> bool:
        """Serves two or more priority classes (else FIFO)."""
        return len(self.classes) > 1

    def departures_between(self, start: float, end: float) -> FloatArray:
        """All departure times in ``[start, end]`` (h), in order (services only)."""
        first_cycle = math.floor(start / self.cycle_h) - 1
        last_cycle = math.ceil(end / self.cycle_h) + 1
        cycles = np.arange(first_cycle, last_cycle + 1, dtype=np.float64)[:, None] * self.cycle_h
        times = (cycles + np.asarray(self.departures_h)[None, :]).ravel()
        return np.asarray(times[(times >= start) & (times <= end)], dtype=np.float64)

    @property
    def is_delay(self) -> bool:
        """A pure delay (leg or dwell): no queue, the visit starts on arrival."""
        return self.kind in DELAY_KINDS


@dataclass(frozen=True)
class ParcelLimit:
    """A window [start_h, end_h) in which parcels through a node are capped (``cap``) or scaled."""

    node: str
    start_h: float
    end_h: float
    cap: float | None
    scale: float | None


@dataclass(frozen=True)
class FlowDiversion:
    """Where a flow's shipments may divert, and where their alternative visits lie (docs/design.md).

    Attributes
    ----------
    at : int
        Position in :attr:`FlowRoute.stations` of the chokepoint visit where the decision is taken.
    branch : int
        Position where the alternative's visits begin: the route's visits are ``stations[:branch]``, the
        alternative's ``stations[branch:]`` (they replace ``stations[at:branch]`` for a shipment that
        diverts).
    threshold_days : float
        A shipment diverts when the ships ahead of it exceed this many days of the current slots (d).
    nodes : tuple of str
        The alternative's nodes, the chokepoint first.
    leaves : bool
        A shipment that turns away leaves (goes elsewhere, never delivered): there is no alternative, so
        ``branch`` is the route's length and ``nodes`` the chokepoint alone.
    """

    at: int
    branch: int
    threshold_days: float
    nodes: tuple[str, ...]
    leaves: bool = False


def diverts(ahead: int, slots_per_day: float, threshold_days: float) -> bool:
    """The diversion rule: a shipment diverts when the ships ahead exceed ``threshold_days`` of slots.

    Parameters
    ----------
    ahead : int
        Ships waiting ahead of it at the chokepoint when it arrives (not yet given a slot); at a chokepoint
        with classes, those of its own class and every higher one (served before it or with it).
    slots_per_day : float
        The chokepoint's slots per day at that instant.
    threshold_days : float
        The flow's threshold (d); ``inf`` for a shipment that never diverts.

    Both engines decide with this one expression, so their floats agree: ``ahead > threshold_days ×
    slots_per_day``, i.e. the queue ahead would take more than ``threshold_days`` days at the current slot
    rate. With no slots (a closed canal) any ship behind another diverts; an infinite threshold never does
    (``inf × 0`` is NaN, and no comparison with NaN holds).
    """
    return bool(ahead > threshold_days * slots_per_day)


@dataclass(frozen=True)
class FlowRoute:
    """A flow's route resolved to station indices: its one route, or one of its ``choice`` alternatives.

    ``steps`` and ``stations`` are the visits laid out for each shipment: the route's, then (for a flow with
    a diversion) the alternative's after the chokepoint; ``nodes`` are the route's nodes.

    Attributes
    ----------
    name : str
        The flow's id, or ``FLOW/ALTERNATIVE`` for an alternative (ids contain no ``/``): the label of its
        shipments in results.
    alternative : str
        The alternative's name; empty for a flow with one route.
    """

    index: int
    name: str
    steps: tuple[Step, ...]
    stations: tuple[int, ...]
    nodes: tuple[str, ...]
    diversion: FlowDiversion | None = None
    alternative: str = ""

    @property
    def planned(self) -> int:
        """Visits of the route itself (without the alternative's)."""
        return self.diversion.branch if self.diversion is not None else len(self.stations)

    @property
    def flow(self) -> str:
        """The scenario flow's id (``scenario.flows[route.flow]``)."""
        return self.name.partition("/")[0]


@dataclass(frozen=True)
class Network:
    """Stations and routes of one scenario."""

    stations: tuple[Station, ...]
    flows: tuple[FlowRoute, ...]
    parcel_limits: tuple[ParcelLimit, ...]
    horizon_h: float

    def station(self, name: str) -> Station:
        """Look a station up by name."""
        for station in self.stations:
            if station.name == name:
                return station
        raise KeyError(name)


def build_network(scenario: Scenario) -> Network:
    """Number the stations used by any flow and resolve every flow's route to them."""
    steps_by_flow = {
        (name, alternative): resolve_route(scenario, name, alternative)
        for name in scenario.flows
        for alternative in route_alternatives(scenario, name)
    }
    windows = _windows_by_station(scenario)
    stations: dict[str, Station] = {}
    flows = []
    for index, ((name, alternative), (route, nodes, problems)) in enumerate(steps_by_flow.items()):
        detour, detour_nodes, detour_problems = resolve_diversion(scenario, name, nodes)
        if problems or detour_problems:  # pragma: no cover - the loader has already reported these
            raise ValueError(f"flow {name} has an unresolved route: {(problems or detour_problems)[0]}")
        steps = (*route, *detour)
        for step in steps:
            if step.station not in stations:
                stations[step.station] = _station(
                    scenario, step, len(stations), windows.get(step.station, [])
                )
        label = name if alternative is None else f"{name}/{alternative}"
        indices = tuple(stations[s.station].index for s in steps)
        diversion = _diversion(scenario, name, route, detour_nodes)
        flows.append(FlowRoute(index, label, steps, indices, nodes, diversion, alternative or ""))
    limits = tuple(_parcel_limits(scenario))
    return Network(tuple(stations.values()), tuple(flows), limits, scenario.horizon_h)


def _diversion(
    scenario: Scenario, name: str, route: tuple[Step, ...], nodes: tuple[str, ...]
) -> FlowDiversion | None:
    """The flow's diversion point and threshold, with its alternative laid out after the route's visits."""
    diversion = scenario.flows[name].diversion
    if diversion is None:
        return None
    at = next(k for k, step in enumerate(route) if step.kind == "chokepoint" and step.ref == diversion.at)
    return FlowDiversion(at, len(route), diversion.threshold_days, nodes, diversion.leaves)


Window = tuple[float, float, Disruption]


def _windows_by_station(scenario: Scenario) -> dict[str, list[Window]]:
    windows: dict[str, list[Window]] = {}
    for disruption in scenario.disruptions.values():
        if disruption.kind == "parcel_limit" or disruption.random is not None:  # random: sim.spells
            continue
        start, end = disruption_window_h(scenario, disruption)
        start, end = max(start, 0.0), min(end, scenario.horizon_h)
        for station in disruption_stations(scenario, disruption) or []:
            windows.setdefault(station, []).append((start, end, disruption))
    return windows


def _changed(nominal: float, disruption: Disruption, whole: bool) -> float:
    value = disruption.set if disruption.set is not None else nominal * (disruption.scale or 0.0)
    return float(math.floor(value + 1e-9)) if whole else float(value)


def _station(scenario: Scenario, step: Step, index: int, windows: list[Window]) -> Station:
    def schedule(nominal: float, whole: bool = False) -> Schedule:
        return windowed(nominal, [(s, e, _changed(nominal, d, whole)) for s, e, d in windows])

    if step.kind == "berth":
        assert step.cargo_class is not None
        pool = scenario.nodes[step.ref].berths[step.cargo_class]
        return Station(
            index,
            step.station,
            "berth",
            step.ref,
            schedule(pool.count, whole=True),
            pool.count,
            cargo_class=step.cargo_class,
            classes=tuple(pool.classes or ()),
        )
    if step.kind == "service":
        service = scenario.services[step.ref]
        cycle_h, departures = service.cycle
        return Station(
            index,
            step.station,
            "service",
            service.from_,
            schedule(service.capacity),
            service.capacity,
            service.capacity_unit,
            cycle_h,
            departures,
        )
    if step.kind == "chokepoint":
        chokepoint = scenario.nodes[step.ref].chokepoint
        assert chokepoint is not None
        classes = tuple(chokepoint.classes or ())
        reserved = chokepoint.reserved_share or {}
        return Station(
            index,
            step.station,
            "chokepoint",
            step.ref,
            schedule(chokepoint.slots_per_day),
            chokepoint.slots_per_day,
            classes=classes,
            reserved=tuple(float(reserved.get(name, 0.0)) for name in classes) if reserved else (),
        )
    if step.kind == "dwell":
        assert step.cargo_class is not None
        return Station(
            index, step.station, "dwell", step.ref, windowed(1.0, []), 1.0, cargo_class=step.cargo_class
        )
    leg = scenario.legs[step.ref]
    return Station(index, step.station, "leg", leg.from_, schedule(1.0), 1.0)


def _parcel_limits(scenario: Scenario) -> list[ParcelLimit]:
    limits = []
    for disruption in scenario.disruptions.values():
        if disruption.kind != "parcel_limit" or disruption.random is not None:  # random: sim.spells
            continue
        start, end = disruption_window_h(scenario, disruption)
        limits.append(
            ParcelLimit(
                disruption.target,
                max(start, 0.0),
                min(end, scenario.horizon_h),
                disruption.set,
                disruption.scale,
            )
        )
    return limits
