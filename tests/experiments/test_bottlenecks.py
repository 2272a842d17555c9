"""Bottleneck ranking: each kind of station degraded as documented, ranked from paired runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.experiments.bottlenecks import degrade, rank_bottlenecks, scenario_kpis

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario(DATA / "two_ports.yaml")


def test_degrade_changes_exactly_the_named_capacity(scenario):
    berth = degrade(scenario, "BRPNG/dry_bulk", 0.25)
    assert berth.scenario.nodes["BRPNG"].berths["dry_bulk"].rate == pytest.approx(1670 * 0.75)
    assert berth.scenario.nodes["BRPNG"].berths["dry_bulk"].count == 2
    assert berth.scenario.nodes["CNTAO"] == scenario.nodes["CNTAO"]
    service = degrade(scenario, "svc:ecsa_asia_loop", 0.5)
    assert service.scenario.services["ecsa_asia_loop"].capacity == pytest.approx(1500)
    leg = degrade(scenario, "leg:BRPNG-CNTAO", 0.2)
    probe = leg.scenario.disruptions["bottleneck_probe"]
    assert (probe.kind, probe.target, probe.scale) == ("speed", "BRPNG-CNTAO", pytest.approx(0.8))
    assert sim.scenario_hash(leg.scenario) != sim.scenario_hash(scenario)
    with pytest.raises(ValueError, match="not a station"):
        degrade(scenario, "XXXXX/dry_bulk", 0.25)
    with pytest.raises(ValueError, match="no chokepoint"):
        degrade(scenario, "chk:BRPNG", 0.25)
    with pytest.raises(ValueError, match="fraction"):
        degrade(scenario, "BRPNG/dry_bulk", 1.0)


def test_a_slower_leg_adds_transit_and_an_unused_berth_adds_nothing(scenario):
    longer = scenario.model_copy(update={"horizon_days": 150.0})  # room for slowed voyages to arrive
    table = rank_bottlenecks(
        longer, 0.25, ["BRSSZ/container", "leg:BRPNG-CNTAO", "BRPNG/dry_bulk"], replications=3
    ).set_index("station")
    leg = table.loc["leg:BRPNG-CNTAO"]
    # Soy sails 11432 nm at 12.5 kn = 914.6 h; at 75 % speed that is 304.9 h more, on ~85 % of the tonnes.
    assert leg["transit_significant"]
    assert 150 < leg["transit_change_h"] < 320
    berth = table.loc["BRSSZ/container"]
    assert berth["throughput_change"] == 0.0
    assert table["rank"].tolist() == sorted(table["rank"])
    assert table.index[0] == "leg:BRPNG-CNTAO"


def test_scenario_kpis_weights_transit_by_tonnes():
    long = pd.DataFrame(
        {
            "table": ["throughput_by_commodity", "throughput_by_flow", "throughput_by_flow"]
            + ["transit_by_flow"] * 2,
            "key": ["soy", "a", "b", "a", "b"],
            "period": "",
            "metric": [
                "tonnes_per_year",
                "tonnes_per_year",
                "tonnes_per_year",
                "transit_mean_h",
                "transit_mean_h",
            ],
            "replication": 0,
            "value": [400.0, 300.0, 100.0, 10.0, 50.0],
        }
    )
    kpis = scenario_kpis(long)
    assert kpis.loc[0, "throughput_t_per_year"] == 400.0
    assert kpis.loc[0, "transit_h"] == pytest.approx((300 * 10 + 100 * 50) / 400)


def test_bottlenecks_command(tmp_path, capsys):
    out = tmp_path / "bn"
    code = main(
        ["bottlenecks", str(DATA / "two_ports.yaml"), "--replications", "2", "--no-legs", "--out", str(out)]
    )
    assert code == 0
    assert "Bottlenecks" in capsys.readouterr().out
    table = pd.read_csv(out / "bottlenecks.csv")
    assert "leg:BRPNG-CNTAO" not in set(table["station"])
    assert (out / "bottlenecks.png").read_bytes().startswith(b"\x89PNG")
    assert main(["bottlenecks", str(DATA / "two_ports.yaml"), "--fraction", "0"]) == 2


def test_background_traffic_is_left_out_of_the_ranking_kpis() -> None:
    from sim.experiments.bottlenecks import background_flows

    scenario = sim.load_scenario(Path(__file__).parents[2] / "scenarios" / "baseline_2024.yaml")
    flows, commodities = background_flows(scenario)
    # the seeds' background flows (flows.csv, column background)
    seeded = {"panama_background", "soy_other_santos", "soy_other_paranagua"}
    seeded |= {"santos_other_grain", "paranagua_other_grain", "rosario_other_agro"}
    assert flows == {name for name, flow in scenario.flows.items() if flow.background} == seeded
    assert commodities == {"panama_background", "soybeans_other", "other_grain"}
    rows = [
        ("throughput_by_commodity", "soybeans", "tonnes_per_year", 10.0),
        ("throughput_by_commodity", "panama_background", "tonnes_per_year", 1000.0),
        ("throughput_by_flow", "soy", "tonnes_per_year", 10.0),
        ("throughput_by_flow", "panama_background", "tonnes_per_year", 1000.0),
        ("transit_by_flow", "soy", "transit_mean_h", 100.0),
        ("transit_by_flow", "panama_background", "transit_mean_h", 10.0),
    ]
    table = pd.DataFrame(rows, columns=["table", "key", "metric", "value"]).assign(replication=0)
    kpis = scenario_kpis(table, exclude=(flows, commodities))
    assert kpis.loc[0, "throughput_t_per_year"] == 10.0
    assert kpis.loc[0, "transit_h"] == 100.0
