"""Offline basemap, sea lanes and longitude handling for network maps (plate carrée, degrees).

The land polygons come from ``sim/data/ne_110m_countries.npz`` (Natural Earth, public domain, shipped with the
package; see ``sim/data/README.md``), so drawing a map never needs geopandas or the network.

Trade corridors wrap around the globe (Brazil → China goes east past the Cape, Chile → China goes west over
the Pacific), so a map cannot simply span −180°…180°. Every track is drawn the short way round
(:func:`unwrap_longitudes`), longitudes are shifted into a window that starts at the map's western edge
(:func:`wrap_into`), and the basemap is tiled at +360° so that any window of longitudes is covered.

Sea lanes come from ``sim/data/sea_lanes.csv``, written by ``python -m tools.build_seeds`` from searoute's
maritime network when the seeds are built (:func:`load_sea_lanes`); nothing is routed at run time.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.arrays import FloatArray

__all__ = [
    "LAND_COLOUR",
    "OCEAN_COLOUR",
    "Land",
    "draw_basemap",
    "load_land",
    "load_sea_lanes",
    "sea_lane",
    "unwrap_longitudes",
    "wrap_into",
]

LAND_COLOUR = "#e9e6df"
BORDER_COLOUR = "#b9b4a8"
OCEAN_COLOUR = "#f4f8fb"
_DATA_FILE = "ne_110m_countries.npz"
_LANES_FILE = "sea_lanes.csv"


@dataclass(frozen=True)
class Land:
    """Land polygons as rings of (longitude, latitude) in degrees.

    Attributes
    ----------
    lonlat : ndarray, shape (n_points, 2)
        All ring vertices, degrees.
    ring_start : ndarray, shape (n_rings + 1,)
        Ring *r* is ``lonlat[ring_start[r]:ring_start[r + 1]]``.
    source : str
        Provenance of the data.
    """

    lonlat: FloatArray
    ring_start: NDArray[np.int32]
    source: str


@functools.cache
def load_land() -> Land:
    """Load the packaged Natural Earth 1:110m country polygons (read once per process)."""
    with resources.files("sim").joinpath("data", _DATA_FILE).open("rb") as handle, np.load(handle) as data:
        return Land(
            lonlat=data["lonlat"].astype(np.float64) / 100.0,
            ring_start=data["ring_start"].astype(np.int32),
            source=str(data["source"]),
        )


@functools.cache
def load_sea_lanes() -> dict[tuple[str, str], FloatArray]:
    """The shipped sea lanes: ``(from, to)`` node ids → track, shape (n, 2), (longitude, latitude) degrees.

    Each lane is stored once, from the lower id to the higher; look up both orders (:func:`sea_lane`).
    Longitudes are continuous along a track (they may pass ±180°).
    """
    text = resources.files("sim").joinpath("data", _LANES_FILE).read_text(encoding="utf-8")
    lanes: dict[tuple[str, str], FloatArray] = {}
    for row in csv.DictReader(io.StringIO(text)):
        values = np.array(row["points"].split(), dtype=np.float64)
        lanes[(row["from"], row["to"])] = values.reshape(-1, 2)
    return lanes


def sea_lane(a: str, b: str) -> FloatArray | None:
    """The shipped sea track from node ``a`` to node ``b`` (either stored direction), or ``None``."""
    lanes = load_sea_lanes()
    if (a, b) in lanes:
        return lanes[(a, b)]
    if (b, a) in lanes:
        return lanes[(b, a)][::-1]
    return None


def _land_path(land: Land, shifts: Sequence[float]) -> Any:
    """One compound matplotlib Path of every ring, repeated at each longitude shift."""
    from matplotlib.path import Path as MplPath

    codes_one = np.full(land.lonlat.shape[0], MplPath.LINETO, dtype=np.uint8)
    codes_one[land.ring_start[:-1]] = MplPath.MOVETO
    codes_one[land.ring_start[1:] - 1] = MplPath.CLOSEPOLY
    vertices = np.vstack([land.lonlat + np.array([shift, 0.0]) for shift in shifts])
    return MplPath(vertices, np.tile(codes_one, len(shifts)))


def draw_basemap(ax: Any, shifts: Sequence[float] = (-360.0, 0.0, 360.0), *, borders: bool = True) -> None:
    """Draw land (and country borders) on a matplotlib Axes in plate carrée degrees.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Target axes; the caller sets the limits (the polygons are clipped to them).
    shifts : sequence of float
        Longitude offsets (degrees) at which to repeat the world, so windows beyond ±180° are covered.
    borders : bool
        Draw country borders and coastlines as thin lines.
    """
    from matplotlib.patches import PathPatch

    patch = PathPatch(
        _land_path(load_land(), shifts),
        facecolor=LAND_COLOUR,
        edgecolor=BORDER_COLOUR if borders else "none",
        linewidth=0.4,
        zorder=0,
    )
    ax.add_artist(patch)  # not add_patch: updating data limits vertex by vertex is slow and unwanted
    ax.set_facecolor(OCEAN_COLOUR)


def unwrap_longitudes(lons: ArrayLike) -> FloatArray:
    """Shift each longitude by a multiple of 360° so every step along the sequence is the short way round.

    Parameters
    ----------
    lons : array_like
        Longitudes in degrees along a path (e.g. origin, chokepoint, destination).

    Returns
    -------
    ndarray
        Continuous longitudes; the first is unchanged.
    """
    x = np.asarray(lons, dtype=np.float64).ravel()
    if x.size == 0:
        return x
    steps = (np.diff(x) + 180.0) % 360.0 - 180.0
    return np.concatenate([x[:1], x[0] + np.cumsum(steps)])


def wrap_into(lons: ArrayLike, cut: float) -> FloatArray:
    """Shift longitudes into ``[cut, cut + 360)``."""
    x = np.asarray(lons, dtype=np.float64)
    return cut + np.mod(x - cut, 360.0)
