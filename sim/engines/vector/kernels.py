"""Which kernel computes which station kind: the vector engine's dispatch table.

==========================  ==================================================  =======================
station kind                kernel                                              module
==========================  ==================================================  =======================
``service``                 FIFO boarding of timetabled departures              :mod:`.service`
``chokepoint``              compiled loop over the rows: slot spacing           :mod:`.single_server`
``berth`` with one berth    compiled loop over the rows: the work               :mod:`.single_server`
``berth`` with 2+ berths    compiled loop over the rows: earliest of the ends    :mod:`.berth_pool`
``leg``                     one vector expression (:func:`travel`)              this module
any with priority classes   a compiled event loop per row, a queue per class    :mod:`.priority`
==========================  ==================================================  =======================

Every kernel takes a station's visits on a FIFO grid (:mod:`.fifo`), a saved state and a time up to which to
commit starts, and returns the starts and the state it leaves the station in, so that the windowed settling
of cycles (:mod:`.windows`) can resume it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.arrays import FloatArray
from sim.class_draws import ClassArray
from sim.engines.vector.berth_pool import PoolState, berth_pool
from sim.engines.vector.fifo import Fifo
from sim.engines.vector.priority import PriorityState, priority
from sim.engines.vector.service import service
from sim.engines.vector.single_server import single_server
from sim.network import Station

__all__ = ["KernelState", "kernel", "kernel_kind", "travel", "unit_speed"]

KernelState = FloatArray | PoolState | PriorityState | int | None
"""Where a station is after the visits started so far: server free times (single server), the pool's ends,
each row's state (priority classes), the next departure (service), or nothing (a fresh station)."""

KernelKind = Literal["service", "single_server", "berth_pool", "priority"]


def kernel_kind(station: Station) -> KernelKind:
    """The kernel that computes a queueing station (see the table above)."""
    if station.has_priority:
        return "priority"
    if station.kind == "service":
        return "service"
    if station.kind == "chokepoint" or station.capacity.values.max() <= 1:
        return "single_server"
    return "berth_pool"


def kernel(
    station: Station,
    queue: Fifo,
    work: FloatArray,
    sizes: float | FloatArray,
    horizon_h: float,
    state: KernelState = None,
    until: float = np.inf,
    classes: ClassArray | None = None,
) -> tuple[FloatArray, KernelState]:
    """Start times on the queue's grid by the kernel of the station's kind, and the station's new state.

    ``work`` is the visits' work (h) on the queue's grid; ``sizes`` the shipments' sizes on it, or their one
    size (services only; ignored elsewhere); ``horizon_h`` the end of the run (services stop departing there);
    ``classes`` the visits' priority classes on the grid (stations with classes only).
    """
    kind = kernel_kind(station)
    if kind == "priority":
        assert classes is not None
        held = state if isinstance(state, PriorityState) else None
        return priority(queue.arrive, work, classes, queue.counts, station, station.capacity, held, until)
    if kind == "service":
        first = state if isinstance(state, int) else 0
        return service(queue.arrive, sizes, queue.counts, station, horizon_h, first, until)
    if kind == "single_server":
        free = state if isinstance(state, np.ndarray) else None
        slots_only = station.kind == "chokepoint"  # a transit holds the slot spacing, not the work
        return single_server(queue.arrive, None if slots_only else work, station.capacity, free, until)
    pool = state if isinstance(state, PoolState) else None
    return berth_pool(queue.arrive, work, queue.counts, station.capacity, pool, until)


def travel(depart: FloatArray, work: FloatArray, leg: Station) -> FloatArray:
    """Arrival at the far end of a leg (h): work over the speed factor at departure."""
    if unit_speed(leg):
        return depart + work  # x / 1.0 is x
    with np.errstate(divide="ignore"):
        arrival: FloatArray = depart + work / leg.capacity.at_many(depart)
    return arrival


def unit_speed(leg: Station) -> bool:
    """The leg's speed factor is 1 throughout (its visits end at start plus work exactly)."""
    return leg.capacity.is_constant and leg.capacity.values[0] == 1.0
