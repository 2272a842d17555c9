"""What a local pool's worker process runs: its initializer and its tasks.

A ``spawn``-ed worker imports the module of its initializer while it unpickles it, before any of our code
runs. So that module is this one, which imports nothing heavy (the packages it sits in load their names on
first use): :func:`start_worker` turns the garbage collector off, then imports the task machinery (numpy,
pandas, pyarrow, pydantic and the scenario models, numba, the simulation stack — about a million objects
that live as long as the process) and the base scenario, and freezes them out of the collector
(:func:`~sim.collector.freeze_loaded`). Imported with the collector on, they cost ~300 collections, ~0.06 s
of a worker's ~0.6 s start; the driver, the report (its tables, figures and sensitivity) and the command
line are never imported by a worker.
"""

from __future__ import annotations

import gc
import importlib
import logging
import logging.handlers
import pickle
import signal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.experiments.sweep.task import TaskOrder, TaskReport
    from sim.scenario.layers import Layered

__all__ = ["TASK_MODULES", "execute_order", "start_worker"]

LOGGER = "sim"
TASK_MODULES = (
    "sim.experiments.sweep.task",
    "pyarrow.compute",  # the task's table (sort, take)
    "pyarrow.parquet",  # its file
    "scipy.special",  # the Plan's gamma quantiles
    "pandas",  # the KPI table per replication is a DataFrame (sim.runner.RunResult.kpis_by_replication)
)
"""What every task imports, loaded by :func:`start_worker` with the collector off (the rest of the first
task's loading — numba's registries, its cached loops — happens on first call)."""

_BASE: list[Layered] = []
"""In a worker: the sweep's layered base scenario, set once by :func:`start_worker`."""


def execute_order(order: TaskOrder) -> TaskReport:
    """Run ``order`` in a worker, over the base scenario its pool started it with."""
    from sim.experiments.sweep.task import execute

    return execute(order, _BASE[0])


def start_worker(records: Any, level: int, driver_pid: int, base: bytes) -> None:
    """Pool initializer: load the task machinery, keep the base scenario, die with the driver, forward logs.

    ``base`` is the sweep's layered base scenario, pickled by the driver: it arrives once per worker and
    serves all its tasks (:func:`execute_order`); unpickled here rather than by the pool, its classes load
    with the collector off too. Freed memory is kept for reuse
    (:func:`~sim.engines.memory.keep_freed_memory`). A worker dies with its driver even when the driver is
    killed with SIGKILL (:func:`~sim.experiments.sweep.executors.lifeline.die_with_parent`).

    Ctrl-C reaches the whole process group; the driver handles it (shuts the pool down, keeps finished
    files), so a worker finishes its task instead of dying with a traceback. The queue's feeder thread is
    not joined at exit: were a sibling killed while writing to the queue, a join could hang this process's
    exit (and with it the pool's shutdown) for the sake of a log record.
    """
    gc.disable()
    try:
        from sim.experiments.sweep.executors.lifeline import die_with_parent

        die_with_parent(driver_pid)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a Ctrl-C held since birth: now ignored
        records.cancel_join_thread()
        from sim.engines.memory import keep_freed_memory

        keep_freed_memory()  # see sim.engines.memory
        for name in TASK_MODULES:
            importlib.import_module(name)
        _BASE[:] = [pickle.loads(base)]
    finally:
        from sim.collector import freeze_loaded

        freeze_loaded()  # what the tasks run is loaded: never scanned by the collector again (on from here)
    logger = logging.getLogger(LOGGER)
    logger.handlers = [logging.handlers.QueueHandler(records)]
    logger.setLevel(level)
    logger.propagate = False
