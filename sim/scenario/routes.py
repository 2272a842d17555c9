"""Turn a flow's route (node, leg and service ids) into the ordered steps a shipment takes.

A step is one station visit: a berth pool at a port (or at a hub that has one), a chokepoint, a leg (a pure
delay), a scheduled service, or a dwell (yard time, a pure delay) before or after a berth visit. Explicit
routes name nodes and, where two nodes are joined by more than one link, the leg or service to take. Without
a route the fastest path (free-flow hours) is derived, passing only through hubs and chokepoints (a derived
route never transships at a port).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Literal

from sim.scenario.documents import FieldPath
from sim.scenario.flows import Flow
from sim.scenario.model import Scenario

__all__ = [
    "RouteProblem",
    "Step",
    "link_steps",
    "node_steps",
    "resolve_route",
    "route_alternatives",
    "station_name",
]

StepKind = Literal["berth", "service", "chokepoint", "leg", "dwell"]
Direction = Literal["export", "import", "transshipment"]


@dataclass(frozen=True)
class Step:
    """One station visit on a route.

    Attributes
    ----------
    kind : str
        ``berth``, ``service``, ``chokepoint``, ``leg`` or ``dwell``.
    ref : str
        The leg or service id, or the node id (berths, chokepoints, dwells).
    cargo_class : str or None
        The berth pool's cargo class (berth and dwell steps only).
    direction : str or None
        ``export``, ``import`` or ``transshipment`` (dwell steps only).
    """

    kind: StepKind
    ref: str
    cargo_class: str | None = None
    direction: Direction | None = None

    @property
    def station(self) -> str:
        """The station's name in results (see :func:`station_name`)."""
        return station_name(self.kind, self.ref, self.cargo_class, self.direction)


def station_name(
    kind: StepKind, ref: str, cargo_class: str | None = None, direction: Direction | None = None
) -> str:
    """Name a station as it appears in result files.

    ``BRPNG/dry_bulk`` (berth), ``svc:x`` (service), ``chk:PAPCN`` (chokepoint), ``leg:x`` (leg),
    ``dwell:CNQZH/container/export`` (dwell).
    """
    if kind == "berth":
        return f"{ref}/{cargo_class}"
    if kind == "dwell":
        return f"dwell:{ref}/{cargo_class}/{direction}"
    prefix = {"service": "svc", "chokepoint": "chk", "leg": "leg"}[kind]
    return f"{prefix}:{ref}"


@dataclass(frozen=True)
class RouteProblem:
    """Why a route cannot be resolved: the field path, the bad value and what was expected."""

    path: FieldPath
    value: str
    expected: str


def resolve_route(
    scenario: Scenario, flow_id: str, alternative: str | None = None
) -> tuple[tuple[Step, ...], tuple[str, ...], list[RouteProblem]]:
    """Resolve a flow's route, or the route of one of its ``choice`` alternatives.

    Returns
    -------
    steps : tuple of Step
        The station visits in order (empty when there are problems).
    nodes : tuple of str
        The node ids passed, in order.
    problems : list of RouteProblem
        Everything wrong with the route (empty when it resolves).
    """
    flow = scenario.flows[flow_id]
    where: FieldPath = ("flows", flow_id, "route")
    if alternative is not None:
        flow, where = _alternative_flow(flow, flow_id, alternative)
    if flow.route is None:
        path = _fastest_path(scenario, flow)
        if path is None:
            return (
                (),
                (),
                [
                    RouteProblem(
                        ("flows", flow_id, "destination"),
                        flow.destination,
                        f"a node reachable from {flow.origin} through legs and services "
                        "(or an explicit route)",
                    )
                ],
            )
        tokens: list[str] = path
    else:
        tokens = list(flow.route)
    links, nodes, problems = link_steps(
        scenario, tokens, where if flow.route is not None else ("flows", flow_id)
    )
    if not problems:
        if nodes[0] != flow.origin:
            problems.append(
                RouteProblem((*where, 0), nodes[0], f"the route to start at the origin {flow.origin}")
            )
        if nodes[-1] != flow.destination:
            problems.append(
                RouteProblem(
                    (*where, len(tokens) - 1),
                    nodes[-1],
                    f"the route to end at the destination {flow.destination}",
                )
            )
    if problems:
        return (), (), problems
    steps, problems = node_steps(scenario, flow, nodes, links, where)
    return (tuple(steps) if not problems else ()), tuple(nodes), problems


def route_alternatives(scenario: Scenario, flow_id: str) -> list[str | None]:
    """The flow's ``choice`` alternatives by name, or ``[None]`` for a flow with one route."""
    choice = scenario.flows[flow_id].choice
    return [None] if choice is None else list(choice.alternatives)


def _alternative_flow(flow: Flow, flow_id: str, name: str) -> tuple[Flow, FieldPath]:
    """The flow as it runs on one alternative: that route, origin and destination."""
    assert flow.choice is not None
    chosen = flow.choice.alternatives[name]
    update = {
        "route": chosen.route,
        "origin": chosen.origin or flow.origin,
        "destination": chosen.destination or flow.destination,
        "choice": None,
    }
    return flow.model_copy(update=update), ("flows", flow_id, "choice", "alternatives", name, "route")


