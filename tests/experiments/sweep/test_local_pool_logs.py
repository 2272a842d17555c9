"""The local pool's log queue never hangs the driver, even when a worker died holding the queue's lock.

Real processes: a spawned child takes the queue's write lock and exits without releasing it, as a worker
killed (``kill -9``) while logging does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from typing import Any

from sim.experiments.sweep.executors.local import _Listener, _Redispatch


def _die_holding(lock: Any) -> None:
    lock.acquire()
    os._exit(0)


def test_a_listener_stops_at_once_on_a_healthy_queue() -> None:
    records: Any = multiprocessing.get_context("spawn").Queue()
    listener = _Listener(records, _Redispatch())
    listener.start()
    records.put(logging.LogRecord("sim.test", logging.DEBUG, __file__, 1, "hello", None, None))
    assert listener.stop_within(30)
    records.close()
    records.join_thread()


def test_a_listener_whose_queue_lock_died_with_a_worker_is_let_go() -> None:
    context = multiprocessing.get_context("spawn")
    records: Any = context.Queue()
    listener = _Listener(records, _Redispatch())
    listener.start()
    worker = context.Process(target=_die_holding, args=(records._wlock,))
    worker.start()
    worker.join(60)
    assert worker.exitcode == 0
    began = time.monotonic()
    assert not listener.stop_within(1.0), "the sentinel cannot pass the dead worker's lock"
    records.cancel_join_thread()
    records.close()
    records.join_thread()
    assert time.monotonic() - began < 10, "the driver went on"
