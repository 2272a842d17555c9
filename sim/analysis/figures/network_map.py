"""Map of the corridor network: ports sized by throughput, flows as lines weighted by tonnes.

Drawn in plate carrée degrees on the offline Natural Earth basemap of :mod:`sim.analysis.figures.geo`.
Flows are drawn as straight segments between the nodes of their route (origin, chokepoints, transhipment,
destination), each the short way round the globe — a schematic of who ships what where, not a sailing track.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.figures.geo import draw_basemap, map_cut, map_extent, unwrap_longitudes, wrap_into
from sim.analysis.figures.style import colour_map, new_figure, note, pretty, styled, tonnes_formatter

__all__ = ["plot_network_map"]

MAX_LINE_WIDTH = 7.0
MAX_MARKER_AREA = 900.0
ROLE_MARKERS = {"chokepoint": "D", "hub": "s"}


def _unwrapped_routes(routes: pd.DataFrame) -> list[np.ndarray]:
    return [unwrap_longitudes(lons) for lons in routes["lons"]]


def _line_width(tonnes: float, largest: float) -> float:
    return 0.8 + (MAX_LINE_WIDTH - 0.8) * math.sqrt(max(tonnes, 0.0) / largest) if largest > 0 else 1.0


def _draw_routes(ax: Any, routes: pd.DataFrame, lons: list[np.ndarray], cut: float) -> dict[str, str]:
    colours = colour_map(routes["commodity"].astype(str))
    largest = float(routes["tonnes_per_year"].max()) if len(routes) else 0.0
    order = np.argsort(-routes["tonnes_per_year"].to_numpy())
    for i in order:
        row = routes.iloc[i]
        x = lons[i]
        if x.size < 2:
            continue
        x = x + (float(wrap_into(x[0], cut)) - x[0])
        width = _line_width(float(row["tonnes_per_year"]), largest)
        for shift in (-360.0, 0.0, 360.0):
            ax.plot(
                x + shift,
                row["lats"],
                color=colours[str(row["commodity"])],
                linewidth=width,
                alpha=0.7,
                solid_capstyle="round",
                solid_joinstyle="round",
                zorder=2,
            )
    return colours


def _draw_nodes(ax: Any, nodes: pd.DataFrame, cut: float) -> None:
    x = wrap_into(nodes["lon"].to_numpy(), cut)
    ports = (nodes["role"] == "port").to_numpy()
    largest = float(nodes.loc[ports, "tonnes_per_year"].max()) if ports.any() else 0.0
    area = np.where(ports, 12.0 + MAX_MARKER_AREA * nodes["tonnes_per_year"] / (largest or 1.0), 28.0)
    for role, marker in ROLE_MARKERS.items():
        mine = (nodes["role"] == role).to_numpy()
        ax.scatter(
            x[mine],
            nodes.loc[mine, "lat"],
            s=28,
            marker=marker,
            color="#555555",
            edgecolor="white",
            linewidth=0.6,
            zorder=3,
            label=pretty(role),
        )
    ax.scatter(
        x[ports],
        nodes.loc[ports, "lat"],
        s=area[ports],
        color="#1f1f1f",
        alpha=0.78,
        edgecolor="white",
        linewidth=0.8,
        zorder=4,
    )
    for xi, lat, name in zip(x, nodes["lat"], nodes["node"], strict=True):
        ax.annotate(
            name,
            (xi, lat),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
            color="#222222",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.6},
        )


def _legends(ax: Any, colours: dict[str, str], routes: pd.DataFrame, nodes: pd.DataFrame) -> None:
    from matplotlib.lines import Line2D

    largest = float(routes["tonnes_per_year"].max()) if len(routes) else 0.0
    handles = [Line2D([], [], color=c, linewidth=3, label=pretty(name)) for name, c in colours.items()]
    if largest > 0:
        for share in (1.0, 0.25):
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#777777",
                    linewidth=_line_width(largest * share, largest),
                    label=f"{tonnes_formatter(largest * share)}/yr on a flow",
                )
            )
    port_max = float(nodes.loc[nodes["role"] == "port", "tonnes_per_year"].max() or 0.0)
    if port_max > 0:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                color="#1f1f1f",
                alpha=0.78,
                markersize=math.sqrt(12.0 + MAX_MARKER_AREA),
                label=f"port: {tonnes_formatter(port_max)}/yr handled",
            )
        )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                color="#1f1f1f",
                alpha=0.78,
                markersize=math.sqrt(12.0 + MAX_MARKER_AREA * 0.2),
                label=f"port: {tonnes_formatter(port_max * 0.2)}/yr handled",
            )
        )
    handles += [h for h in ax.get_legend_handles_labels()[0] if not isinstance(h, Line2D)]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        borderpad=0.6,
        labelspacing=1.5,
        handlelength=2.6,
    )


def _degree_label(value: float, axis: str) -> str:
    if axis == "x":
        lon = (value + 180.0) % 360.0 - 180.0
        if abs(abs(lon) - 180.0) < 1e-9:
            return "180°"
        return f"{abs(lon):.0f}°{'E' if lon > 0 else 'W' if lon < 0 else ''}"
    return f"{abs(value):.0f}°{'N' if value > 0 else 'S' if value < 0 else ''}"


def _locator(step: float) -> Any:
    from matplotlib.ticker import MultipleLocator

    return MultipleLocator(step)


@styled
def plot_network_map(nodes: pd.DataFrame, routes: pd.DataFrame, title: str = "Corridor network") -> Any:
    """Draw the network on the world basemap.

    Parameters
    ----------
    nodes : pandas.DataFrame
        From :func:`sim.analysis.tables.tidy.port_throughput` (node, lat, lon, role, tonnes_per_year).
    routes : pandas.DataFrame
        From :func:`sim.analysis.tables.tidy.flow_routes` (flow, commodity, tonnes_per_year, lons, lats).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The map; ports are discs with area proportional to tonnes handled, flows lines whose width grows
        with the square root of tonnes delivered per year.
    """
    nodes = nodes.dropna(subset=["lat", "lon"])
    lons = _unwrapped_routes(routes)
    segments = [(float(a), float(b)) for x in lons for a, b in itertools.pairwise(x)]
    cut = map_cut(segments) if segments else -180.0
    x0, x1, y0, y1 = map_extent(wrap_into(nodes["lon"].to_numpy(), cut), nodes["lat"].to_numpy(), cut)
    figure = new_figure(12.5, max(3.5, 10.0 * (y1 - y0) / (x1 - x0)) + 1.0, layout="constrained")
    ax = figure.subplots()
    draw_basemap(ax)
    colours = _draw_routes(ax, routes, lons, cut)
    _draw_nodes(ax, nodes, cut)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.grid(color="#d9e2ea", linewidth=0.5)
    ax.xaxis.set_major_locator(_locator(30.0 if x1 - x0 > 120 else 10.0))
    ax.yaxis.set_major_locator(_locator(20.0 if y1 - y0 > 60 else 10.0))
    ax.xaxis.set_major_formatter(lambda v, _p: _degree_label(v, "x"))
    ax.yaxis.set_major_formatter(lambda v, _p: _degree_label(v, "y"))
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    _legends(ax, colours, routes, nodes)
    ax.set_title(title, loc="left")
    note(
        figure,
        "Flows drawn as straight segments between the nodes on their route (schematic, not sailing "
        "tracks). Basemap: Natural Earth 1:110m, public domain.",
    )
    return figure
