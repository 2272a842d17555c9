"""The seed tables: every row sourced, the network the issue names, a reproducible sea-distance builder."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from pathlib import Path

import pytest

from sim.scenario.seeds import SEED_TABLES, read_seeds
from tools.build_seeds import (
    LANES_FILE,
    LEG_SOURCE,
    SeaNode,
    great_circle_nm,
    merge_legs,
    read_sea_nodes,
    rebuild,
    sea_distance_nm,
    simplify,
    update_services,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
HAS_SEAROUTE = importlib.util.find_spec("searoute") is not None
NAMED_IN_THE_ISSUE = {
    "CNCKG": "Chongqing",
    "CNCTU": "Chengdu",
    "CNQZH": "Qinzhou",
    "CNBIH": "Beihai",
    "CNFAN": "Fangchenggang",
    "CNSHA": "Shanghai",
    "CNNGB": "Ningbo-Zhoushan",
    "CNTAO": "Qingdao",
    "SGSIN": "Singapore",
    "PECHY": "Chancay",
    "PECLL": "Callao",
    "BRSSZ": "Santos",
    "BRPNG": "Paranagua",
    "BRRIG": "Rio Grande",
    "BRITQ": "Itaqui",
    "ARROS": "Rosario",
    "ARBUE": "Buenos Aires",
    "CLSAI": "San Antonio",
    "CLVAP": "Valparaiso",
    "CLANF": "Antofagasta",
    "CLMJS": "Mejillones",
    "MXZLO": "Manzanillo",
    "AUPHE": "Port Hedland",
    "USMSY": "New Orleans",
}


def rows(table: str) -> list[dict[str, str]]:
    with (SEEDS / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("table", SEED_TABLES)
def test_every_row_has_a_source_and_a_year(table: str) -> None:
    for line, row in enumerate(rows(table), start=2):
        assert row["source"].strip(), f"{table}.csv:{line}: no source"
        assert row["year"].strip(), f"{table}.csv:{line}: no year"


def test_assumptions_are_labelled_and_derivations_say_how() -> None:
    for table in SEED_TABLES:
        for line, row in enumerate(rows(table), start=2):
            text = row["source"]
            if text.startswith("derived"):
                assert any(sign in text for sign in ("=", " x ", " / ", "minus", "split", "as ")), (
                    f"{table}.csv:{line}: a derived figure says how it was derived"
                )


LEDGER_TABLES = [
    t for t in SEED_TABLES if t.startswith(("costs_", "emissions_")) or t.endswith(("_values", "_distances"))
]


@pytest.mark.parametrize("table", LEDGER_TABLES)
def test_every_cost_and_emission_figure_is_cited_derived_or_labelled_an_assumption(table: str) -> None:
    for line, row in enumerate(rows(table), start=2):
        text = row["source"]
        cited = "http" in text or text.startswith(("derived", "computed", "GLEC"))
        assert cited or "ASSUMPTION" in text, f"{table}.csv:{line}: neither a source nor an ASSUMPTION label"
        if "GLEC" in text and "ASSUMPTION" not in text.split("GLEC")[0]:
            assert re.search(r"v3(\.\d)?", text), f"{table}.csv:{line}: a GLEC factor names its edition"


def test_the_ledger_tables_load_into_the_scenario_sections() -> None:
    data, located = read_seeds(SEEDS)
    assert set(data["costs"]) == {"freight", "ports", "canals", "cargo_values"}
    assert set(data["emissions"]) == {"transport", "hubs", "distances"}
    assert located[("costs", "freight", "sea_grain")][1] == 2


def test_the_network_has_the_nodes_the_issue_names() -> None:
    nodes = {row["id"]: row for row in rows("nodes")}
    assert len(nodes) >= 25
    for node_id, name in NAMED_IN_THE_ISSUE.items():
        assert node_id in nodes, name
        assert name.split()[0].lower() in nodes[node_id]["name"].lower(), node_id
    ports = [row for row in nodes.values() if row["kind"] == "port"]
    assert all(row["lat"] and row["lon"] for row in ports)


def test_seeds_read_into_scenario_data_without_problems() -> None:
    data, located = read_seeds(SEEDS)
    assert {"nodes", "legs", "services", "commodities", "flows"} <= set(data)
    assert data["nodes"]["PAPCN"]["chokepoint"]["slots_per_day"] == 38
    assert data["commodities"]["lithium_carbonate"]["tonnes_per_teu"] == pytest.approx(22.5)
    assert all(path in located for path in [("nodes", "BRPNG", "berths", "grain"), ("flows", "soy_us_gulf")])


def test_every_pair_of_ports_has_a_sea_leg_and_every_port_reaches_the_canal() -> None:
    ports = sorted(row["id"] for row in rows("nodes") if row["kind"] == "port")
    legs = {row["id"] for row in rows("legs") if row["mode"] == "sea"}
    for i, a in enumerate(ports):
        for b in ports[i + 1 :]:
            assert f"sea_{a}_{b}" in legs
        assert f"sea_{min(a, 'PAPCN')}_{max(a, 'PAPCN')}" in legs


def test_merge_keeps_hand_written_rows_and_replaces_generated_ones() -> None:
    manual = {"id": "river_X", "source": "published: somewhere", "mode": "river"}
    stale = {"id": "sea_A_B", "source": f"{LEG_SOURCE} old", "mode": "sea"}
    fresh = {"id": "sea_A_B", "source": f"{LEG_SOURCE} new", "mode": "sea"}
    assert merge_legs([stale, manual], [fresh]) == [manual, fresh]


def test_liner_transit_is_distance_over_liner_speed() -> None:
    services = [
        {
            "id": "s",
            "from": "AAAAA",
            "to": "BBBBB",
            "mode": "sea",
            "source": "derived: searoute x",
            "transit_h": "",
        },
        {"id": "t", "from": "AAAAA", "to": "BBBBB", "mode": "rail", "source": "published", "transit_h": "48"},
    ]
    legs = [{"from": "BBBBB", "to": "AAAAA", "distance_nm": "1650.0"}]
    updated = update_services(services, legs)
    assert updated[0]["transit_h"] == "100.0"
    assert updated[1]["transit_h"] == "48"
    assert services[0]["transit_h"] == ""  # inputs are not modified


def test_great_circle_of_a_degree_of_latitude_is_sixty_nautical_miles() -> None:
    a, b = SeaNode("AAAAA", "port", 0.0, 10.0), SeaNode("BBBBB", "port", 1.0, 10.0)
    assert great_circle_nm(a, b) == pytest.approx(60.04, abs=0.05)


@pytest.mark.skipif(not HAS_SEAROUTE, reason="the optional extra [seeds] (searoute) is not installed")
def test_builder_reproduces_the_committed_sea_distances() -> None:
    nodes = {node.id: node for node in read_sea_nodes(SEEDS / "nodes.csv")}
    legs = {row["id"]: row for row in rows("legs")}
    for a, b, closed in (
        ("BRSSZ", "CNSHA", ["northwest", "panama", "suez"]),
        ("PAPCN", "USMSY", ["northwest", "suez"]),
        ("PECHY", "PECLL", ["northwest", "panama", "suez"]),  # snap to one searoute node: great-circle floor
    ):
        route = sea_distance_nm(nodes[a], nodes[b], closed)
        assert route is not None
        assert f"{route.distance_nm:.1f}" == legs[f"sea_{a}_{b}"]["distance_nm"]
        assert route.distance_nm >= great_circle_nm(nodes[a], nodes[b]) - 0.05  # rounded to 0.1 nm


def test_every_generated_sea_leg_has_a_shipped_lane_from_its_ends() -> None:
    lanes_path = SEEDS.parent / LANES_FILE
    assert lanes_path.stat().st_size < 1_000_000  # simplified: small enough to ship
    with lanes_path.open(newline="", encoding="utf-8") as handle:
        lanes = {row["leg"]: row for row in csv.DictReader(handle)}
    generated = {row["id"]: row for row in rows("legs") if row["source"].startswith(LEG_SOURCE)}
    assert set(lanes) == set(generated)
    nodes = {node.id: node for node in read_sea_nodes(SEEDS / "nodes.csv")}
    for leg, lane in lanes.items():
        values = [float(v) for v in lane["points"].split()]
        start, end = values[:2], values[-2:]
        a, b = nodes[generated[leg]["from"]], nodes[generated[leg]["to"]]
        assert abs(start[0] - a.lon) <= 0.051
        assert abs(start[1] - a.lat) <= 0.051
        assert abs(((end[0] - b.lon + 180) % 360) - 180) <= 0.051
        assert abs(end[1] - b.lat) <= 0.051


def test_simplify_keeps_the_ends_and_drops_what_lies_on_the_line() -> None:
    track = [(0.0, 0.0), (1.0, 0.01), (2.0, 0.0), (3.0, 5.0), (179.0, 0.0), (-179.0, 0.0)]
    # (1, 0.01) and (179, 0) lie within 0.25° of the kept line; -179° continues as 181°.
    assert simplify(track, 0.25) == [(0.0, 0.0), (2.0, 0.0), (3.0, 5.0), (181.0, 0.0)]


@pytest.mark.skipif(not HAS_SEAROUTE, reason="the optional extra [seeds] (searoute) is not installed")
def test_committed_seeds_and_sea_lanes_are_fresh(tmp_path: Path) -> None:
    """As ``python -m tools.build_seeds --check``: the shipped files are what the builder writes now."""
    for path, text in rebuild(SEEDS, SEEDS.parent / LANES_FILE).items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python -m tools.build_seeds"


def test_the_berth_window_share_is_the_mean_of_the_monthly_figures_it_cites() -> None:
    """The on-window share of container calls: the 2024 mean of the 12 monthly reliability figures listed in
    the row's source (each month with its URL), rounded to 3 decimals; the off-window share is the rest."""
    (row,) = rows("berth_classes")
    assert row["cargo_class"] == "container"
    assert row["classes"].split() == ["on_window", "off_window"]
    monthly = re.findall(
        r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d\d\.\d) \((https?://\S+)\)", row["source"]
    )
    assert [month for month, _, _ in monthly] == [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ]
    mean = sum(float(value) for _, value, _ in monthly) / 12 / 100
    shares = json.loads(row["default_share"])
    assert shares["on_window"] == pytest.approx(round(mean, 3), abs=1e-12)
    assert shares["on_window"] + shares["off_window"] == pytest.approx(1.0, abs=1e-12)
    assert "ASSUMPTION" in row["source"]


def test_every_container_pool_of_the_seeds_serves_berth_windows_and_no_other_pool_does() -> None:
    data, located = read_seeds(SEEDS)
    for node, entry in data["nodes"].items():
        for cargo_class, pool in entry.get("berths", {}).items():
            if cargo_class == "container":
                assert pool["classes"] == ["on_window", "off_window"], node
                assert located[("nodes", node, "berths", "container", "default_share")] == (
                    str(SEEDS / "berth_classes.csv"),
                    2,
                )
            else:
                assert "classes" not in pool, f"{node}/{cargo_class}"
