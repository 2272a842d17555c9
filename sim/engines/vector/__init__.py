"""The vector engine: the reference engine's semantics computed with numpy arrays, station by station.

Where each part lives:

- :mod:`.engine` — :func:`simulate`: blocks of replications, the order of stations, cycles;
- :mod:`.order` — strongly connected groups of the station graph, upstream first;
- :mod:`.windows` — cycles settled window by window;
- :mod:`.block` — a block of replications and how one station's visits are computed in it;
- :mod:`.fifo` — a station's queue as a grid (replications × FIFO places);
- :mod:`.kernels` — the table of which kernel computes which station kind:
  :mod:`.single_server` (one-berth pools, chokepoints), :mod:`.berth_pool` (pools of two or more berths),
  :mod:`.service` (scheduled services); legs are one vector expression.
"""

from sim.engines.vector.engine import (
    BYTES_PER_VISIT,
    SweepLimitError,
    replication_blocks,
    simulate,
    working_memory_budget,
)

__all__ = ["BYTES_PER_VISIT", "SweepLimitError", "replication_blocks", "simulate", "working_memory_budget"]
