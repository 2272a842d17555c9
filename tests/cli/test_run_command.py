"""``corridor run``: the files it writes, their contract, reproducibility, atomicity and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim
from sim.cli import main
from sim.results.files import read_provenance

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "demo_two_ports.yaml"
PARQUETS = ("visits", "shipments", "stations", "kpis_by_replication")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "demo"
    assert main(["run", str(DEMO), "--out", str(out), "--quiet"]) == 0
    return out


def test_run_writes_every_contract_file(run_dir: Path) -> None:
    names = {p.name for p in run_dir.iterdir()}
    assert names == {f"{n}.parquet" for n in PARQUETS} | {"kpis.json", "provenance.json", "scenario.yaml"}
    visits = pd.read_parquet(run_dir / "visits.parquet")
    assert list(visits.columns) == [
        "replication",
        "shipment",
        "seq",
        "station",
        "kind",
        "arrive",
        "start",
        "end",
    ]
    shipments = pd.read_parquet(run_dir / "shipments.parquet")
    assert list(shipments.columns) == [
        "replication",
        "shipment",
        "flow",
        "commodity",
        "origin",
        "destination",
        "tonnes",
        "teu",
        "created",
        "delivered",
        "free_flow_h",
    ]
    assert set(shipments["replication"]) == {0, 1, 2}


def test_provenance_is_in_the_json_and_the_parquet_metadata(run_dir: Path) -> None:
    provenance = json.loads((run_dir / "provenance.json").read_text())
    for key in (
        "scenario_hash",
        "seed",
        "engine",
        "replications",
        "package_version",
        "git_commit",
        "wall_time_s",
    ):
        assert key in provenance
    assert provenance["scenario_hash"] == sim.scenario_hash(sim.load_scenario(DEMO))
    stored = read_provenance(run_dir / "visits.parquet")
    assert stored["scenario_hash"] == provenance["scenario_hash"]
    assert stored["seed"] == 7
    assert "wall_time_s" not in stored  # kept out of the data files so they stay bit-identical


def test_resolved_scenario_reloads_to_the_same_hash(run_dir: Path) -> None:
    provenance = json.loads((run_dir / "provenance.json").read_text())
    assert sim.scenario_hash(sim.load_scenario(run_dir / "scenario.yaml")) == provenance["scenario_hash"]


def test_kpis_json_has_every_table_with_intervals(run_dir: Path) -> None:
    kpis = json.loads((run_dir / "kpis.json").read_text())
    assert set(kpis["tables"]) == {
        "throughput_by_commodity",
        "throughput_by_flow",
        "throughput_by_destination",
        "throughput_by_month",
        "transit_by_flow",
        "stations",
        "stations_by_month",
        "throughput_by_traffic",  # waits_by_traffic only when a background flow shares a station
    }
    assert kpis["background"] == {"flows": [], "commodities": [], "destinations": [], "routes": []}
    row = next(r for r in kpis["tables"]["transit_by_flow"] if r["metric"] == "transit_mean_h")
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert row["n"] == 3
    metrics = {r["metric"] for r in kpis["tables"]["stations"]}
    assert {
        "utilisation",
        "queue_mean",
        "wait_mean_h",
        "wait_p95_h",
        "wait_max_h",
        "waiting_at_horizon",
    } <= metrics
    waiting = [r for r in kpis["tables"]["stations"] if r["metric"] == "waiting_at_horizon"]
    assert {r["key"] for r in waiting} == {
        r["key"] for r in kpis["tables"]["stations"] if r["metric"] == "wait_mean_h"
    }, "counted wherever waits are reported (the queueing stations), zero included"


def test_same_scenario_and_seed_give_bit_identical_files(run_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["run", str(DEMO), "--out", str(again), "--quiet"]) == 0
    for name in [f"{n}.parquet" for n in PARQUETS] + ["kpis.json", "scenario.yaml"]:
        assert (again / name).read_bytes() == (run_dir / name).read_bytes(), name


def test_another_seed_gives_other_results(run_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert main(["run", str(DEMO), "--out", str(other), "--seed", "8", "--quiet"]) == 0
    assert (other / "shipments.parquet").read_bytes() != (run_dir / "shipments.parquet").read_bytes()


def test_a_replication_gives_the_same_draws_whatever_block_it_runs_in() -> None:
    scenario = sim.load_scenario(DEMO)
    whole = sim.run(scenario, replications=5).shipments
    block = sim.run(scenario, replications=2, first_replication=3).shipments
    expected = whole[whole["replication"] >= 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(block.reset_index(drop=True), expected)


def test_a_failed_write_keeps_the_previous_results(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "kept"
    assert main(["run", str(DEMO), "--out", str(out), "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("sim.streaming.write_json", broken)
    assert main(["run", str(DEMO), "--out", str(out), "--seed", "9", "--quiet"]) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]  # no partial directory left behind


def test_internal_errors_exit_1_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("sim.streaming.run_streamed", broken)  # sim.cli.run imports it when it runs
    assert main(["run", str(DEMO), "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "internal error" in err
    assert "boom" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["--engine", "warp"], "--engine: got 'warp'"),
        (["--replications", "0"], "--replications: got 0"),
        (["--seed", "-1"], "--seed: got -1"),
    ],
)
def test_bad_arguments_exit_2_naming_the_option(
    arguments: list[str], fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(DEMO), "--out", str(tmp_path / "x"), *arguments]) == 2
    assert fragment in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_the_summary_shows_flows_and_stations(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["run", str(DEMO), "--out", str(tmp_path / "x")]) == 0
    out = capsys.readouterr().out
    assert "soy_png_tao" in out
    assert "BRPNG/dry_bulk" in out
    assert "±" in out
    assert "still waiting" in out, "the waits are shown with the visits still waiting at the horizon"


def test_quiet_prints_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["run", str(DEMO), "--out", str(tmp_path / "x"), "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_python_dash_m_and_the_console_script_work(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(DEMO)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "demo_two_ports" in done.stdout
    usage = subprocess.run(
        [sys.executable, "-m", "sim", "run", "--bogus"], capture_output=True, text=True, check=False
    )
    assert usage.returncode == 2
    assert "No such option" in usage.stderr


def test_parquet_columns_have_the_documented_types(run_dir: Path) -> None:
    schema = pq.read_schema(run_dir / "visits.parquet")
    assert str(schema.field("arrive").type) == "double"
    assert str(schema.field("replication").type) == "int32"
    visits = pd.read_parquet(run_dir / "visits.parquet")
    late = visits["end"].isna()
    assert late.any()  # some shipments are still on their way at the horizon ...
    assert (visits.loc[~late, "end"] <= 120 * 24.0).all()  # ... and no time lies beyond it
    assert np.isfinite(visits["arrive"].dropna()).all()


def test_a_commands_exit_code_is_passed_through(monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    def exits_3(*_: object, **__: object) -> None:
        raise typer.Exit(3)

    monkeypatch.setattr("sim.scenario.loader.load_scenario", exits_3)
    assert main(["run", str(DEMO)]) == 3


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.scenario.loader.load_scenario", interrupted)
    assert main(["run", str(DEMO)]) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_large_tables_are_written_by_arrow_with_the_schema_pandas_wrote(run_dir: Path) -> None:
    """visits and shipments: the types pandas wrote (ids dictionary-encoded, int8 codes), snappy."""
    import pyarrow as pa

    ids = pa.dictionary(pa.int8(), pa.string())
    expected = {
        "visits": [pa.int32(), pa.int64(), pa.int16(), ids, ids, pa.float64(), pa.float64(), pa.float64()],
        "shipments": [pa.int32(), pa.int64(), ids, ids, ids, ids, *[pa.float64()] * 5],
    }
    for name, types in expected.items():
        stored = pq.ParquetFile(run_dir / f"{name}.parquet")
        assert stored.schema_arrow.types == types, name
        assert stored.metadata.row_group(0).column(0).compression == "SNAPPY"
    frame = pd.read_parquet(run_dir / "visits.parquet")
    assert isinstance(frame["station"].dtype, pd.CategoricalDtype)
    assert frame["replication"].dtype == np.int32


def test_visits_none_keeps_kpis_and_shipments_without_visits(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "lean"
    assert main(["run", str(DEMO), "--out", str(out), "--quiet", "--visits", "none"]) == 0
    names = {p.name for p in out.iterdir()}
    assert "visits.parquet" not in names
    for name in ("shipments.parquet", "kpis_by_replication.parquet", "stations.parquet", "kpis.json"):
        assert (out / name).read_bytes() == (run_dir / name).read_bytes(), name
    assert json.loads((out / "provenance.json").read_text())["visits"] == "none"


def test_visits_must_be_all_or_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(DEMO), "--out", str(tmp_path / "x"), "--quiet", "--visits", "some"]) == 2
    assert "--visits" in capsys.readouterr().err


def test_quiet_prints_nothing_and_still_writes_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(DEMO), "--out", str(tmp_path / "quiet"), "--quiet", "--replications", "2"]) == 0
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err == ""
    assert (tmp_path / "quiet" / "kpis.json").is_file()
    assert main(["run", str(DEMO), "--out", str(tmp_path / "loud"), "--replications", "2"]) == 0
    assert "results written to" in capsys.readouterr().out
