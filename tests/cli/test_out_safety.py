"""``--out`` never loses a file: refused before simulating, one writer at a time, nothing left after a kill.

The stories run the real ``corridor`` command — in this process where only the exit code and messages
matter, as a separate process (``python -m sim``) where it is killed with real signals.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import sim.streaming
from sim.cli import main
from sim.results.destinations import result_kind
from tests.experiments.sweep.helpers import corridor, kill_job, wait_for

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "demo_two_ports.yaml"
BASELINE = ROOT / "scenarios" / "baseline_2024.yaml"
SLOW = ("--replications", "10")
"""baseline_2024 with 10 replications: a few seconds of simulating, then ~100 MB to write."""
STOPPED = ("--replications", "100")
"""For runs the test stops: ~8 s on a 2-core machine, so that a signal sent once the run has begun arrives
before it ends even when the machine is loaded (10 replications, ~2.5 s, once ended first)."""


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file below ``directory`` (hidden ones included) with its content."""
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


def hidden(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


@pytest.fixture
def simulations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the scenarios ``corridor run`` (in this process) simulated: the real run, recorded."""
    started: list[str] = []
    real = sim.streaming.run_streamed  # corridor run imports it when it runs

    def recorded(scenario: sim.Scenario, out: Path, **options: object) -> sim.streaming.StreamedRun:
        started.append(scenario.name)
        return real(scenario, out, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(sim.streaming, "run_streamed", recorded)
    return started


def make_thesis(tmp: Path) -> Path:
    (tmp / "thesis").mkdir()
    (tmp / "thesis" / "thesis.tex").write_text("years of work")
    return tmp / "thesis"


def make_library(tmp: Path) -> Path:
    shutil.copytree(ROOT / "scenarios", tmp / "scenarios")
    return tmp / "scenarios"


def make_file(tmp: Path) -> Path:
    (tmp / "scenario.yaml").write_text(DEMO.read_text())
    return tmp / "scenario.yaml"


def make_below_file(tmp: Path) -> Path:
    make_file(tmp)
    return tmp / "scenario.yaml" / "out"


REFUSED: list[tuple[Callable[[Path], Path], str]] = [
    (make_thesis, "not a corridor-sim result (it holds thesis.tex; no provenance.json)"),
    (make_library, "not a corridor-sim result (it holds README.md, argentina_oilseed_strike.yaml"),
    (make_file, "an existing file, not a result directory; it is kept"),
    (make_below_file, "which is a file; expected a path whose parents are directories"),
]


@pytest.mark.parametrize(("make", "reason"), REFUSED, ids=["thesis", "library", "file", "below-file"])
def test_run_refuses_an_out_it_could_not_replace_before_simulating(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    simulations: list[str],
    make: Callable[[Path], Path],
    reason: str,
) -> None:
    out = make(tmp_path)
    before = snapshot(tmp_path)
    assert main(["run", str(DEMO), "--out", str(out), "--quiet"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"error: {out}: --out: got" in err
    assert reason in err
    assert "Traceback" not in err
    assert simulations == [], "refused before anything ran"
    assert snapshot(tmp_path) == before, "nothing touched, nothing left behind"


def test_out_dot_is_refused_without_leaving_dot_dot_folders(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    simulations: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["run", str(DEMO), "--out", ".", "--quiet"]) == 2
    assert "the current directory, or a directory that contains it" in capsys.readouterr().err
    assert main(["run", str(DEMO), "--out", "run", "--quiet"]) == 0
    monkeypatch.chdir(work / "run")  # even a run directory: the shell would be left in a deleted folder
    assert main(["run", str(DEMO), "--out", ".", "--quiet"]) == 2
    assert simulations == ["demo_two_ports"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert sorted(p.name for p in work.iterdir()) == ["run"]


def test_the_folder_of_the_scenario_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], simulations: list[str]
) -> None:
    scenario = tmp_path / "mine" / "demo.yaml"
    scenario.parent.mkdir()
    scenario.write_text(DEMO.read_text())
    assert main(["run", str(scenario), "--out", str(tmp_path / "mine"), "--quiet"]) == 2
    assert main(["run", str(scenario), "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "a directory that holds the input" in err
    assert simulations == []
    assert scenario.read_text() == DEMO.read_text()


def test_a_run_replaces_a_run_but_not_another_kind_of_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(DEMO), "--out", str(out), "--quiet"]) == 0
    assert main(["run", str(DEMO), "--out", str(out), "--seed", "3", "--quiet"]) == 0
    assert json.loads((out / "provenance.json").read_text())["seed"] == 3
    before = snapshot(out)
    assert main(["compare", str(DEMO), str(DEMO), "--out", str(out), "--replications", "2", "-q"]) == 2
    assert main(["bottlenecks", str(DEMO), "--out", str(out), "--replications", "2", "-q"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "got a run written by corridor run, not a comparison; it is kept" in err
    assert "got a run written by corridor run, not a bottlenecks; it is kept" in err
    assert snapshot(out) == before


@pytest.mark.parametrize(
    "command",
    [
        ["compare", str(DEMO), str(DEMO), "--replications", "2"],
        ["bottlenecks", str(DEMO), "--replications", "2"],
    ],
    ids=["compare", "bottlenecks"],
)
def test_compare_and_bottlenecks_refuse_a_users_folder_and_replace_their_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    thesis = make_thesis(tmp_path)
    assert main([*command, "--out", str(thesis), "-q"]) == 2
    assert "not a corridor-sim result (it holds thesis.tex" in capsys.readouterr().err
    assert snapshot(thesis) == {"thesis.tex": b"years of work"}
    out = tmp_path / "own"
    assert main([*command, "--out", str(out), "-q"]) == 0
    assert main([*command, "--out", str(out), "-q"]) == 0, "its own result is replaced"
    assert result_kind(out) in ("comparison", "bottlenecks")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["own", "thesis"]


def test_a_report_keeps_a_users_report_and_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert main(["run", str(DEMO), "--out", str(run), "--replications", "2", "-q"]) == 0
    (run / "report.html").write_text("<html>my own notes</html>")
    assert main(["report", str(run), "-q"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"error: {run / 'report.html'}: DIR: got a file that corridor report did not write" in err
    assert (run / "report.html").read_text() == "<html>my own notes</html>"
    (run / "report.html").unlink()
    assert main(["report", str(run), "-q"]) == 0
    assert main(["report", str(run), "-q"]) == 0, "a report replaces its own report"
    (run / "figures" / "my_drawing.png").write_bytes(b"\x89PNG mine")
    assert main(["report", str(run), "-q"]) == 2
    assert "my_drawing.png: DIR: got a file that corridor report did not write" in capsys.readouterr().err
    assert (run / "figures" / "my_drawing.png").read_bytes() == b"\x89PNG mine"
    assert hidden(run) == []


def start_slow_run(out: Path, replications: tuple[str, str] = STOPPED) -> subprocess.Popen[str]:
    return corridor("run", str(BASELINE), *replications, "--out", str(out), "--quiet")


def partials(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.partial-*"))


@pytest.mark.slow
def test_a_second_run_on_the_same_out_is_refused_naming_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    first = start_slow_run(out, SLOW)  # it runs to its end
    try:
        wait_for((tmp_path / ".out.lock").exists, 120, "the first run's lock")
        assert main(["run", str(DEMO), "--out", str(out), "--quiet"]) == 2
        output, _ = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            kill_job(first)
    err = " ".join(capsys.readouterr().err.split())
    assert f"got an output in use by process {first.pid}" in err
    assert "wait for that process to finish, or choose another path" in err
    assert first.returncode == 0, output
    assert json.loads((out / "provenance.json").read_text())["scenario"] == "baseline_2024", "not lost"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.slow
def test_a_kill_while_writing_keeps_the_previous_result_and_the_next_run_sweeps_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(DEMO), "--out", str(out), "--quiet"]) == 0
    before = snapshot(out)
    job = start_slow_run(out)
    try:
        wait_for(lambda: bool(partials(out)), 300, "the scratch directory being written")
    finally:
        kill_job(job)  # SIGKILL: nothing can clean up
    left = partials(out)
    assert [p.name.startswith(f".out.partial-{job.pid}-") for p in left] == [True]
    assert snapshot(out) == before, "the previous result is whole"
    assert main(["run", str(DEMO), "--out", str(out), "--seed", "4", "--quiet"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"note: removed {left[0]}, left by process {job.pid} that is no longer running" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sent", "code", "said"), [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")]
)
def test_sigterm_or_sigint_while_writing_leaves_the_previous_result_and_no_scratch(
    tmp_path: Path, sent: signal.Signals, code: int, said: str
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(DEMO), "--out", str(out), "--quiet"]) == 0
    before = snapshot(out)
    job = start_slow_run(out)
    try:
        wait_for(lambda: bool(partials(out)), 300, "the scratch directory being written")
        os.kill(job.pid, sent)
        output, _ = job.communicate(timeout=120)
    finally:
        if job.poll() is None:
            kill_job(job)
    assert job.returncode == code, output
    assert said in output
    assert "Traceback" not in output
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no scratch, old copy or lock"


@pytest.mark.slow
def test_sigterm_while_simulating_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    job = start_slow_run(out)
    try:
        wait_for((tmp_path / "new" / ".out.lock").exists, 120, "the run's lock")
        os.kill(job.pid, signal.SIGTERM)
        output, _ = job.communicate(timeout=120)
    finally:
        if job.poll() is None:
            kill_job(job)
    assert job.returncode == 143, output
    assert list(tmp_path.iterdir()) == [], "not even the parent it created"
