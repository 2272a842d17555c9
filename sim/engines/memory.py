"""Keeping freed memory in the process, so the vector engine's large arrays do not fault in afresh each run.

The vector engine allocates and frees arrays of hundreds of megabytes per run (a 100-replication
``baseline_2024`` run holds 16 million visits). glibc hands such blocks straight back to the operating system
when they are freed, so the next allocation maps fresh pages and the kernel zero-fills them page by page:
on the CI machine that is 80,000 page faults and ~15% of the run's wall time. :func:`keep_freed_memory`
asks glibc to serve large blocks from its heap and keep freed memory for reuse instead.

It changes the whole process (its resident size stays at its peak), so the package never calls it on import:
the ``corridor`` command, its sweep workers and the benchmarks do.
"""

from __future__ import annotations

import ctypes

__all__ = ["keep_freed_memory"]

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameters (malloc.h)."""
LARGEST_FROM_HEAP = 1 << 30
"""Blocks up to this size (bytes) come from the heap rather than their own mapping."""
NEVER_TRIM = (1 << 31) - 1
"""Free memory at the top of the heap (bytes) kept rather than returned to the operating system."""


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse; False where the C library is not glibc (nothing changed)."""
    try:  # the process's own symbols hold its C library: no search (find_library runs ldconfig, ~35 ms)
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, LARGEST_FROM_HEAP)) and bool(mallopt(M_TRIM_THRESHOLD, NEVER_TRIM))
