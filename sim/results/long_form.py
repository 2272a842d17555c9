"""KPI tables in long form: one value per (table, key, period, metric, replication).

The reductions (:mod:`sim.results.kpis`, :mod:`sim.results.kpis_by_group`) give each table as a dense
array of values over its labels; :class:`LongTable` keeps it so until the run's blocks are joined, and
:meth:`LongTable.columns` lays it out as the long columns of ``kpis_by_replication``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from sim.arrays import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "LongTable", "joined_blocks", "long_frame"]

COLUMNS = ("table", "key", "period", "metric", "replication", "value")
"""The columns of a long KPI table."""


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

    def columns(self, numbers: IntArray) -> dict[str, NDArray[Any]]:
        """The long-form columns of the table (label columns as object arrays).

        ``numbers`` are the replication numbers of the last axis of :attr:`values`.
        """
        metrics = np.asarray(self.metrics, dtype=object)
        if self.observed is not None:  # (key, replication) pairs in key order, then replication order
            key, rep = np.nonzero(self.observed)
            n = key.size
            return {
                "table": np.full(n * metrics.size, self.table, dtype=object),
                "key": np.tile(np.asarray(self.keys, dtype=object)[key], metrics.size),
                "period": np.full(n * metrics.size, "", dtype=object),
                "metric": np.repeat(metrics, n),
                "replication": np.tile(numbers[rep], metrics.size),
                "value": self.values[:, :, 0, :][:, key, rep].reshape(-1),
            }
        m, k, p, r = self.values.shape
        grid = np.indices((m, k, p, r)).reshape(4, -1)
        return {
            "table": np.full(grid.shape[1], self.table, dtype=object),
            "key": np.asarray(self.keys, dtype=object)[grid[1]],
            "period": np.asarray(self.periods, dtype=object)[grid[2]],
            "metric": metrics[grid[0]],
            "replication": numbers[grid[3]],
            "value": self.values.reshape(-1),
        }


def long_frame(blocks: list[list[LongTable]], replications: list[int]) -> pd.DataFrame:
    """The long table of the same tables computed on consecutive blocks of replications.

    Each block lists the same tables in the same order; ``replications`` are the numbers of all the
    blocks' replications, in order. Every table's blocks are joined side by side (a table's cells keep
    their order, each with the replications of every block in turn), then laid out one table after the
    other.
    """
    import pandas as pd

    numbers = np.asarray(replications, dtype=np.int64)
    columns: dict[str, list[NDArray[Any]]] = {c: [] for c in COLUMNS}
    for first, *rest in zip(*blocks, strict=True):
        for name, column in first.joined(*rest).columns(numbers).items():
            columns[name].append(column)
    if not columns["value"]:
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if c == "replication" else object) for c in COLUMNS})
    # object arrays of str become pandas' str columns, as the grouped tables gave
    return pd.DataFrame({name: np.concatenate(chunks) for name, chunks in columns.items()})


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
