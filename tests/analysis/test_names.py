"""Figures and report tables name flows and stations by place, checked against the scenario that made them."""

from __future__ import annotations

import pandas as pd

import sim
from sim.analysis.figures.forest import plot_differences
from sim.analysis.figures.names import Names, names_of_runs, names_of_scenario, short_name
from sim.analysis.figures.run import plot_transit_ecdf
from sim.analysis.tables import tidy as tables
from tests.analysis.conftest import CORRIDOR


def test_flows_are_named_by_commodity_origin_and_destination_of_the_scenario(corridor):
    scenario = sim.load_scenario(CORRIDOR)
    names = names_of_runs([corridor])
    for flow_id, flow in scenario.flows.items():
        name = names.flow(flow_id)
        origin, destination = (short_name(scenario.nodes[n].name) for n in (flow.origin, flow.destination))
        assert name.index(origin) < name.index("→") < name.index(destination)
        assert name.startswith(flow.commodity.replace("_", " ").capitalize() + ": ")
        assert flow_id not in name
    assert names.flow("soy_msy_tao") == "Soybeans: New Orleans → Qingdao"


def test_stations_are_named_by_their_places_services_by_both_ends(corridor):
    scenario = sim.load_scenario(CORRIDOR)
    names = names_of_runs([corridor])
    for service_id, service in scenario.services.items():
        ends = (short_name(scenario.nodes[n].name) for n in (service.from_, service.to))
        assert names.station(f"svc:{service_id}") == "service {} → {}".format(*ends)
    assert names.station("BRPNG/dry_bulk") == "Paranaguá dry bulk berths"
    assert names.station("chk:PAPCN") == "Panama Canal chokepoint"
    # a station the run does not know keeps a label made from its id
    assert names.station("chk:XXABC") == "XXABC chokepoint"
    assert names.station("dwell:XXABC/container/transshipment") == "XXABC container transshipment dwell"
    assert names.flow("not_a_flow") == "not_a_flow"


def test_flows_that_would_read_alike_keep_their_ids():
    stations = pd.DataFrame(
        {
            "station": ["AA/grain", "BB/grain"],
            "kind": "berth",
            "node": ["AA", "BB"],
            "node_name": ["Aa", "Bb"],
        }
    )
    shipments = pd.DataFrame(
        {
            "replication": 0,
            "shipment": [0, 1, 2],
            "flow": ["f1", "f2", "f3"],
            "commodity": ["soybeans", "soybeans", "maize"],
            "origin": ["AA", "AA", "AA"],
            "destination": ["BB", "BB", "BB"],
        }
    )
    visits = pd.DataFrame({"replication": 0, "shipment": [0], "seq": [0], "station": ["AA/grain"]})
    names = Names.from_tables(stations, shipments, visits)
    assert names.flows == {
        "f1": "Soybeans: Aa → Bb (f1)",
        "f2": "Soybeans: Aa → Bb (f2)",
        "f3": "Maize: Aa → Bb",
    }


def test_figures_label_flows_and_stations_by_name(corridor):
    names = names_of_runs([corridor])
    figure = plot_transit_ecdf(tables.transit_times(corridor), names=names)
    titles = {ax.get_title(loc="left").replace("\n", " ") for ax in figure.axes if ax.get_visible()}
    assert titles == {names.flow(f) for f in corridor.shipments["flow"].unique()}
    table = pd.DataFrame(
        {
            "variant": "v",
            "table": ["transit_by_flow", "stations"],
            "metric": ["transit_mean_h", "wait_mean_h"],
            "key": ["soy_png_tao", "svc:ilstc_ckg_qzh"],
            "diff": [48.0, 2.0],
            "diff_low": [40.0, -10.0],
            "diff_high": [56.0, 14.0],
            "relative": [0.1, 0.0],
            "relative_low": [0.05, -0.1],
            "relative_high": [0.15, 0.1],
            "significant": [True, False],
        }
    )
    forest = plot_differences(table, "v", names=names)
    ticks = {t.get_text() for ax in forest.axes for t in ax.get_yticklabels()}
    assert ticks == {"Soybeans: Paranaguá → Qingdao", "service Chongqing → Qinzhou"}
    # the printed difference carries the panel's unit
    printed = {t.get_text() for ax in forest.axes for t in ax.texts}
    assert "+2 d  [+1.67, +2.33]" in printed
    assert "+2 h  [-10, +14]" in printed


def test_a_scenario_alone_gives_the_names_of_its_runs(corridor):
    from_run = names_of_runs([corridor])
    from_scenario = names_of_scenario(sim.load_scenario(CORRIDOR))
    assert from_scenario.flows == from_run.flows
    assert from_scenario.nodes.items() >= from_run.nodes.items()
    stations = set(corridor.stations["station"])
    assert {s for s in stations if not s.startswith("dwell:")} <= set(from_scenario.stations)
    assert {s: from_scenario.station(s) for s in stations} == {s: from_run.station(s) for s in stations}
    assert any(s.startswith("leg:") for s in stations)  # legs too, named by both ends
