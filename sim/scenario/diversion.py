"""A flow's alternative route on diversion: resolved to steps like the route itself, and checked.

The alternative starts at the chokepoint where the decision is taken (``diversion.at``, a node of the flow's
route) and ends at the flow's destination. Its steps are the station visits after the chokepoint: the
chokepoint itself is not transited (the shipment turned away), so the first step is the leg leaving it.
A diversion that ``leaves`` has no alternative: no steps, its nodes the chokepoint alone.
"""

from __future__ import annotations

from sim.scenario.documents import FieldPath
from sim.scenario.routes import RouteProblem, Step, link_steps, node_steps

__all__ = ["resolve_diversion"]

from sim.scenario.model import Scenario


def resolve_diversion(
    scenario: Scenario, flow_id: str, route_nodes: tuple[str, ...]
) -> tuple[tuple[Step, ...], tuple[str, ...], list[RouteProblem]]:
    """Resolve a flow's alternative route (``flows.<id>.diversion``), given the nodes of its route.

    Returns
    -------
    steps : tuple of Step
        The station visits of the alternative after the chokepoint (empty when there are problems, or
        when the flow has no diversion).
    nodes : tuple of str
        The alternative's node ids, the chokepoint first.
    problems : list of RouteProblem
        Everything wrong with the diversion.
    """
    flow = scenario.flows[flow_id]
    diversion = flow.diversion
    if diversion is None:
        return (), (), []
    where: FieldPath = ("flows", flow_id, "diversion")
    problems: list[RouteProblem] = []
    node = scenario.nodes.get(diversion.at)
    if node is None or node.kind != "chokepoint" or diversion.at not in route_nodes:
        on_route = [n for n in route_nodes if scenario.nodes[n].kind == "chokepoint"]
        problems.append(
            RouteProblem(
                (*where, "at"),
                diversion.at,
                f"a chokepoint on the flow's route (its chokepoints: {', '.join(on_route) or 'none'})",
            )
        )
    if diversion.route is None:  # leaves: no alternative, the shipment goes elsewhere at the chokepoint
        return (), ((diversion.at,) if not problems else ()), problems
    tokens = list(diversion.route)
    links, nodes, link_problems = link_steps(scenario, tokens, (*where, "route"))
    problems += link_problems
    if problems:
        return (), (), problems
    if nodes[0] != diversion.at:
        problems.append(
            RouteProblem((*where, "route", 0), nodes[0], f"the alternative to start at {diversion.at}")
        )
    if nodes[-1] != flow.destination:
        problems.append(
            RouteProblem(
                (*where, "route", len(tokens) - 1),
                nodes[-1],
                f"the alternative to end at the destination {flow.destination}",
            )
        )
    if len(nodes) < 2 or links[0].kind != "leg":
        problems.append(
            RouteProblem(
                (*where, "route", 1 if len(tokens) > 1 else 0),
                tokens[1] if len(tokens) > 1 else tokens[0],
                f"a node joined to {diversion.at} by a leg (the shipment sails on from the chokepoint)",
            )
        )
    if problems:
        return (), (), problems
    steps, problems = node_steps(scenario, flow, nodes, links, (*where, "route"))
    return (tuple(steps[1:]) if not problems else ()), tuple(nodes), problems
