"""Cross-reference checks of the ``costs:`` and ``emissions:`` sections, and the distance of a link.

Rates name links, nodes and commodities that must exist; a per-km rate needs the distance of every link it
can apply to; a carbon price needs emission factors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pydantic import BaseModel

from sim.scenario.ledger import KM_PER_NM
from sim.scenario.model import Scenario
from sim.scenario.routes import RouteProblem, resolve_route, route_alternatives

__all__ = ["check_ledger", "link_distance_km", "link_mode"]


def link_mode(scenario: Scenario, link: str) -> str:
    """The mode of a leg or service id."""
    entity = scenario.legs.get(link) or scenario.services[link]
    return entity.mode


def link_distance_km(scenario: Scenario, link: str) -> float | None:
    """The km a leg or service runs (``None`` when none is known).

    ``emissions.distances`` first, else the leg's own distance, else (a service) the distance of a leg of the
    same mode between the same two nodes.
    """
    if scenario.emissions is not None and link in scenario.emissions.distances:
        return scenario.emissions.distances[link].km
    leg = scenario.legs.get(link)
    if leg is not None:
        if leg.distance_km is not None:
            return leg.distance_km
        return leg.distance_nm * KM_PER_NM if leg.distance_nm is not None else None
    service = scenario.services[link]
    ends = {service.from_, service.to}
    for other in scenario.legs.values():
        if other.mode == service.mode and {other.from_, other.to} == ends:
            if other.distance_km is not None:
                return other.distance_km
            if other.distance_nm is not None:
                return other.distance_nm * KM_PER_NM
    return None


def check_ledger(scenario: Scenario) -> list[RouteProblem]:
    """Every problem of the ``costs:`` and ``emissions:`` sections."""
    return list(_problems(scenario))


def _problems(scenario: Scenario) -> Iterator[RouteProblem]:
    costs, emissions = scenario.costs, scenario.emissions
    per_km: list[BaseModel] = []
    if costs is not None:
        for table in ("freight", "ports", "canals"):
            yield from _selectors(scenario, ("costs", table), getattr(costs, table))
        per_km += [rate for rate in costs.freight.values() if rate.usd_per_unit_km > 0]
        for key in costs.cargo_values:
            if key not in scenario.commodities:
                yield RouteProblem(("costs", "cargo_values", key), key, "a commodity id")
        for key, toll in costs.canals.items():
            node = scenario.nodes.get(toll.node or "")
            if node is not None and node.kind != "chokepoint":
                yield RouteProblem(("costs", "canals", key, "node"), str(toll.node), "a chokepoint node id")
        if costs.carbon_price_usd_per_t > 0 and emissions is None:
            yield RouteProblem(
                ("costs", "carbon_price_usd_per_t"),
                f"{costs.carbon_price_usd_per_t:g}",
                "0 unless the scenario has an emissions: section to price",
            )
    if emissions is not None:
        for table in ("transport", "hubs"):
            yield from _selectors(scenario, ("emissions", table), getattr(emissions, table))
        per_km += list(emissions.transport.values())
        for key in emissions.distances:
            if key not in scenario.legs and key not in scenario.services:
                yield RouteProblem(("emissions", "distances", key), key, "a leg or service id")
    yield from _distances_known(scenario, per_km)


def _selectors(
    scenario: Scenario, where: tuple[str, str], entries: Mapping[str, BaseModel]
) -> Iterator[RouteProblem]:
    links = set(scenario.legs) | set(scenario.services)
    for key, entry in entries.items():
        link = getattr(entry, "link", None)
        if link is not None and link not in links:
            yield RouteProblem((*where, key, "link"), link, "a leg or service id")
        node = getattr(entry, "node", None)
        if node is not None and node not in scenario.nodes:
            yield RouteProblem((*where, key, "node"), node, "a node id defined under nodes")
        commodity = getattr(entry, "commodity", None)
        if commodity is not None and commodity not in scenario.commodities:
            yield RouteProblem((*where, key, "commodity"), commodity, "a commodity id")


def _distances_known(scenario: Scenario, per_km: list[BaseModel]) -> Iterator[RouteProblem]:
    """Links on a flow's route that a per-km rate or intensity can apply to must have a distance."""
    if not per_km:
        return
    used: set[str] = set()
    for key in scenario.flows:
        for alternative in route_alternatives(scenario, key):
            steps, _, problems = resolve_route(scenario, key, alternative)
            if not problems:
                used |= {step.ref for step in steps if step.kind in ("leg", "service")}
    for link in sorted(used):
        mode = link_mode(scenario, link)
        applies = any(
            getattr(rate, "link", None) in (None, link) and getattr(rate, "mode", None) in (None, mode)
            for rate in per_km
        )
        if applies and link_distance_km(scenario, link) is None:
            group = "legs" if link in scenario.legs else "services"
            yield RouteProblem(
                ("emissions", "distances", link),
                "(missing)",
                f"distance_km or distance_nm of {group} {link}: a per-km rate or intensity applies to it",
            )
