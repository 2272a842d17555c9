"""The array KPIs (:mod:`sim.results.kpis`) equal the pandas KPIs they replaced (``kpis_reference.py``).

Every library scenario (but the large benchmark ones), two replications, through both. Counts, maxima,
quantiles and the per-replication grid are exact; sums and means are compared at ``rtol=1e-12`` because
pandas adds a group's values with compensated (Kahan) summation and ``np.bincount`` adds them in order, so
the two can differ in the last bits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.results.kpis import kpis_by_replication
from sim.runner import run
from sim.scenario.loader import load_scenario
from tests.results import kpis_reference

SCENARIOS = sorted(
    p for p in (Path(__file__).parents[2] / "scenarios").glob("*.yaml") if not p.name.startswith("bench_")
)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_array_kpis_equal_the_pandas_kpis(path: Path) -> None:
    result = run(load_scenario(path), replications=2, first_replication=1)
    old = kpis_reference.kpis_by_replication(result.scenario, result.plan, result.shipments, result.visits)
    new = kpis_by_replication(result.scenario, result.plan, result.trace)  # without the ledger's KPIs
    newer = ["stations_by_month", "throughput_by_traffic", "waits_by_traffic"]  # tested on their own
    new = new[~new["table"].isin(newer)].reset_index(drop=True)
    pd.testing.assert_frame_equal(new.drop(columns="value"), old.drop(columns="value"))
    assert np.array_equal(np.isnan(new["value"]), np.isnan(old["value"]))
    np.testing.assert_allclose(new["value"], old["value"], rtol=1e-12, atol=0.0)
