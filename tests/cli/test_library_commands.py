"""The scenario library from any directory: bare names, ``corridor scenarios``, ``corridor init``."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario.library import library_dir, library_entries, resolve_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_the_checkout_is_the_library_of_an_editable_install() -> None:
    assert library_dir() == ROOT
    names = [entry.name for entry in library_entries()]
    assert "baseline_2024" in names
    assert "scenario.schema" not in names


def test_a_bare_name_resolves_to_the_library_and_a_path_stays_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_scenario("baseline_2024") == ROOT / "scenarios" / "baseline_2024.yaml"
    assert resolve_scenario("baseline_2024.yaml") == ROOT / "scenarios" / "baseline_2024.yaml"
    assert resolve_scenario("sub/baseline_2024.yaml") == Path("sub/baseline_2024.yaml")
    (tmp_path / "baseline_2024.yaml").write_text("mine")
    assert resolve_scenario("baseline_2024.yaml") == Path("baseline_2024.yaml")  # a local file wins
    assert resolve_scenario("no_such_scenario") == Path("no_such_scenario")


def test_run_and_validate_by_name_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "panama_drought_2023_24", "demo_two_ports"]) == 0
    assert main(["run", "demo_two_ports", "--replications", "1", "--quiet"]) == 0
    assert (tmp_path / "results" / "demo_two_ports" / "kpis.json").is_file()
    assert main(["run", "no_such_scenario"]) == 2
    assert "no_such_scenario" in capsys.readouterr().err


def test_scenarios_lists_each_file_with_its_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "panama_drought_2023_24" in printed
    assert "how much longer do US Gulf soybeans bound for China wait at the Panama Canal" in printed
    assert "bench_ilstc_teu" in printed


def test_init_copies_an_editable_library_and_refuses_a_non_empty_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "mine"
    assert main(["init", str(target)]) == 0
    assert (target / "scenarios" / "baseline_2024.yaml").is_file()
    assert (target / "seeds" / "flows.csv").is_file()
    edited = target / "scenarios" / "panama_drought_2023_24.yaml"
    assert main(["validate", str(edited)]) == 0  # extends: and seeds: ../seeds hold in the copy
    capsys.readouterr()
    assert main(["init", str(target)]) == 2
    assert "a new or empty directory" in capsys.readouterr().err
