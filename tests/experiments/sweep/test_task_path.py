"""A worker's task path: points kept between tasks (checked, keyed safely), and the task file's rows."""

from __future__ import annotations

import dataclasses
import multiprocessing
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sim.experiments.sweep import load_sweep, plan_sweep
from sim.experiments.sweep.built import BuiltPoints
from sim.experiments.sweep.driver import task_orders
from sim.experiments.sweep.plan import SweepPlan, point_scenario
from sim.experiments.sweep.task import KPI_COLUMNS, TaskOrder, execute, task_frame
from sim.footprint import footprint
from sim.network import Network, build_network
from sim.results.files import read_provenance
from sim.scenario.loader import scenario_hash
from tests.experiments.sweep.helpers import GRID, write_sweep


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[SweepPlan, list[TaskOrder]]:
    """The test grid (8 points × 2 blocks of 4) and its orders into a scratch directory."""
    directory = tmp_path_factory.mktemp("task_path")
    plan = plan_sweep(load_sweep(write_sweep(directory, GRID)))
    return plan, task_orders(plan, directory / "out", None)


def test_a_point_is_built_once_for_all_its_tasks_and_is_the_point_built_afresh(
    planned: tuple[SweepPlan, list[TaskOrder]],
) -> None:
    plan, orders = planned
    first, second = (o for o in orders if o.point == 3)
    kept = BuiltPoints()
    point = kept.get(first, plan.base)
    assert kept.get(second, plan.base) is point, "the point's second block reuses the first one's"
    fresh = point_scenario(plan.base, first.values, "test")
    assert point.scenario == fresh
    assert scenario_hash(point.scenario) == first.scenario_hash
    assert same_network(point.network, build_network(fresh))
    size, afresh = point.size(4), footprint(fresh, build_network(fresh), 4)
    assert (size.flows, size.replications, size.kpi_rows) == (afresh.flows, 4, afresh.kpi_rows)
    np.testing.assert_array_equal(size.shipments, afresh.shipments)
    np.testing.assert_array_equal(size.visits, afresh.visits)
    assert point.size(4) is point.size(4)
    other = next(o for o in orders if o.point == 4)
    assert kept.get(other, plan.base).scenario != point.scenario


def same_network(a: Network, b: Network) -> bool:
    """Equal stations (capacity schedules compared as arrays), routes, parcel limits and horizon."""
    plain = [dataclasses.replace(s, capacity=None) for s in a.stations]
    other = [dataclasses.replace(s, capacity=None) for s in b.stations]
    schedules = all(
        np.array_equal(x.capacity.times, y.capacity.times)
        and np.array_equal(x.capacity.values, y.capacity.values)
        for x, y in zip(a.stations, b.stations, strict=True)
    )
    return (
        plain == other
        and schedules
        and (a.flows, a.parcel_limits, a.horizon_h) == (b.flows, b.parcel_limits, b.horizon_h)
    )


def test_a_hash_unlike_the_drivers_fails_every_time_and_is_never_kept(
    planned: tuple[SweepPlan, list[TaskOrder]],
) -> None:
    plan, orders = planned
    good = orders[0]
    forged = dataclasses.replace(good, scenario_hash="0" * 64)
    kept = BuiltPoints()
    for _ in range(2):
        with pytest.raises(
            RuntimeError, match=r"worker built scenario hash .* but the driver built 000000000000"
        ):
            kept.get(forged, plan.base)
    point = kept.get(good, plan.base)
    with pytest.raises(RuntimeError, match="driver built 000000000000"):
        kept.get(forged, plan.base)  # the same values, kept under the right hash, do not vouch for another
    assert kept.get(good, plan.base) is point
    other_values = dataclasses.replace(good, values={**good.values, "nodes.BRPNG.berths.dry_bulk.count": 2})
    with pytest.raises(RuntimeError, match="worker built scenario hash"):
        kept.get(other_values, plan.base)  # the right hash with other values is built and checked, not taken


