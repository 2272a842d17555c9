"""The cost and emission ledger against hand computations on one ship a month.

The scenario is tests/data/ledger_one_ship.yaml.

Rates (see the file): sea freight US$5/t + US$0.002/t-km; port US$10,000 a call + US$2/t, at Qingdao the
more specific US$20,000 + US$3/t; a TEU-only rate that must not touch bulk; soybeans worth US$400/t held at
10%/yr; carbon at US$50/t. Emissions: a leg-specific 12 g/t-km (WTW; 9 TTW) beats the sea default 10 g;
hubs 1 kg/t WTW (0.5 TTW) at each berth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.errors import InputError
from sim.runner import RunResult, run
from sim.scenario.loader import load_scenario

DATA = Path(__file__).resolve().parents[1] / "data"
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
TONNES = 50_000.0
KM = 1000 * 1.852


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run(load_scenario(DATA / "ledger_one_ship.yaml"), engine="reference")


def test_route_costs_of_one_shipment_by_hand(result: RunResult) -> None:
    ship = result.shipments.iloc[0]
    assert ship["tonnes"] == TONNES
    assert ship["cost_sea_usd"] == pytest.approx((5 + 0.002 * KM) * TONNES)  # the TEU rate is not applied
    assert ship["cost_port_usd"] == pytest.approx((10_000 + 2 * TONNES) + (20_000 + 3 * TONNES))
    assert ship["cost_canal_usd"] == 0.0
    assert ship["cost_rail_usd"] == 0.0


def test_emissions_of_one_shipment_by_hand(result: RunResult) -> None:
    ship = result.shipments.iloc[0]
    transport_wtw = 12 * TONNES * KM / 1000  # g per t-km x t-km -> kg
    hubs_wtw = 2 * 1.0 * TONNES
    assert ship["co2e_transport_wtw_kg"] == pytest.approx(transport_wtw)
    assert ship["co2e_hub_wtw_kg"] == pytest.approx(hubs_wtw)
    assert ship["co2e_wtw_kg"] == pytest.approx(transport_wtw + hubs_wtw)
    assert ship["co2e_ttw_kg"] == pytest.approx(9 * TONNES * KM / 1000 + 2 * 0.5 * TONNES)
    assert ship["cost_carbon_usd"] == pytest.approx((transport_wtw + hubs_wtw) / 1000 * 50)


def test_cost_of_time_by_hand(result: RunResult) -> None:
    shipments = result.shipments
    delivered = shipments[shipments["delivered"].notna()]
    hours = delivered["delivered"] - delivered["created"]
    per_hour = 400 * 0.1 / 8760 * delivered["tonnes"]
    np.testing.assert_allclose(
        delivered["cost_transit_time_usd"] + delivered["cost_waiting_time_usd"], per_hour * hours
    )
    np.testing.assert_allclose(delivered["cost_waiting_time_usd"], per_hour * delivered["waiting_h"])
    parts = [c for c in shipments if c.startswith("cost_") and c != "cost_total_usd"]
    np.testing.assert_allclose(delivered["cost_total_usd"], delivered[parts].sum(axis=1))
    assert shipments.loc[shipments["delivered"].isna(), "cost_total_usd"].isna().all()


def test_kpis_sum_the_delivered_shipments_with_intervals(result: RunResult) -> None:
    kpis = result.kpis_by_replication
    shipments = result.shipments
    window = shipments[shipments["delivered"].between(0.0, result.scenario.horizon_h)]
    for replication, group in window.groupby("replication"):
        row = kpis[
            (kpis["table"] == "cost_by_flow") & (kpis["key"] == "soy") & (kpis["replication"] == replication)
        ].set_index("metric")["value"]
        assert row["cost_total_usd"] == pytest.approx(group["cost_total_usd"].sum())
        assert row["cost_usd_per_t"] == pytest.approx(group["cost_total_usd"].sum() / group["tonnes"].sum())
        leg = kpis[
            (kpis["table"] == "emissions_by_station")
            & (kpis["key"] == "leg:ssz-tao")
            & (kpis["replication"] == replication)
            & (kpis["metric"] == "co2e_wtw_t")
        ]["value"]
        assert float(leg.iloc[0]) == pytest.approx(len(group) * 12 * TONNES * KM / 1e6)
    summary = result.kpis
    route = summary[(summary["table"] == "emissions_by_route") & (summary["metric"] == "co2e_kg_per_t")]
    assert route["key"].tolist() == ["BRSSZ>CNTAO"]
    assert route["mean"].iloc[0] == pytest.approx((12 * KM + 2 * 1000) / 1000)
    assert np.isfinite(route[["ci_low", "ci_high"]].to_numpy()).all()


def test_no_sections_no_columns() -> None:
    plain = run(load_scenario(DATA / "one_berth.yaml"), engine="vector", replications=1)
    assert not any(c.startswith(("cost_", "co2e_")) for c in plain.shipments)
    assert not plain.kpis_by_replication["table"].str.startswith(("cost_", "emissions_")).any()


def test_a_scenario_override_changes_a_rate() -> None:
    base = load_scenario(DATA / "ledger_one_ship.yaml")
    cheaper = load_scenario(DATA / "ledger_one_ship.yaml", {"costs.freight.sea.usd_per_unit_km": 0.001})
    a = run(base, replications=1).shipments.iloc[0]
    b = run(cheaper, replications=1).shipments.iloc[0]
    assert a["cost_sea_usd"] - b["cost_sea_usd"] == pytest.approx(0.001 * KM * TONNES)


def test_seeded_scenarios_carry_the_default_tables_and_accept_overrides(tmp_path: Path) -> None:
    seeded = load_scenario(SCENARIOS / "baseline_2024.yaml")
    assert seeded.costs is not None
    assert seeded.emissions is not None
    assert seeded.costs.freight["sea_grain"].usd_per_unit_km == pytest.approx(0.001891)
    variant = tmp_path / "pricier.yaml"
    variant.write_text(
        f"extends: {SCENARIOS / 'baseline_2024.yaml'}\nname: pricier\n"
        "costs:\n  freight:\n    sea_grain: {usd_per_unit_km: 0.0025}\n  carbon_price_usd_per_t: 100\n",
        encoding="utf-8",
    )
    priced = load_scenario(variant)
    assert priced.costs is not None
    assert priced.costs.freight["sea_grain"].usd_per_unit_km == 0.0025
    assert priced.costs.freight["sea_grain"].cargo_class == "grain"  # the rest of the seed row is kept
    assert priced.costs.carbon_price_usd_per_t == 100


def test_a_bad_override_is_a_located_input_error() -> None:
    with pytest.raises(InputError) as caught:
        load_scenario(DATA / "ledger_one_ship.yaml", {"costs.cargo_values.soybeans.usd_per_t": -1.0})
    assert "costs.cargo_values.soybeans.usd_per_t" in str(caught.value)


def test_both_engines_give_the_same_ledger(result: RunResult) -> None:
    vector = run(result.scenario, engine="vector")
    columns = [c for c in result.shipments if c.startswith(("cost_", "co2e_")) or c == "waiting_h"]
    np.testing.assert_array_equal(vector.shipments[columns].to_numpy(), result.shipments[columns].to_numpy())


def test_kpi_groups_do_not_overflow_small_category_codes() -> None:
    priced = load_scenario(
        DATA / "two_ports.yaml",
        {"costs.cargo_values.general_containers": {"usd_per_t": 5000.0, "holding_rate_per_year": 0.08}},
    )
    many = run(priced, replications=130)  # the second flow's int8 code 1 x 130 replications > 127
    kpis = many.kpis_by_replication
    totals = kpis[
        (kpis["table"] == "cost_by_flow")
        & (kpis["key"] == "boxes_ssz_tao")
        & (kpis["metric"] == "cost_total_usd")
    ]
    assert sorted(totals["replication"]) == list(range(130))
    assert (totals["value"] > 0).all()
