"""A station's queue as a grid: one row per replication, one column per place in FIFO order.

Every vector kernel works on this layout. Visits are ordered by replication, then arrival time (h), then
creation order — the reference engine's FIFO key. Rows are padded on the right with arrival ``+inf``
(a visit that never arrives: it sorts last and gets ``+inf`` times), so a kernel can run down the columns
for all replications at once, or along one row as a prefix scan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray

__all__ = ["Fifo", "fifo"]


@dataclass(frozen=True)
class Fifo:
    """The visits of one station (or of a batch of stations) in FIFO order, as a (rows × columns) grid.

    Attributes
    ----------
    cells : ndarray of int64, shape ``shape``
        The visit in each cell of the grid (padding cells repeat a real visit; see :attr:`padding`).
    padding : ndarray of bool, shape ``shape``, or None
        Cells that hold no visit (the end of rows shorter than the longest); ``None`` when there are none.
    arrive : ndarray of float64, shape ``shape``
        Arrival times (h) in FIFO order, ``+inf`` in padding and for visits that never arrive.
    counts : ndarray of int64
        Visits with a finite arrival time, per row (they come first in the row).
    """

    cells: IntArray
    padding: BoolArray | None
    arrive: FloatArray
    counts: IntArray

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, longest queue)``."""
        rows, columns = self.cells.shape
        return rows, columns

    def grid(self, values: FloatArray, fill: float) -> FloatArray:
        """Per-visit ``values`` (indexed by visit) on the FIFO grid, ``fill`` in padding."""
        laid: FloatArray = values[self.cells]
        if self.padding is not None:
            np.putmask(laid, self.padding, fill)
        return laid

    def visits(self) -> IntArray:
        """The visits in FIFO order, row after row (padding left out)."""
        return self.cells.ravel() if self.padding is None else self.cells[~self.padding]

    def values(self, grid: FloatArray) -> FloatArray:
        """The grid's entries for the visits of :meth:`visits`, in the same order."""
        return grid.ravel() if self.padding is None else grid[~self.padding]

    def split(
        self, start: FloatArray, work: FloatArray, until: float
    ) -> tuple[IntArray, FloatArray, FloatArray, IntArray]:
        """The visits starting before ``until`` with their starts and ends (h), and the visits left waiting.

        ``start`` and ``work`` are on the grid (padding starts at ``+inf``, so it neither starts nor waits).
        """
        began = start < until
        begin = start[began]
        left = ~began if self.padding is None else ~(began | self.padding)
        return self.cells[began], begin, begin + work[began], self.cells[left]


def fifo(visits: IntArray, arrive: FloatArray, per_row: IntArray) -> Fifo:
    """Order visits FIFO and lay them out on a grid.

    Parameters
    ----------
    visits : ndarray of int64
        The visit indices, grouped by row in increasing row order and increasing within a row (so equal
        arrivals keep creation order).
    arrive : ndarray of float64
        Arrival time (h) of every visit of the block (indexed by visit).
    per_row : ndarray of int64
        How many of ``visits`` belong to each row (a replication, or a (station, replication) pair when
        stations are computed together).
    """
    times = arrive[visits]
    n_rows = per_row.size
    if n_rows == 1:
        # visits are in creation order, so a stable sort by arrival is the FIFO order
        order = np.argsort(times, kind="stable")
        times = times[order]
        count = np.array([np.isfinite(times).sum()], dtype=np.int64)
        return Fifo(visits[order].reshape(1, -1), None, times.reshape(1, -1), count)
    width = int(per_row.max()) if per_row.size else 0
    row_first = np.cumsum(per_row) - per_row
    shift = np.arange(n_rows, dtype=np.int64) * width - row_first  # cell of a visit minus its position
    padded = bool(visits.size < n_rows * width)
    if padded:
        unsorted = np.full(n_rows * width, np.inf)
        unsorted[np.arange(visits.size, dtype=np.int64) + np.repeat(shift, per_row)] = times
    else:
        unsorted = times
    # a stable sort of each row by arrival is the FIFO order; arrivals are nearly sorted already, which
    # timsort exploits
    order = np.argsort(unsorted.reshape(n_rows, width), axis=1, kind="stable")
    order += (np.arange(n_rows, dtype=np.int64) * width)[:, None]
    grid = unsorted[order]
    order -= shift[:, None]  # the position in ``visits`` of each cell's visit (past it: padding)
    np.minimum(order, visits.size - 1, out=order)
    cells = visits[order]
    counts = np.isfinite(grid).sum(axis=1).astype(np.int64)
    padding = np.arange(width)[None, :] >= per_row[:, None] if padded else None
    return Fifo(cells, padding, grid, counts)
