"""What the terminal shows: one unit per quantity, 80 columns, significance without colour, the rows shown,
the warnings (intervals too wide, warm-up), and ``show``, ``export``, ``--version``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from rich.console import Console

from sim.cli import main
from sim.cli.comparison_view import print_footer, too_wide
from sim.cli.units import interval, number, quantity, with_half_width
from sim.version import __version__

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BASE, VARIANT = str(DATA / "two_ports.yaml"), str(DATA / "one_berth.yaml")


def _corridor(
    *arguments: str, columns: int = 80, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess: piped, NO_COLOR, COLUMNS set."""
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    code = "import sys; from sim.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_one_unit_per_quantity() -> None:
    assert quantity(936.5, "duration") == "39.0 d"
    assert quantity(5.25, "duration") == "5.2 h"
    assert quantity(28_841_000, "mass") == "28.84 Mt"
    assert quantity(24_000, "mass") == "24.0 kt"
    assert quantity(12_345, "teu") == "12,345 TEU"
    assert quantity(0.628, "share") == "62.8 %"
    assert interval(3_562_000, 3_388_000, 3_737_000, "mass") == "+3.56 Mt [+3.39, +3.74]"
    assert interval(0.4, -8.5, 9.3, "duration") == "+0.4 h [-8.5, +9.3]"
    assert interval(0.002, 0.001, 0.003, "share") == "+0.2 pp [+0.1, +0.3]"
    assert with_half_width(936.5, 930.5, 942.5, "duration") == "39.0 ±0.2 d"
    assert number(3_432_000.0) == "3,432,000"
    assert "e+" not in number(3.432e6) + quantity(3.432e6, "count") + quantity(3.432e9, "mass")


