"""Comparison experiments on a small real scenario: common random numbers, precision, output files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.stats.kpi_differences import compare_kpis
from sim.experiments.compare import run_comparison, write_comparison

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def scenarios():
    return sim.load_scenario(DATA / "two_ports.yaml"), sim.load_scenario(DATA / "one_berth.yaml")


@pytest.fixture(scope="module")
def comparison(scenarios):
    base, variant = scenarios
    return run_comparison(base, [variant], replications=4)


def test_common_random_numbers_leave_unaffected_flows_identical(comparison):
    table = comparison.table.set_index(["table", "key", "metric"])
    boxes = table.loc[("transit_by_flow", "boxes_ssz_tao", "transit_mean_h")]
    # The container flow never touches Paranaguá's bulk berths: with shared draws it is identical.
    assert (boxes["diff"], boxes["diff_low"], boxes["diff_high"]) == (0.0, 0.0, 0.0)
    assert not boxes["significant"]
    utilisation = table.loc[("stations", "BRPNG/dry_bulk", "utilisation")]
    assert utilisation["significant"]
    assert utilisation["relative"] == pytest.approx(1.0, abs=0.2)  # same work on half the berths
    wait = table.loc[("stations", "BRPNG/dry_bulk", "wait_mean_h")]
    assert wait["diff"] > 0


def test_same_seed_same_draws_across_scenarios(comparison):
    base, variant = (comparison.runs[n].shipments for n in (comparison.base, comparison.variants[0]))
    pd.testing.assert_series_equal(base["created"], variant["created"])
    pd.testing.assert_series_equal(base["tonnes"], variant["tonnes"])


def test_a_scenario_against_itself_differs_by_nothing(scenarios):
    base, _ = scenarios
    result = run_comparison(base, [base], replications=2)
    assert result.variants == ["two_ports_2"]
    assert (result.table["diff"].fillna(0.0) == 0.0).all()
    assert not result.table["significant"].any()


def test_precision_adds_replications_until_reached(scenarios):
    base, variant = scenarios
    result = run_comparison(base, [variant], replications=3, precision=0.03, max_replications=12)
    report = result.precision
    assert report is not None
    assert 3 <= report.replications <= 12
    assert len(result.runs["two_ports"].replications) == report.replications
    assert report.reached == bool((report.worst["relative_half_width"] < 0.03).all())
    assert set(report.worst["metric"]) == {"tonnes_per_year", "transit_mean_h"}
    # Replications run in blocks are the same replications as one run of that many.
    whole = sim.run(base, replications=report.replications)
    np.testing.assert_array_equal(
        result.runs["two_ports"].shipments["created"].to_numpy(), whole.shipments["created"].to_numpy()
    )


def test_write_comparison_layout(comparison, tmp_path):
    out = write_comparison(comparison, tmp_path / "cmp")
    for name in ("comparison.csv", "comparison.parquet", "comparison.json", "warmup.csv"):
        assert (out / name).is_file()
    meta = json.loads((out / "comparison.json").read_text())
    assert meta["base"] == "two_ports"
    assert meta["variants"] == ["one_berth"]
    assert meta["replications"] == [0, 1, 2, 3]
    assert {w["station"] for w in meta["warmup"]} >= {"all queueing stations"}
    for run in ("two_ports", "one_berth"):
        files = {p.name for p in (out / "runs" / run).iterdir()}
        assert {"visits.parquet", "shipments.parquet", "stations.parquet", "provenance.json"} <= files
    assert len(pd.read_parquet(out / "comparison.parquet")) == len(comparison.table)


def test_common_random_numbers_narrow_the_intervals_of_real_runs(scenarios):
    # Same comparison twice: variant on the base's seed (paired) and on another seed (Welch). Throughput and
    # utilisation follow the shared arrivals, so pairing removes most of their between-replication noise.
    base, variant = scenarios
    runs = {
        "base": sim.run(base, replications=6, engine="vector"),
        "crn": sim.run(variant, replications=6, engine="vector"),
        "independent": sim.run(variant, replications=6, seed=999, engine="vector"),
    }
    k = {name: r.kpis_by_replication for name, r in runs.items()}
    paired = compare_kpis(k["base"], k["crn"], "v").set_index(["key", "metric"])
    welch = compare_kpis(k["base"], k["independent"], "v", method="welch").set_index(["key", "metric"])
    for kpi in [("soybeans", "tonnes_per_year"), ("BRPNG/dry_bulk", "utilisation")]:
        width_paired = paired.loc[kpi, "diff_high"] - paired.loc[kpi, "diff_low"]
        width_welch = welch.loc[kpi, "diff_high"] - welch.loc[kpi, "diff_low"]
        assert width_paired < 0.7 * width_welch
