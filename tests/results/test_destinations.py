"""Where results may be written: the Python API refuses paths that hold what corridor-sim did not write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.results.destinations import check_destination, result_kind
from sim.runner import RunResult, write_run

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "demo_two_ports.yaml"


@pytest.fixture(scope="module")
def result() -> RunResult:
    return sim.run(sim.load_scenario(DEMO), replications=1)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


def test_a_folder_of_the_users_is_refused_and_kept(result: RunResult, tmp_path: Path) -> None:
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "thesis.tex").write_text("years of work")
    with pytest.raises(sim.OutputError) as caught:
        write_run(result, thesis)
    message = str(caught.value)
    assert str(thesis) in message
    assert "not a corridor-sim result (it holds thesis.tex; no provenance.json)" in message
    assert "move the directory away" in message
    assert snapshot(thesis) == {"thesis.tex": b"years of work"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"], "no scratch, lock or old copy left"
    assert isinstance(caught.value, sim.InputError), "the command line maps it to exit 2"


def test_a_file_is_refused_and_kept(result: RunResult, tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(DEMO.read_text())
    with pytest.raises(sim.OutputError, match="an existing file, not a result directory"):
        write_run(result, scenario)
    assert scenario.read_text() == DEMO.read_text()


def test_a_run_directory_is_replaced_atomically(result: RunResult, tmp_path: Path) -> None:
    out = tmp_path / "run"
    write_run(result, out)
    (out / "stray.txt").write_text("from the earlier run's directory")
    assert result_kind(out) == "run"
    write_run(result, out)
    assert not (out / "stray.txt").exists()
    assert (out / "provenance.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_another_kind_of_result_is_refused(result: RunResult, tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "manifest.json").write_text('{"format": "corridor-sim sweep manifest 1"}')
    assert result_kind(sweep) == "sweep"
    with pytest.raises(sim.OutputError, match="a sweep written by corridor sweep, not a run"):
        write_run(result, sweep)
    assert (sweep / "manifest.json").is_file()


def test_an_empty_directory_and_missing_parents_are_fine(result: RunResult, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write_run(result, tmp_path / "empty")
    write_run(result, tmp_path / "a" / "b" / "c")
    assert result_kind(tmp_path / "empty") == result_kind(tmp_path / "a" / "b" / "c") == "run"


def test_the_current_directory_and_its_parents_are_refused(
    result: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "run"
    write_run(result, run)
    monkeypatch.chdir(run)
    for target in (".", "..", str(run)):
        with pytest.raises(sim.OutputError, match="the current directory, or a directory that contains it"):
            write_run(result, Path(target))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"], "no ..partial-* or ..old-* folders"


def test_a_directory_holding_an_input_is_refused(tmp_path: Path) -> None:
    library = tmp_path / "scenarios"
    library.mkdir()
    (library / "demo.yaml").write_text(DEMO.read_text())
    with pytest.raises(sim.OutputError, match=r"holds the input .*demo\.yaml"):
        check_destination(tmp_path, "run", inputs=[library / "demo.yaml"])
    with pytest.raises(sim.OutputError, match="holds the input"):
        check_destination(library, "run", inputs=[library / "demo.yaml"])


def test_a_path_below_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x")
    with pytest.raises(sim.OutputError, match=r"a path below .*notes, which is a file"):
        check_destination(tmp_path / "notes" / "run", "run")


def test_an_unwritable_parent_is_refused() -> None:
    # /proc/self refuses new entries even to root (a directory with mode 555 would not, and CI runs as root)
    with pytest.raises(sim.OutputError, match="which this user cannot write to"):
        check_destination(Path("/proc/self/run"), "run")


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(sim.OutputError, match="a symbolic link"):
        check_destination(tmp_path / "link", "run")


HOLD = """
import sys, time
from pathlib import Path
from sim.results.files import claim_output

with claim_output(Path(sys.argv[1]), "run"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_an_output_held_by_another_process_is_refused_naming_it(result: RunResult, tmp_path: Path) -> None:
    out = tmp_path / "run"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLD,
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(sim.OutputError, match=f"in use by process {holder.pid}"):
            write_run(result, out)
        assert not out.exists()
    finally:
        holder.kill()
        holder.communicate()
    write_run(result, out)  # the kernel released the lock of the killed holder
    assert result_kind(out) == "run"
