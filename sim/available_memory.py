"""Memory available to this process: the machine's free memory, or what its cgroup leaves, if less.

One home for the question both budgets ask — a streamed run's blocks of replications (:mod:`sim.footprint`)
and the vector engine's blocks of working memory (:mod:`sim.engines.vector.engine`) — so that both respect
the limit of a container or a Slurm job (cgroup v2 ``memory.max``), not only the machine's free memory.
"""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["available_bytes"]


def available_bytes() -> float:
    """Memory available to a new allocation (bytes; infinite where unknown).

    ``MemAvailable`` of the machine, or the room left under this process's cgroup (v2) limit where that is
    less (a container or a Slurm job).
    """
    found = math.inf
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    found = float(int(line.split()[1]) * 1024)
    except (OSError, ValueError):
        pass
    return min(found, _cgroup_room())


def _cgroup_room() -> float:
    """Bytes left under the cgroup v2 ``memory.max`` of this process (infinite when there is none)."""
    try:
        with open("/proc/self/cgroup", encoding="ascii") as groups:
            path = next((line.split(":", 2)[2].strip() for line in groups if line.startswith("0::")), None)
        if path is None:
            return math.inf
        base = Path("/sys/fs/cgroup") / path.lstrip("/")
        limit = (base / "memory.max").read_text(encoding="ascii").strip()
        if limit == "max":
            return math.inf
        return float(int(limit) - int((base / "memory.current").read_text(encoding="ascii")))
    except (OSError, ValueError, IndexError):
        return math.inf
