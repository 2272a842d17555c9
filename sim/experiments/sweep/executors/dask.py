"""The Dask executor: a LocalCluster on loopback, an existing scheduler, or a SLURM cluster (dask-jobqueue).

Dask is imported inside these functions only, so ``import sim`` and the local executor never load it.

- Each task is a Dask future keyed by its name; a worker that dies takes its tasks with it and the scheduler
  runs them again elsewhere (up to ``distributed.scheduler.allowed-failures`` times).
- The layered base scenario enters the graph once, as a small task of its own, rather than once per task;
  being a task (not scattered data) it is recomputed if the worker holding it dies.
- Worker records of the ``sim`` loggers are forwarded to the driver
  (:meth:`distributed.Client.forward_logging`), at the level set on every worker by
  :class:`sim.experiments.sweep.executors.dask_plugins.LogLevel`.
- A worker whose memory limit leaves no room for a task below Dask's pause line, or paused workers that
  leave every task waiting, end the sweep with an :class:`~sim.errors.InputError` naming the numbers and the
  setting to change, never a silent wait (:mod:`.dask_memory`, :mod:`.dask_watch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import time
import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from sim.errors import InputError, Problem
from sim.experiments.sweep.executors.base import SweepEvents
from sim.experiments.sweep.executors.dask_memory import WorkerMemoryError, run_task
from sim.experiments.sweep.executors.dask_watch import PAUSED_GRACE_S, PauseWatch, Where, too_small
from sim.experiments.sweep.task import TaskOrder
from sim.scenario.layers import Layered

__all__ = ["DaskExecutor"]

LOGGER = "sim"
IDLE_WARNING_S = 120
"""Warn when no task has finished for this long and no worker is connected."""
WATCH_S = 2.0
"""How often the driver looks at its workers while no task finishes (seconds; see :mod:`.dask_watch`)."""

log = logging.getLogger(__name__)


class DaskExecutor:
    """Run sweep tasks on Dask.

    Parameters
    ----------
    workers : int, optional
        LocalCluster: worker processes (default: CPU count). SLURM: workers to ask for (default: one job's
        worth). Ignored when joining a scheduler.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``) to join.
    slurm : bool
        Start a :class:`dask_jobqueue.SLURMCluster` from the user's jobqueue configuration.
    log_level : int, optional
        Level of forwarded worker records (default: the driver's ``sim`` logger level).
    paused_grace_s : float
        How long paused workers may leave every task waiting before the sweep stops (:mod:`.dask_watch`).
    """

    def __init__(
        self,
        workers: int | None = None,
        scheduler: str | None = None,
        slurm: bool = False,
        log_level: int | None = None,
        paused_grace_s: float = PAUSED_GRACE_S,
    ):
        self.workers = workers
        self.scheduler = scheduler
        self.slurm = slurm
        self.paused_grace_s = paused_grace_s
        self.log_level = logging.getLogger(LOGGER).getEffectiveLevel() if log_level is None else log_level
        self._cluster: Any = None
        self._client: Any = None
        self.description = "dask"

    def __enter__(self) -> DaskExecutor:
        try:
            client_class = _module("distributed").Client
        except ImportError:
            raise _problem(
                "--executor", "dask", "the cluster extra installed: pip install 'corridor-sim[cluster]'"
            ) from None
        if self.scheduler is not None:
            self._client = _join(client_class, self.scheduler)
            self.description = f"dask scheduler {self.scheduler}"
        else:
            self._cluster = _slurm_cluster(self.workers) if self.slurm else _local_cluster(self.workers)
            self._client = client_class(self._cluster)
            kind = "SLURM cluster" if self.slurm else "LocalCluster"
            self.description = f"dask {kind} {self._cluster.scheduler_address}"
        from sim.experiments.sweep.executors.dask_plugins import LogLevel

        self._client.register_plugin(LogLevel(self.log_level))
        self._client.forward_logging(LOGGER, level=self.log_level)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._client is not None:
            self._client.unforward_logging(LOGGER)
            if self._cluster is None:  # a shared cluster: leave its workers as they were
                from sim.experiments.sweep.executors.dask_plugins import LogLevel

                with contextlib.suppress(Exception):
                    self._client.unregister_worker_plugin(LogLevel.name)
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def run(self, orders: Sequence[TaskOrder], base: Layered, events: SweepEvents) -> None:
        """Submit every order and report each as it completes (in any order).

        Raises
        ------
        InputError
            When a worker has no room for a task below Dask's pause line, or paused workers leave every task
            waiting (:mod:`.dask_watch`); the tasks finished so far are kept.
        """
        wait = _module("distributed").wait
        client = self._client
        run_id = uuid.uuid4().hex[:8]
        shared = client.submit(_shared, base, key=f"sweep-base-{run_id}")
        futures = {
            client.submit(run_task, order, shared, key=f"{order.key}-{run_id}"): order for order in orders
        }
        pending = set(futures)
        watch = PauseWatch(self.paused_grace_s)
        quiet_since = time.monotonic()
        while pending:
            try:
                done, pending = wait(pending, timeout=WATCH_S, return_when="FIRST_COMPLETED")
            except TimeoutError:
                with contextlib.suppress(OSError, TimeoutError):  # no answer this time: look next time
                    workers = self._client.scheduler_info()["workers"]
                    watch.check(workers, _pause_fraction(), self._where)
                if time.monotonic() - quiet_since >= IDLE_WARNING_S:
                    self._warn_if_no_workers(len(pending))
                    quiet_since = time.monotonic()
                continue
            watch.progressed()
            quiet_since = time.monotonic()
            for future in done:
                _report(future, futures.pop(future), events, self._where)
        shared.release()

    @property
    def _where(self) -> Where:
        if self.scheduler is not None:
            return "scheduler"
        return "slurm" if self.slurm else "local"

    def _warn_if_no_workers(self, waiting: int) -> None:
        if not self._client.nthreads():
            where = "are the SLURM jobs still queued, or have they ended? (squeue)" if self.slurm else ""
            log.warning("no Dask worker is connected; %d tasks are waiting %s", waiting, where)


def _report(future: Any, order: TaskOrder, events: SweepEvents, where: Where) -> None:
    try:
        report = future.result()
    except WorkerMemoryError as error:  # every task would find the same worker too small: stop here
        raise too_small(error, where) from None
    except (Exception, asyncio.CancelledError) as error:  # a task's failure ends only that task
        events.failed(order, error)
    else:
        events.done(report)
    future.release()


def _module(name: str) -> Any:
    """Import a Dask module on first use (untyped for mypy: Dask's API is mostly unannotated)."""
    return importlib.import_module(name)


def _pause_fraction() -> float:
    """The pause fraction of this process's Dask configuration (for messages; 0 when pausing is off)."""
    fraction = _module("dask").config.get("distributed.worker.memory.pause", False)
    return float(fraction) if fraction is not False else 0.0


def _shared(base: Layered) -> Layered:
    """A task whose result is the layered base scenario (so it is stored once on the cluster)."""
    return base


def _local_cluster(workers: int | None) -> Any:
    return _module("distributed").LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # loopback, a free port: never another cluster's 8787
    )


def _slurm_cluster(workers: int | None) -> Any:
    try:
        slurm_cluster = _module("dask_jobqueue").SLURMCluster
    except ImportError:
        raise _problem(
            "--slurm", "set", "dask-jobqueue installed: pip install 'corridor-sim[cluster]'"
        ) from None
    try:
        cluster = slurm_cluster()
    except ValueError as error:
        raise _problem(
            "--slurm",
            f"an incomplete jobqueue configuration ({' '.join(str(error).split())})",
            "jobqueue.slurm settings in ~/.config/dask/jobqueue.yaml (see docs/sweeps.md)",
        ) from None
    except RuntimeError as error:  # Dask's "Cluster failed to start", e.g. an interface this host lacks
        raise _problem(
            "--slurm",
            f"a jobqueue configuration the scheduler cannot start with ({' '.join(str(error).split())})",
            "jobqueue.slurm settings that fit this machine, such as its network interface"
            " (see docs/sweeps.md)",
        ) from None
    if workers:
        cluster.scale(n=workers)
    else:
        cluster.scale(jobs=1)
    _check_submitted(cluster)
    return cluster


def _check_submitted(cluster: Any) -> None:
    """Wait until the jobs are submitted, and stop here if ``sbatch`` refused any (rather than wait forever).

    ``scale`` submits in the background; waiting on the cluster's state correction (a private but long-stable
    method of :class:`distributed.deploy.SpecCluster`) either raises the submission error or leaves jobs
    without a job id.
    """
    message = "its error is printed above"
    try:
        cluster.sync(cluster._correct_state)
    except Exception as error:  # whatever sbatch's failure raised, it is reported below
        message = " ".join(str(error).split())
    refused = [name for name, job in cluster.workers.items() if getattr(job, "job_id", None) is None]
    if refused or message != "its error is printed above":
        for name in refused:  # never started: nothing to cancel, and closing would trip over them
            del cluster.workers[name]
            cluster.worker_spec.pop(name, None)
        with contextlib.suppress(Exception):
            cluster.close()
        raise _problem(
            "--slurm",
            f"jobs that sbatch refused ({message})",
            "a jobqueue.slurm configuration that this SLURM accepts (see docs/sweeps.md)",
        )


def _join(client_class: Any, address: str) -> Any:
    try:
        return client_class(address)  # waits distributed.comm.timeouts.connect (30 s by default)
    except (OSError, TimeoutError, ValueError) as error:
        raise _problem(
            "--scheduler",
            f"{address!r} ({error.__class__.__name__}: {error})",
            "the address of a running Dask scheduler, such as tcp://10.0.0.5:8786",
        ) from None


def _problem(option: str, value: str, expected: str) -> InputError:
    return InputError([Problem("<command line>", None, (option,), value, expected)])
