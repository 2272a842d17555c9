"""The vector engine: the reference engine's semantics computed station by station with numpy arrays.

A station's visits are all computed at once, for every replication of a block, once their arrival times
are known (:mod:`sim.engines.vector_fifo` lays them out; the kernels are :mod:`~sim.engines.vector_scan`
for one-berth pools and chokepoints, :mod:`~sim.engines.vector_pool` for multi-berth pools and
:mod:`~sim.engines.vector_service` for scheduled services; legs are one vector expression).

Order of computation (:mod:`sim.engines.vector_graph`): stations outside cycles of the station graph are
computed once, upstream first. Stations that feed each other (flows in both directions through the same
berths, a station visited at different route positions) are swept repeatedly, each sweep recomputing any
station whose arrivals changed, until no arrival changes. This is exact: with positive work every event
depends only on earlier events, so the system has one consistent solution, and a sweep that changes
nothing has found it; each sweep makes at least every event before the earliest change final, so the
iteration ends.

Times after the horizon become ``+inf`` as soon as they are computed (they are NaN in the Trace), which
keeps them out of every later comparison. Replications are independent: a run too large for memory is cut
into blocks of whole replications (:func:`replication_blocks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sim.engines.vector_fifo import Fifo, fifo
from sim.engines.vector_graph import Group, settle_order
from sim.engines.vector_pool import berth_pool
from sim.engines.vector_scan import single_server
from sim.engines.vector_service import service
from sim.network import Station
from sim.plan import Plan
from sim.trace import Trace

__all__ = ["BYTES_PER_VISIT", "SweepLimitError", "replication_blocks", "simulate"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

BYTES_PER_VISIT = 400
"""Working memory the engine needs per visit of a block (bytes), a bound measured by the benchmarks."""
DEFAULT_BLOCK_BYTES = 2 * 1024**3
"""Working memory allowed for one block when the machine's free memory is unknown (bytes)."""
MAX_SWEEPS = 100_000
"""Fixed-point sweeps of a cycle before giving up (never reached with positive work times)."""


class SweepLimitError(RuntimeError):
    """A cycle of stations did not settle (only possible with zero work times around a cycle)."""


def simulate(plan: Plan, block_bytes: int | None = None) -> Trace:
    """Simulate every replication of ``plan`` up to its horizon.

    Parameters
    ----------
    plan : Plan
        Shipments and draws.
    block_bytes : int, optional
        Working memory for one block of replications (bytes); by default a quarter of the memory available,
        at most 2 GiB.
    """
    arrive = np.full(plan.n_visits, np.inf)
    start = np.full(plan.n_visits, np.inf)
    end = np.full(plan.n_visits, np.inf)
    groups = settle_order(len(plan.network.stations), _station_pairs(plan))
    for first, last in replication_blocks(plan, block_bytes):
        block = _Block.of(plan, first, last)
        for group in groups:
            _settle(block, group)
        v0, v1 = block.visit_range
        arrive[v0:v1], start[v0:v1], end[v0:v1] = block.arrive, block.start, block.end
    return Trace.from_unmasked(arrive, start, end, plan.horizon_h)


