"""Writing a run's result directory atomically.

Files are written into a temporary sibling directory which then replaces the target in one rename, so a
failed or interrupted run leaves either the previous results or the new ones — never a mix.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["PROVENANCE_KEY", "VISITS", "atomic_directory", "read_provenance", "write_json", "write_parquet"]

PROVENANCE_KEY = b"corridor_sim.provenance"
ROW_GROUP_ROWS = 1 << 20
"""Rows per Parquet row group (about 8 MB per float column before compression): large enough for fast
scans, small enough that a reader filtering by replication skips most of a large file."""
COMPRESSION = "zstd"
VISITS = ("all", "none")
"""What a run keeps of its visits: all (``visits.parquet``) or none (KPIs, shipments and stations only)."""


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a scratch directory that replaces ``target`` when the block ends without error."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    scratch.chmod(0o777 & ~umask)
    try:
        yield scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    _replace(scratch, target)


def _replace(scratch: Path, target: Path) -> None:
    if not target.exists():
        os.replace(scratch, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.replace(target, retired / target.name)
    os.replace(scratch, target)
    shutil.rmtree(retired, ignore_errors=True)


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path, provenance: dict[str, Any]) -> None:
    """Write a table to Parquet (row groups of :data:`ROW_GROUP_ROWS`) with the run's provenance.

    Ids, labels and counts are zstd-compressed, ids and labels dictionary-encoded; floating-point columns
    are written plain (see the comment below).

    An Arrow table is written as it is; a DataFrame is converted first (with pandas' metadata, so that it
    reads back with its dtypes). The bytes depend only on the data and the provenance.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[PROVENANCE_KEY] = json.dumps(provenance, sort_keys=True).encode()
    labels = [
        f.name
        for f in table.schema
        if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    # times are near-random doubles: zstd saves ~40% of their bytes at twice the cost of writing them plain
    compression = {f.name: "none" if pa.types.is_floating(f.type) else COMPRESSION for f in table.schema}
    pq.write_table(
        table.replace_schema_metadata(metadata),
        path,
        row_group_size=ROW_GROUP_ROWS,
        compression=compression,
        use_dictionary=labels,  # ids and labels; times and sizes gain nothing from a dictionary
    )


def read_provenance(path: Path) -> dict[str, Any]:
    """The provenance stored in a Parquet file written by :func:`write_parquet`."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    loaded: dict[str, Any] = json.loads(metadata[PROVENANCE_KEY])
    return loaded


def write_json(data: Any, path: Path) -> None:
    """Write JSON with sorted keys; NaN becomes null."""
    path.write_text(json.dumps(_no_nan(data), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _no_nan(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nan(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
