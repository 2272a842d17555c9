"""KPI tables in long form: one value per (table, key, period, metric, replication).

The reductions (:mod:`sim.results.kpis`, :mod:`sim.results.kpis_by_group`) give each table as a dense
array of values over its labels; :class:`LongTable` keeps it so until the run's blocks are joined, and
:meth:`LongTable.columns` lays it out as the long columns of ``kpis_by_replication``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "LongTable", "joined_blocks", "long_frame"]

COLUMNS = ("table", "key", "period", "metric", "replication", "value")
"""The columns of a long KPI table."""
LABELS = COLUMNS[:4]
"""Its label columns."""


@dataclass(frozen=True)
class LongTable:
    """One KPI table in long form: metric-major, then key, then period, then replication."""

    table: str
    keys: list[str]
    periods: list[str]
    metrics: list[str]
    values: FloatArray
    """Shape (metrics, keys, periods, replications)."""
    observed: BoolArray | None = None
    """Shape (keys, replications), for tables that list only the observed (key, replication) pairs."""

    def joined(self, *others: LongTable) -> LongTable:
        """The table with the replications of ``others`` appended."""
        parts = (self, *others)
        observed = None
        if self.observed is not None:
            observed = np.concatenate([p.observed for p in parts if p.observed is not None], axis=-1)
        values = np.concatenate([p.values for p in parts], axis=-1)
        return LongTable(self.table, self.keys, self.periods, self.metrics, values, observed)

    def columns(self, numbers: IntArray) -> tuple[list[Labelled], IntArray, FloatArray]:
        """The long-form columns of the table: the label columns, replication numbers and values.

        Each label column (``table``, ``key``, ``period``, ``metric``) is given as its labels and each row's
        index into them. ``numbers`` are the replication numbers of the last axis of :attr:`values`.
        """
        m = len(self.metrics)
        if self.observed is not None:  # (key, replication) pairs in key order, then replication order
            key, rep = np.nonzero(self.observed)
            n = key.size
            none = np.zeros(n * m, dtype=np.int64)
            labels = [
                ([self.table], none),
                (self.keys, np.tile(key, m)),
                ([""], none),
                (self.metrics, np.repeat(np.arange(m), n)),
            ]
            return labels, np.tile(numbers[rep], m), self.values[:, :, 0, :][:, key, rep].reshape(-1)
        grid = np.indices(self.values.shape).reshape(4, -1)
        labels = [
            ([self.table], np.zeros(grid.shape[1], dtype=np.int64)),
            (self.keys, grid[1]),
            (self.periods, grid[2]),
            (self.metrics, grid[0]),
        ]
        return labels, numbers[grid[3]], self.values.reshape(-1)


Labelled = tuple[list[str], IntArray]
"""A label column: its labels, and each row's index into them."""


def long_frame(
    blocks: list[list[LongTable]],
    replications: list[int],
    *more: tuple[list[list[LongTable]], list[int]],
) -> pd.DataFrame:
    """The long table of the same tables computed on consecutive blocks of replications.

    Each block lists the same tables in the same order; ``replications`` are the numbers of all the
    blocks' replications, in order. Every table's blocks are joined side by side (a table's cells keep
    their order, each with the replications of every block in turn), then laid out one table after the
    other. ``more`` are further such (blocks, replications) pairs, whose rows follow in order: one frame
    with the rows ``pd.concat`` of each pair's frame would give. Label columns are pandas' ``str`` columns,
    built by Arrow from each row's index into the labels.
    """
    import pandas as pd

    labels: list[list[Labelled]] = [[] for _ in LABELS]
    replication: list[IntArray] = []
    values: list[FloatArray] = []
    for section, numbered in ((blocks, replications), *more):
        numbers = np.asarray(numbered, dtype=np.int64)
        for first, *rest in zip(*section, strict=True):
            columns, reps, value = first.joined(*rest).columns(numbers)
            for chunks, column in zip(labels, columns, strict=True):
                chunks.append(column)
            replication.append(reps)
            values.append(value)
    if not values:
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if c == "replication" else object) for c in COLUMNS})
    frame: dict[str, Any] = {name: _strings(chunks) for name, chunks in zip(LABELS, labels, strict=True)}
    frame["replication"] = np.concatenate(replication)
    frame["value"] = np.concatenate(values)
    return pd.DataFrame(frame)


def _strings(chunks: list[Labelled]) -> Any:
    """One pandas ``str`` array of the label column given in ``chunks`` (labels, indices), in order."""
    import pandas as pd
    import pyarrow as pa

    if not sum(rows.size for _, rows in chunks):  # no rows: an object column, as pandas makes of none
        return np.empty(0, dtype=object)
    index: dict[str, int] = {}
    codes = []
    for names, rows in chunks:
        ids = np.array([index.setdefault(name, len(index)) for name in names], dtype=np.int64)
        codes.append(ids[rows] if ids.size else rows)
    every = pa.array(list(index), type=pa.large_string())
    return pd.array(every.take(pa.array(np.concatenate(codes))), dtype="str")


def joined_blocks(blocks: list[pd.DataFrame], replications: list[int]) -> pd.DataFrame:
    """Long DataFrames (each cell with its replications in order) of consecutive blocks, as one.

    Each block's table lists every (table, metric, key) cell with its replications in order, fastest; the
    joined table has the cells in the same order, each with the replications of every block in turn — the
    table one call over all the replications gives.

    Parameters
    ----------
    blocks : list of pandas.DataFrame
        One table per block, in replication order.
    replications : list of int
        How many replications each block holds.
    """
    import pandas as pd

    if len(blocks) == 1:
        return blocks[0]
    cells = [np.arange(len(frame)) // count for frame, count in zip(blocks, replications, strict=True)]
    joined = pd.concat(blocks, ignore_index=True)
    order = np.argsort(np.concatenate(cells), kind="stable")
    return joined.iloc[order].reset_index(drop=True)
