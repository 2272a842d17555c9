"""Dask worker plugin of the sweep (imported only when a Dask executor starts: it imports distributed)."""

from __future__ import annotations

import logging
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

__all__ = ["LogLevel"]

TASK_PREFIX = "sweep-task-"


class LogLevel(WorkerPlugin):
    """Set the ``sim`` logger's level on every worker, including workers that join later (SLURM jobs).

    It also keeps Dask's own report of a failed sweep task off the worker's stderr — "Compute Failed" with
    the task's traceback — since the driver reports each failure itself, in one line; and the warnings of
    tasks cancelled when the driver stops a sweep (a full disk, Ctrl-C). Other records pass.

    Parameters
    ----------
    level : int
        A :mod:`logging` level; records at or above it are forwarded to the driver.
    """

    name = "corridor-sim-log-level"

    def __init__(self, level: int):
        self.level = level

    def setup(self, worker: Any) -> None:
        """Called by Dask on each worker when it starts or when the plugin is registered."""
        logging.getLogger("sim").setLevel(self.level)
        for name in ("distributed.worker", "distributed.worker.state_machine"):
            logger = logging.getLogger(name)
            if not any(isinstance(f, _ReportedByTheDriver) for f in logger.filters):
                logger.addFilter(_ReportedByTheDriver())


class _ReportedByTheDriver(logging.Filter):
    """Drop Dask's records about sweep tasks that failed or were cancelled (the driver reports those)."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        ours = TASK_PREFIX in text
        return not (ours and (text.startswith("Compute Failed") or "ended with CancelledError" in text))
