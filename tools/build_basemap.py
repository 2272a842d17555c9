"""Build the offline basemap ``sim/data/ne_110m_countries.npz`` from Natural Earth (public domain).

Run once by a developer, never at run time::

    pip download --no-deps geopandas==0.14.4 -d /tmp/ne
    python -m tools.build_basemap /tmp/ne/geopandas-0.14.4-py3-none-any.whl \
        sim/data/ne_110m_countries.npz

The geopandas 0.14 wheel ships Natural Earth's 1:110m *Admin 0 – Countries* layer as
``geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp``. This module reads that shapefile with a
small ESRI-shapefile polygon reader (no geopandas, shapely or GDAL needed), rounds the coordinates to 0.01°
(about 1 km, far finer than the 1:110m source), and stores every ring in one compressed ``.npz``:

``lonlat``
    int16 array (n_points, 2): longitude and latitude in hundredths of a degree.
``ring_start``
    int32 array (n_rings + 1,): ring *r* is ``lonlat[ring_start[r]:ring_start[r + 1]]``.
``source``, ``source_sha256``
    Where the data came from, and the SHA-256 of the shapefile read.
"""

from __future__ import annotations

import hashlib
import itertools
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = ["SHAPEFILE_IN_WHEEL", "build_basemap", "read_polygon_rings"]

SHAPEFILE_IN_WHEEL = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp"
_POLYGON = 5
_NULL = 0


def read_polygon_rings(shp: bytes) -> list[NDArray[np.float64]]:
    """Parse every ring of every polygon record of an ESRI shapefile.

    Parameters
    ----------
    shp : bytes
        Content of a ``.shp`` file whose shape type is Polygon (5).

    Returns
    -------
    list of ndarray, shape (n, 2)
        Rings as (longitude, latitude) in degrees, in file order; outer rings are clockwise and holes
        counter-clockwise, as the format prescribes.

    Raises
    ------
    ValueError
        If the bytes are not a polygon shapefile.
    """
    (file_code,) = struct.unpack(">i", shp[0:4])
    (shape_type,) = struct.unpack("<i", shp[32:36])
    if file_code != 9994 or shape_type != _POLYGON:
        raise ValueError(f"not a polygon shapefile (file code {file_code}, shape type {shape_type})")
    rings: list[NDArray[np.float64]] = []
    offset = 100
    while offset < len(shp):
        _, words = struct.unpack(">ii", shp[offset : offset + 8])
        body = offset + 8
        offset = body + 2 * words
        (record_type,) = struct.unpack("<i", shp[body : body + 4])
        if record_type == _NULL:
            continue
        n_parts, n_points = struct.unpack("<ii", shp[body + 36 : body + 44])
        parts = [*np.frombuffer(shp, "<i4", n_parts, body + 44).tolist(), n_points]
        points = np.frombuffer(shp, "<f8", 2 * n_points, body + 44 + 4 * n_parts).reshape(n_points, 2)
        rings.extend(points[start:stop].copy() for start, stop in itertools.pairwise(parts))
    return rings


def build_basemap(source: Path, out: Path) -> int:
    """Convert the Natural Earth shapefile (or a geopandas 0.14 wheel holding it) into the compact ``.npz``.

    Parameters
    ----------
    source : Path
        A ``.shp`` file, or a ``.whl`` containing :data:`SHAPEFILE_IN_WHEEL`.
    out : Path
        Where to write the ``.npz``.

    Returns
    -------
    int
        Size of the written file in bytes.
    """
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            shp = wheel.read(SHAPEFILE_IN_WHEEL)
        origin = f"{source.name}:{SHAPEFILE_IN_WHEEL}"
    else:
        shp = source.read_bytes()
        origin = source.name
    rings = [ring for ring in read_polygon_rings(shp) if len(ring) >= 4]
    lonlat = np.rint(np.vstack(rings) * 100.0).astype(np.int16)
    ring_start = np.concatenate([[0], np.cumsum([len(r) for r in rings])]).astype(np.int32)
    np.savez_compressed(
        out,
        lonlat=lonlat,
        ring_start=ring_start,
        source=np.array(f"Natural Earth 1:110m Admin 0 - Countries (public domain), from {origin}"),
        source_sha256=np.array(hashlib.sha256(shp).hexdigest()),
    )
    return out.stat().st_size


def main(argv: list[str]) -> int:
    """Command-line entry: ``python -m tools.build_basemap SOURCE OUT``."""
    if len(argv) != 2:
        sys.stderr.write("usage: python -m tools.build_basemap SOURCE(.whl|.shp) OUT.npz\n")
        return 2
    size = build_basemap(Path(argv[0]), Path(argv[1]))
    sys.stdout.write(f"wrote {argv[1]} ({size} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
