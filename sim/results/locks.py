"""One writer per output: an advisory lock file beside the result directory.

``output_lock(target)`` holds ``fcntl.flock`` on ``PARENT/.NAME.lock`` (which records the holder's PID) for
as long as a command works on ``target`` — from before it simulates until its files are in place. A second
process asking for the same output is refused at once with an
:class:`~sim.results.destinations.OutputError` naming the holder. The kernel releases the lock when the
holder dies, however it dies (kill -9 included), so a lock never outlives its process. The lock is
re-entrant within a process (the command line claims the output, then the Python API writes into it), and the
lock file is removed when the lock is released.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sim.results.destinations import output_error

__all__ = ["lock_path", "output_lock"]

_HELD: dict[Path, int] = {}
"""Outputs this process holds, with how many nested ``output_lock`` blocks hold each."""


def lock_path(target: Path) -> Path:
    """``PARENT/.NAME.lock`` for the output ``PARENT/NAME``."""
    return target.parent / f".{target.name}.lock"


@contextlib.contextmanager
def output_lock(target: Path, option: str = "--out") -> Iterator[None]:
    """Hold the lock of the output ``target`` (whose parent must exist) while the block runs.

    Raises
    ------
    OutputError
        When another process holds it (the message names that process).
    """
    key = Path(os.path.abspath(target))
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    handle = _acquire(key, option)
    _HELD[key] = 1
    try:
        yield
    finally:
        del _HELD[key]
        lock_path(key).unlink(missing_ok=True)  # while still held: a waiting process then retries
        os.close(handle)


def _acquire(target: Path, option: str) -> int:
    """Open and lock the lock file; retry when it was replaced between the open and the lock."""
    path = lock_path(target)
    while True:
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as error:
            raise output_error(
                target,
                option,
                f"an output whose lock file {path} cannot be created ({error.strerror})",
                "an output in a directory this user can write to",
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            os.close(handle)
            raise output_error(
                target,
                option,
                f"an output in use by {holder} (another corridor-sim command is writing it; lock {path})",
                "a free output: wait for that process to finish, or choose another path",
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(handle).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(handle, 0)
            os.write(handle, f"{os.getpid()}\n".encode())
            return handle
        os.close(handle)  # the previous holder removed the file as we opened it: lock the new one


def _holder(handle: int) -> str:
    text = os.pread(handle, 32, 0).decode(errors="replace").strip()
    return f"process {text}" if text.isdigit() else "another process"
