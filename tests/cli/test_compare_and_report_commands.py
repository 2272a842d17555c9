"""``corridor compare`` and ``corridor report`` from the command line: outputs, exit codes, messages."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

DATA = Path(__file__).parents[1] / "data"
BASE, VARIANT = str(DATA / "two_ports.yaml"), str(DATA / "one_berth.yaml")


def test_compare_prints_the_table_and_writes_csv_and_parquet(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", BASE, VARIANT, "--replications", "3", "--seed", "5", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "one_berth − two_ports" in printed
    assert "BRPNG/dry_bulk" in printed
    assert "warm-up two_ports" in printed
    csv = pd.read_csv(out / "comparison.csv")
    parquet = pd.read_parquet(out / "comparison.parquet")
    assert len(csv) == len(parquet) > 10
    assert set(csv["variant"]) == {"one_berth"}


def test_compare_with_precision_reports_replications(tmp_path, capsys):
    code = main(
        ["compare", BASE, VARIANT, "--replications", "2", "--precision", "0.5", "--out", str(tmp_path / "c")]
    )
    assert code == 0
    meta = json.loads((tmp_path / "c" / "comparison.json").read_text())
    n = meta["precision"]["replications"]
    assert meta["precision"]["reached"]
    assert 2 <= n <= 50
    assert f"precision ±50 %: reached after {n} replications" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--precision", "2"], "--precision: got 2.0; expected a relative half-width in (0, 1)"),
        (["--replications", "1"], "--replications: got 1; expected at least 2"),
        (["--engine", "quantum"], "--engine: got 'quantum'"),
        (["--max-replications", "1"], "--max-replications: got 1"),
    ],
)
def test_compare_rejects_bad_options_with_exit_2(arguments, message, capsys):
    assert main(["compare", BASE, VARIANT, *arguments]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_compare_names_a_missing_scenario_file(tmp_path, capsys):
    missing = tmp_path / "nowhere.yaml"
    assert main(["compare", BASE, str(missing), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err
    assert "Traceback" not in err
    assert not (tmp_path / "c").exists()


def test_compare_refuses_a_file_as_output(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert main(["compare", BASE, VARIANT, "--out", str(target)]) == 2
    assert "--out" in capsys.readouterr().err


def test_report_command(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not a run directory" in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
