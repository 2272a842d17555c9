"""Results depend only on the sweep file: not the executor, the worker count, nor which tasks ran before.

Real Dask throughout (a LocalCluster on 127.0.0.1), no mocks.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim
from sim.cli import main
from sim.experiments.sweep import (
    SweepError,
    SweepEvents,
    SweepPlan,
    load_sweep,
    make_executor,
    plan_sweep,
    run_sweep,
)
from sim.experiments.sweep.driver import task_orders, together
from sim.experiments.sweep.plan import point_scenario
from sim.experiments.sweep.task import STAGES, TaskReport
from sim.results.files import read_provenance
from sim.results.sweep_store import write_atomic_parquet
from sim.runner import DEFAULT_ENGINE
from tests.experiments.sweep.helpers import DEMO, GRID, assert_same_results, task_files, write_sweep


def test_a_sweep_writes_one_tidy_file_per_task_with_provenance(reference: Path) -> None:
    files = task_files(reference)
    assert list(files)[:3] == [
        "kpis/point=0000/block=0000.parquet",
        "kpis/point=0000/block=0001.parquet",
        "kpis/point=0001/block=0000.parquet",
    ]
    assert len(files) == 16
    frame = pd.read_parquet(files["kpis/point=0003/block=0001.parquet"])
    assert list(frame.columns) == [
        "flows.soy_png_tao.annual_volume",
        "nodes.BRPNG.berths.dry_bulk.count",
        "table",
        "key",
        "period",
        "metric",
        "replication",
        "value",
    ]
    assert set(frame["replication"]) == {4, 5, 6, 7}
    assert (frame["flows.soy_png_tao.annual_volume"] == 8.0e6).all()
    assert (frame["nodes.BRPNG.berths.dry_bulk.count"] == 2).all()
    keys = ["table", "key", "period", "metric", "replication"]
    assert frame.equals(frame.sort_values(keys, ignore_index=True)), "rows in a fixed order"
    stamp = read_provenance(files["kpis/point=0003/block=0001.parquet"])
    manifest = json.loads((reference / "manifest.json").read_text())
    assert stamp["replications"] == [4, 5, 6, 7]
    assert stamp["seed"] == 11
    assert stamp["point"] == 3
    assert stamp["package_version"] == sim.__version__
    assert stamp["scenario_hash"] == manifest["points"][3]["scenario_hash"]
    assert "spawn_key=(replication" in stamp["streams"]
    assert manifest["complete"] is True
    assert len(manifest["tasks"]) == 16
    assert manifest["points"][3]["values"] == {
        "flows.soy_png_tao.annual_volume": 8.0e6,
        "nodes.BRPNG.berths.dry_bulk.count": 2,
    }


def test_the_dataset_reads_back_whole_with_its_point_partition(reference: Path) -> None:
    frame = pd.read_parquet(reference / "kpis")
    assert sorted(frame["point"].astype(int).unique()) == list(range(8))
    assert sorted(frame["replication"].unique()) == list(range(8))


def test_a_task_equals_a_plain_run_of_its_point(reference: Path, grid_spec: Path) -> None:
    scenario = sim.load_scenario(
        sim_demo(grid_spec),
        overrides={"flows.soy_png_tao.annual_volume": 8.0e6, "nodes.BRPNG.berths.dry_bulk.count": 2},
    )
    direct = sim.run(scenario, replications=4, seed=11, first_replication=4).kpis_by_replication
    stored = pd.read_parquet(reference / "kpis/point=0003/block=0001.parquet")
    keys = ["table", "key", "period", "metric", "replication"]
    direct = direct.sort_values(keys, ignore_index=True)
    np.testing.assert_array_equal(direct["value"].to_numpy(), stored["value"].to_numpy())


def sim_demo(spec: Path) -> Path:
    return load_sweep(spec).base


def test_a_sweep_without_an_engine_runs_the_engine_runs_default_to(reference: Path, tmp_path: Path) -> None:
    """The test sweep names no engine: it runs and records the vector engine, as `engine: vector` does."""
    assert DEFAULT_ENGINE == "vector"
    stamps = [read_provenance(path) for path in task_files(reference).values()]
    assert {stamp["engine"] for stamp in stamps} == {"vector"}
    assert json.loads((reference / "manifest.json").read_text())["engine"] == "vector"
    spec = write_sweep(tmp_path / "spec", {**GRID, "engine": "vector"})
    out = tmp_path / "explicit"
    assert main(["sweep", str(spec), "--workers", "2", "--out", str(out)]) == 0
    assert_same_results(reference, out)


def test_engine_reference_is_recorded_and_agrees_with_the_vector_engine(tmp_path: Path) -> None:
    small = {
        **GRID,
        "replications": 2,
        "block_size": 2,
        "parameters": {"nodes.BRPNG.berths.dry_bulk.count": [1, 2]},
    }
    frames = {}
    for engine in ("reference", "vector"):
        spec = write_sweep(tmp_path / engine, {**small, "engine": engine})
        out = tmp_path / engine / "out"
        assert main(["sweep", str(spec), "--workers", "1", "--out", str(out)]) == 0
        assert {read_provenance(p)["engine"] for p in task_files(out).values()} == {engine}
        frames[engine] = pd.read_parquet(out / "kpis")
    reference, vector = frames["reference"], frames["vector"]
    assert reference.drop(columns="value").equals(vector.drop(columns="value"))
    np.testing.assert_array_equal(reference["value"], vector["value"])  # the engines agree bit for bit


def test_dask_local_cluster_gives_the_same_files_as_the_local_pool(
    reference: Path, grid_spec: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plan = plan_sweep(load_sweep(grid_spec))
    with caplog.at_level(logging.INFO, logger="sim"):
        outcome = run_sweep(plan, tmp_path / "dask", make_executor("dask", workers=2, log_level=logging.INFO))
    assert (outcome.total, outcome.written, outcome.skipped) == (16, 16, 0)
    assert_same_results(reference, tmp_path / "dask")
    forwarded = [
        r
        for r in caplog.records
        if r.name == "sim.experiments.sweep.task" and "replications" in r.getMessage()
    ]
    assert len(forwarded) == 16, "each worker's task log reached the driver"
    assert all(":" in r.getMessage().rsplit(" on ", 1)[1] for r in forwarded)


def test_one_worker_and_small_blocks_change_nothing_but_the_files_cut(
    reference: Path, tmp_path: Path
) -> None:
    spec = write_sweep(tmp_path / "spec", {**GRID, "block_size": 8})
    out = tmp_path / "one"
    assert main(["sweep", str(spec), "--workers", "1", "--out", str(out)]) == 0
    whole = pd.read_parquet(out / "kpis").sort_values(
        ["point", "table", "key", "period", "metric", "replication"]
    )
    cut = pd.read_parquet(reference / "kpis").sort_values(
        ["point", "table", "key", "period", "metric", "replication"]
    )
    np.testing.assert_array_equal(whole["value"].to_numpy(), cut["value"].to_numpy())


def test_the_planners_blocks_give_the_numbers_of_any_other_blocks(reference: Path, tmp_path: Path) -> None:
    """Without block_size the demo's 8 replications make one block; the numbers are those of blocks of 4."""
    spec = write_sweep(tmp_path / "spec", {k: v for k, v in GRID.items() if k != "block_size"})
    plan = plan_sweep(load_sweep(spec))
    assert plan.block_size == 8
    out = tmp_path / "planned"
    run_sweep(plan, out, make_executor("local", workers=2))
    assert json.loads((out / "manifest.json").read_text())["block_size"] == 8
    assert len(task_files(out)) == 8
    keys = ["point", "table", "key", "period", "metric", "replication"]
    planned = pd.read_parquet(out / "kpis").sort_values(keys)
    cut = pd.read_parquet(reference / "kpis").sort_values(keys)
    np.testing.assert_array_equal(planned["value"].to_numpy(), cut["value"].to_numpy())
    assert (
        planned.drop(columns="value")
        .reset_index(drop=True)
        .equals(cut.drop(columns="value").reset_index(drop=True))
    )


