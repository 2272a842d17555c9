"""Paired KPI comparison on long per-replication tables with known differences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.stats.differences import paired_difference, welch_difference
from sim.analysis.stats.kpi_differences import (
    compare_kpis,
    kpi_label,
    kpi_unit,
    paired_precision,
    select_kpis,
)


def _long(values: dict[tuple[str, str, str], list[float]]) -> pd.DataFrame:
    rows = [
        {"table": t, "key": k, "period": "", "metric": m, "replication": r, "value": v}
        for (t, k, m), series in values.items()
        for r, v in enumerate(series)
    ]
    return pd.DataFrame(rows)


RNG = np.random.default_rng(21)
SOY = RNG.normal(8e6, 4e5, 6)
WAIT = RNG.exponential(10.0, 6)
BASE = _long(
    {
        ("throughput_by_commodity", "soybeans", "tonnes_per_year"): list(SOY),
        ("stations", "BRPNG/dry_bulk", "wait_mean_h"): list(WAIT),
        ("stations", "leg:BRPNG-CNTAO", "wait_mean_h"): [np.nan] * 6,
        ("stations", "BRPNG/dry_bulk", "queue_mean"): [1.0] * 6,
    }
)
VARIANT = _long(
    {
        ("throughput_by_commodity", "soybeans", "tonnes_per_year"): list(SOY * 1.05 + RNG.normal(0, 1e4, 6)),
        ("stations", "BRPNG/dry_bulk", "wait_mean_h"): list(WAIT),
        ("stations", "leg:BRPNG-CNTAO", "wait_mean_h"): [np.nan] * 6,
        ("stations", "BRPNG/dry_bulk", "queue_mean"): [2.0] * 6,
        ("throughput_by_commodity", "lithium", "tonnes_per_year"): [1e5] * 6,
    }
)


def test_compare_kpis_pairs_replications_and_matches_the_statistics():
    table = compare_kpis(BASE, VARIANT, "boom").set_index(["key", "metric"])
    soy = table.loc[("soybeans", "tonnes_per_year")]
    expected = paired_difference(
        SOY, VARIANT.query("key == 'soybeans'").sort_values("replication")["value"].to_numpy()
    )
    assert soy["diff"] == pytest.approx(expected.diff.estimate)
    assert (soy["diff_low"], soy["diff_high"]) == pytest.approx((expected.diff.low, expected.diff.high))
    assert soy["relative"] == pytest.approx(0.05, abs=0.005)
    assert soy["significant"]
    assert soy["unit"] == "t/yr"
    assert soy["variant"] == "boom"
    wait = table.loc[("BRPNG/dry_bulk", "wait_mean_h")]
    assert (wait["diff"], wait["diff_low"], wait["diff_high"]) == (0.0, 0.0, 0.0)
    assert not wait["significant"]


def test_compare_kpis_selection_new_keys_and_empty_kpis():
    table = compare_kpis(BASE, VARIANT, "boom")
    assert "queue_mean" not in set(table["metric"])  # not in the default selection
    assert "leg:BRPNG-CNTAO" not in set(table["key"])  # no value in either run
    lithium = table.set_index("key").loc["lithium"]
    assert lithium["n"] == 0
    assert np.isnan(lithium["base_mean"])
    assert lithium["variant_mean"] == pytest.approx(1e5)
    everything = compare_kpis(BASE, VARIANT, "boom", kpis=None)
    assert "queue_mean" in set(everything["metric"])
    assert list(table["table"])[:2] == ["throughput_by_commodity"] * 2  # reading order: throughput first


def test_welch_method_treats_runs_as_independent():
    table = compare_kpis(BASE, VARIANT, "boom", method="welch").set_index(["key", "metric"])
    soy_variant = VARIANT.query("key == 'soybeans'")["value"].to_numpy()
    expected = welch_difference(SOY, soy_variant)
    assert table.loc[("soybeans", "tonnes_per_year"), "diff_high"] == pytest.approx(expected.diff.high)
    assert table.loc[("soybeans", "tonnes_per_year"), "method"] == "welch"
    with pytest.raises(ValueError, match="method"):
        compare_kpis(BASE, VARIANT, "boom", method="bootstrap")


def test_paired_precision_is_half_width_over_base_mean():
    base = np.array([10.0, 12.0, 11.0, 9.0])
    variant = base + np.array([1.0, 2.0, 1.5, 0.5])
    values = np.column_stack([base, np.zeros(4), variant, np.zeros(4)])
    precision = paired_precision(values)
    expected = paired_difference(base, variant)
    assert precision[0] == pytest.approx(expected.diff.half_width / base.mean())
    assert precision[1] == 0.0  # zero base: no relative precision, does not hold the sequence back


def test_labels_units_and_selection():
    assert kpi_unit("transit_p95_h") == "h"
    assert kpi_unit("tonnes_per_year") == "t/yr"
    assert kpi_unit("utilisation") == "share"
    assert kpi_label("transit_by_flow", "soy", "", "transit_mean_h") == "Transit · soy · mean"
    assert set(select_kpis(BASE, [("stations", "queue_mean")])["metric"]) == {"queue_mean"}


def test_visits_still_waiting_at_the_horizon_are_compared_where_there_are_any():
    def waiting(by_station: dict[str, list[float]]) -> pd.DataFrame:
        return _long({("stations", k, "waiting_at_horizon"): v for k, v in by_station.items()})

    base = waiting({"A/bulk": [0.0] * 4, "B/bulk": [0.0] * 4, "C/bulk": [1.0, 0.0, 2.0, 1.0]})
    variant = waiting({"A/bulk": [0.0] * 4, "B/bulk": [3.0, 4.0, 2.0, 3.0], "C/bulk": [1.0, 0.0, 2.0, 1.0]})
    table = compare_kpis(base, variant, "strike").set_index("key")
    assert sorted(table.index) == ["B/bulk", "C/bulk"], "none waiting in either run: no row"
    assert table.loc["B/bulk", "diff"] == 3.0
    assert table.loc["B/bulk", "unit"] == "visits"
    assert table.loc["B/bulk", "label"] == "Station · B/bulk · waiting at horizon"
