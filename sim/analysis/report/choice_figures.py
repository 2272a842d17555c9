"""The report figures of route choice, cost and emissions: added to a run's figures when it has them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.analysis.figures.choice import plot_cost_breakdown, plot_emissions, plot_route_shares
from sim.analysis.tables import choice as tables
from sim.analysis.tables.run_data import RunData

__all__ = ["choice_figure_specs"]

Spec = tuple[str, str, str, Callable[[], Any]]


def choice_figure_specs(run: RunData) -> list[Spec]:
    """(name, title, caption, make) of the route-share, cost and emissions figures the run has data for."""
    specs: list[Spec] = []
    shares = tables.route_shares(run)
    if len(shares):
        specs.append(
            (
                "route_shares",
                "Route choice",
                "Share of each choice flow's shipments taking each route, with the probability in the Plan.",
                lambda: plot_route_shares(shares),
            )
        )
    costs = tables.cost_breakdown(run)
    if len(costs):
        specs.append(
            (
                "cost_breakdown",
                "Cost breakdown",
                "US$ per tonne delivered by component (freight, port, canal, time, carbon), by route.",
                lambda: plot_cost_breakdown(costs),
            )
        )
    emissions = tables.emissions_breakdown(run)
    if len(emissions):
        specs.append(
            (
                "emissions",
                "Emissions",
                "Well-to-wheel CO₂e per tonne delivered from transport and from hubs, by flow or route.",
                lambda: plot_emissions(emissions),
            )
        )
    return specs
