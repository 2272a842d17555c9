"""The Dask driver's watch: paused workers, or a worker too small for a task, end a sweep with a message.

Dask pauses a worker whose process memory passes ``distributed.worker.memory.pause`` of its memory limit and
leaves it paused until its memory falls, which a worker's loaded libraries never do: a sweep would then wait
forever, silently. Two guards turn that into an :class:`~sim.errors.InputError` (exit 2, no traceback; the
finished task files stay, ``--resume`` runs the rest):

- each task first checks its worker's room (:mod:`.dask_memory`) and fails with
  :class:`~.dask_memory.WorkerMemoryError`, which :func:`too_small` words for the user;
- :class:`PauseWatch` asks the scheduler, every few seconds while tasks are pending, for its workers' status;
  when some worker is paused and no worker has executed anything for :data:`PAUSED_GRACE_S` seconds — a pause
  for any reason, also one that the check could not foresee (a task larger than its estimate, a compile) —
  :func:`stalled` words it.

Both messages name the limit, what the worker holds, the pause line and the setting to change, which depends
on where the workers came from (:data:`Where`).
"""

from __future__ import annotations

import math
import time
from typing import Any, Literal

from sim.errors import InputError, Problem
from sim.experiments.sweep.executors.dask_memory import PAUSE_SETTING, WorkerMemoryError, mib

__all__ = ["PAUSED_GRACE_S", "PauseWatch", "Where", "stalled", "too_small"]

PAUSED_GRACE_S = 15.0
"""Seconds that a paused worker and no task executing anywhere must last before the sweep stops (a pause
that memory ends — Dask collects garbage as it pauses — is over well within this)."""
SUGGESTED_MIN = 10**9
"""The smallest memory limit a message suggests (bytes): a loaded worker holds ~0.4 GB, more while it compiles
its loops on the first run after an install (docs/sweeps.md)."""

DEFAULT_PAUSE = 0.8
"""Dask's default ``distributed.worker.memory.pause``, for a suggestion when this process has pausing off."""

Where = Literal["local", "scheduler", "slurm"]
"""Where the workers came from: a LocalCluster of ours, a scheduler we joined, or our SLURM jobs."""

SETTING: dict[str, str] = {
    "local": "fewer --workers (a LocalCluster gives each worker the machine's memory divided by the workers)",
    "scheduler": "a larger memory limit for the cluster's workers (`dask worker --memory-limit`, or the "
    "`memory_limit` of the cluster that starts them)",
    "slurm": "a larger `memory` in the jobqueue.slurm section of your Dask configuration (per job, shared by "
    "its `processes` workers; see docs/sweeps.md)",
}


def too_small(error: WorkerMemoryError, where: Where) -> InputError:
    """The message for a task that found no room on its worker (see :mod:`.dask_memory`)."""
    room = error.room
    return _problem(
        f"{mib(room.limit)} limit per worker: {error}", room.loaded + room.needs, room.pause, where
    )


def stalled(workers: dict[str, dict[str, Any]], pause: float, where: Where, grace_s: float) -> InputError:
    """The message for a sweep whose paused workers leave every task waiting.

    ``workers`` are the scheduler's records of the paused workers by address
    (:meth:`distributed.Client.scheduler_info`); ``pause`` is the pause fraction of this process's Dask
    configuration (the workers' own may differ); ``grace_s`` how long no task has executed.
    """
    shown = "; ".join(
        f"{address} holds {mib(w['metrics']['memory'])} of its {_limit(w)}"
        for address, w in list(workers.items())[:3]
    )
    more = f" (and {len(workers) - 3} more)" if len(workers) > 3 else ""
    limits = sorted({_limit(w) for w in workers.values()})
    held = max(int(w["metrics"]["memory"]) for w in workers.values())
    value = (
        f"{', '.join(limits)} per worker: Dask paused {len(workers)} worker{'s' * (len(workers) > 1)} at "
        f"{f'{pause:.0%} of ' if pause else ''}its memory limit ({PAUSE_SETTING}) and no task ran for "
        f"{grace_s:.0f} s: "
        f"{shown}{more}. A paused worker starts no task until its memory falls, which a worker's loaded "
        "libraries never do"
    )
    return _problem(value, held, pause, where)


def _limit(worker: dict[str, Any]) -> str:
    limit = worker.get("memory_limit")
    return f"{mib(limit)} limit" if limit else "no memory limit"


def _problem(value: str, needed: float, pause: float, where: Where) -> InputError:
    step = 5 * 10**8  # suggest whole half-GB, in Dask's units ("1GB" is 10**9 bytes)
    fraction = pause or DEFAULT_PAUSE  # the workers paused, whatever this process's configuration says
    suggested = max(SUGGESTED_MIN, math.ceil(needed / fraction / step) * step)
    expected = (
        f"workers with room for the simulator and a task below the pause line, at least "
        f"{suggested / 10**9:g} GB each: {SETTING[where]}; or a higher {PAUSE_SETTING} in your Dask "
        "configuration (false turns pausing off). The finished tasks are kept: run again with --resume"
    )
    return InputError([Problem("<dask cluster>", None, ("memory_limit",), value, expected)])


class PauseWatch:
    """Notices a sweep that cannot go on because its workers are paused (see the module docstring).

    Parameters
    ----------
    grace_s : float
        How long a paused worker with nothing executing anywhere is allowed before :meth:`check` raises.
    """

    def __init__(self, grace_s: float = PAUSED_GRACE_S):
        self.grace_s = grace_s
        self._since: float | None = None

    def progressed(self) -> None:
        """A task finished: the sweep is moving."""
        self._since = None

    def check(self, workers: dict[str, Any], pause: float, where: Where) -> None:
        """Look at the scheduler's workers; raise :func:`stalled`'s error once the stall has lasted.

        ``workers`` is the ``workers`` entry of :meth:`distributed.Client.scheduler_info`.
        """
        paused = {address: w for address, w in workers.items() if w.get("status") == "paused"}
        executing = sum(
            w.get("metrics", {}).get("task_counts", {}).get("executing", 0) for w in workers.values()
        )
        if not paused or executing:
            self._since = None
            return
        now = time.monotonic()
        if self._since is None:
            self._since = now
        if now - self._since >= self.grace_s:
            raise stalled(paused, pause, where, self.grace_s)
