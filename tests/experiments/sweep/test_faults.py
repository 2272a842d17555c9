"""Crash safety: a killed worker's tasks are redone, a killed driver resumes, and the results never change.

Each story runs ``python -m sim sweep`` as a real job in its own session and kills real processes (SIGKILL),
then checks that every task has exactly one file, that no task was simulated twice, and that the files equal
those of an uninterrupted run.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import psutil
import pytest

from sim.cli import main
from tests.experiments.sweep.helpers import (
    GRID,
    assert_same_results,
    corridor,
    kill_job,
    task_files,
    task_log_lines,
    wait_for,
    worker_processes,
    write_sweep,
)

TASKS = 16

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_killing_a_worker_mid_sweep_redoes_its_tasks(
    reference: Path, grid_spec: Path, tmp_path: Path, executor: str
) -> None:
    out = tmp_path / "out"
    driver = corridor(
        "sweep", str(grid_spec), "--executor", executor, "--workers", "2", "--out", str(out), "-v"
    )
    try:
        wait_for(lambda: len(task_files(out)) >= 2, 180, "the first task files")
        victims = worker_processes(driver)
        assert victims, "the driver's worker processes"
        finished_at_kill = len(task_files(out))
        victims[0].kill()
        output, _ = driver.communicate(timeout=300)
    finally:
        if driver.poll() is None:
            kill_job(driver)
    assert driver.returncode == 0, output
    assert finished_at_kill < TASKS, "the worker died while tasks were left"
    if executor == "local":
        assert "retrying sweep-task-" in output, output
    runs = task_log_lines(output)
    assert max(runs.values()) == 1, f"a task was simulated twice: {runs}"
    assert_same_results(reference, out)


def test_killing_the_driver_then_resuming_finishes_the_sweep(
    reference: Path, grid_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    driver = corridor("sweep", str(grid_spec), "--workers", "2", "--out", str(out))
    try:
        wait_for(lambda: len(task_files(out)) >= 3, 180, "some task files")
    finally:
        kill_job(driver)
    finished = {name: path.stat().st_ino for name, path in task_files(out).items()}
    assert 0 < len(finished) < TASKS, "the driver died mid-sweep"

    assert main(["sweep", str(grid_spec), "--out", str(out), "--resume", "--workers", "2"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert f"{TASKS} tasks, {len(finished)} already finished" in said
    assert f"{TASKS - len(finished)} run" in said
    assert {name: task_files(out)[name].stat().st_ino for name in finished} == finished, "finished files kept"
    assert_same_results(reference, out)


def _importing(driver: subprocess.Popen[str]) -> bool:
    """A worker has run Python for a while: past interpreter start-up, inside its imports."""
    for worker in worker_processes(driver):
        try:
            if worker.cpu_times().user > 0.3:
                return True
        except psutil.Error:
            continue
    return False


def test_ctrl_c_while_the_workers_are_still_starting_shows_no_worker_traceback(
    grid_spec: Path, tmp_path: Path
) -> None:
    # the workers are still importing (spawn) when Ctrl-C reaches the job: they start with SIGINT blocked
    out = tmp_path / "out"
    driver = corridor("sweep", str(grid_spec), "--workers", "2", "--out", str(out))
    try:
        wait_for(lambda: _importing(driver), 60, "a worker process busy starting")
        os.killpg(driver.pid, signal.SIGINT)
        output, _ = driver.communicate(timeout=120)
    finally:
        if driver.poll() is None:
            kill_job(driver)
    assert driver.returncode == 130, output
    assert "Traceback" not in output
    assert "KeyboardInterrupt" not in output


def test_ctrl_c_stops_the_driver_with_exit_130_and_keeps_the_finished_tasks(tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = write_sweep(tmp_path / "spec", {**GRID, "replications": 64})  # 128 tasks: Ctrl-C comes mid-sweep
    driver = corridor("sweep", str(spec), "--workers", "2", "--out", str(out))
    try:
        wait_for(lambda: len(task_files(out)) >= 2, 180, "the first task files")
        os.killpg(driver.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends to the whole job
        output, _ = driver.communicate(timeout=120)
    finally:
        if driver.poll() is None:
            kill_job(driver)
    assert driver.returncode == 130, output
    assert "interrupted: the finished tasks are kept; run again with --resume" in " ".join(output.split())
    assert "Traceback" not in output
    assert len(task_files(out)) >= 2
