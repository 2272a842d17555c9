"""SIGTERM as an exception: a terminated command cleans up like an interrupted one.

Python's default SIGTERM action ends the process at once, skipping every ``finally`` — a result being
written would leave its scratch directory behind. While a ``corridor`` command runs, SIGTERM raises
:class:`Terminated` in the main thread instead (a :class:`KeyboardInterrupt`, so everything that cleans up
after Ctrl-C cleans up after it too), and the command exits with 143 (128 + SIGTERM).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["EXIT_TERMINATED", "Terminated", "sigterm_raises", "terminated"]

EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


_RECEIVED: list[int] = []
"""SIGTERMs received while :func:`sigterm_raises` was active (libraries may re-raise a plain interrupt)."""


def _raise(number: int, _: FrameType | None) -> None:
    _RECEIVED.append(number)
    raise Terminated


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while the block runs (main thread only; else no change)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _RECEIVED.clear()
    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def terminated() -> bool:
    """Whether SIGTERM arrived during the current (or last) :func:`sigterm_raises` block.

    Asked rather than read from the exception: typer turns any interrupt into exit code 130, and pyarrow
    replaces the exception raised while it writes by a plain :class:`KeyboardInterrupt`.
    """
    return bool(_RECEIVED)