def link_steps(
    scenario: Scenario, tokens: list[str], where: FieldPath
) -> tuple[list[Step], list[str], list[RouteProblem]]:
    """Split route tokens into nodes and the links (leg or service steps) joining consecutive nodes."""
    problems: list[RouteProblem] = []
    nodes: list[str] = []
    links: list[Step] = []
    pending: tuple[int, str] | None = None
    for index, token in enumerate(tokens):
        if token in scenario.legs or token in scenario.services:
            if pending is not None or not nodes:
                problems.append(RouteProblem((*where, index), token, "a node id before each leg or service"))
            pending = (index, token)
            continue
        if token not in scenario.nodes:
            problems.append(
                RouteProblem((*where, index), token, "a node, leg or service id defined in the scenario")
            )
            continue
        if nodes:
            link = _join(scenario, nodes[-1], token, pending, (*where, index))
            if isinstance(link, RouteProblem):
                problems.append(link)
            else:
                links.append(link)
        nodes.append(token)
        pending = None
    if pending is not None:
        problems.append(RouteProblem((*where, pending[0]), pending[1], "a node id after each leg or service"))
    if not nodes and not problems:
        problems.append(RouteProblem(where, "[]", "at least one node"))
    return links, nodes, problems


def _join(
    scenario: Scenario, a: str, b: str, named: tuple[int, str] | None, where: FieldPath
) -> Step | RouteProblem:
    if named is not None:
        index, link = named
        path = (*where[:-1], index)
        if link in scenario.legs:
            leg = scenario.legs[link]
            if {leg.from_, leg.to} != {a, b}:
                return RouteProblem(
                    path, link, f"a leg joining {a} and {b} (it joins {leg.from_} and {leg.to})"
                )
            return Step("leg", link)
        service = scenario.services[link]
        if (service.from_, service.to) != (a, b):
            return RouteProblem(
                path, link, f"a service from {a} to {b} (it runs {service.from_} to {service.to})"
            )
        return Step("service", link)
    candidates = [Step("leg", k) for k, leg in scenario.legs.items() if {leg.from_, leg.to} == {a, b}]
    candidates += [Step("service", k) for k, s in scenario.services.items() if (s.from_, s.to) == (a, b)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        return RouteProblem(where, b, f"a node joined to {a} by a leg or service")
    names = ", ".join(step.ref for step in candidates)
    return RouteProblem(where, b, f"the leg or service to take from {a} named before it (one of: {names})")


def node_steps(
    scenario: Scenario, flow: Flow, nodes: list[str], links: list[Step], where: FieldPath
) -> tuple[list[Step], list[RouteProblem]]:
    """The station visits of a node path joined by ``links``: berths with their dwells, chokepoints, links."""
    cargo_class = (
        scenario.commodities[flow.commodity].cargo_class if flow.commodity in scenario.commodities else None
    )
    steps: list[Step] = []
    problems: list[RouteProblem] = []
    for position, node_id in enumerate(nodes):
        node = scenario.nodes[node_id]
        if node.kind == "chokepoint":
            steps.append(Step("chokepoint", node_id))
        elif cargo_class is not None and cargo_class in node.berths:
            steps.extend(_berth_steps(scenario, node_id, cargo_class, position, len(nodes)))
        elif node.kind == "port" and cargo_class is not None:
            pools = ", ".join(node.berths) or "none"
            problems.append(
                RouteProblem(
                    (*where[:2], "commodity"),
                    flow.commodity,
                    f"a commodity whose cargo class ({cargo_class}) has a berth pool at "
                    f"{node_id} (its pools: {pools})",
                )
            )
        if position < len(links):
            steps.append(links[position])
    return steps, problems


def _berth_steps(
    scenario: Scenario, node_id: str, cargo_class: str, position: int, n_nodes: int
) -> list[Step]:
    """The berth visit with its dwell: before it at the origin and in transshipment, after it at the end."""
    berth = Step("berth", node_id, cargo_class)
    dwell = scenario.nodes[node_id].berths[cargo_class].dwell_h
    direction: Direction = (
        "export" if position == 0 else "import" if position == n_nodes - 1 else "transshipment"
    )
    if dwell is None or dwell.of(direction) is None:
        return [berth]
    stay = Step("dwell", node_id, cargo_class, direction)
    return [berth, stay] if direction == "import" else [stay, berth]


def _fastest_path(scenario: Scenario, flow: Flow) -> list[str] | None:
    """Dijkstra over legs (both ways) and services (one way), by free-flow hours."""
    edges: dict[str, list[tuple[float, str]]] = {}
    for leg in scenario.legs.values():
        edges.setdefault(leg.from_, []).append((leg.free_flow_h, leg.to))
        edges.setdefault(leg.to, []).append((leg.free_flow_h, leg.from_))
    for service in scenario.services.values():
        edges.setdefault(service.from_, []).append((service.transit_h, service.to))
    best = {flow.origin: 0.0}
    previous: dict[str, str] = {}
    frontier = [(0.0, flow.origin)]
    while frontier:
        hours, node = heapq.heappop(frontier)
        if node == flow.destination:
            path = [node]
            while path[-1] != flow.origin:
                path.append(previous[path[-1]])
            return path[::-1]
        if hours > best[node] or (node != flow.origin and scenario.nodes[node].kind == "port"):
            continue
        for length, neighbour in edges.get(node, []):
            if neighbour in scenario.nodes and hours + length < best.get(neighbour, float("inf")):
                best[neighbour] = hours + length
                previous[neighbour] = node
                heapq.heappush(frontier, (hours + length, neighbour))
    return None
