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
    """The visits of one station (or of a batch of stations) in FIFO order, as a (rows × columns) grid.

    Per-visit arrays stay in the order of :attr:`visits` (ascending: cheap to gather and scatter); only the
    station-local grid is in FIFO order.

    Attributes
    ----------
    visits : ndarray of int64
        The visit indices, as given (grouped by row, increasing within a row).
    places : ndarray of int64
        Cell of each visit in the grid before sorting (row-major flat index), or ``None`` for one row.
    order : ndarray of int64
        For each cell of the FIFO grid (row-major), the cell of the unsorted grid it comes from.
    shape : tuple of int
        ``(rows, longest queue)``.
    arrive : ndarray of float64, shape ``shape``
        Arrival times (h) in FIFO order, ``+inf`` in padding and for visits that never arrive.
    counts : ndarray of int64
        Visits with a finite arrival time, per row (they come first in the row).
    """

    visits: IntArray
    places: IntArray | None
    order: IntArray
    shape: tuple[int, int]
    arrive: FloatArray
    counts: IntArray

    def grid(self, values: FloatArray, fill: float) -> FloatArray:
        """Per-visit ``values`` (indexed by visit) on the FIFO grid, ``fill`` in padding."""
        if self.places is None:
            return values[self.visits][self.order].reshape(self.shape)
        unsorted = np.full(self.shape[0] * self.shape[1], fill)
        unsorted[self.places] = values[self.visits]
        return unsorted[self.order].reshape(self.shape)

    def back(self, grid: FloatArray) -> FloatArray:
        """The FIFO grid's entries, aligned with :attr:`visits`."""
        unsorted = np.empty(self.shape[0] * self.shape[1])
        unsorted[self.order] = grid.ravel()
        if self.places is None:
            return unsorted
        values: FloatArray = unsorted[self.places]
        return values


def fifo(visits: IntArray, arrive: FloatArray, rows: IntArray | None, n_rows: int) -> Fifo:
    """Order visits FIFO and lay them out on a grid.

    Parameters
    ----------
    visits : ndarray of int64
        The visit indices, grouped by row in increasing row order and increasing within a row (so equal
        arrivals keep creation order).
    arrive : ndarray of float64
        Arrival time (h) of every visit of the block (indexed by visit).
    rows : ndarray of int64 or None
        Row of each entry of ``visits`` (a replication, or a (station, replication) pair when stations are
        computed together); ``None`` with a single row.
    n_rows : int
        Rows in the grid.
    """
    times = arrive[visits]
    if rows is None or n_rows == 1:
        # visits are in creation order, so a stable sort by arrival is the FIFO order
        order = np.argsort(times, kind="stable")
        times = times[order]
        count = np.array([np.isfinite(times).sum()], dtype=np.int64)
        return Fifo(visits, None, order, (1, visits.size), times.reshape(1, -1), count)
    per_row = np.bincount(rows, minlength=n_rows).astype(np.int64)
    width = int(per_row.max()) if per_row.size else 0
    row_first = np.concatenate([[0], np.cumsum(per_row)[:-1]]).astype(np.int64)
    places = np.arange(visits.size, dtype=np.int64) + (rows * width - row_first[rows])
    unsorted = np.full(n_rows * width, np.inf)
    unsorted[places] = times
    # a stable sort of each row by arrival is the FIFO order; arrivals are nearly sorted already, which
    # timsort exploits
    order = np.argsort(unsorted.reshape(n_rows, width), axis=1, kind="stable")
    order += (np.arange(n_rows, dtype=np.int64) * width)[:, None]
    flat_order = order.ravel()
    grid = unsorted[flat_order].reshape(n_rows, width)
    counts = np.isfinite(grid).sum(axis=1).astype(np.int64)
    return Fifo(visits, places, flat_order, (n_rows, width), grid, counts)
