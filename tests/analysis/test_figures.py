"""Figures: each builds from its tidy table, carries its title and units, and saves a valid PNG."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim.analysis.figures import run as plots
from sim.analysis.figures.network_map import plot_network_map
from sim.analysis.figures.style import save_png
from sim.analysis.tables import occupancy
from sim.analysis.tables import tidy as tables

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _texts(figure):
    found = [figure._suptitle.get_text()] if figure._suptitle else []
    for ax in figure.axes:
        found += [ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()]
    return " | ".join(found)


@pytest.fixture(scope="module")
def figures(corridor):
    busiest = occupancy.time_average_queue(corridor)["station"].head(4).tolist()
    return {
        "throughput": plots.plot_monthly_throughput(tables.monthly_throughput(corridor)),
        "ecdf": plots.plot_transit_ecdf(tables.transit_times(corridor)),
        "waiting": plots.plot_station_waiting(tables.station_waiting(corridor)),
        "utilisation": plots.plot_utilisation_heatmap(occupancy.monthly_utilisation(corridor)),
        "queue": plots.plot_queue_length(occupancy.queue_length(corridor, busiest)),
        "map": plot_network_map(tables.port_throughput(corridor), tables.flow_routes(corridor)),
    }


@pytest.mark.parametrize(
    ("name", "must_show"),
    [
        ("throughput", ["Monthly throughput", "Soybeans", "delivered per month"]),
        ("ecdf", ["Transit time", "soy_png_tao", "transit time (days)", "share of shipments"]),
        ("waiting", ["Waiting time by station", "(hours)"]),
        ("utilisation", ["Berth utilisation"]),
        ("queue", ["Queue length", "shipments waiting"]),
        ("map", ["Corridor network"]),
    ],
)
def test_figure_titles_and_units(figures, name, must_show):
    text = _texts(figures[name])
    for expected in must_show:
        assert expected in text


def test_figures_save_as_png(figures, tmp_path):
    for name, figure in figures.items():
        path = save_png(figure, tmp_path / f"{name}.png")
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC)
        assert len(data) > 10_000


def test_panels_match_the_data(figures, corridor):
    visible = [ax for ax in figures["throughput"].axes if ax.get_visible()]
    assert len(visible) == corridor.shipments["commodity"].nunique()
    assert (
        len([ax for ax in figures["ecdf"].axes if ax.get_visible()]) == corridor.shipments["flow"].nunique()
    )
    assert len(figures["queue"].axes) == 4


def test_importing_analysis_has_no_matplotlib_side_effects():
    code = (
        "import sys, sim.analysis.figures.run, sim.analysis.figures.network_map, sim.analysis.tables.tidy,"
        " sim.analysis.stats.differences, sim.analysis.report.build, sim.experiments.compare,"
        " sim.experiments.bottlenecks,"
        " sim.experiments.library, sim.cli.compare, sim.cli.report;"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at import time'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
