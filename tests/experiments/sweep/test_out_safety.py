"""Sweeps and their reports never lose a file: one driver per sweep directory, workers die with the driver.

Real ``corridor sweep`` processes, real SIGKILL; the processes are looked up with psutil.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil
import pytest

from sim.cli import main
from tests.experiments.sweep.helpers import corridor, kill_job, task_files, wait_for, worker_processes

pytestmark = pytest.mark.slow


def gone(process: psutil.Process) -> bool:
    """Ended: no such process any more, or a zombie waiting for its new parent to reap it."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_workers_die_when_the_driver_is_killed_with_sigkill(
    grid_spec: Path, tmp_path: Path, executor: str
) -> None:
    """The local pool's workers (lifeline) and a Dask LocalCluster's worker processes (distributed's
    parent-alive pipe) end within seconds of a ``kill -9`` of the driver, busy with a task or not."""
    out = tmp_path / "out"
    driver = corridor("sweep", str(grid_spec), "--executor", executor, "--workers", "2", "--out", str(out))
    try:
        wait_for(lambda: len(task_files(out)) >= 1, 180, "the first task file")
        workers = worker_processes(driver)
        assert len(workers) == 2, "the driver's worker processes"
        assert len(task_files(out)) < 16, "killed mid-sweep"
        os.kill(driver.pid, signal.SIGKILL)  # the driver alone, as `kill -9 PID` does
        driver.communicate(timeout=30)
        wait_for(lambda: all(gone(w) for w in workers), 10, "the workers to die with their driver")
    finally:
        kill_job(driver)


def test_a_second_driver_on_the_same_directory_is_refused_naming_the_first(
    grid_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    first = corridor("sweep", str(grid_spec), "--workers", "2", "--out", str(out))
    try:
        wait_for((tmp_path / ".out.lock").exists, 120, "the first driver's lock")
        assert main(["sweep", str(grid_spec), "--workers", "2", "--out", str(out), "--resume"]) == 2
        output, _ = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            kill_job(first)
    err = " ".join(capsys.readouterr().err.split())
    assert f"got an output in use by process {first.pid}" in err
    assert first.returncode == 0, output
    assert len(task_files(out)) == 16


def test_sweep_and_sweep_report_refuse_a_users_folder(
    reference: Path, grid_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "thesis.tex").write_text("years of work")
    assert main(["sweep", str(grid_spec), "--out", str(thesis)]) == 2
    assert main(["sweep-report", str(reference), "--out", str(thesis)]) == 2
    assert main(["sweep-report", str(reference), "--out", str(reference)]) == 2
    (tmp_path / "file").write_text("x")
    assert main(["sweep", str(grid_spec), "--out", str(tmp_path / "file")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert err.count("not a corridor-sim result (it holds thesis.tex") == 2
    assert "got a sweep written by corridor sweep, not a sweep report; it is kept" in err
    assert "an existing file, not a result directory" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in thesis.iterdir()) == ["thesis.tex"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "thesis"]
