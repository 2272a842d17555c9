"""Map of the corridor network: ports sized by throughput, flows along their sea lanes, weighted by tonnes.

Drawn on the offline Natural Earth basemap of :mod:`sim.analysis.figures.geo` in a plate carrée projection
centred on the Pacific: longitudes run east from :data:`WEST_EDGE` (30°E), so China, South-East Asia,
Australia and the Americas are whole. Each sea step of a flow's route follows the lane that searoute computed
when the seeds were built (``sim/data/sea_lanes.csv``); steps without a shipped lane (rail, river, road) are
straight dashed lines. A lane that leaves one edge (round the Cape of Good Hope) re-enters at the other.
Port names are placed greedily where they overlap neither another name nor a port (:mod:`.labels`).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.figures.geo import draw_basemap, sea_lane, unwrap_longitudes, wrap_into
from sim.analysis.figures.labels import place_labels
from sim.analysis.figures.names import short_name
from sim.analysis.figures.style import colour_map, new_figure, note, pretty, styled, tonnes_formatter
from sim.arrays import FloatArray

__all__ = ["DEFAULT_EXTENT", "WEST_EDGE", "map_window", "plot_network_map", "route_track"]

WEST_EDGE = 30.0
"""Longitude (degrees east) where the unwrapped world starts: the map is centred on the Pacific."""
DEFAULT_EXTENT = (70.0, 340.0, -58.0, 72.0)
"""Smallest window (x0, x1, y0, y1) in unwrapped degrees: 70°E to 20°W, 58°S to 72°N (Asia to Brazil)."""
MAX_LINE_WIDTH = 7.0
MIN_LINE_WIDTH = 0.7
MAX_MARKER_AREA = 700.0
ROLE_MARKERS = {"chokepoint": "D", "hub": "s"}
OVERLAND = (0, (3.0, 1.6))


def route_track(nodes: list[str], coords: dict[str, tuple[float, float]]) -> list[tuple[FloatArray, bool]]:
    """The pieces of a route in (longitude, latitude) degrees, each with ``True`` when it is a sea lane.

    Consecutive steps between nodes with a shipped sea lane follow it; other steps are straight lines.
    Longitudes are continuous over the whole route.
    """
    pieces: list[tuple[FloatArray, bool]] = []
    placed = [n for n in nodes if n in coords]
    for a, b in itertools.pairwise(placed):
        lane = sea_lane(a, b)
        if lane is None:
            (lat0, lon0), (lat1, lon1) = coords[a], coords[b]
            lane = np.array([[lon0, lat0], [lon1, lat1]], dtype=np.float64)
            sea = False
        else:
            sea = True
        track = lane.copy()
        track[:, 0] = unwrap_longitudes(track[:, 0])
        if pieces:  # continue where the previous piece ended
            end = pieces[-1][0][-1, 0]
            track[:, 0] += 360.0 * round((end - track[0, 0]) / 360.0)
        pieces.append((track, sea))
    if pieces:
        shift = float(wrap_into(pieces[0][0][0, 0], WEST_EDGE)) - pieces[0][0][0, 0]
        for track, _ in pieces:
            track[:, 0] += shift
    return pieces


def map_window(lons: FloatArray, lats: FloatArray, margin: float = 8.0) -> tuple[float, float, float, float]:
    """Axis limits (x0, x1, y0, y1): :data:`DEFAULT_EXTENT` grown to hold every (unwrapped) point."""
    x0, x1, y0, y1 = DEFAULT_EXTENT
    if lons.size:
        x0, x1 = min(x0, float(lons.min()) - margin), max(x1, float(lons.max()) + margin)
        y0, y1 = min(y0, float(lats.min()) - margin), max(y1, float(lats.max()) + margin)
    x0, x1 = max(x0, WEST_EDGE), min(x1, WEST_EDGE + 360.0)
    return (x0, x1, max(y0, -85.0), min(y1, 85.0))


def _line_width(tonnes: float, largest: float) -> float:
    if largest <= 0:
        return 1.0
    return MIN_LINE_WIDTH + (MAX_LINE_WIDTH - MIN_LINE_WIDTH) * math.sqrt(max(tonnes, 0.0) / largest)


def _draw_routes(
    ax: Any, routes: pd.DataFrame, coords: dict[str, tuple[float, float]], largest: float
) -> tuple[dict[str, str], bool]:
    colours = colour_map(routes["commodity"].astype(str))
    overland = False
    ordered = routes.sort_values("tonnes_per_year", ascending=False)
    for commodity, tonnes, route in zip(
        ordered["commodity"].astype(str),
        ordered["tonnes_per_year"].to_numpy(np.float64),
        ordered["nodes"],
        strict=True,
    ):
        width = _line_width(float(tonnes), largest)
        for track, sea in route_track([str(n) for n in route], coords):
            overland |= not sea
            for shift in (-360.0, 0.0, 360.0):
                ax.plot(
                    track[:, 0] + shift,
                    track[:, 1],
                    color=colours[commodity],
                    linewidth=width,
                    linestyle="solid" if sea else OVERLAND,
                    alpha=0.6,
                    solid_capstyle="round",
                    solid_joinstyle="round",
                    zorder=2,
                )
    return colours, overland


def _marker_areas(nodes: pd.DataFrame) -> FloatArray:
    ports = (nodes["role"] == "port").to_numpy()
    largest = float(nodes.loc[ports, "tonnes_per_year"].max()) if ports.any() else 0.0
    scaled = 10.0 + MAX_MARKER_AREA * nodes["tonnes_per_year"].to_numpy(np.float64) / (largest or 1.0)
    return np.where(ports, scaled, 30.0)


def _draw_nodes(ax: Any, nodes: pd.DataFrame, x: FloatArray, area: FloatArray) -> None:
    for role, marker in ROLE_MARKERS.items():
        mine = (nodes["role"] == role).to_numpy()
        if mine.any():
            ax.scatter(
                x[mine],
                nodes.loc[mine, "lat"],
                s=area[mine],
                marker=marker,
                color="#555555",
                edgecolor="white",
                linewidth=0.6,
                zorder=4,
            )
    ports = (nodes["role"] == "port").to_numpy()
    ax.scatter(
        x[ports],
        nodes.loc[ports, "lat"],
        s=area[ports],
        color="#1f1f1f",
        alpha=0.75,
        edgecolor="white",
        linewidth=0.8,
        zorder=4,
    )


def _round_volumes(largest: float) -> list[float]:
    """Two or three round reference volumes (t/yr) at or below ``largest`` for the width legend."""
    if largest <= 0:
        return []
    top = 10 ** math.floor(math.log10(largest))
    top = max(m * top for m in (1, 2, 5) if m * top <= largest)
    return [v for v in (top, top / 10, top / 100) if v > 0][:3]


def _legend(
    ax: Any,
    colours: dict[str, str],
    largest: float,
    overland: bool,
    nodes: pd.DataFrame,
    background: pd.DataFrame,
) -> None:
    from matplotlib.lines import Line2D

    def line(label: str, **kw: Any) -> Any:
        return Line2D([], [], label=label, **kw)

    handles = [line(pretty(name), color=c, linewidth=4, alpha=0.8) for name, c in colours.items()]
    handles += [
        line(f"{tonnes_formatter(v)}/yr on a flow", color="#777777", linewidth=_line_width(v, largest))
        for v in _round_volumes(largest)
    ]
    handles.append(line("sea lane (searoute)", color="#777777", linewidth=1.5))
    if overland:
        handles.append(line("rail / river (straight)", color="#777777", linewidth=1.5, linestyle=OVERLAND))
    port_max = float(nodes.loc[nodes["role"] == "port", "tonnes_per_year"].max() or 0.0)
    for share in (1.0, 0.2) if port_max > 0 else ():
        size = math.sqrt(10.0 + MAX_MARKER_AREA * share)
        handles.append(
            line(
                f"port: {tonnes_formatter(port_max * share)}/yr handled",
                linestyle="none",
                marker="o",
                color="#1f1f1f",
                alpha=0.75,
                markersize=size,
            )
        )
    for role, marker in ROLE_MARKERS.items():
        if (nodes["role"] == role).any():
            handles.append(
                line(pretty(role), linestyle="none", marker=marker, color="#555555", markersize=5.5)
            )
    for flow, tonnes in zip(
        background["flow"].astype(str), background["tonnes_per_year"].to_numpy(np.float64), strict=True
    ):
        handles.append(
            line(
                f"{pretty(flow)}: {tonnes_formatter(float(tonnes))}/yr\n(other traffic at one node; no line)",
                linestyle="none",
                marker="D",
                markerfacecolor="white",
                markeredgecolor="#555555",
                markersize=5.5,
            )
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        borderpad=0.4,
        labelspacing=1.1,
        handlelength=2.8,
    )


def _degree_label(value: float, axis: str) -> str:
    if axis == "x":
        lon = (value + 180.0) % 360.0 - 180.0
        if abs(abs(lon) - 180.0) < 1e-9:
            return "180°"
        return f"{abs(lon):.0f}°{'E' if lon > 0 else 'W' if lon < 0 else ''}"
    return f"{abs(value):.0f}°{'N' if value > 0 else 'S' if value < 0 else ''}"


@styled
def plot_network_map(nodes: pd.DataFrame, routes: pd.DataFrame, title: str = "Corridor network") -> Any:
    """Draw the network on the world basemap, centred on the Pacific.

    Parameters
    ----------
    nodes : pandas.DataFrame
        From :func:`sim.analysis.tables.tidy.port_throughput` (node, name, lat, lon, role, tonnes_per_year).
    routes : pandas.DataFrame
        From :func:`sim.analysis.tables.tidy.flow_routes` (flow, commodity, tonnes_per_year, nodes).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The map; ports are discs with area proportional to tonnes handled, flows lines along their sea
        lanes whose width grows with the square root of tonnes delivered per year. Flows that visit a single
        node (background traffic of a canal) have no line; the legend gives their volume.
    """
    nodes = nodes.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    if "name" not in nodes:
        nodes = nodes.assign(name=nodes["node"])
    coords = {
        str(n): (float(la), float(lo)) for n, la, lo in nodes[["node", "lat", "lon"]].itertuples(index=False)
    }
    paths: Any = routes.get("nodes", [])
    drawn = np.array([sum(str(n) in coords for n in ns) >= 2 for ns in paths], dtype=bool)
    background, routes = routes.loc[~drawn], routes.loc[drawn]
    largest = float(routes["tonnes_per_year"].max()) if len(routes) else 0.0
    x = wrap_into(nodes["lon"].to_numpy(np.float64), WEST_EDGE)
    x0, x1, y0, y1 = map_window(x, nodes["lat"].to_numpy(np.float64))
    figure = new_figure(13.0, 10.2 * (y1 - y0) / (x1 - x0) + 0.9, layout="constrained")
    ax = figure.subplots()
    draw_basemap(ax, shifts=(0.0, 360.0))
    colours, overland = _draw_routes(ax, routes, coords, largest)
    area = _marker_areas(nodes)
    _draw_nodes(ax, nodes, x, area)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.grid(color="#d9e2ea", linewidth=0.5)
    from matplotlib.ticker import MultipleLocator

    ax.xaxis.set_major_locator(MultipleLocator(30.0))
    ax.yaxis.set_major_locator(MultipleLocator(20.0))
    ax.xaxis.set_major_formatter(lambda v, _p: _degree_label(v, "x"))
    ax.yaxis.set_major_formatter(lambda v, _p: _degree_label(v, "y"))
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    _legend(ax, colours, largest, overland, nodes, background)
    ax.set_title(title, loc="left")
    note(
        figure,
        "Flows follow searoute's sea lanes (computed when the seeds were built); a lane round the Cape of "
        "Good Hope leaves the right edge and re-enters on the left.\nPlate carrée centred on the Pacific. "
        "Basemap: Natural Earth 1:110m, public domain.",
    )
    order = np.argsort(-nodes["tonnes_per_year"].to_numpy(np.float64), kind="stable")
    lats, names = nodes["lat"].to_numpy(np.float64), nodes["name"].astype(str).tolist()
    place_labels(
        ax,
        [(float(x[i]), float(lats[i]), short_name(names[i])) for i in order],
        [math.sqrt(float(area[i])) / 2.0 for i in order],
    )
    return figure