def _station_pairs(plan: Plan) -> IntArray:
    """Distinct (station, next station) pairs visited in a row by some shipment."""
    last = np.zeros(plan.n_visits, dtype=bool)
    last[plan.first_visit[1:] - 1] = True
    here = np.flatnonzero(~last)
    n = len(plan.network.stations)
    codes = np.unique(plan.visit_station[here] * n + plan.visit_station[here + 1])
    return np.stack([codes // n, codes % n], axis=1).astype(np.int64)


def replication_blocks(plan: Plan, block_bytes: int | None = None) -> Iterator[tuple[int, int]]:
    """Ranges ``[first, last)`` of stored replications whose visits fit in ``block_bytes`` of working memory.

    A single replication larger than the budget is still simulated whole.
    """
    budget = block_bytes if block_bytes is not None else _default_budget()
    visits_before = plan.first_visit[plan.rep_first]
    first = 0
    n_reps = len(plan.replications)
    while first < n_reps:
        allowed = visits_before[first] + budget // BYTES_PER_VISIT
        last = int(np.searchsorted(visits_before, allowed, side="right")) - 1
        last = min(max(last, first + 1), n_reps)
        yield first, last
        first = last


def _default_budget() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return min(int(line.split()[1]) * 1024 // 4, DEFAULT_BLOCK_BYTES)
    except OSError:
        pass
    return DEFAULT_BLOCK_BYTES


@dataclass
class _Block:
    """Whole replications ``[first, last)`` of a plan, with their visit times being computed."""

    plan: Plan
    visit_range: tuple[int, int]
    rows: int
    row_of_visit: IntArray
    has_next: NDArray[np.bool_]
    station_of_visit: IntArray
    work: FloatArray
    size: FloatArray
    by_station: list[IntArray]
    arrive: FloatArray
    start: FloatArray = field(init=False)
    end: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        self.start = np.full(self.arrive.size, np.inf)
        self.end = np.full(self.arrive.size, np.inf)

    @classmethod
    def of(cls, plan: Plan, first: int, last: int) -> _Block:
        """Cut replications ``[first, last)`` out of ``plan``."""
        s0, s1 = int(plan.rep_first[first]), int(plan.rep_first[last])
        v0, v1 = int(plan.first_visit[s0]), int(plan.first_visit[s1])
        steps = np.diff(plan.first_visit[s0 : s1 + 1])
        shipment = np.repeat(np.arange(s1 - s0, dtype=np.int64), steps)
        per_rep = np.diff(plan.rep_first[first : last + 1])
        row_of_shipment = np.repeat(np.arange(last - first, dtype=np.int64), per_rep)
        local_next = plan.first_visit[s0 + 1 : s1 + 1] - v0
        has_next = np.arange(v1 - v0) + 1 < local_next[shipment]
        stations = plan.visit_station[v0:v1]
        order = np.argsort(stations, kind="stable")
        bounds = np.searchsorted(stations[order], np.arange(len(plan.network.stations) + 1))
        by_station = [order[bounds[k] : bounds[k + 1]] for k in range(len(plan.network.stations))]
        work = plan.visit_work[v0:v1]
        return cls(
            plan,
            (v0, v1),
            last - first,
            row_of_shipment[shipment],
            has_next,
            stations,
            work,
            plan.visit_size[v0:v1],
            by_station,
            _first_guess(plan, s0, s1, shipment, work),
        )


def _first_guess(plan: Plan, s0: int, s1: int, shipment: IntArray, work: FloatArray) -> FloatArray:
    """Arrival times if nobody ever waited: exact at first visits, a starting guess inside cycles."""
    created = plan.created[s0:s1]
    created = np.where(created <= plan.horizon_h, created, np.inf)
    before = np.cumsum(work) - work
    first_of_shipment = np.concatenate([[0], np.cumsum(np.bincount(shipment, minlength=s1 - s0))[:-1]])
    guess: FloatArray = created[shipment] + (before - before[first_of_shipment][shipment])
    return guess


def _settle(block: _Block, group: Group) -> None:
    """Compute a group of stations: once, or sweep until no arrival changes."""
    if not group.cyclic:
        _compute(block, group.stations[0])
        return
    members = set(group.stations)
    dirty = set(group.stations)
    sweeps = 0
    while dirty:
        sweeps += 1
        if sweeps > MAX_SWEEPS:
            raise SweepLimitError(f"stations {sorted(members)} did not settle in {MAX_SWEEPS} sweeps")
        for station in group.stations:
            if station in dirty:
                dirty.discard(station)
                dirty |= _compute(block, station) & members


def _compute(block: _Block, index: int) -> set[int]:
    """Compute every visit at one station and pass the ends on as next arrivals.

    Returns the stations whose arrival times changed.
    """
    visits = block.by_station[index]
    if visits.size == 0:
        return set()
    station = block.plan.network.stations[index]
    horizon = block.plan.horizon_h
    if station.kind == "leg":
        begin = block.arrive[visits]
        with np.errstate(divide="ignore"):
            finish = begin + block.work[visits] / station.capacity.at_many(begin)
    else:
        queue = fifo(visits, block.arrive, block.row_of_visit, block.rows)
        visits = queue.visits
        begin = queue.flat(_start_grid(block, station, queue))
        finish = begin + block.work[visits]
    begin = np.where(begin <= horizon, begin, np.inf)
    finish = np.where(finish <= horizon, finish, np.inf)
    block.start[visits] = begin
    block.end[visits] = finish
    onward = block.has_next[visits]
    following = visits[onward] + 1
    arrivals = finish[onward]
    changed = following[block.arrive[following] != arrivals]
    block.arrive[following] = arrivals
    return {int(s) for s in np.unique(block.station_of_visit[changed])}


def _start_grid(block: _Block, station: Station, queue: Fifo) -> FloatArray:
    """Start times on the queue's grid, by the kernel for the station's kind."""
    if station.kind == "service":
        sizes = queue.grid(block.size, np.inf)
        return service(queue.arrive, sizes, queue.counts, station, block.plan.horizon_h)
    work = queue.grid(block.work, 0.0)
    if station.kind == "chokepoint":
        return single_server(queue.arrive, None, station.capacity)
    if station.capacity.values.max() <= 1:
        return single_server(queue.arrive, work, station.capacity)
    return berth_pool(queue.arrive, work, queue.counts, station.capacity)
