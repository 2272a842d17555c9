"""The figures a report embeds: rendered to PNG files once, then inlined as base64 ``data:`` URIs."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.analysis.figures.network_map import plot_network_map
from sim.analysis.figures.run import (
    plot_monthly_throughput,
    plot_queue_length,
    plot_station_waiting,
    plot_transit_ecdf,
    plot_utilisation_heatmap,
)
from sim.analysis.figures.style import save_png
from sim.analysis.report.choice_figures import choice_figure_specs
from sim.analysis.tables import occupancy
from sim.analysis.tables import tidy as tables
from sim.analysis.tables.run_data import RunData

__all__ = ["Figure", "render", "run_figures"]


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


def run_figures(run: RunData, scratch: Path, prefix: str = "", busiest: int = 4) -> list[Figure]:
    """Render the standard figures of one run into ``scratch`` and return them.

    Parameters
    ----------
    run : RunData
        The run.
    scratch : Path
        Directory for the PNG files.
    prefix : str
        Prepended to file names (to keep several runs' figures apart).
    busiest : int
        Stations shown in the queue-length figure: the longest mean waits (the report's monthly-waits table).
    """
    queue_stations = tables.station_waiting(run)["station"].head(busiest).tolist()
    specs: list[tuple[str, str, str, Callable[[], Any]]] = [
        (
            "network_map",
            "Network",
            "Ports sized by tonnes handled per year; flows weighted by tonnes delivered per year.",
            lambda: plot_network_map(tables.port_throughput(run), tables.flow_routes(run)),
        ),
        (
            "monthly_throughput",
            "Monthly throughput",
            "Tonnes delivered per calendar month by commodity, mean and 95 % interval over replications.",
            lambda: plot_monthly_throughput(tables.monthly_throughput(run)),
        ),
        (
            "transit_ecdf",
            "Transit time",
            "Distribution of door-to-door transit time per flow (empirical CDF).",
            lambda: plot_transit_ecdf(tables.transit_times(run)),
        ),
        (
            "station_waiting",
            "Waiting time",
            "Mean waiting time before service at each queueing station, with 95 % intervals.",
            lambda: plot_station_waiting(tables.station_waiting(run)),
        ),
        (
            "utilisation",
            "Berth utilisation",
            "Busy berth-hours over nominal berth-hours, by berth pool and month.",
            lambda: plot_utilisation_heatmap(occupancy.monthly_utilisation(run)),
        ),
    ]
    if queue_stations:
        specs.append(
            (
                "queue_length",
                "Queue length",
                "Shipments waiting (arrived, not yet in service) over time at the longest-wait stations.",
                lambda: plot_queue_length(occupancy.queue_length(run, queue_stations)),
            )
        )
    specs.extend(choice_figure_specs(run))
    return [render(prefix + name, title, caption, make, scratch) for name, title, caption, make in specs]
