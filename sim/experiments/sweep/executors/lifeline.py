"""Worker processes that die with their driver, however the driver dies.

A driver killed with SIGKILL cannot shut its process pool down, and the workers of a
:class:`concurrent.futures.ProcessPoolExecutor` only notice when they next read from the call queue — a
worker busy with a long task (hundreds of MB) would live on for minutes. :func:`die_with_parent`, called in
each worker as it starts, makes sure it does not:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` asks the kernel to kill the worker the moment its parent
  dies (set through ``ctypes``; the parent is the driver, which spawned it from its main thread);
- everywhere, a daemon thread checks every :data:`WATCH_INTERVAL_S` seconds that the parent is still the
  driver, and kills its own process when it is not (the parent died and the worker was re-parented) — the
  fallback where ``prctl`` is unavailable;
- a driver that died before either was in place is noticed at once (the parent is already another process).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

__all__ = ["WATCH_INTERVAL_S", "die_with_parent"]

WATCH_INTERVAL_S = 0.5
PR_SET_PDEATHSIG = 1


def die_with_parent(driver_pid: int) -> None:
    """Make this process die when ``driver_pid``, its parent, dies (see the module docstring)."""
    _ask_kernel()
    if os.getppid() != driver_pid:
        _die()
    threading.Thread(target=_watch, args=(driver_pid,), name="watch-driver", daemon=True).start()


def _ask_kernel() -> None:
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def _watch(driver_pid: int) -> None:
    while os.getppid() == driver_pid:
        time.sleep(WATCH_INTERVAL_S)
    _die()


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)
