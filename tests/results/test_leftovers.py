"""Scratch and old copies a killed writer left are swept up by the next writer, with a note on stderr."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.held_signals import deferred_signals
from sim.results.destinations import result_kind
from sim.results.scratch import sweep_leftovers
from sim.runner import RunResult, write_run

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "demo_two_ports.yaml"


@pytest.fixture(scope="module")
def result() -> RunResult:
    return sim.run(sim.load_scenario(DEMO), replications=1)


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The PID of a process that has ended (and been reaped)."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    return int(done.stdout)


def test_a_dead_writers_scratch_is_removed_with_a_note(
    result: RunResult, tmp_path: Path, dead_pid: int, capsys: pytest.CaptureFixture[str]
) -> None:
    partial = tmp_path / f".run.partial-{dead_pid}-k2j4x9"
    old = tmp_path / f".run.old-{dead_pid}-a8b7c6"
    legacy = tmp_path / ".run.partial-q1w2e3r4"  # named by a version before the lock
    for path in (partial, old, legacy):
        path.mkdir()
        (path / "visits.parquet").write_bytes(b"x" * 1000)
    untouched = [tmp_path / ".other.partial-1-abc", tmp_path / "run.partial-1-abc", tmp_path / ".run.notes"]
    for path in untouched:
        path.write_text("mine")
    write_run(result, tmp_path / "run")
    err = capsys.readouterr().err
    for path in (partial, old, legacy):
        assert not path.exists()
        assert f"removed {path}" in err
    assert f"left by process {dead_pid} that is no longer running" in err
    assert all(path.read_text() == "mine" for path in untouched)
    assert result_kind(tmp_path / "run") == "run"


def test_a_result_retired_by_a_killed_writer_is_restored(
    result: RunResult, tmp_path: Path, dead_pid: int, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "run"
    write_run(result, target)
    retired = tmp_path / f".run.old-{dead_pid}-zz11yy"
    retired.mkdir()
    target.rename(retired / "run")  # killed between the two renames of a replacement
    assert sweep_leftovers(target) == [retired]
    assert result_kind(target) == "run"
    assert not retired.exists()
    assert f"restored {target} from {retired}" in capsys.readouterr().err


def test_a_live_writers_scratch_is_left_alone(tmp_path: Path) -> None:
    with subprocess.Popen(["sleep", "60"]) as live:
        try:
            partial = tmp_path / f".run.partial-{live.pid}-abcdef"
            partial.mkdir()
            assert sweep_leftovers(tmp_path / "run") == []
            assert partial.is_dir()
        finally:
            live.kill()


def hold_an_interrupt(steps: list[str]) -> None:
    with deferred_signals():
        signal.raise_signal(signal.SIGINT)
        steps.append("renamed")  # still reached: the interrupt waits for the block to end


def test_signals_wait_for_the_end_of_a_replacement() -> None:
    # Python's own Ctrl-C handler (a library imported by another test may have replaced it)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    steps: list[str] = []
    try:
        with pytest.raises(KeyboardInterrupt):
            hold_an_interrupt(steps)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert steps == ["renamed"]
    assert signal.getsignal(signal.SIGINT) is previous
