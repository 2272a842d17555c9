"""Where a sweep's results live, and how each file is written so that nothing finished is ever lost.

Layout of a sweep directory::

    OUT/manifest.json                          points (values, scenario hash, seed) and tasks (atomic)
    OUT/sweep.yaml                             a copy of the sweep file as run
    OUT/base_scenario.yaml                     the resolved base scenario
    OUT/kpis/point=0007/block=0002.parquet     one file per task: KPIs per replication, tidy

The ``kpis/`` directory is a Hive-partitioned Parquet dataset (``pandas.read_parquet("OUT/kpis")`` adds a
``point`` column from the directory names). Each task file is written to a hidden temporary name in its
directory, flushed to disk and renamed into place, so a file either exists complete or not at all; readers
skip the hidden names. A task is finished exactly when its file exists and the provenance in its Parquet
metadata matches what the task would write (:func:`is_finished`).
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.results.files import read_provenance, write_json, write_parquet

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "MANIFEST",
    "is_finished",
    "point_dir",
    "read_manifest",
    "remove_stale_temporaries",
    "task_file",
    "visits_file",
    "write_atomic_json",
    "write_atomic_parquet",
    "write_atomic_text",
]

MANIFEST = "manifest.json"
KPIS = "kpis"
VISITS = "visits"
IGNORED_IN_MATCH = frozenset({"git_commit"})
"""Provenance entries that may differ between a finished file and a resumed run (the code is the same
package version; a commit made between a crash and a resume does not invalidate finished tasks)."""


def point_dir(point: int) -> str:
    """``kpis/point=0007``: the partition of one point (zero-padded so that listings sort)."""
    return f"{KPIS}/point={point:04d}"


def task_file(point: int, block: int) -> str:
    """``kpis/point=0007/block=0002.parquet``, relative to the sweep directory."""
    return f"{point_dir(point)}/block={block:04d}.parquet"


def visits_file(point: int, block: int) -> str:
    """``visits/point=0007/block=0002.parquet``: a task's visits, when the sweep keeps them."""
    return f"{VISITS}/point={point:04d}/block={block:04d}.parquet"


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[Path]:
    """A hidden scratch file next to ``target``, renamed over it when the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    os.close(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # permissions follow the umask
    try:
        yield scratch
        with scratch.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)


def write_atomic_parquet(frame: pd.DataFrame | pa.Table, target: Path, provenance: dict[str, Any]) -> None:
    """Write ``frame`` with ``provenance`` in its metadata; ``target`` appears complete or not at all."""
    with _temporary(target) as scratch:
        write_parquet(frame, scratch, provenance)


def write_atomic_json(data: Any, target: Path) -> None:
    """Write JSON (sorted keys) atomically."""
    with _temporary(target) as scratch:
        write_json(data, scratch)


def write_atomic_text(text: str, target: Path) -> None:
    """Write UTF-8 text atomically."""
    with _temporary(target) as scratch:
        scratch.write_text(text, encoding="utf-8")


def is_finished(target: Path, provenance: dict[str, Any]) -> bool:
    """Whether ``target`` exists, is readable Parquet and carries ``provenance`` (git commit aside)."""
    if not target.is_file():
        return False
    try:
        found = read_provenance(target)
    except (OSError, ValueError, KeyError):
        return False
    keys = (set(found) | set(provenance)) - IGNORED_IN_MATCH
    return all(found.get(k) == provenance.get(k) for k in keys)


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of the sweep in ``directory``, or None when there is none."""
    path = directory / MANIFEST
    if not path.is_file():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def remove_stale_temporaries(directory: Path) -> int:
    """Delete scratch files left by killed workers (only when no task is running); return how many."""
    stale = [path for kind in (KPIS, VISITS) for path in (directory / kind).glob("point=*/.*.tmp")]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)
