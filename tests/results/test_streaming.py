"""Streamed runs: drawn, simulated, reduced and written block by block — the files of the run held in memory.

Row groups are made small here (37 rows) so that blocks end inside row groups and row groups span blocks.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sim
from sim.drawing import draw_plan, expected_shipments
from sim.network import build_network
from sim.results import files
from sim.results.files import ParquetRows, write_parquet
from sim.runner import run, write_run
from sim.streaming import run_streamed

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "demo_two_ports.yaml"
LEDGER = ROOT / "tests" / "data" / "ledger_one_ship.yaml"
CHOICE = ROOT / "tests" / "data" / "choice_three_routes.yaml"
FILES = (
    "visits.parquet",
    "shipments.parquet",
    "stations.parquet",
    "kpis_by_replication.parquet",
    "kpis.json",
    "scenario.yaml",
)


@pytest.fixture(autouse=True)
def small_row_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "ROW_GROUP_ROWS", 37)


def contents(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in FILES}


def _diverting() -> sim.Scenario:
    from tests.results.test_diversion_run import _scenario

    return _scenario(diversion=True)


def _leaving() -> sim.Scenario:
    from tests.results.test_leaving import leaving_scenario

    return leaving_scenario()


SCENARIOS = {
    "demo": lambda: sim.load_scenario(DEMO),
    "ledger": lambda: sim.load_scenario(LEDGER),
    "diversion": _diverting,
    "leaving": _leaving,
    "choice": lambda: sim.load_scenario(CHOICE),
}


@pytest.mark.parametrize(
    ("name", "engine", "replications"),
    [
        ("demo", "vector", 5),
        ("demo", "reference", 3),
        ("ledger", "vector", 4),
        ("diversion", "vector", 3),
        ("leaving", "vector", 3),
        ("choice", "vector", 3),
    ],
)
def test_any_block_size_writes_the_files_of_the_run_held_in_memory(
    name: str, engine: str, replications: int, tmp_path: Path
) -> None:
    scenario = SCENARIOS[name]()
    write_run(run(scenario, engine=engine, replications=replications), tmp_path / "memory")
    expected = contents(tmp_path / "memory")
    assert pq.ParquetFile(tmp_path / "memory" / "visits.parquet").metadata.num_row_groups > 1
    for block in (replications, 2, 1):
        streamed = run_streamed(
            scenario, tmp_path / f"blocks_of_{block}", engine, replications, block_replications=block
        )
        assert streamed.blocks == -(-replications // block)
        assert contents(tmp_path / f"blocks_of_{block}") == expected, f"blocks of {block}"


def test_the_ledger_kpis_of_blocks_are_those_of_one_pass(tmp_path: Path) -> None:
    scenario = sim.load_scenario(LEDGER)
    whole = run(scenario, replications=3).kpis_by_replication
    streamed = run_streamed(scenario, tmp_path / "run", replications=3, block_replications=1)
    assert streamed.kpis_by_replication["table"].str.startswith("cost_").any()
    assert streamed.kpis_by_replication.equals(whole)


def test_progress_counts_replications_simulated_and_written(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        assert (tmp_path / "run").exists() is False, "the directory appears only once everything is written"

    run_streamed(
        sim.load_scenario(DEMO), tmp_path / "run", replications=5, progress=progress, block_replications=2
    )
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_visits_none_writes_no_visits_and_the_same_other_files(tmp_path: Path) -> None:
    scenario = sim.load_scenario(DEMO)
    run_streamed(scenario, tmp_path / "all", replications=2, block_replications=1)
    run_streamed(scenario, tmp_path / "none", replications=2, block_replications=1, visits="none")
    assert not (tmp_path / "none" / "visits.parquet").exists()
    for name in FILES[1:]:
        assert (tmp_path / "none" / name).read_bytes() == (tmp_path / "all" / name).read_bytes()


@pytest.mark.parametrize(
    "cuts", [[0, 1200], [0, 3, 36, 37, 38, 1000, 1000, 1200], [0, 0, 1200], [0, 700, 1199, 1200]]
)
def test_parquet_rows_in_blocks_are_the_file_written_at_once(cuts: list[int], tmp_path: Path) -> None:
    generator = np.random.default_rng(5)
    labels = pa.array([f"station {k}" for k in range(30)])
    table = pa.table(
        {
            "replication": np.arange(1200, dtype=np.int32) // 100,
            "time": generator.random(1200),
            "station": pa.DictionaryArray.from_arrays(
                pa.array(generator.integers(0, 30, 1200, dtype=np.int8)), labels
            ),
        }
    )
    write_parquet(table, tmp_path / "once.parquet", {"seed": 1})
    with ParquetRows(tmp_path / "blocks.parquet", {"seed": 1}) as rows:
        for a, b in itertools.pairwise(cuts):
            rows.write(table.slice(a, b - a))
    assert (tmp_path / "blocks.parquet").read_bytes() == (tmp_path / "once.parquet").read_bytes()
    assert pq.ParquetFile(tmp_path / "blocks.parquet").metadata.num_row_groups == 33  # ceil(1200 / 37)


def test_an_empty_table_in_blocks_is_the_empty_file(tmp_path: Path) -> None:
    table = pa.table({"time": np.empty(0)})
    write_parquet(table, tmp_path / "once.parquet", {"seed": 1})
    with ParquetRows(tmp_path / "blocks.parquet", {"seed": 1}) as rows:
        rows.write(table)
        rows.write(table)
    assert (tmp_path / "blocks.parquet").read_bytes() == (tmp_path / "once.parquet").read_bytes()


def test_expected_shipments_are_the_mean_drawn() -> None:
    scenario = sim.load_scenario(DEMO)
    network = build_network(scenario)
    reps = 40
    plan = draw_plan(scenario, network, range(reps), scenario.seed)
    counts = np.stack(
        [
            np.bincount(plan.shipment_flow[a:b], minlength=len(network.flows))
            for a, b in zip(plan.rep_first, plan.rep_first[1:], strict=False)
        ]
    )
    expected = expected_shipments(scenario, network)
    # 99.9 % normal interval of the mean count over the replications (counts are sums of many arrivals)
    spread = 3.3 * counts.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(counts.mean(axis=0) - expected) <= np.maximum(spread, 1.0))
