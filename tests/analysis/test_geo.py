"""Offline basemap and longitude handling."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from matplotlib.path import Path as MplPath

from sim.analysis.figures import geo
from tools.build_basemap import read_polygon_rings


def test_packaged_land_loads_and_separates_land_from_sea():
    land = geo.load_land()
    assert 200 < land.ring_start.size - 1 < 400
    assert "Natural Earth" in land.source
    paths = [
        MplPath(land.lonlat[a:b]) for a, b in zip(land.ring_start[:-1], land.ring_start[1:], strict=False)
    ]

    def on_land(lon, lat):
        return any(p.contains_point((lon, lat)) for p in paths)

    assert on_land(-55.0, -10.0)  # Mato Grosso
    assert on_land(106.5, 29.5)  # Chongqing
    assert not on_land(-150.0, 0.0)  # central Pacific
    assert not on_land(-30.0, -20.0)  # South Atlantic


def test_read_polygon_rings_parses_a_handmade_shapefile():
    square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
    hole = [(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8), (0.2, 0.2)]
    points = square + hole
    content = struct.pack("<i4dii", 5, 0, 0, 1, 1, 2, len(points)) + struct.pack("<2i", 0, 5)
    content += b"".join(struct.pack("<2d", *p) for p in points)
    record = struct.pack(">ii", 1, len(content) // 2) + content
    header = struct.pack(">i", 9994) + b"\0" * 20 + struct.pack(">i", (100 + len(record)) // 2)
    header += struct.pack("<ii", 1000, 5) + b"\0" * 64
    rings = read_polygon_rings(header + record)
    assert [r.tolist() for r in rings] == [[list(p) for p in square], [list(p) for p in hole]]
    with pytest.raises(ValueError, match="not a polygon shapefile"):
        read_polygon_rings(b"\0" * 100)


def test_unwrap_takes_the_short_way_round():
    np.testing.assert_allclose(geo.unwrap_longitudes([170.0, -170.0, -150.0]), [170.0, 190.0, 210.0])
    np.testing.assert_allclose(geo.unwrap_longitudes([-48.5, 120.4]), [-48.5, 120.4])  # east past the Cape
    np.testing.assert_allclose(
        geo.unwrap_longitudes([-70.4, 121.5]), [-70.4, -238.5]
    )  # west over the Pacific


def test_map_cut_falls_in_the_widest_uncrossed_gap():
    cut = geo.map_cut([(100.0, 120.0), (-80.0, -60.0)])
    # Gaps: (-60, 100) of 160° and (120, 280) of 160°; either middle is fine.
    assert min(abs(cut - 20.0), abs(cut - (-160.0))) <= 1.0
    x = geo.wrap_into([100.0, -80.0], cut)
    assert ((x >= cut) & (x < cut + 360)).all()


def test_map_extent_frames_points_and_keeps_a_sane_aspect():
    x0, x1, y0, y1 = geo.map_extent([100.0, 300.0], [-30.0, 40.0], cut=60.0)
    assert x0 <= 100
    assert x1 >= 300
    assert y0 <= -30
    assert y1 >= 40
    assert (x1 - x0) <= 2.2 * (y1 - y0) + 1e-9
