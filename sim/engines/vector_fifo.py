"""A station's queue as a grid: one row per replication, one column per place in FIFO order.

Every vector kernel works on this layout. Visits are ordered by replication, then arrival time (h), then
creation order — the reference engine's FIFO key. Rows are padded on the right with arrival ``+inf``
(a visit that never arrives: it sorts last and gets ``+inf`` times), so a kernel can run down the columns
for all replications at once, or along one row as a prefix scan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Fifo", "fifo"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Fifo:
    """The visits of one station in FIFO order, as a (rows × columns) grid.

    Attributes
    ----------
    visits : ndarray of int64
        Visit indices in FIFO order, row after row.
    rows, cols : ndarray of int64
        Grid position of each entry of ``visits``.
    shape : tuple of int
        ``(replications, longest queue)``.
    arrive : ndarray of float64, shape ``shape``
        Arrival times (h), ``+inf`` in padding and for visits that never arrive.
    counts : ndarray of int64
        Visits with a finite arrival time, per row (they come first in the row).
    """

    visits: IntArray
    rows: IntArray
    cols: IntArray
    shape: tuple[int, int]
    arrive: FloatArray
    counts: IntArray

    def grid(self, values: FloatArray, fill: float) -> FloatArray:
        """Spread per-visit ``values`` (indexed by visit) on the grid, ``fill`` elsewhere."""
        out = np.full(self.shape, fill)
        out[self.rows, self.cols] = values[self.visits]
        return out

    def flat(self, grid: FloatArray) -> FloatArray:
        """The grid's entries in the order of :attr:`visits`."""
        return grid[self.rows, self.cols]

    @property
    def longest(self) -> int:
        """Columns that hold at least one finite arrival."""
        return int(self.counts.max()) if self.counts.size else 0


def fifo(visits: IntArray, arrive: FloatArray, row_of_visit: IntArray, n_rows: int) -> Fifo:
    """Order a station's visits FIFO and lay them out on a grid.

    Parameters
    ----------
    visits : ndarray of int64
        The station's visit indices, increasing (so equal arrivals keep creation order).
    arrive : ndarray of float64
        Arrival time (h) of every visit of the block (indexed by visit).
    row_of_visit : ndarray of int64
        Row (replication within the block) of every visit.
    n_rows : int
        Replications in the block.
    """
    times = arrive[visits]
    if n_rows == 1:
        order = np.argsort(times, kind="stable")
        rows = np.zeros(visits.size, dtype=np.int64)
    else:
        unsorted_rows = row_of_visit[visits]
        order = np.lexsort((times, unsorted_rows))
        rows = unsorted_rows[order]
    ordered = visits[order]
    times = times[order]
    per_row = np.bincount(rows, minlength=n_rows).astype(np.int64)
    row_first = np.concatenate([[0], np.cumsum(per_row)[:-1]]).astype(np.int64)
    cols = np.arange(ordered.size, dtype=np.int64) - row_first[rows]
    shape = (n_rows, int(per_row.max()) if per_row.size else 0)
    grid = np.full(shape, np.inf)
    grid[rows, cols] = times
    counts = np.bincount(rows, weights=np.isfinite(times), minlength=n_rows).astype(np.int64)
    return Fifo(ordered, rows, cols, shape, grid, counts)
