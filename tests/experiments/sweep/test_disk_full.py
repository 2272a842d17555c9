"""A sweep onto a real full disk: a small tmpfs mounted for the test (root), never a mocked write.

The sweep stops at the first write that finds no space, says so without a traceback, keeps every finished
file and leaves no half-written one; once there is space, ``--resume`` runs each missing task once and the
files equal those of an undisturbed run.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sim.results.files import read_provenance
from sim.results.sweep_store import is_finished, remove_stale_temporaries
from tests.experiments.sweep.helpers import (
    assert_same_results,
    corridor,
    kill_job,
    task_files,
    task_log_lines,
)

pytestmark = pytest.mark.slow

PAGE = 4096
"""tmpfs allocates whole pages (bytes)."""
TASKS = 16


def pages(path: Path) -> int:
    return math.ceil(path.stat().st_size / PAGE)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """An empty tmpfs of one page, grown by :func:`resize`; unmounted after the test."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={PAGE}", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)


def resize(mount: Path, size: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(mount)], check=True)


def sweep(spec: Path, out: Path, *options: str) -> tuple[int, str, str]:
    """Exit code, output with white space collapsed (rich wraps), and the raw output."""
    driver = corridor("sweep", str(spec), "--workers", "2", "--out", str(out), "-v", *options)
    try:
        output, _ = driver.communicate(timeout=300)
    finally:
        if driver.poll() is None:
            kill_job(driver)
    return driver.returncode, " ".join(output.split()), output


def assert_nothing_half_written(out: Path, reference: Path) -> None:
    """No scratch file; every task file there is whole: the reference's data and provenance."""
    hidden = list(out.rglob(".*"))
    assert not hidden, f"scratch files left: {hidden}"
    expected = task_files(reference)
    for name, path in task_files(out).items():
        assert pq.read_table(path).equals(pq.read_table(expected[name])), name
        assert is_finished(path, read_provenance(expected[name])), name


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_a_disk_that_fills_up_stops_the_sweep_and_resume_finishes_it_identically(
    disk: Path, reference: Path, grid_spec: Path, executor: str
) -> None:
    inputs = sum(pages(reference / name) for name in ("manifest.json", "sweep.yaml", "base_scenario.yaml"))
    per_task = max(pages(path) for path in task_files(reference).values())
    resize(disk, PAGE * (inputs + per_task * TASKS // 2))  # room for the inputs and about half the tasks
    out = disk / "out"

    code, said, _ = sweep(grid_spec, out, "--executor", executor)
    assert code == 1, said
    assert f"Error: no space left on the disk of {out} (No space left on device, writing kpis/point=" in said
    finished = {name: path.stat().st_ino for name, path in task_files(out).items()}
    assert 0 < len(finished) < TASKS
    assert f"the sweep stopped with {len(finished)} of {TASKS} tasks finished and kept" in said
    assert "nothing half-written; free some space and run again with --resume" in said
    assert "Traceback" not in said
    assert "internal error" not in said
    assert "No space left on device" in said.split("Error: no space left")[0], "the failed task's own error"
    assert_nothing_half_written(out, reference)

    resize(disk, 16 * 1024 * 1024)
    code, said, output = sweep(grid_spec, out, "--executor", executor, "--resume")
    assert code == 0, said
    assert f"{TASKS} tasks, {len(finished)} already finished" in said
    runs = task_log_lines(output)
    assert sorted(runs) == sorted(
        f"sweep-task-p{name[11:15]}-b{name[-12:-8]}" for name in task_files(reference) if name not in finished
    ), "exactly the missing tasks ran"
    assert set(runs.values()) == {1}, f"a task ran twice: {runs}"
    assert {name: task_files(out)[name].stat().st_ino for name in finished} == finished, "finished files kept"
    assert_same_results(reference, out)


def test_a_disk_without_room_for_the_manifest_leaves_nothing(
    disk: Path, reference: Path, grid_spec: Path
) -> None:
    out = disk / "out"
    code, said, _ = sweep(grid_spec, out)  # one page: the manifest does not fit
    assert code == 1, said
    assert "No space left on device, writing the manifest and the copies of the inputs" in said
    assert "the sweep stopped with 0 of 16 tasks finished" in said
    assert "Traceback" not in said
    assert [p for p in disk.rglob("*") if not p.is_dir()] == [], "no file at all, not even a scratch file"

    resize(disk, 16 * 1024 * 1024)
    code, said, _ = sweep(grid_spec, out, "--resume")
    assert code == 0, said
    assert_same_results(reference, out)


def test_scratch_files_of_both_kinds_are_swept_up(tmp_path: Path) -> None:
    """What a killed worker leaves (hidden scratch of a KPI or a visits file) is removed; no other file."""
    kept = [tmp_path / kind / "point=0000/block=0000.parquet" for kind in ("kpis", "visits")]
    scratch = [p.parent / f".{p.name}.0123abcd.tmp" for p in kept]
    for path in kept + scratch:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    assert remove_stale_temporaries(tmp_path) == 2
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == sorted(kept)
