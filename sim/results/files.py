"""Writing a result directory atomically, only where it may be written, by one process at a time.

:func:`claim_output` checks the target (:func:`sim.results.destinations.check_destination`), creates its
parents, takes its lock (:mod:`sim.results.locks`) and sweeps up what a killed writer left
(:func:`sim.results.scratch.sweep_leftovers`) — the command line claims its output this way *before*
simulating. :func:`atomic_directory` writes into a scratch sibling which then replaces the target in one
rename, so a failed or interrupted run leaves either the previous results or the new ones — never a mix, and
never a scratch directory.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
from collections.abc import Iterator, Sequence
from json.encoder import encode_basestring_ascii as _quote
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.results.destinations import check_destination, output_error
from sim.results.locks import output_lock
from sim.results.scratch import make_scratch, replace_directory, sweep_leftovers

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "PROVENANCE_KEY",
    "VISITS",
    "ParquetRows",
    "atomic_directory",
    "claim_output",
    "read_provenance",
    "write_json",
    "write_parquet",
]

PROVENANCE_KEY = b"corridor_sim.provenance"
ROW_GROUP_ROWS = 1 << 20
"""Rows per Parquet row group (about 8 MB per float column before compression): large enough for fast
scans, small enough that a reader filtering by replication skips most of a large file."""
COMPRESSION = "snappy"
COMPRESSION_LEVEL: int | None = None
"""Snappy (Parquet's most widely read codec; it has no levels). On baseline_2024 it makes the shipments and
visits files 7.8 MB a replication (13.8 uncompressed floats, 6.7 with zstd level 1) and costs ~30 % less CPU
than zstd 1. The writer threads' compression became the critical path of a 100-replication run on two cores
once the engine, Plan and KPIs were compiled: snappy took the run from 7.5 to 6.6 s (best of 3, in one
process) for files 16 % larger than zstd's (benchmarks/LOG.md, "Codecs compared" and "The writers")."""
INTEGERS = "DELTA_BINARY_PACKED"
"""Encoding of integer columns (replication, shipment, seq): runs and increasing ids pack into a few bytes."""
VISITS = ("all", "none")
"""What a run keeps of its visits: all (``visits.parquet``) or none (KPIs, shipments and stations only)."""


@contextlib.contextmanager
def claim_output(
    target: str | Path, kind: str, inputs: Sequence[str | Path] = (), option: str = "--out"
) -> Iterator[Path]:
    """Check ``target``, create its parents and hold its lock while the block runs; yield its absolute path.

    Parameters
    ----------
    target : str or Path
        The result directory.
    kind : str
        What is written there (a key of :data:`sim.results.destinations.COMMANDS`).
    inputs : sequence of path
        Input files, which the output must not contain.
    option : str
        How the user named ``target``, for messages (``--out``, ``out``).

    Raises
    ------
    OutputError
        When the target may not be written (see :mod:`sim.results.destinations`) or another process holds it.
    """
    path = check_destination(target, kind, inputs, option)
    created = _make_parents(path, option)
    try:
        with output_lock(path, option):
            check_destination(target, kind, inputs, option)  # again: it may have changed before the lock
            sweep_leftovers(path)
            yield path
    except BaseException:
        for directory in created:
            with contextlib.suppress(OSError):
                directory.rmdir()  # only if still empty
        raise


def _make_parents(path: Path, option: str) -> list[Path]:
    """Create the missing parents of ``path``; return them, deepest first."""
    missing = [p for p in path.parents if not p.exists()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise output_error(
            path,
            option,
            f"a path whose parent cannot be created ({error.strerror})",
            "a path in a writable directory",
        ) from None
    return missing


@contextlib.contextmanager
def atomic_directory(target: str | Path, kind: str, option: str = "out") -> Iterator[Path]:
    """Yield a scratch directory that replaces ``target`` when the block ends without error.

    ``target`` is claimed as by :func:`claim_output` (a no-op re-check when the caller already holds it).
    On any exception — Ctrl-C and SIGTERM included — the scratch directory is removed and ``target`` is left
    as it was.
    """
    with claim_output(target, kind, option=option) as path:
        scratch = make_scratch(path)
        try:
            yield scratch
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        replace_directory(scratch, path)


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path, provenance: dict[str, Any]) -> None:
    """Write a table to Parquet (row groups of :data:`ROW_GROUP_ROWS`) with the run's provenance.

    Every column is compressed with :data:`COMPRESSION`; labels and dictionary-encoded ids
    are written with dictionary pages, integers delta-encoded (:data:`INTEGERS`), floats plain: values and
    Arrow types round-trip exactly.

    An Arrow table is written as it is; a DataFrame is converted first (with pandas' metadata, so that it
    reads back with its dtypes). The bytes depend only on the data and the provenance.
    """
    import pyarrow as pa

    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    with ParquetRows(path, provenance) as rows:
        rows.write(table)


class ParquetRows:
    """A Parquet file written block by block, byte for byte the file :func:`write_parquet` writes at once.

    Blocks are buffered and written as row groups of exactly :data:`ROW_GROUP_ROWS` rows (the last one
    shorter), so the file does not depend on how the rows were cut into blocks; at most one row group is
    held. The schema and writer options come from the first block. Use as a context manager: the file is
    complete when the block ends without error.
    """

    def __init__(self, path: Path, provenance: dict[str, Any]) -> None:
        self.path = path
        self.provenance = provenance
        self._writer: Any = None
        self._pending: list[pa.Table] = []
        self._rows = 0
        self._written = False

    def __enter__(self) -> ParquetRows:
        """The file, ready for :meth:`write`."""
        return self

    def write(self, table: pa.Table) -> None:
        """Append the rows of ``table`` (its schema must be the first block's)."""
        if self._writer is None:
            self._open(table.schema)
        self._pending.append(table)
        self._rows += table.num_rows
        while self._rows >= ROW_GROUP_ROWS:
            self._flush(ROW_GROUP_ROWS)
        if self._pending and self._rows:
            # a copy of the rows left over: a slice would keep the whole block (and the arrays it was built
            # from, such as the Trace) alive until the next row group is written
            import pyarrow as pa  # here, not at the top: `corridor --help` imports this module

            rest = pa.concat_tables(self._pending)
            copies = [pa.concat_arrays(column.chunks) for column in rest.columns]  # new buffers, one chunk
            self._pending = [pa.Table.from_arrays(copies, schema=rest.schema)]

    def _open(self, schema: pa.Schema) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        metadata = dict(schema.metadata or {})
        metadata[PROVENANCE_KEY] = json.dumps(self.provenance, sort_keys=True).encode()
        labels = [
            f.name
            for f in schema
            if pa.types.is_dictionary(f.type)
            or pa.types.is_string(f.type)
            or pa.types.is_large_string(f.type)
        ]
        integers = {f.name: INTEGERS for f in schema if pa.types.is_integer(f.type)}
        self._writer = pq.ParquetWriter(
            self.path,
            schema.with_metadata(metadata),
            compression=COMPRESSION,
            compression_level=COMPRESSION_LEVEL,
            use_dictionary=labels,  # ids and labels; times, sizes and costs gain little from a dictionary
            column_encoding=integers or None,
        )

    def _flush(self, rows: int) -> None:
        """Write the first ``rows`` pending rows as one row group.

        Only a row group that spans blocks is copied into one chunk; the others are slices of their block.
        """
        import pyarrow as pa

        parts, taken = [], 0
        while taken < rows:
            head = self._pending[0]
            part = head.slice(0, rows - taken)
            parts.append(part)
            taken += part.num_rows
            if part.num_rows == head.num_rows:
                self._pending.pop(0)
            else:
                self._pending[0] = head.slice(part.num_rows)
        if not parts:  # no rows at all: the schema's empty row group, as write_table writes
            group = self._pending[0].slice(0, 0)
        else:
            group = parts[0] if len(parts) == 1 else pa.concat_tables(parts).combine_chunks()
        self._writer.write_table(group, ROW_GROUP_ROWS)
        self._rows -= rows
        self._written = True

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Write the last row group and close the file (only close it after an error)."""
        if self._writer is None:
            return
        if kind is None and (self._rows or not self._written):
            self._flush(self._rows)  # an empty table still writes its (empty) row group, as write_table
        self._writer.close()


def read_provenance(path: Path) -> dict[str, Any]:
    """The provenance stored in a Parquet file written by :func:`write_parquet`."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    loaded: dict[str, Any] = json.loads(metadata[PROVENANCE_KEY])
    return loaded


def write_json(data: Any, path: Path) -> None:
    """Write JSON with sorted keys; NaN becomes null."""
    path.write_text(json_text(data) + "\n", encoding="utf-8")


def json_text(data: Any) -> str:
    """``json.dumps(data, indent=2, sort_keys=True)`` with NaN as null: the same text, ~3x faster.

    With ``indent`` the standard library encodes in Python, a generator per container (~45 ms for the 1 MB
    ``kpis.json`` of ``baseline_2024``, a fixed cost of every run). This joins each container's items at
    once, with the same conversions (:func:`json.encoder.encode_basestring_ascii` for text, ``float.__repr__``
    and ``int.__repr__`` for numbers, ``Infinity`` for infinite floats, keys sorted as ``sorted(items)``
    sorts them); anything else — a value JSON cannot hold, a key of another type — goes to the standard
    library, which encodes it or raises exactly as before (tests/results/test_json_text.py).
    """
    try:
        return _json_value(data, "\n")
    except (_NotPlainError, TypeError):  # TypeError: keys sorted() cannot order, which json.dumps refuses too
        return json.dumps(_no_nan(data), indent=2, sort_keys=True)


class _NotPlainError(Exception):
    """A value or key :func:`json_text` leaves to the standard library."""


_INF = float("inf")


def _json_value(value: Any, newline: str) -> str:
    """``value`` as JSON text; ``newline`` is a line break and the indentation of ``value``'s line."""
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is float:
        if -_INF < value < _INF:
            return float.__repr__(value)
        if math.isnan(value):
            return "null"
        return "Infinity" if value > 0 else "-Infinity"
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is dict:
        return _json_dict(value, newline) if value else "{}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + ("," + inner).join([_json_value(item, inner) for item in value]) + newline + "]"
    raise _NotPlainError


def _json_dict(value: dict[Any, Any], newline: str) -> str:
    """A non-empty dict (its common items — text keys, finite floats, text — without a call each)."""
    inner = newline + "  "
    parts = []
    for key, item in sorted(value.items()):
        if type(key) is not str:
            raise _NotPlainError
        kind = type(item)
        if kind is float and -_INF < item < _INF:  # neither NaN nor infinite
            text = float.__repr__(item)
        elif kind is str:
            text = _quote(item)
        else:
            text = _json_value(item, inner)
        parts.append(_quote(key) + ": " + text)
    return "{" + inner + ("," + inner).join(parts) + newline + "}"


def _no_nan(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nan(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
