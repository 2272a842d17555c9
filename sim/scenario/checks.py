"""Cross-reference checks that a single field cannot make: ids that exist, units that agree, routes that join.

Each check returns :class:`~sim.scenario.routes.RouteProblem` records (field path, value, expectation);
the loader attaches file and line.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from sim.scenario.class_checks import check_flow_classes
from sim.scenario.diversion import resolve_diversion
from sim.scenario.flows import Flow
from sim.scenario.ledger_checks import check_ledger
from sim.scenario.limits import MAX_DEPARTURES, MAX_SHIPMENTS_PER_YEAR
from sim.scenario.model import Disruption, Scenario
from sim.scenario.routes import RouteProblem, Step, resolve_route, route_alternatives

__all__ = ["check_scenario", "disruption_stations", "disruption_window_h", "expected_shipments"]


def check_scenario(scenario: Scenario) -> list[RouteProblem]:
    """Return every cross-reference problem in a scenario that passed field validation."""
    problems = list(_check_links(scenario))
    if problems:  # routes cannot be judged over a broken graph
        return problems
    problems += _check_flows(scenario)
    problems += _check_disruptions(scenario)
    problems += _check_services(scenario)
    problems += check_ledger(scenario)
    return problems


def _check_links(scenario: Scenario) -> Iterator[RouteProblem]:
    for group, links in (("legs", scenario.legs), ("services", scenario.services)):
        for key, link in links.items():
            for end, node in (("from", link.from_), ("to", link.to)):
                if node not in scenario.nodes:
                    yield RouteProblem((group, key, end), node, "a node id defined under nodes")
            if link.from_ == link.to:
                yield RouteProblem((group, key, "to"), link.to, "a node other than 'from'")
            if key in scenario.nodes:
                yield RouteProblem((group, key), key, "an id that is not also a node id")
    for key in set(scenario.legs) & set(scenario.services):
        yield RouteProblem(("services", key), key, "an id not already used by a leg")


def _check_flows(scenario: Scenario) -> Iterator[RouteProblem]:
    for key, flow in scenario.flows.items():
        commodity = scenario.commodities.get(flow.commodity)
        if commodity is None:
            yield RouteProblem(
                ("flows", key, "commodity"),
                flow.commodity,
                f"one of the commodities ({', '.join(scenario.commodities)})",
            )
            continue
        for end in ("origin", "destination"):
            node = getattr(flow, end)
            if node not in scenario.nodes:
                yield RouteProblem(("flows", key, end), node, "a node id defined under nodes")
        if commodity.kind == "bulk":
            for field in ("volume_unit", "parcel_unit"):
                if getattr(flow, field) == "TEU":
                    yield RouteProblem(
                        ("flows", key, field), "TEU", f"'t' for the bulk commodity {flow.commodity}"
                    )
        if flow.origin not in scenario.nodes or flow.destination not in scenario.nodes:
            continue
        visited: list[Step] = []
        for alternative in route_alternatives(scenario, key):
            if alternative is not None:
                problems = list(_alternative_ends(scenario, key, alternative))
                yield from problems
                if problems:
                    continue
            steps, nodes, route_problems = resolve_route(scenario, key, alternative)
            yield from route_problems
            yield from _shipments_fit(scenario, key, nodes, commodity.tonnes_per_teu or 1.0)
            detour, _, detour_problems = resolve_diversion(scenario, key, nodes) if steps else ((), (), [])
            yield from detour_problems
            for step in (*steps, *detour):
                yield from _unit_fits(scenario, key, step.kind, step.ref, step.cargo_class, commodity.kind)
            visited += [*steps, *detour]
        yield from check_flow_classes(scenario, key, tuple(visited))


def _alternative_ends(scenario: Scenario, key: str, name: str) -> Iterator[RouteProblem]:
    choice = scenario.flows[key].choice
    assert choice is not None
    for end in ("origin", "destination"):
        node = getattr(choice.alternatives[name], end)
        if node is not None and node not in scenario.nodes:
            yield RouteProblem(
                ("flows", key, "choice", "alternatives", name, end), node, "a node id defined under nodes"
            )


_QUADRATURE = (np.arange(256, dtype=np.float64) + 0.5) / 256


def _shipments_fit(
    scenario: Scenario, key: str, nodes: tuple[str, ...], tonnes_per_teu: float
) -> Iterator[RouteProblem]:
    """A flow creates at most :data:`MAX_SHIPMENTS_PER_YEAR` shipments a year, under its parcel limits too."""
    flow = scenario.flows[key]
    parcels = flow.parcel.ppf(_QUADRATURE)
    smallest_mean = float(parcels.mean())
    for disruption in scenario.disruptions.values():
        if disruption.kind == "parcel_limit" and disruption.target in nodes:
            if disruption.set is not None:
                limited = np.minimum(parcels, disruption.set)
            else:
                limited = parcels * (disruption.scale or 0.0)
            smallest_mean = min(smallest_mean, float(limited.mean()))
    per_parcel = smallest_mean * _unit_factor(flow, tonnes_per_teu)
    if per_parcel <= 0 or flow.annual_volume / per_parcel > MAX_SHIPMENTS_PER_YEAR:
        count = flow.annual_volume / per_parcel if per_parcel > 0 else float("inf")
        yield RouteProblem(
            ("flows", key),
            f"annual_volume {flow.annual_volume:g} {flow.volume_unit}"
            f" in parcels of {smallest_mean:.3g} {flow.parcel_unit}"
            f" (about {count:.3g} shipments a year, parcel limits included)",
            f"at most {MAX_SHIPMENTS_PER_YEAR:,.0f} shipments a year per flow"
            " (a smaller volume or larger parcels)",
        )


def expected_shipments(scenario: Scenario) -> float:
    """Shipments one replication creates over the horizon, on average (parcel limits left out)."""
    total = 0.0
    for flow in scenario.flows.values():
        commodity = scenario.commodities.get(flow.commodity)
        per_parcel = flow.parcel.mean * _unit_factor(
            flow, commodity.tonnes_per_teu or 1.0 if commodity else 1.0
        )
        total += flow.annual_volume / per_parcel * scenario.horizon_days / 365.25
    return total


def _unit_factor(flow: Flow, tonnes_per_teu: float) -> float:
    """Volume units per parcel unit."""
    if flow.parcel_unit == flow.volume_unit:
        return 1.0
    return tonnes_per_teu if flow.parcel_unit == "TEU" else 1.0 / tonnes_per_teu


def _check_services(scenario: Scenario) -> Iterator[RouteProblem]:
    """A service schedules at most :data:`MAX_DEPARTURES` departures over the horizon."""
    for key, service in scenario.services.items():
        cycle, departures = service.cycle
        count = scenario.horizon_h / cycle * len(departures)
        if count > MAX_DEPARTURES:
            field = "headway_h" if service.headway_h is not None else "timetable"
            yield RouteProblem(
                ("services", key, field),
                f"{len(departures)} departures every {cycle:g} h ({count:.3g} over the horizon)",
                f"at most {MAX_DEPARTURES:,} departures over the horizon",
            )


def _unit_fits(
    scenario: Scenario, flow: str, kind: str, ref: str, cargo_class: str | None, commodity_kind: str
) -> Iterator[RouteProblem]:
    if commodity_kind != "bulk":
        return
    if (
        kind == "berth"
        and cargo_class is not None
        and scenario.nodes[ref].berths[cargo_class].rate_unit == "TEU/h"
    ):
        yield RouteProblem(
            ("nodes", ref, "berths", cargo_class, "rate_unit"),
            "TEU/h",
            f"'t/h': bulk flow {flow} uses this pool",
        )
    if kind == "service" and scenario.services[ref].capacity_unit == "TEU":
        yield RouteProblem(
            ("services", ref, "capacity_unit"), "TEU", f"'t': bulk flow {flow} rides this service"
        )


def disruption_window_h(scenario: Scenario, disruption: Disruption) -> tuple[float, float]:
    """The disruption's window [start, end) in hours from the scenario start (not clipped).

    A random disruption without a window runs over the whole horizon.
    """
    if disruption.random is not None and disruption.start is None and disruption.start_h is None:
        return 0.0, scenario.horizon_h
    if disruption.start is not None and disruption.end is not None:
        return scenario.hours_from_start(disruption.start), scenario.hours_from_start(disruption.end)
    assert disruption.start_h is not None
    assert disruption.end_h is not None
    return disruption.start_h, disruption.end_h


def disruption_stations(scenario: Scenario, disruption: Disruption) -> list[str] | None:
    """The station names a disruption changes (node ids for parcel limits); ``None`` for a bad target."""
    target, kind = disruption.target, disruption.kind
    if kind == "berths":
        node_id, _, cargo_class = target.partition("/")
        node = scenario.nodes.get(node_id)
        if node is None or not node.berths or (cargo_class and cargo_class not in node.berths):
            return None
        return [f"{node_id}/{c}" for c in node.berths if not cargo_class or c == cargo_class]
    if kind == "capacity":
        return [f"svc:{target}"] if target in scenario.services else None
    if kind == "slots":
        node = scenario.nodes.get(target)
        return [f"chk:{target}"] if node is not None and node.kind == "chokepoint" else None
    if kind == "speed":
        return [f"leg:{target}"] if target in scenario.legs else None
    return [target] if target in scenario.nodes else None


TARGETS = {
    "berths": "a node with berth pools, or NODE/cargo_class of an existing pool",
    "capacity": "a service id",
    "slots": "a chokepoint node id",
    "speed": "a leg id",
    "parcel_limit": "a node id",
}


def _check_disruptions(scenario: Scenario) -> Iterator[RouteProblem]:
    seen: dict[tuple[str, str], list[tuple[float, float, str]]] = {}
    for key, disruption in scenario.disruptions.items():
        where = ("disruptions", key)
        stations = disruption_stations(scenario, disruption)
        if stations is None:
            yield RouteProblem((*where, "target"), disruption.target, TARGETS[disruption.kind])
            continue
        start, end = disruption_window_h(scenario, disruption)
        if end <= start:
            yield RouteProblem(
                (*where, "end" if disruption.end is not None else "end_h"),
                str(disruption.end or disruption.end_h),
                "a window end after its start",
            )
            continue
        if end <= 0 or start >= scenario.horizon_h:
            yield RouteProblem(
                (*where, "start" if disruption.start is not None else "start_h"),
                str(disruption.start or disruption.start_h),
                f"a window overlapping the horizon ({scenario.start} + {scenario.horizon_days:g} days)",
            )
            continue
        if (
            disruption.kind == "berths"
            and disruption.set is not None
            and disruption.set != int(disruption.set)
        ):
            yield RouteProblem((*where, "set"), str(disruption.set), "a whole number of berths")
        if disruption.random is not None:
            continue  # random windows may overlap others: the most restrictive value holds
        for station in stations:
            for other_start, other_end, other in seen.get((disruption.kind, station), []):
                if start < other_end and other_start < end:
                    yield RouteProblem(
                        where,
                        key,
                        f"a window that does not overlap disruption {other} ({disruption.kind} at {station})",
                    )
            seen.setdefault((disruption.kind, station), []).append((start, end, key))
