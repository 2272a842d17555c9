"""Dask workers too small for the simulator, or paused: a sweep ends with a message, it never hangs.

Real Dask LocalClusters on 127.0.0.1 with small memory limits, no mocks. Every driver runs in a subprocess
with a timeout, so a regression fails the test instead of hanging it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import pytest

from sim.cli import main
from sim.errors import InputError
from sim.experiments.sweep.executors.dask_watch import PauseWatch
from tests.experiments.sweep.helpers import (
    ROOT,
    assert_same_results,
    corridor,
    kill_job,
    task_files,
    wait_for,
)

DRIVER_TIMEOUT_S = 120
"""Longest a driver may take before the test counts it as hung (it should end in seconds)."""


def one_worker(memory_limit: str) -> Any:
    """A LocalCluster of one single-threaded worker process with ``memory_limit``, on loopback."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        memory_limit=memory_limit,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # a free loopback port, never 8787
    )


def python(script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter at the project root (killed after :data:`DRIVER_TIMEOUT_S`)."""
    return subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        capture_output=True,
        text=True,
        timeout=DRIVER_TIMEOUT_S,
        cwd=ROOT,
    )


@pytest.fixture
def small_cluster() -> Iterator[Any]:
    """One worker of 500 MB, the limit that hung a sweep: Dask pauses it at 400 MB, below a loaded worker."""
    with one_worker("500MB") as cluster:
        yield cluster


def test_a_worker_too_small_for_the_simulator_stops_the_sweep_with_a_message(
    reference: Path, grid_spec: Path, tmp_path: Path, small_cluster: Any
) -> None:
    """Resumed on a cluster of 500 MB workers, the sweep exits 2 within seconds naming the limit, the pause
    line and the settings to change; the tasks finished before are kept, byte for byte."""
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    kept = dict(list(task_files(out).items())[:6])
    for path in list(task_files(out).values())[6:]:
        path.unlink()
    before = {name: path.read_bytes() for name, path in kept.items()}
    began = time.monotonic()
    driver = corridor(
        "sweep", str(grid_spec), "--scheduler", small_cluster.scheduler_address, "--out", str(out), "--resume"
    )
    try:
        said, _ = driver.communicate(timeout=DRIVER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        kill_job(driver)
        raise AssertionError(f"the sweep hung for {DRIVER_TIMEOUT_S} s on workers too small") from None
    assert driver.returncode == 2, said
    assert time.monotonic() - began < DRIVER_TIMEOUT_S / 2
    message = " ".join(said.split())
    assert "error: <dask cluster>: memory_limit: got 477 MiB limit per worker" in message
    assert "distributed.worker.memory.pause" in message
    assert "dask worker --memory-limit" in message
    assert "run again with --resume" in message
    assert "Traceback" not in said
    assert {name: path.read_bytes() for name, path in task_files(out).items() if name in kept} == before
    assert set(kept) <= set(task_files(out))
    assert not list((out / "kpis").glob("point=*/.*")), "scratch files left behind"


def test_the_api_raises_the_input_error_the_command_shows(
    grid_spec: Path, tmp_path: Path, small_cluster: Any
) -> None:
    """``run_sweep`` raises :class:`~sim.errors.InputError` (what ``corridor`` shows with exit 2)."""
    address = small_cluster.scheduler_address
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from sim.errors import InputError
        from sim.experiments.sweep import load_sweep, make_executor, plan_sweep, run_sweep
        plan = plan_sweep(load_sweep(Path({str(grid_spec)!r})))
        try:
            run_sweep(plan, Path({str(tmp_path / "out")!r}), make_executor("dask", scheduler={address!r}))
        except InputError as error:
            print("InputError", error.problems[0].path, error.problems[0].value)
        """
    )
    done = python(script)
    assert done.stdout.startswith("InputError ('memory_limit',) 477 MiB limit per worker"), (
        done.stdout + done.stderr
    )


def test_a_paused_worker_stops_the_sweep_with_a_message(grid_spec: Path, tmp_path: Path) -> None:
    """A worker of 1 GB that other data has pushed past Dask's pause line (its first task's check would pass)
    leaves every task waiting: the driver's watch stops the sweep once the pause has lasted its grace."""
    from distributed import Client

    def ballast(dask_worker: Any) -> None:  # memory the worker keeps, as a shared cluster's other data would
        import numpy as np

        dask_worker.corridor_test_ballast = np.ones(700 * 2**20 // 8)

    with (
        dask.config.set({"distributed.worker.memory.terminate": False}),
        one_worker("1GB") as cluster,
        Client(cluster) as client,
    ):
        client.run(ballast)
        wait_for(
            lambda: [w["status"] for w in client.scheduler_info()["workers"].values()] == ["paused"],
            30,
            "Dask to pause the worker",
        )
        script = textwrap.dedent(
            f"""
            from pathlib import Path
            from sim.errors import InputError
            from sim.experiments.sweep import load_sweep, plan_sweep, run_sweep
            from sim.experiments.sweep.executors.dask import DaskExecutor
            plan = plan_sweep(load_sweep(Path({str(grid_spec)!r})))
            executor = DaskExecutor(scheduler={cluster.scheduler_address!r}, paused_grace_s=2)
            try:
                run_sweep(plan, Path({str(tmp_path / "out")!r}), executor)
            except InputError as error:
                print(error)
            """
        )
        began = time.monotonic()
        done = python(script)
        assert time.monotonic() - began < DRIVER_TIMEOUT_S / 2
    message = " ".join(done.stdout.split())
    assert (
        "<dask cluster>: memory_limit: got 954 MiB limit per worker: Dask paused 1 worker at 80%" in message
    ), done.stdout + done.stderr
    assert "no task ran for 2 s" in message
    assert "run again with --resume" in message


def test_workers_with_room_run_the_sweep(reference: Path, grid_spec: Path, tmp_path: Path) -> None:
    """Workers of 1 GB, the documented minimum, run the sweep as before."""
    with one_worker("1GB") as cluster:
        out = tmp_path / "out"
        assert (
            main(["sweep", str(grid_spec), "--scheduler", cluster.scheduler_address, "--out", str(out)]) == 0
        )
    assert_same_results(reference, out)


def test_the_watch_waits_out_its_grace_and_any_executing_task_resets_it() -> None:
    """Records as :meth:`distributed.Client.scheduler_info` gives them."""
    paused = {"id": "w", "status": "paused", "memory_limit": 500 * 10**6}
    paused["metrics"] = {"memory": 420 * 2**20, "task_counts": {"ready": 1}}
    busy = {**paused, "metrics": {"memory": 420 * 2**20, "task_counts": {"executing": 1}}}
    watch = PauseWatch(grace_s=0.2)
    watch.check({"w": paused}, 0.8, "slurm")  # starts the clock
    watch.check({"w": paused, "v": busy}, 0.8, "slurm")  # another worker is executing: no stall
    watch.check({"w": paused}, 0.8, "slurm")
    time.sleep(0.25)
    with pytest.raises(InputError, match=r"`memory` in the jobqueue.slurm section") as raised:
        watch.check({"w": paused}, 0.8, "slurm")
    assert "w holds 420 MiB of its 477 MiB limit" in str(raised.value)
    assert "at least 1 GB each" in str(raised.value)
    running = {**paused, "status": "running"}
    PauseWatch(grace_s=0).check({"w": running}, 0.8, "local")  # nothing paused: nothing to say
