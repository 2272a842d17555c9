"""The local executor: a process pool on this machine (``spawn`` start method), no cluster needed.

A killed worker process breaks a :class:`concurrent.futures.ProcessPoolExecutor` and fails every task in
flight with :class:`~concurrent.futures.process.BrokenProcessPool`. The pool is then replaced and those tasks
are submitted again (each up to :data:`MAX_ATTEMPTS` times), so the sweep ends with every task done. Only a
few tasks per worker are in flight at once, which keeps that re-run small.

Workers die with the driver, even when it is killed with SIGKILL (:mod:`.lifeline`). Worker log records
travel back through a queue and are handled by the driver's loggers of the same name. The layered base
scenario goes to each worker once, when it starts (as the Dask executor stores it once on the cluster), not
with every task. What a worker runs — its initializer and its tasks — is in :mod:`.worker`, a module that
loads the task machinery with the collector off.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import multiprocessing
import os
import pickle
import signal
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sim.experiments.sweep.executors.base import SweepEvents
from sim.experiments.sweep.executors.worker import LOGGER, execute_order, start_worker

if TYPE_CHECKING:
    from sim.experiments.sweep.task import TaskOrder, TaskReport
    from sim.scenario.layers import Layered

__all__ = ["MAX_ATTEMPTS", "LocalPool"]

MAX_ATTEMPTS = 4
IN_FLIGHT_PER_WORKER = 2
LISTENER_STOP_S = 5.0
"""How long a pool's end waits for its log listener to stop (seconds; see :class:`_Listener`)."""


class LocalPool:
    """Process-pool executor.

    Parameters
    ----------
    workers : int, optional
        Worker processes (default: the number of CPUs).
    log_level : int, optional
        Level of worker records forwarded (default: the driver's ``sim`` logger level).
    """

    def __init__(self, workers: int | None = None, log_level: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.log_level = logging.getLogger(LOGGER).getEffectiveLevel() if log_level is None else log_level
        self.description = f"local pool, {self.workers} worker{'s' * (self.workers > 1)}"

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def run(self, orders: Sequence[TaskOrder], base: Layered, events: SweepEvents) -> None:
        """Run every order, replacing the pool whenever a worker process dies."""
        pending = deque(orders)
        attempts: Counter[str] = Counter()
        pickled = pickle.dumps(base, pickle.HIGHEST_PROTOCOL)  # unpickled by the worker (see .worker)
        while pending:
            context = multiprocessing.get_context("spawn")
            records: Any = context.Queue()
            listener = _Listener(records, _Redispatch())
            listener.start()
            pool = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=start_worker,
                initargs=(records, self.log_level, os.getpid(), pickled),
            )
            try:
                _drain(pool, pending, events, attempts, self.workers * IN_FLIGHT_PER_WORKER)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
                if not listener.stop_within(LISTENER_STOP_S):
                    records.cancel_join_thread()  # its lock died with a worker: never wait on it again
                records.close()
                records.join_thread()


def _drain(
    pool: ProcessPoolExecutor,
    pending: deque[TaskOrder],
    events: SweepEvents,
    attempts: Counter[str],
    window: int,
) -> None:
    """Feed ``pending`` through ``pool`` until it is empty or the pool breaks (in-flight orders go back)."""
    flight: dict[Future[TaskReport], TaskOrder] = {}
    broken = False
    while (pending and not broken) or flight:
        while pending and not broken and len(flight) < window:
            order = pending.popleft()
            attempts[order.key] += 1
            try:
                with _ctrl_c_held():  # a worker spawned here starts with Ctrl-C blocked
                    flight[pool.submit(execute_order, order)] = order
            except BrokenProcessPool:
                pending.appendleft(order)
                attempts[order.key] -= 1
                broken = True
        finished, _ = wait(flight, return_when=FIRST_COMPLETED)
        for future in finished:
            order = flight.pop(future)
            error = future.exception()
            if error is None:
                events.done(future.result())
            elif isinstance(error, BrokenProcessPool):
                broken = True
                _retry(order, pending, events, attempts)
            else:
                events.failed(order, error)


def _retry(order: TaskOrder, pending: deque[TaskOrder], events: SweepEvents, attempts: Counter[str]) -> None:
    if attempts[order.key] >= MAX_ATTEMPTS:
        events.failed(order, RuntimeError(f"{order.key}: its worker process died {MAX_ATTEMPTS} times"))
        return
    events.retried(order, "a worker process died")
    pending.appendleft(order)


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Block SIGINT in this thread while the block runs; a Ctrl-C meanwhile is delivered at the end.

    The pool spawns its workers inside ``submit``, and a spawned process inherits the signal mask. A worker
    therefore starts with Ctrl-C blocked and keeps it blocked through its imports until
    :func:`~.worker.start_worker` ignores it: a Ctrl-C that reaches the process group while a worker is still
    starting can no longer end it with a ``KeyboardInterrupt`` traceback. The driver's own Ctrl-C is only
    delayed to the end of the block, never lost.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _Listener(logging.handlers.QueueListener):
    """The driver's end of the workers' log queue, which it can stop even when the queue is wedged.

    A worker killed while putting a record into the queue dies holding the queue's write lock: the sentinel
    that :meth:`logging.handlers.QueueListener.stop` sends can then never be written, and ``stop`` waits
    forever (seen: a sweep hung after ``kill -9`` of a worker). :meth:`stop_within` waits a while, then lets
    the listener's daemon thread go with its queue (a fresh queue serves the next pool).
    """

    def stop_within(self, seconds: float) -> bool:
        """Stop the listener; False when its thread did not end within ``seconds`` (it is then left)."""
        thread = self._thread
        if thread is None:
            return True
        self._thread = None
        try:
            self.enqueue_sentinel()
        except (OSError, ValueError):  # a closed queue: the thread ends on its own or is left
            return False
        thread.join(seconds)
        return not thread.is_alive()


class _Redispatch(logging.Handler):
    """Hand a worker's record to the driver's logger of the same name (like Dask's log forwarding)."""

    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
