"""A full disk stops a sweep at once, with every finished file kept and nothing half-written.

When a write fails because the file system is full (``ENOSPC``) or the user's quota is spent (``EDQUOT``),
every further task would simulate for nothing and fail the same way. The driver therefore stops the sweep at
the first such failure — on a worker or in its own writes — lets the executor wind down (the local pool lets
its few in-flight tasks finish; Dask cancels), removes the scratch files of interrupted writes, and raises
:class:`DiskFullError`. Every task file is written to a hidden name and renamed into place, so each one is
complete or absent; ``--resume`` after freeing space runs exactly the missing tasks.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

__all__ = ["DiskFullError", "is_disk_full"]

FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
"""``errno`` values of a write that found no space: a full file system, a spent quota."""


def is_disk_full(error: OSError) -> bool:
    """Whether ``error`` is a write that found no space (also when raised on a worker and sent back)."""
    return error.errno in FULL


class DiskFullError(RuntimeError):
    """The sweep stopped because its directory's file system is full.

    Attributes
    ----------
    out : Path
        The sweep directory.
    finished, total : int
        Tasks whose files are complete, and tasks in the sweep.
    """

    def __init__(self, out: Path, where: str, cause: OSError, finished: int, total: int):
        self.out = out
        self.finished = finished
        self.total = total
        reason = os.strerror(cause.errno) if cause.errno else str(cause)
        super().__init__(
            f"no space left on the disk of {out} ({reason}, writing {where}): the sweep stopped with "
            f"{finished} of {total} tasks finished and kept, and nothing half-written; free some space "
            "and run again with --resume"
        )
