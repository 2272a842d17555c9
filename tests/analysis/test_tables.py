"""Tidy tables from run directories: a hand-checkable tiny run and invariants on a small corridor."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.stats.differences import mean_interval
from sim.analysis.tables import tidy as tables
from sim.analysis.tables.run_data import RunDirError, load_run
from sim.engines import get_engine
from sim.network import build_network
from sim.runner import RunResult
from sim.scenario import scenario_from_data
from tests.plans import HandShipment, assemble_plan


def _tiny(tmp_path):
    """Two replications, one berth (capacity 1) at AAAAA, a leg to BBBBB; horizon 1000 h, warm-up 100 h.

    A hand-made Plan gives every time, run by the reference engine and written by :func:`sim.write_run`:

    replication 0 — created 150 (1000 t, berth 20 h, leg 130 h): berth 150–170, leg 170–300;
                    created 160 (3000 t, berth 20 h, leg 130 h): waits 10 h, berth 170–190, leg 190–320.
    replication 1 — created 50 (2000 t, berth 160 h, leg 130 h): berth 50–210, leg 210–340 (in the warm-up);
                    created 200 (4000 t, berth 20 h, leg 800 h): waits 10 h, berth 210–230, leg from 230
                    ends after the horizon: not delivered.
    """
    scenario = scenario_from_data(
        {
            "schema": 1,
            "name": "tiny",
            "start": "2024-01-01",
            "horizon_days": 1000 / 24,
            "warmup_days": 100 / 24,
            "replications": 2,
            "seed": 0,
            "commodities": {"ore": {"kind": "bulk", "cargo_class": "bulk"}},
            "nodes": {
                "AAAAA": {
                    "name": "A",
                    "kind": "port",
                    "lat": 10.0,
                    "lon": 20.0,
                    "berths": {"bulk": {"count": 1, "rate": 100.0, "rate_unit": "t/h"}},
                },
                "BBBBB": {"name": "B", "kind": "hub", "lat": 11.0, "lon": 21.0},
            },
            "legs": {"AAAAA-BBBBB": {"from": "AAAAA", "to": "BBBBB", "mode": "sea", "transit_h": 130.0}},
            "flows": {
                "f": {
                    "commodity": "ore",
                    "origin": "AAAAA",
                    "destination": "BBBBB",
                    "annual_volume": 1.0,
                    "volume_unit": "t",
                    "parcel": {"dist": "fixed", "value": 1.0},
                    "parcel_unit": "t",
                }
            },
        }
    )
    network = build_network(scenario)
    (flow,) = network.flows
    assert [network.stations[s].name for s in flow.stations] == ["AAAAA/bulk", "leg:AAAAA-BBBBB"]

    def ship(created: float, tonnes: float, berth_h: float, leg_h: float) -> HandShipment:
        return HandShipment(created, flow.stations, [berth_h, leg_h], flow=flow.index, tonnes=tonnes)

    plan = assemble_plan(
        network,
        [
            [ship(150.0, 1000.0, 20.0, 130.0), ship(160.0, 3000.0, 20.0, 130.0)],
            [ship(50.0, 2000.0, 160.0, 130.0), ship(200.0, 4000.0, 20.0, 800.0)],
        ],
    )
    result = RunResult(scenario, network, plan, get_engine("reference")(plan), "reference", 0, 0.0)
    return load_run(sim.write_run(result, tmp_path / "tiny"))


def test_load_run_reports_what_is_missing(tmp_path, corridor_dir):
    with pytest.raises(RunDirError, match="not a directory"):
        load_run(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunDirError, match=r"missing visits\.parquet, shipments\.parquet"):
        load_run(tmp_path / "empty")
    run = load_run(corridor_dir)
    broken = tmp_path / "broken"
    broken.mkdir()
    run.visits.drop(columns=["kind"]).to_parquet(broken / "visits.parquet")
    run.shipments.to_parquet(broken / "shipments.parquet")
    run.stations.to_parquet(broken / "stations.parquet")
    (broken / "provenance.json").write_text(json.dumps(run.provenance))
    with pytest.raises(RunDirError, match="missing column"):
        load_run(broken)


def test_tiny_run_waits_transit_and_ports(tmp_path):
    run = _tiny(tmp_path)
    assert run.replications == 2
    waits = tables.station_waiting(run).set_index("station")
    # After the warm-up (100 h): rep 0 waits 0 and 10 h, rep 1 waits 10 h (its first visit is in the warm-up).
    expected = mean_interval([5.0, 10.0])
    row = waits.loc["AAAAA/bulk"]
    assert row["wait_mean_h"] == pytest.approx(7.5)
    assert (row["wait_low_h"], row["wait_high_h"]) == pytest.approx((expected.low, expected.high))
    assert row["visits_per_rep"] == 1.5
    assert "leg:AAAAA-BBBBB" not in waits.index

    transit = tables.transit_times(run)
    assert sorted(transit["transit_h"]) == [150.0, 160.0]  # created after warm-up and delivered
    assert sorted(transit["delay_h"]) == [0.0, 10.0]  # over the free-flow time 20 + 130 h: the berth waits

    ports = tables.port_throughput(run).set_index("node")
    # Berth starts in the window: 1000 + 3000 t (rep 0) and 4000 t (rep 1) over 900 h, per year.
    assert ports.loc["AAAAA", "tonnes_per_year"] == pytest.approx(8000.0 / 2 * 8760.0 / 900.0)
    assert ports.loc["AAAAA", "role"] == "port"


def test_monthly_throughput_conserves_delivered_tonnes(corridor):
    table = tables.monthly_throughput(corridor)
    delivered = corridor.shipments.loc[corridor.shipments["delivered"].notna()]
    per_commodity = (
        delivered.groupby(delivered["commodity"].astype(str))["tonnes"].sum() / corridor.replications
    )
    pd.testing.assert_series_equal(
        table.groupby("commodity")["tonnes"].sum(), per_commodity, check_names=False, rtol=1e-12
    )
    n_months = table["month"].nunique()
    assert len(table) == n_months * corridor.shipments["commodity"].nunique()  # zero months kept
    assert table["in_warmup"].sum() == table["commodity"].nunique()  # January only (30-day warm-up)
    assert (table["tonnes_low"] <= table["tonnes"]).all()


def test_transit_times_only_after_warmup(corridor):
    transit = tables.transit_times(corridor)
    ships = corridor.shipments.set_index(["replication", "shipment"])
    joined = ships.loc[list(zip(transit["replication"], transit["shipment"], strict=True))]
    assert (joined["created"] >= corridor.warmup_h).all()
    np.testing.assert_allclose(transit["transit_h"], joined["delivered"] - joined["created"])


def test_flow_routes_follow_the_stations(corridor):
    routes = tables.flow_routes(corridor).set_index("flow")
    assert routes.loc["soy_msy_tao", "nodes"] == ["USMSY", "PAPCN", "CNTAO"]
    assert routes.loc["ilstc_ckg_qzh", "nodes"] == ["CNCKG", "CNQZH"]
    assert len(routes.loc["soy_msy_tao", "lons"]) == 3
    assert routes["tonnes_per_year"].between(1e5, 2e7).all()
