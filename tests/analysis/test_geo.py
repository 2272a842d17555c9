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


def test_wrap_into_shifts_longitudes_into_the_window():
    x = geo.wrap_into([-170.0, 10.0, 40.0], 30.0)
    np.testing.assert_allclose(x, [190.0, 370.0, 40.0])


def test_sea_lanes_ship_with_the_package_and_read_both_ways():
    lanes = geo.load_sea_lanes()
    assert len(lanes) > 100
    forward, backward = geo.sea_lane("BRSSZ", "CNSHA"), geo.sea_lane("CNSHA", "BRSSZ")
    assert forward is not None
    assert backward is not None
    np.testing.assert_array_equal(forward, backward[::-1])
    assert geo.sea_lane("CNCKG", "CNCTU") is None  # a rail leg has no sea lane


def test_brazil_to_china_lane_rounds_the_cape_instead_of_crossing_africa():
    lane = geo.sea_lane("BRSSZ", "CNSHA")
    assert lane is not None
    lon = (lane[:, 0] + 180.0) % 360.0 - 180.0
    over_africa = (lon > 12.0) & (lon < 40.0)
    assert over_africa.any()
    assert (lane[over_africa, 1] < -33.0).all()  # south of the Cape of Good Hope (34.4°S)
    assert np.abs(np.diff(lane[:, 0])).max() < 180.0  # continuous longitudes


def test_chile_to_china_lane_crosses_the_pacific():
    lane = geo.sea_lane("CLMJS", "CNSHA")
    assert lane is not None
    lon = geo.wrap_into(lane[:, 0], 30.0)
    assert lon.min() > 100.0
    assert lon.max() < 300.0  # never east of South America: westwards over the Pacific
