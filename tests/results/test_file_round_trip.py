"""Every table a run writes reads back exactly: the same Arrow types and the same values, bit for bit.

The files are snappy-compressed with delta-encoded integers (:mod:`sim.results.files`) and written by threads
(:mod:`sim.results.threaded`); the readers (``pandas.read_parquet``, :func:`sim.analysis.load_run`) get the
columns pandas wrote before.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sim
from sim.results import files
from sim.results.files import ParquetRows, write_parquet
from sim.results.tables import visits_arrow
from sim.results.threaded import ThreadedRows
from sim.runner import has_ledger, run, shipments_file_table
from sim.streaming import run_streamed

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "tests" / "data" / "ledger_one_ship.yaml"


def assert_same_table(read: pa.Table, expected: pa.Table) -> None:
    """Same names and Arrow types; floats equal bit for bit (NaN included), the rest value for value."""
    assert read.schema.remove_metadata() == expected.schema.remove_metadata()
    for name in expected.column_names:
        got, want = read[name].combine_chunks(), expected[name].combine_chunks()
        if pa.types.is_floating(want.type):
            bits = f"int{want.type.bit_width}"
            assert np.array_equal(got.to_numpy().view(bits), want.to_numpy().view(bits)), name
        else:
            assert got.equals(want), name


def _diverting() -> sim.Scenario:
    from tests.results.test_diversion_run import _scenario

    return _scenario(diversion=True)


@pytest.mark.parametrize("name", ["ledger", "diversion"])
def test_every_file_of_a_streamed_run_reads_back_exactly(name: str, tmp_path: Path) -> None:
    scenario = sim.load_scenario(LEDGER) if name == "ledger" else _diverting()
    held = run(scenario, replications=3)
    streamed = run_streamed(scenario, tmp_path / "run", replications=3, block_replications=2)
    ledger = held.ledger if has_ledger(scenario) else None
    shipments = shipments_file_table(held.plan, held.trace, scenario, ledger, held.diversions)
    assert np.isnan(shipments["delivered"].to_numpy()).any() or name == "ledger"
    assert_same_table(pq.read_table(tmp_path / "run" / "visits.parquet"), visits_arrow(held.plan, held.trace))
    assert_same_table(pq.read_table(tmp_path / "run" / "shipments.parquet"), shipments)
    # the small tables come from pandas: they read back as the DataFrames written
    by_replication = pd.read_parquet(tmp_path / "run" / "kpis_by_replication.parquet")
    pd.testing.assert_frame_equal(by_replication, streamed.kpis_by_replication, check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "run" / "stations.parquet"), held.stations)
    # and pandas reads the large ones as the run's DataFrames: ids as categoricals, the same dtypes
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "run" / "visits.parquet"), held.visits, check_exact=True
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "run" / "shipments.parquet"), held.shipments, check_exact=True
    )


def test_the_files_are_compressed_with_ids_in_dictionaries_and_integers_delta_encoded(tmp_path: Path) -> None:
    scenario = sim.load_scenario(LEDGER)
    run_streamed(scenario, tmp_path / "run", replications=2)
    for name in ("visits", "shipments"):
        metadata = pq.ParquetFile(tmp_path / "run" / f"{name}.parquet").metadata
        schema = pq.read_schema(tmp_path / "run" / f"{name}.parquet")
        group = metadata.row_group(0)
        for k in range(group.num_columns):
            chunk = group.column(k)
            kind = schema.field(chunk.path_in_schema).type
            assert chunk.compression == "SNAPPY", chunk.path_in_schema
            if pa.types.is_dictionary(kind):
                assert "RLE_DICTIONARY" in chunk.encodings, chunk.path_in_schema
            elif pa.types.is_integer(kind):
                assert "DELTA_BINARY_PACKED" in chunk.encodings, chunk.path_in_schema
            else:
                assert "RLE_DICTIONARY" not in chunk.encodings, chunk.path_in_schema


def _blocks(count: int = 5, rows: int = 300) -> list[pa.Table]:
    generator = np.random.default_rng(7)
    labels = pa.array([f"station {k}" for k in range(12)])
    return [
        pa.table(
            {
                "replication": np.full(rows, block, dtype=np.int32),
                "shipment": np.arange(rows, dtype=np.int64) + block * rows,
                "time": np.where(generator.random(rows) < 0.1, np.nan, generator.random(rows) * 1e4),
                "station": pa.DictionaryArray.from_arrays(
                    pa.array(generator.integers(0, 12, rows, dtype=np.int8)), labels
                ),
            }
        )
        for block in range(count)
    ]


def test_a_thread_writes_the_bytes_of_parquet_rows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(files, "ROW_GROUP_ROWS", 128)
    blocks = _blocks()
    with ParquetRows(tmp_path / "direct.parquet", {"seed": 1}) as rows:
        for block in blocks:
            rows.write(block)
    with ThreadedRows(ParquetRows(tmp_path / "threaded.parquet", {"seed": 1})) as threaded:
        for block in blocks:
            threaded.write(block)
    assert (tmp_path / "threaded.parquet").read_bytes() == (tmp_path / "direct.parquet").read_bytes()
    assert threaded.busy_s > 0
    write_parquet(pa.concat_tables(blocks), tmp_path / "once.parquet", {"seed": 1})
    assert (tmp_path / "once.parquet").read_bytes() == (tmp_path / "direct.parquet").read_bytes()
    assert_same_table(pq.read_table(tmp_path / "threaded.parquet"), pa.concat_tables(blocks))


def test_the_threads_error_is_raised_to_the_caller(tmp_path: Path) -> None:
    first, second = _blocks(2)
    wrong = second.drop_columns(["time"])  # not the first block's schema: pyarrow refuses it in the thread
    threaded = ThreadedRows(ParquetRows(tmp_path / "bad.parquet", {"seed": 1}))
    with pytest.raises(ValueError, match=r"[Ss]chema .* different"), threaded:  # noqa: PT012
        threaded.write(first)
        threaded.write(wrong)  # handed over: the thread fails on it ...
        threaded.write(first)  # ... and the caller hears of it here
    assert not threaded._thread.is_alive()


def test_finish_returns_while_the_thread_writes_the_last_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The caller goes on (joins the KPIs, writes the small files) while the last block is written."""
    block = _blocks(1)[0]
    with ParquetRows(tmp_path / "direct.parquet", {"seed": 1}) as rows:
        rows.write(block)
    late = ParquetRows(tmp_path / "late.parquet", {"seed": 1})
    release = threading.Event()
    written: list[int] = []
    write = late.write

    def held(table: pa.Table) -> None:
        release.wait(30)  # a bound, should finish() wait for the write (as it did): the test then fails
        write(table)
        written.append(table.num_rows)

    monkeypatch.setattr(late, "write", held)
    with ThreadedRows(late) as threaded:
        threaded.write(block)
        threaded.finish()  # returns although the thread is still held in the table's write
        assert written == []
        release.set()
    assert written == [block.num_rows]
    assert not threaded._thread.is_alive()
    assert (tmp_path / "late.parquet").read_bytes() == (tmp_path / "direct.parquet").read_bytes()


def test_an_error_in_the_last_table_is_raised_when_the_file_closes(tmp_path: Path) -> None:
    first, second = _blocks(2)
    wrong = second.drop_columns(["time"])
    threaded = ThreadedRows(ParquetRows(tmp_path / "bad.parquet", {"seed": 1}))
    with pytest.raises(ValueError, match=r"[Ss]chema .* different"), threaded:  # noqa: PT012
        threaded.write(first)
        threaded.write(wrong)  # the last table: the thread fails on it after finish() has returned
        threaded.finish()
    assert not threaded._thread.is_alive()


def test_a_failed_run_stops_the_thread_without_the_rows_held(tmp_path: Path) -> None:
    threaded = ThreadedRows(ParquetRows(tmp_path / "stopped.parquet", {"seed": 1}))
    with pytest.raises(KeyboardInterrupt), threaded:  # noqa: PT012
        threaded.write(_blocks(1)[0])  # fewer rows than a row group: held back for the next block
        raise KeyboardInterrupt
    assert not threaded._thread.is_alive()
    assert pq.read_table(tmp_path / "stopped.parquet").num_rows == 0  # closed, its last rows not written