def test_points_run_together_give_the_same_files(reference: Path, tmp_path: Path) -> None:
    """`points_per_task` stacks points into one engine run; files and numbers are those of one at a time."""
    spec = write_sweep(tmp_path / "spec", {**GRID, "points_per_task": 3})
    plan = plan_sweep(load_sweep(spec))
    out = tmp_path / "together"
    outcome = run_sweep(plan, out, make_executor("local", workers=2))
    assert (outcome.total, outcome.written, outcome.already) == (16, 16, 0)
    assert_same_results(reference, out)
    for path in task_files(out).values():  # a deleted file is redone alone, the others are kept
        path.unlink()
        break
    again = run_sweep(plan, out, make_executor("local", workers=1), resume=True)
    assert (again.skipped, again.written) == (15, 1)
    assert_same_results(reference, out)


def test_points_are_grouped_within_one_block_only(grid_spec: Path, tmp_path: Path) -> None:
    plan = plan_sweep(load_sweep(grid_spec))
    orders = task_orders(plan, tmp_path, None)
    groups = together(orders, 3)
    assert sorted(o.key for g in groups for o in (g, *g.companions)) == sorted(o.key for o in orders)
    for group in groups:
        members = (group, *group.companions)
        assert len(members) <= 3
        assert len({(o.block, o.first, o.count) for o in members}) == 1
    assert together(orders, 1) == orders


