"""A Parquet file written block by block by a thread of its own, while the caller computes the next block.

Compressing and encoding a block's rows (:class:`sim.results.files.ParquetRows`) runs in pyarrow without the
GIL, so a streamed run (:mod:`sim.streaming`) hands each block's table to :class:`ThreadedRows` and goes on
drawing and simulating the next block while it is written. The file's bytes are those of
:class:`~sim.results.files.ParquetRows` fed the same tables: one thread writes them, in order. At most one
block is being written at a time: :meth:`ThreadedRows.write` first waits for the previous block to be
written, so memory holds at most one block's table beyond the block being computed.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING

from sim.results.files import ParquetRows

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ThreadedRows"]


class ThreadedRows:
    """A :class:`~sim.results.files.ParquetRows` fed by a thread; use as a context manager.

    Attributes
    ----------
    busy_s : float
        Seconds the thread spent writing (encoding, compressing, writing to disk).
    """

    def __init__(self, rows: ParquetRows) -> None:
        self.rows = rows
        self.busy_s = 0.0
        self._tables: queue.Queue[pa.Table | str] = queue.Queue()
        self._error: BaseException | None = None
        self._finished = False
        self._thread = threading.Thread(target=self._work, name=f"writing {rows.path.name}", daemon=True)

    def __enter__(self) -> ThreadedRows:
        """Start the thread."""
        self._thread.start()
        return self

    def write(self, table: pa.Table) -> None:
        """Hand ``table`` to the thread once the previous one is written; raise the thread's error, if any."""
        self._wait()
        self._tables.put(table)

    def finish(self) -> None:
        """Let the thread close the file after the tables it was handed; return at once (``__exit__`` waits).

        The last block's table is still being written while the caller joins the KPIs and writes the small
        files. An error the thread already met is raised here, a later one by :meth:`__exit__`.
        """
        if not self._finished:
            if self._error is not None:
                raise self._error
            self._finished = True
            self._tables.put(_END)

    def _wait(self) -> None:
        self._tables.join()
        if self._error is not None:
            raise self._error

    def _work(self) -> None:
        while True:
            item = self._tables.get()
            began = time.perf_counter()
            try:
                if isinstance(item, str):  # the end of the file (complete) or the run's failure (abandoned)
                    self.rows.__exit__(None if item == _END and self._error is None else BaseException)
                    return
                if self._error is None:
                    self.rows.write(item)
            except BaseException as error:  # handed to the caller, which raises it
                self._error = error
            finally:
                item = ""  # the table is not kept alive until the next one arrives
                self.busy_s += time.perf_counter() - began
                self._tables.task_done()

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Wait until the file is complete (or, after an error, closed) and the thread has stopped."""
        try:
            if kind is None:
                self.finish()
        finally:
            if not self._finished:
                self._tables.put(_ABANDON)
            self._thread.join()
        if kind is None and self._error is not None:
            raise self._error


_END = "end"
_ABANDON = "abandon"
