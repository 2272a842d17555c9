"""Room on a Dask worker: refuse a task that would push its worker past Dask's pause line.

Dask's worker memory manager *pauses* a worker whose process memory passes ``distributed.worker.memory.pause``
(a fraction, 0.8 by default) of its ``memory_limit``: it starts no further task until its memory falls. A
worker's loaded libraries (numpy, pandas, pyarrow, scipy, numba and its compiled loops: ~0.4 GB) never fall,
so a worker whose limit is too small for them plus a task pauses for good and a sweep waits on it forever
(seen with workers of 500 MB).

Every sweep task on Dask therefore starts with :func:`check_room` (:func:`run_task`): the worker's memory
*once loaded* — its process memory as Dask measures it, at least :data:`~sim.footprint.BASE_BYTES` (the
compiled loops load during a worker's first task, after this check) — plus the task's own footprint (its
blocks of replications and KPI tables, :mod:`sim.footprint`, as the planner estimates them) must stay under
the pause line. Otherwise the task raises :class:`WorkerMemoryError` before simulating anything, and the
driver stops the sweep with a message naming the numbers and the setting to change
(:mod:`.dask_watch`). The worker's loaded memory is measured at its first task and kept, so memory that a
finished task's blocks leave for reuse never counts against the next one. A worker without a memory limit,
or with pausing turned off, is not checked.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.experiments.sweep.built import WORKER_POINTS
from sim.experiments.sweep.task import TaskOrder, TaskReport, execute
from sim.footprint import BASE_BYTES

if TYPE_CHECKING:
    from sim.scenario.layers import Layered

__all__ = ["PAUSE_SETTING", "WorkerMemoryError", "WorkerRoom", "check_room", "run_task"]

PAUSE_SETTING = "distributed.worker.memory.pause"
"""The Dask setting of the fraction of its memory limit at which a worker pauses."""

_LOADED: list[int] = []
"""In a worker: its process memory at its first task (bytes), set once by :func:`check_room`."""
_LOADED_LOCK = threading.Lock()


@dataclass(frozen=True)
class WorkerRoom:
    """A worker's memory against a task's need (bytes).

    Attributes
    ----------
    worker : str
        The worker's address.
    limit : int
        Its ``memory_limit``.
    pause : float
        The fraction of ``limit`` at which Dask pauses it (``distributed.worker.memory.pause``).
    holds : int
        Its process memory at its first task, with the task machinery imported.
    loaded : int
        What it holds once loaded: ``holds``, at least :data:`~sim.footprint.BASE_BYTES`.
    needs : float
        The task's footprint on top (its blocks and KPI tables).
    task : str
        The task's name.
    """

    worker: str
    limit: int
    pause: float
    holds: int
    loaded: int
    needs: float
    task: str

    @property
    def pause_line(self) -> float:
        """Process memory at which Dask pauses the worker (bytes)."""
        return self.limit * self.pause

    @property
    def fits(self) -> bool:
        """Whether the loaded worker runs the task below the pause line."""
        return self.loaded + self.needs <= self.pause_line


class WorkerMemoryError(RuntimeError):
    """A worker's memory limit leaves no room for a task below Dask's pause line (see :class:`WorkerRoom`)."""

    def __init__(self, room: WorkerRoom):
        super().__init__(room)  # the room is the only argument: the error pickles back to the driver
        self.room = room

    def __str__(self) -> str:
        room = self.room
        loading = f" (~{mib(room.loaded)} once its compiled loops load)" if room.loaded > room.holds else ""
        return (
            f"worker {room.worker} has a memory limit of {mib(room.limit)}, and Dask pauses it at "
            f"{room.pause:.0%} of that ({PAUSE_SETTING}), {mib(room.pause_line)}; it holds "
            f"{mib(room.holds)}{loading}, and {room.task} needs ~{mib(room.needs)} more"
        )


def mib(value: float) -> str:
    """Bytes for messages, in MiB as Dask's own messages show them."""
    return f"{value / 2**20:,.0f} MiB"


def run_task(order: TaskOrder, base: Layered) -> TaskReport:
    """A sweep task on a Dask worker: :func:`check_room`, then :func:`~sim.experiments.sweep.task.execute`."""
    check_room(order, base)
    return execute(order, base)


def check_room(order: TaskOrder, base: Layered) -> None:
    """Raise :class:`WorkerMemoryError` when this worker would pass its pause line running ``order``.

    Does nothing outside a Dask worker, without a memory limit, or with pausing off.
    """
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:  # not on a worker (called directly)
        return
    manager = worker.memory_manager
    limit, pause = manager.memory_limit, manager.memory_pause_fraction
    if not limit or pause is False:
        return
    with _LOADED_LOCK:
        if not _LOADED:
            _LOADED.append(int(worker.monitor.get_process_memory()))
        holds = _LOADED[0]
    room = WorkerRoom(
        worker.address,
        int(limit),
        float(pause),
        holds,
        max(holds, BASE_BYTES),
        task_bytes(order, base),
        order.key,
    )
    if not room.fits:
        raise WorkerMemoryError(room)


def task_bytes(order: TaskOrder, base: Layered) -> float:
    """A task's memory besides the loaded worker (bytes): its points' blocks and KPI tables, stacked."""
    total = 0.0
    for each in (order, *order.companions):
        size = WORKER_POINTS.get(each, base).size(order.count)
        total += size.block_bytes(order.count) + size.kpi_bytes
    return total