def test_resume_redoes_exactly_the_missing_and_the_stale_tasks(
    reference: Path, grid_spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(reference), str(out)], check=True)
    missing = out / "kpis/point=0002/block=0001.parquet"
    stale = out / "kpis/point=0005/block=0000.parquet"
    kept = out / "kpis/point=0000/block=0000.parquet"
    kept_inode = kept.stat().st_ino
    missing.unlink()
    stamp = read_provenance(stale)
    write_atomic_parquet(pq.read_table(stale).to_pandas(), stale, {**stamp, "package_version": "0.0.0"})
    plan = plan_sweep(load_sweep(grid_spec))
    outcome = run_sweep(plan, out, make_executor("local", workers=1), resume=True)
    assert (outcome.skipped, outcome.written) == (14, 2)
    assert kept.stat().st_ino == kept_inode, "finished files are left alone"
    assert_same_results(reference, out)


def test_without_resume_a_finished_sweep_is_never_overwritten(
    reference: Path, grid_spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {name: path.stat().st_mtime_ns for name, path in task_files(reference).items()}
    assert main(["sweep", str(grid_spec), "--out", str(reference)]) == 2
    assert "already holds a sweep; expected a new directory, or --resume" in capsys.readouterr().err
    assert {name: path.stat().st_mtime_ns for name, path in task_files(reference).items()} == before


def test_resume_refuses_a_directory_of_another_sweep(
    reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = write_sweep(tmp_path, {**GRID, "seed": 12})
    assert main(["sweep", str(other), "--out", str(reference), "--resume"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "holding a different sweep (seed differs: 11 there, 12 in this sweep file)" in err
    assert "--resume continues a sweep only with the sweep file that started it" in err


def broken_plan(spec: Path) -> SweepPlan:
    """The plan of ``spec`` with point 5's scenario hash wrong, so that its tasks fail on the workers."""
    plan = plan_sweep(load_sweep(spec))
    points = list(plan.points)
    points[5] = dataclasses.replace(points[5], scenario_hash="0" * 64)
    return dataclasses.replace(plan, points=tuple(points))


def test_a_failing_task_fails_the_sweep_after_the_others_finish(tmp_path: Path) -> None:
    spec = write_sweep(tmp_path / "spec", {**GRID, "replications": 2, "block_size": 1})
    failures: list[str] = []

    class Record(SweepEvents):
        def failed(self, order: object, error: BaseException) -> None:
            failures.append(str(error))

    with pytest.raises(SweepError, match="2 of 16 tasks failed"):
        run_sweep(broken_plan(spec), tmp_path / "out", make_executor("local", workers=2), events=Record())
    assert len(failures) == 2
    assert "the worker built scenario hash" in failures[0]
    assert len(task_files(tmp_path / "out")) == 14, "the other tasks finished and were kept"


def test_failed_tasks_exit_1_with_their_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_sweep(tmp_path / "spec", {**GRID, "replications": 1, "block_size": 1})
    monkeypatch.setattr("sim.experiments.sweep.plan.plan_sweep", lambda sweep, **options: broken_plan(spec))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "2"]) == 1
    captured = capsys.readouterr()
    assert "failed sweep-task-p0005-b0000: RuntimeError" in " ".join(captured.out.split())
    assert "1 of 8 tasks failed" in captured.err
    assert "run again with --resume" in captured.err


def test_importing_sim_or_the_sweep_package_does_not_import_dask() -> None:
    code = (
        "import sys, sim, sim.experiments.sweep, sim.cli; "
        "print(any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_sweep_api_is_small_and_complete() -> None:
    import sim.experiments.sweep

    assert sorted(sim.experiments.sweep.__all__) == [
        "Sweep",
        "SweepError",
        "SweepEvents",
        "SweepOutcome",
        "SweepPlan",
        "SweepReport",
        "load_sweep",
        "make_executor",
        "plan_sweep",
        "run_sweep",
        "sweep_report",
    ]
    assert all(hasattr(sim.experiments.sweep, name) for name in sim.experiments.sweep.__all__)


def test_joining_a_running_scheduler_gives_the_same_files(
    reference: Path, grid_spec: Path, tmp_path: Path
) -> None:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
    ) as cluster:
        out = tmp_path / "joined"
        assert (
            main(["sweep", str(grid_spec), "--scheduler", cluster.scheduler_address, "--out", str(out)]) == 0
        )
        assert len(cluster.workers) == 2, "the sweep leaves the cluster it joined running"
    assert_same_results(reference, out)


def test_visits_all_keeps_each_tasks_visits_and_none_is_the_default(reference: Path, tmp_path: Path) -> None:
    """``visits: all`` adds one visits file per task: the visits a run of the point gives those replications,
    with the task's provenance. The default keeps none."""
    assert not (reference / "visits").exists()
    small = {**GRID, "replications": 2, "block_size": 1}
    small["parameters"] = {"nodes.BRPNG.berths.dry_bulk.count": [1, 2]}
    spec = write_sweep(tmp_path, {**small, "visits": "all"})
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--executor", "local", "--workers", "1", "--out", str(out)]) == 0
    visits = sorted(p.relative_to(out).as_posix() for p in (out / "visits").rglob("*.parquet"))
    assert visits == [f"visits/point={p:04d}/block={b:04d}.parquet" for p in (0, 1) for b in (0, 1)]
    stored = pd.read_parquet(out / "visits/point=0001/block=0001.parquet")
    assert set(stored["replication"]) == {1}
    stamp = read_provenance(out / "visits/point=0001/block=0001.parquet")
    assert stamp == read_provenance(out / "kpis/point=0001/block=0001.parquet")
    plan = plan_sweep(load_sweep(spec))
    scenario = point_scenario(plan.base, plan.points[1].values, str(spec))
    alone = sim.run(scenario, replications=1, seed=11, first_replication=1)
    pd.testing.assert_frame_equal(stored, alone.visits)


def test_each_task_reports_its_seconds_in_the_engine(tmp_path: Path) -> None:
    """What benchmarks/sweep_pool.py adds up: engine time is part of a task's time, and of a run's."""
    spec = write_sweep(tmp_path / "spec", {**GRID, "replications": 2, "block_size": 2, "points_per_task": 2})
    reports: list[TaskReport] = []

    class Record(SweepEvents):
        def done(self, report: TaskReport) -> None:
            reports.append(report)

    run_sweep(
        plan_sweep(load_sweep(spec)), tmp_path / "out", make_executor("local", workers=1), events=Record()
    )
    assert len(reports) == 8
    assert all(0 < r.engine_time_s < r.wall_time_s for r in reports)
    for report in reports:  # the other stages are parts of the task's time too, apart from the engine's
        assert set(report.stages) == set(STAGES)
        assert all(seconds > 0 for seconds in report.stages.values()), report.stages
        assert sum(report.stages.values()) + report.engine_time_s < report.wall_time_s
    alone = sim.run(sim.load_scenario(sim_demo(spec)), replications=2)
    assert 0 < alone.engine_time_s < alone.wall_time_s


def test_resume_after_the_base_scenario_changed_is_refused_naming_the_points(
    reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "demo_two_ports.yaml"
    base.write_text(DEMO.read_text(encoding="utf-8").replace("horizon_days: 120", "horizon_days: 110"))
    assert base.read_text() != DEMO.read_text(), "the copy differs"
    other = write_sweep(tmp_path, {**GRID, "base": str(base)})
    before = {name: path.stat().st_mtime_ns for name, path in task_files(reference).items()}
    assert main(["sweep", str(other), "--out", str(reference), "--resume"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    said = "holding a different sweep (8 of its 8 points differ, first point 0: other values or scenario)"
    assert said in err
    assert {name: path.stat().st_mtime_ns for name, path in task_files(reference).items()} == before
