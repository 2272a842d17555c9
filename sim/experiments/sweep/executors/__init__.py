"""Executors run sweep tasks somewhere and report each one back to the driver.

Two kinds, one interface (:class:`~sim.experiments.sweep.executors.base.Executor`):

- ``local`` — a process pool on this machine (:mod:`.local`), no cluster needed;
- ``dask`` — a Dask cluster (:mod:`.dask`): a LocalCluster on loopback, an existing scheduler, or a SLURM
  cluster from dask-jobqueue. Dask is imported only when this executor is made.

The driver passes :class:`~sim.experiments.sweep.executors.base.SweepEvents` through which executors report
progress; order of completion never matters for the results.
"""

from __future__ import annotations

from sim.experiments.sweep.executors.base import Executor, ExecutorKind, SweepEvents

__all__ = ["Executor", "ExecutorKind", "SweepEvents", "make_executor"]


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
        from sim.experiments.sweep.executors.local import LocalPool

        return LocalPool(workers, log_level)
    from sim.experiments.sweep.executors.dask import DaskExecutor

    return DaskExecutor(workers, scheduler, slurm, log_level)