def test_the_least_recently_used_point_is_dropped_beyond_the_capacity(
    planned: tuple[SweepPlan, list[TaskOrder]],
) -> None:
    plan, orders = planned
    p0, p1, p2 = (next(o for o in orders if o.point == k) for k in range(3))
    kept = BuiltPoints(capacity=2)
    first = kept.get(p0, plan.base)
    second = kept.get(p1, plan.base)
    assert kept.get(p0, plan.base) is first  # p0 used last: p1 goes when p2 comes
    kept.get(p2, plan.base)
    assert kept.get(p0, plan.base) is first
    rebuilt = kept.get(p1, plan.base)
    assert rebuilt is not second
    assert rebuilt.scenario == second.scenario


def test_tasks_run_in_one_process_write_the_files_of_tasks_run_alone(
    planned: tuple[SweepPlan, list[TaskOrder]], tmp_path: Path
) -> None:
    """Kept points change nothing: the same bytes as each task in a process of its own (the reference)."""
    plan, _ = planned
    orders = task_orders(plan, tmp_path / "together", None)
    for order in orders[:4]:  # points 0 and 1, two blocks each: the second block of each takes the kept point
        assert execute(order, plan.base).written
    alone = task_orders(plan, tmp_path / "alone", None)
    for order in alone[:4]:
        assert execute_in_new_process(order, plan) == 0
    for mine, theirs in zip(orders[:4], alone[:4], strict=True):
        assert Path(mine.target).read_bytes() == Path(theirs.target).read_bytes()
        assert read_provenance(Path(mine.target)) == mine.provenance


def execute_in_new_process(order: TaskOrder, plan: SweepPlan) -> int | None:
    """Run one order in a fresh interpreter (nothing kept from earlier tasks); its exit code."""
    process = multiprocessing.get_context("spawn").Process(target=execute, args=(order, plan.base))
    process.start()
    process.join()
    return process.exitcode


def test_the_task_file_rows_are_sorted_as_pandas_sorts_them() -> None:
    """Shuffled KPI rows, a missing period and text beyond ASCII: the order of a stable pandas sort."""
    rng = np.random.default_rng(3)
    labels = {
        "table": ["stations", "flows", "Émissions", "flows"],
        "key": ["BRPNG/dry_bulk", "soy", "ß", "soy_b"],
        "period": ["", None, "2024-03", "2024-10"],
        "metric": ["wait_h", "mean_wait_h", "p95", "wait_h"],
    }
    rows = 400
    frame = pd.DataFrame(
        {
            **{
                name: pd.array(rng.choice(np.array(v, dtype=object), rows), dtype="string")
                for name, v in labels.items()
            },
            "replication": rng.integers(0, 5, rows),
            "value": rng.normal(size=rows),
        }
    )
    values = {
        "nodes.X.berths.dry_bulk.count": 3,
        "flows.f.annual_volume": 2.5e6,
        "flows.f.arrivals": "regular",
    }
    kinds = {
        "nodes.X.berths.dry_bulk.count": "int",
        "flows.f.annual_volume": "float",
        "flows.f.arrivals": "str",
    }
    table = task_frame(frame, values, kinds)
    assert table.column_names == [*values, *KPI_COLUMNS]
    expected = frame.sort_values(KPI_COLUMNS[:5], kind="stable", ignore_index=True)
    found = table.to_pandas()
    for name in KPI_COLUMNS[:4]:
        assert plain(found[name]) == plain(expected[name]), name
    np.testing.assert_array_equal(found["replication"], expected["replication"])
    np.testing.assert_array_equal(found["value"], expected["value"])  # ties keep their order: a stable sort
    assert table.schema.field("nodes.X.berths.dry_bulk.count").type == pa.int64()
    assert table.schema.field("flows.f.annual_volume").type == pa.float64()
    assert table.schema.field("flows.f.arrivals").type == pa.large_string()
    assert set(found["flows.f.arrivals"]) == {"regular"}
    assert (found["nodes.X.berths.dry_bulk.count"] == 3).all()


def plain(column: pd.Series) -> list[str | None]:
    """Text values with every kind of missing value as None."""
    return [None if pd.isna(v) else str(v) for v in column]
