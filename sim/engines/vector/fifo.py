"""A station's queue as a grid: one row per replication, one column per place in FIFO order.

Every vector kernel works on this layout. Visits are ordered by replication, then arrival time (h), then
creation order — the reference engine's FIFO key. Rows are padded on the right with arrival ``+inf``
(a visit that never arrives: it sorts last and gets ``+inf`` times), so a kernel can run down the columns
for all replications at once, or along each row in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.engines.vector.block_loops import fifo_rows

__all__ = ["Fifo", "fifo"]


@dataclass(frozen=True)
class Fifo:
    """The visits of one station (or of a batch of stations) in FIFO order, as a (rows × columns) grid.

    Attributes
    ----------
    cells : ndarray of int64, shape ``shape``
        The visit in each cell of the grid (padding cells repeat a real visit; see :attr:`padding`).
    arrive : ndarray of float64, shape ``shape``
        Arrival times (h) in FIFO order, ``+inf`` in padding and for visits that never arrive.
    counts : ndarray of int64
        Visits with a finite arrival time, per row (they come first in the row).
    sizes : ndarray of int64
        Visits per row (the cells after them are padding).
    work : ndarray of float64, shape ``shape``
        The visits' work (h) in FIFO order, 0 in padding.
    """

    cells: IntArray
    arrive: FloatArray
    counts: IntArray
    sizes: IntArray
    work: FloatArray

    @cached_property
    def padding(self) -> BoolArray | None:
        """Cells that hold no visit (the end of rows shorter than the longest); ``None`` when there are none.

        Made on first use: most kernels and hand-ons need only :attr:`sizes`.
        """
        rows, width = self.cells.shape
        if int(self.sizes.sum()) == rows * width:
            return None
        padding: BoolArray = np.arange(width)[None, :] >= self.sizes[:, None]
        return padding

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


def fifo(visits: IntArray, arrive: FloatArray, per_row: IntArray, work: FloatArray) -> Fifo:
    """Order visits FIFO and lay them out on a grid, with their work (one compiled pass, :mod:`.block_loops`).

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
    work : ndarray of float64
        Work (h) of every visit of the block (indexed by visit).
    """
    n_rows = per_row.size
    sizes = np.ascontiguousarray(per_row, dtype=np.int64)
    width = int(sizes.max()) if n_rows else 0
    cells = np.empty((n_rows, width), dtype=np.int64)
    times = np.empty((n_rows, width))
    spans = np.empty((n_rows, width))
    counts = np.empty(n_rows, dtype=np.int64)
    fifo_rows(np.ascontiguousarray(visits, dtype=np.int64), arrive, sizes, work, cells, times, spans, counts)
    return Fifo(cells, times, counts, sizes, spans)
