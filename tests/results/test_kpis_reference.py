"""The array KPIs equal straightforward computations of the same definitions, on every library scenario.

Every library scenario (but the large benchmark ones), two replications, through both:

- the core KPIs (:mod:`sim.results.kpis`) against the pandas KPIs they replaced (``kpis_reference.py``):
  counts, maxima, quantiles and the per-replication grid are exact; sums and means are compared at
  ``rtol=1e-12`` because pandas adds a group's values with compensated (Kahan) summation and
  ``np.bincount`` adds them in order, so the two can differ in the last bits;
- the waits by group (:mod:`sim.results.kpis_by_group`) against pandas group-bys of the visits table
  (``waits_by_group_reference.py``): counts and order statistics exact, means at ``rtol=1e-12`` (Kahan);
- the ledger (:mod:`sim.results.ledger`, :mod:`sim.results.ledger_kpis`) against the visit-by-visit ledger
  and pandas KPIs it replaced (``ledger_reference.py``): every ledger column and every cost and emission
  total is bit-identical (the same sums in the same order), but ``emissions_by_station``, now summed by
  route group and position (factor × units delivered) instead of visit by visit: ``rtol=1e-12``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.results.kpis import kpis_by_replication
from sim.results.tables import shipments_table
from sim.runner import RunResult, has_ledger, run
from sim.scenario.loader import load_scenario
from tests.results import kpis_reference, ledger_reference
from tests.results.waits_by_group_reference import waits_by_group

SCENARIOS = sorted(
    p for p in (Path(__file__).parents[2] / "scenarios").glob("*.yaml") if not p.name.startswith("bench_")
)
BY_GROUP = ["stations_by_month", "waits_by_traffic", "stations_by_class"]
COUNTS = {"visits", "started", "waiting_at_month_end", "waiting_at_horizon"}
ORDER_STATISTICS = {"wait_p95_h", "wait_max_h"}


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: p.stem)
def result(request: pytest.FixtureRequest) -> RunResult:
    return run(load_scenario(request.param), replications=2, first_replication=1)


def test_array_kpis_equal_the_pandas_kpis(result: RunResult) -> None:
    old = kpis_reference.kpis_by_replication(result.scenario, result.plan, result.shipments, result.visits)
    new = kpis_by_replication(result.scenario, result.plan, result.trace)  # without the ledger's KPIs
    newer = [*BY_GROUP, "throughput_by_traffic"]  # by_traffic: tested on its own (test_traffic.py)
    new = new[~new["table"].isin(newer)].reset_index(drop=True)
    pd.testing.assert_frame_equal(new.drop(columns="value"), old.drop(columns="value"))
    assert np.array_equal(np.isnan(new["value"]), np.isnan(old["value"]))
    np.testing.assert_allclose(new["value"], old["value"], rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("table", BY_GROUP)
def test_waits_by_group_equal_pandas_group_bys(result: RunResult, table: str) -> None:
    expected = waits_by_group(result.scenario, result.plan, result.shipments, result.visits)[table]
    new = kpis_by_replication(result.scenario, result.plan, result.trace)
    new = new[new["table"] == table].set_index(["key", "period", "metric", "replication"])["value"]
    assert new.index.is_unique
    assert sorted(new.index) == sorted(expected.index)
    got, want = new.to_numpy(), expected["value"].reindex(new.index).to_numpy()
    assert np.array_equal(np.isnan(got), np.isnan(want))
    exact = new.index.get_level_values("metric").isin(COUNTS | ORDER_STATISTICS)
    np.testing.assert_array_equal(got[exact], want[exact])
    np.testing.assert_allclose(got[~exact], want[~exact], rtol=1e-12, atol=0.0)


def test_ledger_equals_the_visit_by_visit_ledger(result: RunResult) -> None:
    if not has_ledger(result.scenario):  # no columns, no tables
        assert result.ledger.columns.empty
        assert not result.kpis_by_replication["table"].str.startswith(("cost_", "emissions_")).any()
        return
    scenario, plan, trace = result.scenario, result.plan, result.trace
    columns = ledger_reference.ledger_columns(scenario, plan, trace)
    pd.testing.assert_frame_equal(result.ledger, columns, check_exact=True)
    shipments = shipments_table(plan, trace, scenario).join(columns)
    old = ledger_reference.ledger_kpis_by_replication(scenario, plan, shipments)
    kpis = result.kpis_by_replication
    new = kpis[kpis["table"].isin(set(old["table"]))].reset_index(drop=True)
    pd.testing.assert_frame_equal(new.drop(columns="value"), old.drop(columns="value"))
    by_station = (new["table"] == "emissions_by_station").to_numpy()
    got, want = new["value"].to_numpy(), old["value"].to_numpy()
    np.testing.assert_array_equal(got[~by_station], want[~by_station])
    assert np.array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[by_station], want[by_station], rtol=1e-12, atol=0.0)