def test_compare_fits_80_columns_and_marks_significance_without_colour(tmp_path: Path) -> None:
    done = _corridor("compare", BASE, VARIANT, "--replications", "3", "--out", str(tmp_path / "c"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "\x1b[" not in done.stdout  # no colour codes when piped with NO_COLOR
    assert "* = interval excludes zero" in done.stdout
    table = pd.read_csv(tmp_path / "c" / "comparison.csv")
    significant = table.loc[table["significant"], "key"]
    marked = [line for line in lines if line.rstrip().endswith("*")]
    assert len(marked) == len(significant) > 0
    identical = ((table["diff"] == 0) & (table["diff_low"] == 0) & (table["diff_high"] == 0)).sum()
    assert f"{identical} rows identical in every replication hidden (--all shows every row)" in done.stdout
    assert "0 (identical)" not in done.stdout


def test_compare_changed_only_and_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["compare", BASE, VARIANT, "--replications", "3", "--out", str(tmp_path / "c")]
    assert main([*arguments, "--all"]) == 0
    everything = capsys.readouterr().out
    assert "0 (identical)" in everything
    assert "hidden" not in everything
    assert main([*arguments, "--changed-only"]) == 0
    changed = capsys.readouterr().out
    table = pd.read_csv(tmp_path / "c" / "comparison.csv")
    assert f"{(~table['significant']).sum()} rows without a significant change hidden" in changed
    assert main([*arguments, "--changed-only", "--all"]) == 2


def _row(**values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "variant": "v",
        "table": "transit_by_flow",
        "key": "soy_us_gulf",
        "period": "",
        "metric": "transit_mean_h",
        "unit": "h",
        "base_mean": 900.0,
        "variant_mean": 900.4,
        "diff": 0.4,
        "diff_low": -8.5,
        "diff_high": 9.3,
        "significant": False,
    }
    return {**row, **values}


def test_an_interval_too_wide_to_tell_is_flagged_and_a_precise_nil_is_not() -> None:
    table = pd.DataFrame(
        [
            _row(),
            _row(key="precise", diff=0.01, diff_low=-0.1, diff_high=0.1),
            _row(key="clear", diff=20.0, diff_low=10.0, diff_high=30.0, significant=True),
            _row(key="same", diff=0.0, diff_low=0.0, diff_high=0.0),
            _row(key="other", table="stations", metric="wait_mean_h"),
        ]
    )
    assert list(too_wide(table)["key"]) == ["soy_us_gulf"]


def test_the_footer_warns_about_width_and_names_every_flagged_warmup() -> None:
    warmup = pd.DataFrame(
        [
            {"scenario": "v", "station": "all queueing stations", "configured_warmup_h": 1464.0,
             "mser_warmup_h": 120.0, "verdict": "ok"},
            {"scenario": "v", "station": "chk:PAPCN", "configured_warmup_h": 1464.0,
             "mser_warmup_h": 4680.0, "verdict": "configured warm-up looks too short"},
            {"scenario": "v", "station": "CNQZH/container", "configured_warmup_h": 1464.0,
             "mser_warmup_h": 288.0, "verdict": "ok"},
        ]
    )  # fmt: skip
    result = SimpleNamespace(  # the parts of a Comparison the footer reads
        base="base",
        variants=["v"],
        precision=None,
        table=pd.DataFrame([_row()]),
        runs={"base": SimpleNamespace(replications=[0, 1, 2])},
        warmup=warmup,
    )
    console = Console(width=200, record=True, no_color=True)
    print_footer(result, console)  # type: ignore[arg-type]
    text = console.export_text()
    assert "too uncertain to tell the scenarios apart with 3 replications" in text
    assert "soy_us_gulf transit_mean_h: +0.4 h [-8.5, +9.3]" in text
    assert "--precision" in text
    assert "chk:PAPCN: MSER-5 suggests 195 d — configured warm-up looks too short" in text
    assert "CNQZH" not in text


def test_run_show_and_export(tmp_path: Path) -> None:
    out = tmp_path / "run"
    ran = _corridor("run", str(ROOT / "scenarios" / "demo_two_ports.yaml"), "--out", str(out))
    assert ran.returncode == 0, ran.stderr
    shown = _corridor("show", str(out))
    assert shown.returncode == 0, shown.stderr
    assert max(len(line) for line in ran.stdout.splitlines()) <= 80
    assert "e+0" not in ran.stdout
    tables = ran.stdout[ran.stdout.index("Flows") : ran.stdout.index("results written")]
    assert tables.strip() in shown.stdout  # the same tables, reprinted from the files
    exported = _corridor("export", str(out), "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    names = {p.name for p in (out / "csv").iterdir()}
    assert names == {"visits.csv", "shipments.csv", "stations.csv", "kpis_by_replication.csv", "kpis.csv"}
    kpis = pd.read_csv(out / "csv" / "kpis.csv")
    assert {"table", "key", "metric", "mean", "ci_low", "ci_high"} <= set(kpis.columns)
    count = sum(len(rows) for rows in json.loads((out / "kpis.json").read_text())["tables"].values())
    assert len(kpis) == count
    assert _corridor("export", str(out), "--format", "xlsx").returncode == 2
    missing = _corridor("show", str(tmp_path))
    assert missing.returncode == 2
    assert "kpis.json" in missing.stderr


def test_version() -> None:
    done = _corridor("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"corridor-sim {__version__}"


def test_the_bottleneck_table_fits_80_columns_with_units_and_marks() -> None:
    from sim.cli.comparison_view import print_bottlenecks

    table = pd.DataFrame(
        [
            {"rank": 1, "station": "svc:wcsa_chy_sha_long", "change": "capacity 3000 → 2250 TEU/dep",
             "throughput_change": -3.432e6, "throughput_low": -3.6e6, "throughput_high": -3.2e6,
             "transit_change_h": 30.5, "transit_low_h": 20.1, "transit_high_h": 41.0,
             "throughput_significant": True},
            {"rank": 2, "station": "CNTAO/grain", "change": "handling rate 2000 → 1500 t/h",
             "throughput_change": 0.0, "throughput_low": -1.5e3, "throughput_high": 1.2e3,
             "transit_change_h": 2.5, "transit_low_h": 1.0, "transit_high_h": 4.0,
             "throughput_significant": False},
        ]
    )  # fmt: skip
    console = Console(width=80, record=True, no_color=True)
    print_bottlenecks(table, console, top=15, fraction=0.25)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "-3.43 Mt [-3.60, -3.20]" in text
    assert "+1.3 d [+20.1 h" not in text  # one unit per interval
    assert "+1.3 d [+0.8, +1.7]" in text
    assert "e+0" not in text
    assert next(line for line in text.splitlines() if "svc:wcsa" in line).rstrip().endswith("*")
