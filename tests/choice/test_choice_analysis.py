"""Route choice in the analysis: route_choice KPIs, `corridor run --equilibrium`, compare, report, sweeps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.figures.names import names_of_runs
from sim.analysis.report.build import build_report
from sim.analysis.report.embedded_figures import run_figure_specs
from sim.analysis.tables import choice as choice_tables
from sim.analysis.tables.run_data import load_run
from sim.choice import route_shares
from sim.cli import main
from sim.experiments.sweep import load_sweep, plan_sweep
from sim.runner import RunResult, run, write_run
from sim.scenario import load_scenario

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
THREE = DATA / "choice_three_routes.yaml"
PARALLEL = DATA / "choice_parallel.yaml"


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run(load_scenario(THREE), engine="vector", replications=3)


def test_route_choice_kpis_are_the_shipments_counted(result: RunResult) -> None:
    by_rep = result.kpis_by_replication
    rows = by_rep[by_rep["table"] == "route_choice"]
    shipments = result.shipments
    window = (shipments["created"] >= result.scenario.warmup_h) & (
        shipments["created"] < result.scenario.horizon_h
    )
    probability = route_shares(result.scenario, result.network)
    for route in result.network.flows:
        mine = rows[rows["key"] == route.name].pivot_table(
            index="replication", columns="metric", values="value"
        )
        for rep, values in mine.iterrows():
            in_rep = window & (shipments["replication"] == rep)
            chosen = in_rep & (shipments["flow"] == route.name)
            assert values["shipments"] == chosen.sum()
            assert values["share"] == pytest.approx(chosen.sum() / in_rep.sum(), rel=1e-12)
            delivered = shipments[chosen & shipments["delivered"].notna()]
            expected = (delivered["delivered"] - delivered["created"]).mean()
            assert values["time_mean_h"] == pytest.approx(expected, rel=1e-12)
            assert values["probability"] == probability[route.index]
    shares = rows[rows["metric"] == "share"].groupby("replication")["value"].sum()
    assert np.allclose(shares, 1.0)


def test_a_choice_flow_has_whole_flow_cost_and_emission_rows(result: RunResult) -> None:
    """The whole flow's ``cost_by_flow``/``emissions_by_flow`` rows sum its routes' rows, per replication."""
    by_rep = result.kpis_by_replication
    for table, metric in (("cost_by_flow", "cost_total_usd"), ("emissions_by_flow", "co2e_wtw_t")):
        rows = by_rep[(by_rep["table"] == table) & (by_rep["metric"] == metric)]
        whole = rows[rows["key"] == "boxes_out"].set_index("replication")["value"]
        parts = rows[rows["key"].str.startswith("boxes_out/")].groupby("replication")["value"].sum()
        assert len(whole) == 3
        assert np.allclose(whole, parts.reindex(whole.index), rtol=1e-12)


def test_run_equilibrium_writes_its_iterations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eq"
    code = main(["run", str(PARALLEL), "--equilibrium", "--replications", "4", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    record = json.loads((out / "equilibrium.json").read_text())
    assert record["method"] == "msa"
    assert record["iterations"] == len(record["history"]) >= 2
    assert f"equilibrium after {record['iterations']} iterations" in printed
    resolved = load_scenario(out / "scenario.yaml")
    choice = resolved.flows["cargo_out"].choice
    assert choice is not None
    assert choice.mode == "fixed"
    assert choice.alternatives["via_a"].share == pytest.approx(record["shares"]["cargo_out/via_a"])


def test_equilibrium_needs_a_logit_flow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(DATA / "two_ports.yaml"), "--equilibrium", "--out", str(tmp_path / "x")])
    assert code == 2
    assert "a scenario with a logit route choice for --equilibrium" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_equilibrium_tolerance_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(PARALLEL), "--equilibrium", "--tolerance", "0", "--out", str(tmp_path / "x")])
    assert code == 2
    assert "--tolerance" in capsys.readouterr().err


def test_compare_gives_paired_differences_of_shares_costs_and_emissions() -> None:
    base = load_scenario(THREE)
    priced = load_scenario(THREE, overrides={"name": "carbon_300", "costs.carbon_price_usd_per_t": 300.0})
    table = sim.compare(base, priced, replications=4).table
    shares = table[(table["table"] == "route_choice") & (table["metric"] == "share")].set_index("key")
    # a higher carbon price moves shipments off the most carbon-intensive route (road–sea) onto the cleanest
    assert shares.loc["boxes_out/road_sea", "diff_high"] < 0
    assert shares.loc["boxes_out/rail_sea", "diff_low"] > 0
    assert set(shares["unit"]) == {"share"}
    cost = table[(table["table"] == "cost_by_commodity") & (table["metric"] == "cost_usd_per_t")]
    assert cost["unit"].tolist() == ["US$/t"]
    assert float(cost["diff_low"].iloc[0]) > 0  # paying for carbon costs more, with a 95 % interval
    emissions = table[(table["table"] == "emissions_by_commodity") & (table["metric"] == "co2e_kg_per_t")]
    assert float(emissions["diff_high"].iloc[0]) < 0


def test_report_draws_shares_cost_and_emissions(tmp_path: Path) -> None:
    """The fixture with a container terminal at the destination (so the run has a berth and hub emissions)."""
    terminal = {
        "nodes.ZZDST": {
            "name": "Destination",
            "kind": "port",
            "berths": {"container": {"count": 4, "rate": 500.0, "rate_unit": "TEU/h"}},
        },
        "emissions.hubs": {"terminal": {"unit": "TEU", "wtw_kg_per_unit": 15.0}},
    }
    ported = run(load_scenario(THREE, overrides=terminal), engine="vector", replications=3)
    out = write_run(ported, tmp_path / "run")
    build_report(out)
    names = {p.name for p in (out / "figures").glob("*.png")}
    assert {"route_shares.png", "cost_breakdown.png", "emissions.png"} <= names
    loaded = load_run(out)
    shares = choice_tables.route_shares(loaded)
    assert list(shares["route"]) == ["rail_sea", "river_sea", "road_sea"]
    assert shares["share"].sum() == pytest.approx(1.0)
    costs = choice_tables.cost_breakdown(loaded).set_index("key")
    parts = costs[list(choice_tables.COST_PARTS)].sum(axis=1)
    assert np.allclose(parts, costs["total"], rtol=1e-9)
    emissions = choice_tables.emissions_breakdown(loaded).set_index("key")
    assert np.allclose(emissions["transport"] + emissions["hub"], emissions["total"])
    hub_per_t = 15.0 / 10.0  # kg per TEU handled over 10 t per TEU, one berth visit per shipment
    assert np.allclose(emissions["hub"], hub_per_t, rtol=1e-9)


def test_no_choice_no_choice_figures(tmp_path: Path) -> None:
    plain = run(load_scenario(DATA / "two_ports.yaml"), engine="vector", replications=2)
    out = write_run(plain, tmp_path / "run")
    loaded = load_run(out)
    assert choice_tables.route_shares(loaded).empty
    assert choice_tables.cost_breakdown(loaded).empty
    assert isinstance(choice_tables.emissions_breakdown(loaded), pd.DataFrame)


def test_rail_tariff_sweep_spec_plans_cost_parameters() -> None:
    spec = load_sweep(ROOT / "scenarios" / "sweeps" / "ilstc_rail_tariff.yaml")
    planned = plan_sweep(spec)
    assert len(planned.points) == 10
    names = [p.name for p in spec.parameters]
    assert names == ["costs.freight.rail_ilstc.usd_per_unit_km", "costs.carbon_price_usd_per_t"]


def test_cost_and_emission_figures_name_the_corridor_flows_and_leave_the_background_out(
    tmp_path: Path,
) -> None:
    """baseline_2024 has background traffic (its other grain, the canal's other users) and a cost ledger."""
    baseline = run(load_scenario(ROOT / "scenarios" / "baseline_2024.yaml"), engine="vector", replications=1)
    loaded = load_run(write_run(baseline, tmp_path / "run"))
    names = names_of_runs([loaded])
    background = loaded.background.flows
    corridor = {f for f in baseline.scenario.flows if f not in background}
    assert background
    for stem in ("cost_breakdown", "emissions"):
        _, _, make = run_figure_specs(loaded, names)[stem]
        labels = {t.get_text() for ax in make().axes for t in ax.get_yticklabels()}
        assert labels == {names.flow(f) for f in corridor}, stem
