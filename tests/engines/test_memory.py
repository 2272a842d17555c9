"""Keeping freed memory: glibc serves the vector engine's large arrays from memory the process already has."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import resource, numpy as np
from sim.engines.memory import keep_freed_memory
kept = {kept}
if kept:
    assert keep_freed_memory()
np.ones(50_000_000).sum()                      # 400 MB, touched and freed
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
np.ones(50_000_000).sum()                      # the same again
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(kept: bool) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(kept=kept)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())


def test_a_second_large_array_reuses_memory_instead_of_faulting_it_in() -> None:
    """Without it the second array's pages fault in afresh, each zero-filled by the kernel (hundreds of huge
    pages, or 100,000 small ones); with it the memory of the first is reused and nothing faults."""
    assert _faults(kept=False) > 100
    assert _faults(kept=True) < 50
