"""Executors run sweep tasks somewhere and report each one back to the driver.

Two kinds, one interface (:class:`Executor`):

- ``local`` — a process pool on this machine (:mod:`sim.sweep.local`), no cluster needed;
- ``dask`` — a Dask cluster (:mod:`sim.sweep.cluster`): a LocalCluster on loopback, an existing scheduler, or
  a SLURM cluster from dask-jobqueue. Dask is imported only when this executor is made.

The driver passes :class:`SweepEvents` through which executors report progress; order of completion never
matters for the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Literal, Protocol

from sim.scenario.layers import Layered
from sim.sweep.task import TaskOrder, TaskReport

__all__ = ["Executor", "ExecutorKind", "SweepEvents", "make_executor"]

ExecutorKind = Literal["local", "dask"]


class SweepEvents:
    """What happens during a sweep; the default does nothing (the CLI shows a progress bar)."""

    def started(self, total: int, finished: int, where: str) -> None:
        """The sweep has ``total`` tasks of which ``finished`` were done before; tasks run on ``where``."""

    def done(self, report: TaskReport) -> None:
        """A task finished."""

    def retried(self, order: TaskOrder, reason: str) -> None:
        """A task is being run again (its worker died)."""

    def failed(self, order: TaskOrder, error: BaseException) -> None:
        """A task raised ``error``; the sweep goes on with the others and fails at the end."""


class Executor(Protocol):
    """Runs tasks; used as a context manager that starts and stops its workers."""

    description: str
    """Where tasks run, for messages (``local pool, 2 workers``)."""

    def __enter__(self) -> Executor:
        """Start the workers."""
        ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the workers."""
        ...

    def run(self, orders: Sequence[TaskOrder], base: Layered, events: SweepEvents) -> None:
        """Run every order (each exactly to completion or failure), reporting through ``events``."""
        ...


def make_executor(
    kind: ExecutorKind,
    workers: int | None = None,
    scheduler: str | None = None,
    slurm: bool = False,
    log_level: int | None = None,
) -> Executor:
    """The executor asked for on the command line.

    Parameters
    ----------
    kind : str
        ``local`` or ``dask``.
    workers : int, optional
        Worker processes (local: default the CPU count; dask LocalCluster: default the CPU count; SLURM: how
        many workers to ask the queue for, default 1 job's worth).
    scheduler : str, optional
        Address of a running Dask scheduler to join (dask only).
    slurm : bool
        Start a dask-jobqueue SLURMCluster from the user's jobqueue configuration (dask only).
    log_level : int, optional
        Level of worker log records forwarded to the driver (default: the driver's ``sim`` logger level).
    """
    if kind == "local":
        from sim.sweep.local import LocalPool

        return LocalPool(workers, log_level)
    from sim.sweep.cluster import DaskExecutor

    return DaskExecutor(workers, scheduler, slurm, log_level)
