"""A wide ILSTC network: Chongqing → rail → Qinzhou → sea to hundreds of ports in 100+ countries, and back.

Built offline from searoute's own port list and maritime graph (the ``[seeds]`` extra), for the benchmark
only: the ports are the first ports (by LOCODE) of each country, then second ports, until ``ports`` are
chosen; sea distances Qinzhou–port come from searoute with the Northwest passage and Suez closed (as the
seed builder does). Every port gets a container berth pool; exports and imports run in both directions
through Qinzhou's container berths, so the whole network is one cycle of the station graph.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections import defaultdict
from typing import Any

QINZHOU = ("CNQZH", 108.61, 21.68)
CLOSED = ["northwest", "suez"]
SPEED_KN = 16.5


def searoute_ports() -> list[dict[str, Any]]:
    """searoute's port list: ``port`` (LOCODE), ``name``, ``cty`` (country), ``lon``, ``lat``."""
    import searoute

    path = os.path.join(os.path.dirname(searoute.__file__), "data", "ports.geojson")
    with open(path, encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    return [
        {**f["properties"], "lon": f["geometry"]["coordinates"][0], "lat": f["geometry"]["coordinates"][1]}
        for f in features
    ]


def choose_ports(count: int, n_countries: int) -> list[dict[str, Any]]:
    """``count`` ports in the ``n_countries`` countries with most ports (round-robin over them, by LOCODE)."""
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for port in sorted(searoute_ports(), key=lambda p: p["port"]):
        code = port["port"]
        fits = len(code) == 5 and code.isalnum() and code.isupper() and not code.startswith("CN")
        if fits and all(code != p["port"] for p in by_country[port["cty"]]):
            by_country[port["cty"]].append(port)
    biggest = sorted(by_country, key=lambda c: (-len(by_country[c]), c))[:n_countries]
    chosen: list[dict[str, Any]] = []
    depth = 0
    while len(chosen) < count:
        for country in sorted(biggest):
            if depth < len(by_country[country]) and len(chosen) < count:
                chosen.append(by_country[country][depth])
        depth += 1
    return chosen


def sea_nm(lon: float, lat: float) -> float:
    """Sea distance (nm) from Qinzhou, never below the great circle."""
    import searoute

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        feature = searoute.searoute([QINZHOU[1], QINZHOU[2]], [lon, lat], units="naut", restrictions=CLOSED)
    length = float(feature["properties"]["length"])
    direct = _great_circle_nm(QINZHOU[2], QINZHOU[1], lat, lon)
    return round(max(length, direct) if math.isfinite(length) and length > 0 else direct * 1.3, 1)


def _great_circle_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 3440.065 * math.asin(math.sqrt(h))


def _pool(count: int, rate_teu_h: float, overhead_h: float) -> dict[str, Any]:
    variability = {"dist": "lognormal", "mean": 1.0, "cv": 0.3}
    return {
        "container": {
            "count": count,
            "rate": rate_teu_h,
            "rate_unit": "TEU/h",
            "overhead_h": overhead_h,
            "variability": variability,
        }
    }


def _flow(route: list[str], teu_per_year: float) -> dict[str, Any]:
    return {
        "commodity": "boxes",
        "origin": route[0],
        "destination": route[-1],
        "route": route,
        "annual_volume": teu_per_year,
        "volume_unit": "TEU",
        "parcel": {"dist": "uniform", "low": 20.0, "high": 60.0},
        "parcel_unit": "TEU",
    }


def wide_scenario_data(
    ports: int = 319, n_countries: int = 107, teu_per_year: float = 600_000.0, replications: int = 1
) -> dict[str, Any]:
    """Scenario data (a dict for ``scenario_from_data``) for the wide network.

    By default the ILSTC's reported 2022 reach: 319 ports in 107 countries, exports and imports split evenly.
    """
    chosen = choose_ports(ports, n_countries)
    qzh = QINZHOU[0]
    nodes: dict[str, Any] = {
        "CNCKG": {"name": "Chongqing", "kind": "hub"},
        qzh: {"name": "Qinzhou", "kind": "port", "berths": _pool(8, 60.0, 3.0)},
    }
    legs: dict[str, Any] = {}
    flows: dict[str, Any] = {}
    per_flow = teu_per_year / (2 * len(chosen))
    for port in chosen:
        code = port["port"]
        nodes[code] = {
            "name": port["name"],
            "kind": "port",
            "country": port["cty"],
            "berths": _pool(1 + len(code) % 2, 40.0, 4.0),
        }
        legs[f"sea_{code}"] = {
            "from": qzh,
            "to": code,
            "mode": "sea",
            "distance_nm": sea_nm(port["lon"], port["lat"]),
            "speed_kn": SPEED_KN,
        }
        flows[f"out_{code}"] = _flow(["CNCKG", qzh, code], per_flow)
        flows[f"in_{code}"] = _flow([code, qzh, "CNCKG"], per_flow)
    rail = {"mode": "rail", "headway_h": 8.0, "capacity": 108.0, "capacity_unit": "TEU", "transit_h": 60.0}
    services = {
        "rail_out": {"from": "CNCKG", "to": qzh, **rail},
        "rail_in": {"from": qzh, "to": "CNCKG", **rail, "offset_h": 4.0},
    }
    return {
        "schema": 1,
        "name": "wide_ilstc",
        "start": "2024-01-01",
        "horizon_days": 365.0,
        "warmup_days": 30.0,
        "replications": replications,
        "seed": 319,
        "commodities": {"boxes": {"kind": "container", "cargo_class": "container", "tonnes_per_teu": 12.0}},
        "nodes": nodes,
        "legs": legs,
        "services": services,
        "flows": flows,
    }


def countries(data: dict[str, Any]) -> int:
    """Distinct countries among the scenario's foreign ports."""
    return len({n["country"] for n in data["nodes"].values() if n.get("country")})
