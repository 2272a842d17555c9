"""Cross-reference checks of priority classes: a flow names classes of stations on its route.

Where each flow stands at each station with classes is resolved here too (:func:`station_classes`,
:func:`membership`), so that the Plan draws exactly what the checks accepted.
"""

from __future__ import annotations

from collections.abc import Iterator

from sim.scenario.model import Scenario
from sim.scenario.routes import RouteProblem, Step

__all__ = ["check_flow_classes", "membership", "station_classes"]


def station_classes(scenario: Scenario, step: Step) -> tuple[str, ...]:
    """The priority classes of the station a step visits, highest first (empty: served FIFO)."""
    if step.kind == "chokepoint":
        chokepoint = scenario.nodes[step.ref].chokepoint
        return tuple(chokepoint.classes or ()) if chokepoint is not None else ()
    if step.kind == "berth" and step.cargo_class is not None:
        return tuple(scenario.nodes[step.ref].berths[step.cargo_class].classes or ())
    return ()


def _default_share(scenario: Scenario, step: Step) -> dict[str, float] | None:
    if step.kind == "chokepoint":
        chokepoint = scenario.nodes[step.ref].chokepoint
        return chokepoint.default_share if chokepoint is not None else None
    assert step.cargo_class is not None
    return scenario.nodes[step.ref].berths[step.cargo_class].default_share


def membership(scenario: Scenario, flow: str, step: Step) -> tuple[float, ...]:
    """The share of the flow's shipments in each class of the step's station (in the station's order).

    The flow's own ``classes`` entry for the node, else the station's ``default_share``, else every
    shipment in the last class. Empty for a station without classes.
    """
    classes = station_classes(scenario, step)
    if not classes:
        return ()
    given = (scenario.flows[flow].classes or {}).get(step.ref)
    shares = {given: 1.0} if isinstance(given, str) else given
    if shares is None:
        shares = _default_share(scenario, step) or {classes[-1]: 1.0}
    return tuple(float(shares.get(name, 0.0)) for name in classes)


def check_flow_classes(scenario: Scenario, flow: str, steps: tuple[Step, ...]) -> Iterator[RouteProblem]:
    """A flow's ``classes`` name nodes whose station on its route has classes, and classes it has."""
    for node, member in (scenario.flows[flow].classes or {}).items():
        where = ("flows", flow, "classes", node)
        classed = [step for step in steps if step.ref == node and station_classes(scenario, step)]
        if not classed:
            yield RouteProblem(
                where, node, "a node on the flow's route whose chokepoint or berth pool has classes"
            )
            continue
        classes = station_classes(scenario, classed[0])
        for name in [member] if isinstance(member, str) else list(member):
            if name not in classes:
                yield RouteProblem(where, name, f"one of the classes at {node} ({', '.join(classes)})")
