"""Tidy tables from run directories: hand-checkable tiny runs and invariants on the toy corridor."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from toy_corridor import write_frames

from sim.analysis.stats.differences import mean_interval
from sim.analysis.tables import tidy as tables
from sim.analysis.tables.run_data import RunDirError, load_run

NAN = np.nan


def _tiny(tmp_path):
    """Two replications, one berth (capacity 1) at AAAAA, a leg to BBBBB; horizon 1000 h, warm-up 100 h."""
    visits = pd.DataFrame(
        {
            "replication": np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=np.int32),
            "shipment": np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=np.int64),
            "seq": np.array([0, 1, 0, 1, 0, 1, 0, 1], dtype=np.int16),
            "station": ["AAAAA/bulk", "leg:AAAAA-BBBBB"] * 4,
            "kind": ["berth", "leg"] * 4,
            "arrive": [150.0, 170.0, 160.0, 190.0, 50.0, 60.0, 200.0, 230.0],
            "start": [150.0, 170.0, 170.0, 190.0, 50.0, 60.0, 210.0, 230.0],
            "end": [170.0, 300.0, 190.0, 320.0, 60.0, 190.0, 230.0, NAN],
        }
    )
    shipments = pd.DataFrame(
        {
            "replication": np.array([0, 0, 1, 1], dtype=np.int32),
            "shipment": np.array([0, 1, 0, 1], dtype=np.int64),
            "flow": "f",
            "commodity": "ore",
            "origin": "AAAAA",
            "destination": "BBBBB",
            "tonnes": [1000.0, 3000.0, 2000.0, 4000.0],
            "teu": 0.0,
            "created": [150.0, 160.0, 50.0, 200.0],
            "delivered": [300.0, 320.0, 190.0, NAN],
            "free_flow_h": 130.0,
        }
    )
    stations = pd.DataFrame(
        {
            "station": ["AAAAA/bulk", "leg:AAAAA-BBBBB"],
            "kind": ["berth", "leg"],
            "node": ["AAAAA", "AAAAA"],
            "cargo_class": ["bulk", ""],
            "lat": [10.0, 10.0],
            "lon": [20.0, 20.0],
            "capacity": [1.0, NAN],
        }
    )
    return load_run(write_frames(tmp_path / "tiny", visits, shipments, stations, 1000.0, 100.0))


def test_load_run_reports_what_is_missing(tmp_path, toy_dir):
    with pytest.raises(RunDirError, match="not a directory"):
        load_run(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunDirError, match=r"missing visits\.parquet, shipments\.parquet"):
        load_run(tmp_path / "empty")
    run = load_run(toy_dir)
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
    assert sorted(transit["delay_h"]) == [20.0, 30.0]

    ports = tables.port_throughput(run).set_index("node")
    # Berth starts in the window: 1000 + 3000 t (rep 0) and 4000 t (rep 1) over 900 h, per year.
    assert ports.loc["AAAAA", "tonnes_per_year"] == pytest.approx(8000.0 / 2 * 8760.0 / 900.0)
    assert ports.loc["AAAAA", "role"] == "port"


def test_monthly_throughput_conserves_delivered_tonnes(toy_run):
    table = tables.monthly_throughput(toy_run)
    delivered = toy_run.shipments.loc[toy_run.shipments["delivered"].notna()]
    per_commodity = delivered.groupby("commodity")["tonnes"].sum() / toy_run.replications
    pd.testing.assert_series_equal(
        table.groupby("commodity")["tonnes"].sum(), per_commodity, check_names=False, rtol=1e-12
    )
    n_months = table["month"].nunique()
    assert len(table) == n_months * toy_run.shipments["commodity"].nunique()  # zero months kept
    assert table["in_warmup"].sum() == table["commodity"].nunique()  # January only (30-day warm-up)
    assert (table["tonnes_low"] <= table["tonnes"]).all()


def test_transit_times_only_after_warmup(toy_run):
    transit = tables.transit_times(toy_run)
    ships = toy_run.shipments.set_index(["replication", "shipment"])
    joined = ships.loc[list(zip(transit["replication"], transit["shipment"], strict=True))]
    assert (joined["created"] >= toy_run.warmup_h).all()
    np.testing.assert_allclose(transit["transit_h"], joined["delivered"] - joined["created"])


def test_flow_routes_follow_the_stations(toy_run):
    routes = tables.flow_routes(toy_run).set_index("flow")
    assert routes.loc["soy_msy_tao", "nodes"] == ["USMSY", "PAPCN", "CNTAO"]
    assert routes.loc["ilstc_ckg_qzh", "nodes"] == ["CNCKG", "CNQZH"]
    assert len(routes.loc["soy_msy_tao", "lons"]) == 3
    assert routes["tonnes_per_year"].between(1e5, 2e7).all()
