"""Dask worker plugin of the sweep (imported only when a Dask executor starts: it imports distributed)."""

from __future__ import annotations

import logging
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

__all__ = ["LogLevel"]


class LogLevel(WorkerPlugin):
    """Set the ``sim`` logger's level on every worker, including workers that join later (SLURM jobs).

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
