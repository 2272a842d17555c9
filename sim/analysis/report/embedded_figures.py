"""The figures a report embeds: rendered to PNG files once, then inlined as base64 ``data:`` URIs."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.figures.choice import plot_cost_breakdown, plot_emissions, plot_route_shares
from sim.analysis.figures.names import Names, names_of_runs
from sim.analysis.figures.network_map import plot_network_map
from sim.analysis.figures.run import (
    plot_monthly_throughput,
    plot_queue_length,
    plot_station_waiting,
    plot_transit_ecdf,
    plot_utilisation_heatmap,
)
from sim.analysis.figures.style import save_png
from sim.analysis.figures.waits import plot_monthly_waits
from sim.analysis.tables import choice as choice_tables
from sim.analysis.tables import occupancy
from sim.analysis.tables import tidy as tables
from sim.analysis.tables.run_data import RunData

__all__ = ["CHOICE_FIGURES", "Figure", "Spec", "render", "run_figure_specs"]


@dataclass
class Figure:
    """A rendered figure: its file stem, title, caption and PNG bytes."""

    name: str
    title: str
    caption: str
    png: bytes = field(repr=False)

    def html(self) -> str:
        """A ``<figure>`` element with the PNG embedded as a data URI."""
        encoded = base64.b64encode(self.png).decode("ascii")
        title = html.escape(self.title)
        return (
            f'<figure id="fig-{html.escape(self.name)}"><img alt="{title}" '
            f'src="data:image/png;base64,{encoded}"><figcaption><b>{title}.</b> '
            f"{html.escape(self.caption)}</figcaption></figure>"
        )


def render(name: str, title: str, caption: str, make: Callable[[], Any], scratch: Path) -> Figure:
    """Build a figure with ``make()``, save it as ``scratch/name.png`` and return it."""
    path = save_png(make(), scratch / f"{name}.png")
    return Figure(name, title, caption, path.read_bytes())


Spec = tuple[str, str, Callable[[], Any]]
"""A figure to draw: title, caption and the function that draws it."""


def run_figure_specs(run: RunData, names: Names | None = None, busiest: int = 4) -> dict[str, Spec]:
    """The standard figures of one run by file stem (nothing is drawn until a spec's function is called).

    Parameters
    ----------
    run : RunData
        The run.
    names : Names, optional
        Names of its flows and stations (:func:`sim.analysis.figures.names.names_of_runs`); ids without.
    busiest : int
        Stations shown in the queue-length figure: the longest mean waits (the report's monthly-waits table).
    """
    named = names if names is not None else names_of_runs([run])
    queue_stations = tables.station_waiting(run)["station"].head(busiest).tolist()
    specs: dict[str, Spec] = {
        "network_map": (
            "Network",
            "Ports sized by tonnes handled per year; flows weighted by tonnes delivered per year.",
            lambda: plot_network_map(tables.port_throughput(run), tables.flow_routes(run)),
        ),
        "monthly_throughput": (
            "Monthly throughput",
            "Tonnes delivered per calendar month by commodity, mean and 95 % interval over replications.",
            lambda: plot_monthly_throughput(tables.monthly_throughput(run)),
        ),
        "transit_ecdf": (
            "Transit time",
            "Distribution of door-to-door transit time per flow (empirical CDF).",
            lambda: plot_transit_ecdf(tables.transit_times(run), names=named),
        ),
        "station_waiting": (
            "Waiting time",
            "Mean waiting time before service at each queueing station, with 95 % intervals.",
            lambda: plot_station_waiting(tables.station_waiting(run), names=named),
        ),
        "utilisation": (
            "Berth utilisation",
            "Busy berth-hours over nominal berth-hours, by berth pool and month.",
            lambda: plot_utilisation_heatmap(occupancy.monthly_utilisation(run), names=named),
        ),
    }
    if queue_stations:
        specs["queue_length"] = (
            "Queue length",
            "Shipments waiting (arrived, not yet in service) over time at the longest-wait stations.",
            lambda: plot_queue_length(occupancy.queue_length(run, queue_stations), names=named),
        )
    monthly = tables.station_monthly_waits(run, tables.peak_wait_stations(run, busiest))
    if not monthly.empty:
        specs["monthly_waits"] = (
            "Monthly waits",
            (
                "Mean and 95th-percentile wait by month of arrival at the berths and chokepoints with the "
                "longest mean wait in their worst month, with 95 % intervals across replications (the KPI "
                "stations_by_month)."
            ),
            lambda: plot_monthly_waits(monthly, names=named),
        )
    specs.update(_choice_figure_specs(run, named))
    return specs


CHOICE_FIGURES = ("route_shares", "cost_breakdown", "emissions")
"""File stems of the figures below, in the order the report shows them."""


def _choice_figure_specs(run: RunData, names: Names) -> dict[str, Spec]:
    """The route-share, cost and emissions figures (by file stem) the run has data for."""
    specs: dict[str, Spec] = {}
    shares = choice_tables.route_shares(run)
    if len(shares):
        specs["route_shares"] = (
            "Route choice",
            "Share of each choice flow's shipments taking each route, with the probability in the Plan.",
            lambda: plot_route_shares(shares, names=names),
        )
    background = run.background.flows  # the ports' other traffic: not the corridor's cost or carbon
    costs = _without(choice_tables.cost_breakdown(run), background)
    if len(costs):
        specs["cost_breakdown"] = (
            "Cost breakdown",
            "US$ per tonne delivered by component (freight, port, canal, time, carbon), by route.",
            lambda: plot_cost_breakdown(costs, names=names),
        )
    emissions = _without(choice_tables.emissions_breakdown(run), background)
    if len(emissions):
        specs["emissions"] = (
            "Emissions",
            "Well-to-wheel CO₂e per tonne delivered from transport and from hubs, by flow or route.",
            lambda: plot_emissions(emissions, names=names),
        )
    return specs


def _without(table: pd.DataFrame, flows: frozenset[str]) -> pd.DataFrame:
    """The rows of a breakdown (``key`` = flow or ``FLOW/ALTERNATIVE``) whose flow is not in ``flows``."""
    flow = [str(key).partition("/")[0] for key in table["key"]]
    return table[[f not in flows for f in flow]]
