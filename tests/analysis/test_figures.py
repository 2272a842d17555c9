"""Figures: each builds from its tidy table, carries its title and units, and saves a valid PNG."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from sim.analysis.figures import run as plots
from sim.analysis.figures.forest import plot_bottlenecks, plot_differences
from sim.analysis.figures.geo import wrap_into
from sim.analysis.figures.labels import LABEL_GID
from sim.analysis.figures.names import short_name
from sim.analysis.figures.network_map import DEFAULT_EXTENT, WEST_EDGE, plot_network_map
from sim.analysis.figures.style import (
    FALLBACK,
    KNOWN,
    SIGNIFICANT,
    colour_map,
    commodity_colour,
    save_figure,
    save_png,
    station_label,
)
from sim.analysis.figures.sweep import parameter_label
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
        with Image.open(path) as image:
            assert image.mode in ("RGB", "RGBA")  # full colour, never a palette ("P") that greys out red


def test_figures_save_as_svg_on_request(figures, tmp_path):
    path = save_figure(figures["waiting"], tmp_path / "waiting.png", format="svg")
    assert path.suffix == ".svg"
    assert "<svg" in path.read_text(encoding="utf-8")[:2000]
    assert save_figure(figures["waiting"], tmp_path / "by_suffix.svg").read_bytes().startswith(b"<?xml")
    with pytest.raises(ValueError, match="'gif' is not one of png, svg"):
        save_figure(figures["waiting"], tmp_path / "x.gif")


def test_a_significant_point_keeps_its_red_in_the_saved_png(tmp_path):
    table = pd.DataFrame(
        {
            "variant": ["v", "v"],
            "table": ["transit_by_flow"] * 2,
            "metric": ["transit_mean_h"] * 2,
            "key": ["a", "b"],
            "diff": [48.0, 2.0],
            "diff_low": [40.0, -10.0],
            "diff_high": [56.0, 14.0],
            "relative": [0.1, 0.0],
            "relative_low": [0.05, -0.1],
            "relative_high": [0.15, 0.1],
            "significant": [True, False],
        }
    )
    figure = plot_differences(table, "v")
    with Image.open(save_png(figure, tmp_path / "forest.png")) as image:
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3).astype(int)
    red = np.array([int(SIGNIFICANT[i : i + 2], 16) for i in (1, 3, 5)])
    assert (np.abs(pixels - red).sum(axis=1) < 12).sum() > 20
    # Significance is also a shape: filled vs hollow markers, both explained in a legend.
    faces = {
        str(line.get_markerfacecolor())
        for ax in figure.axes
        for line in ax.get_lines()
        if line.get_marker() == "o"
    }
    assert "white" in faces
    assert len(faces) == 2
    labels = [t.get_text() for legend in figure.legends for t in legend.get_texts()]
    assert labels == ["significant (95 %)", "not significant"]


def test_commodity_colours_never_change_when_a_commodity_is_added():
    before = colour_map(["soybeans", "spodumene", "copper_ore"])
    after = colour_map(["soybeans", "spodumene", "copper_ore", "aaa_first_in_order", "lithium_carbonate"])
    assert all(after[name] == colour for name, colour in before.items())
    assert before["soybeans"] == KNOWN["soybeans"]
    assert commodity_colour("copper_ore") in FALLBACK
    assert commodity_colour("copper_ore") == commodity_colour("copper_ore")  # by name, not order
    assert len(set(KNOWN.values()) - {KNOWN["spodumene"]}) == len(KNOWN) - 2  # one colour per commodity


def test_labels_name_stations_and_parameters_in_words():
    assert station_label("svc:wcsa_chy_sha") == "service wcsa chy sha"
    assert station_label("BRPNG/grain") == "BRPNG grain berths"
    assert station_label("chk:PAPCN") == "PAPCN chokepoint"
    label = parameter_label("flows.x.annual_volume", log=True)
    assert label.startswith("annual volume (t or TEU per year), log scale")
    assert short_name("Qingdao (stands for the Shandong soybean import ports)") == "Qingdao"
    assert short_name("Itaqui (Sao Luis) - Tegram") == "Itaqui"


def test_bottleneck_bars_show_significance_by_fill_and_name_stations():
    table = pd.DataFrame(
        {
            "rank": [1, 2],
            "station": ["chk:PAPCN", "svc:wcsa_chy_sha"],
            "kind": ["chokepoint", "service"],
            "throughput_change": [-2.0e6, -1.0e4],
            "throughput_low": [-3.0e6, -5.0e4],
            "throughput_high": [-1.0e6, 3.0e4],
            "throughput_significant": [True, False],
            "transit_change_h": [30.0, 1.0],
            "transit_low_h": [20.0, -2.0],
            "transit_high_h": [40.0, 4.0],
            "transit_significant": [True, False],
        }
    )
    figure = plot_bottlenecks(table)
    ticks = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert ticks == ["service wcsa chy sha", "PAPCN chokepoint"]
    hatches = {bar.get_hatch() for bar in figure.axes[0].patches}
    assert hatches == {None, "////"}
    assert "t/yr" in figure.axes[0].get_xlabel()
    assert "hours" in figure.axes[1].get_xlabel()


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


def test_station_axes_read_as_words_not_ids(figures):
    ticks = [t.get_text() for t in figures["waiting"].axes[0].get_yticklabels()]
    assert any(t.endswith("berths") or " berths (" in t for t in ticks)
    assert not any("/" in t or ":" in t for t in ticks)


def test_map_frames_every_port_and_the_pacific_rim(figures, corridor):
    ax = figures["map"].axes[0]
    nodes = tables.port_throughput(corridor).dropna(subset=["lat", "lon"])
    x = wrap_into(nodes["lon"].to_numpy(), WEST_EDGE)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert (x0 <= x).all()
    assert (x <= x1).all()
    assert (y0 <= nodes["lat"]).all()
    assert (nodes["lat"] <= y1).all()
    d0, d1, e0, e1 = DEFAULT_EXTENT
    assert x0 <= d0 < 105.0  # China and South-East Asia
    assert x1 >= d1 > 360.0 - 35.0  # Brazil's eastern tip at 34.8°W
    assert y0 <= e0 <= -56.0  # Tierra del Fuego
    assert y1 >= e1


def test_map_labels_are_names_and_never_overlap(figures, corridor):
    figure = figures["map"]
    ax = figure.axes[0]
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_gid() == LABEL_GID]
    nodes = tables.port_throughput(corridor).dropna(subset=["lat", "lon"])
    assert sorted(t.get_text() for t in labels) == sorted(short_name(n) for n in nodes["name"])
    boxes = [t.get_window_extent(renderer) for t in labels]
    frame = ax.get_window_extent(renderer)
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    for box in boxes:
        assert frame.x0 <= box.x0
        assert box.x1 <= frame.x1
        assert frame.y0 <= box.y0
        assert box.y1 <= frame.y1


def test_map_legend_entries_all_have_a_symbol(figures):
    legend = figures["map"].axes[0].get_legend()
    for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
        has_line = handle.get_linestyle() not in ("None", "none", "") and handle.get_linewidth() > 0
        has_marker = handle.get_marker() not in ("None", "none", "", None)
        assert has_line or has_marker, text.get_text()
    texts = [t.get_text() for t in legend.get_texts()]
    assert any(t.endswith("/yr on a flow") for t in texts)  # line width in units
    assert any(t.startswith("port: ") for t in texts)


def test_map_draws_sea_flows_along_lanes_not_straight_lines(figures, corridor):
    routes = tables.flow_routes(corridor)
    longest = max(len(line.get_xdata()) for line in figures["map"].axes[0].get_lines())
    assert len(routes)
    assert longest > 5  # a sea lane has many vertices; a straight segment two
