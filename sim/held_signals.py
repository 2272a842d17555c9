"""SIGINT and SIGTERM held back while a block runs, and delivered when it ends.

Two places must not be cut by a signal: the two renames that replace a result
(:func:`sim.results.scratch.replace_directory`), and numba's compilation of a compiled loop
(:mod:`sim.compiled`), which calls back into Python through ctypes — an exception raised
there by a signal handler (``KeyboardInterrupt``, the command line's ``Terminated``) is printed and
ignored by ctypes, so Ctrl-C or SIGTERM during a first run's compilation would be lost and the run would
finish as if nothing had happened.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["deferred_signals"]


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM while the block runs; deliver them when it ends.

    Only the main thread can change signal handlers; elsewhere the block runs unprotected.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(number: int, _: FrameType | None) -> None:
        caught.append(number)

    saved = {number: signal.signal(number, hold) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        if caught:
            signal.raise_signal(caught[0])
