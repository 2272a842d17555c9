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
from dataclasses import dataclass

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

BYTES_PER_VISIT = 128
"""Working memory per visit of a block (bytes): the benchmarks measure 90–100 with the Trace included."""
DEFAULT_BLOCK_BYTES = 4 * 1024**3
"""Most working memory for one block (bytes); less when a third of the available memory is less."""
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
        Working memory for one block of replications (bytes); by default a third of the memory available,
        at most 4 GiB.
    """
    arrive = np.full(plan.n_visits, np.inf)
    start = np.full(plan.n_visits, np.inf)
    end = np.full(plan.n_visits, np.inf)
    if plan.n_visits:
        groups = settle_order(len(plan.network.stations), _station_pairs(plan))
        for first, last in replication_blocks(plan, block_bytes):
            block = _Block.of(plan, first, last, (arrive, start, end))
            for group in groups:
                _settle(block, group)
    for times in (arrive, start, end):
        np.putmask(times, times > plan.horizon_h, np.nan)
    return Trace(arrive, start, end)


def _station_pairs(plan: Plan) -> IntArray:
    """Distinct (station, next station) pairs visited in a row by some shipment."""
    onward = np.ones(plan.n_visits, dtype=bool)
    onward[plan.first_visit[1:][np.diff(plan.first_visit) > 0] - 1] = False
    n = len(plan.network.stations)
    here = plan.visit_station[:-1][onward[:-1]]
    codes = here * n + plan.visit_station[1:][onward[:-1]]
    small = n * n <= 1 << 22  # count pairs in a table when it is small, else sort
    codes = np.flatnonzero(np.bincount(codes, minlength=n * n)) if small else np.unique(codes)
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
                    return min(int(line.split()[1]) * 1024 // 3, DEFAULT_BLOCK_BYTES)
    except OSError:
        pass
    return DEFAULT_BLOCK_BYTES


@dataclass(frozen=True)
class _Block:
    """Whole replications ``[first, last)`` of a plan; its time arrays are views into the run's."""

    plan: Plan
    rows: int
    row_of_visit: IntArray
    has_next: NDArray[np.bool_]
    station_of_visit: IntArray
    work: FloatArray
    size: FloatArray
    by_station: list[IntArray]
    arrive: FloatArray
    start: FloatArray
    end: FloatArray

    @classmethod
    def of(cls, plan: Plan, first: int, last: int, times: tuple[FloatArray, ...]) -> _Block:
        """Cut replications ``[first, last)`` out of ``plan``; ``times`` are the run's arrive, start, end."""
        s0, s1 = int(plan.rep_first[first]), int(plan.rep_first[last])
        v0, v1 = int(plan.first_visit[s0]), int(plan.first_visit[s1])
        starts = plan.first_visit[s0:s1] - v0
        has_next = np.ones(v1 - v0, dtype=bool)
        has_next[plan.first_visit[s0 + 1 : s1 + 1][np.diff(plan.first_visit[s0 : s1 + 1]) > 0] - v0 - 1] = (
            False
        )
        per_row = np.diff(plan.first_visit[plan.rep_first[first : last + 1]])
        row_of_visit = np.repeat(np.arange(last - first, dtype=np.int64), per_row)
        stations = plan.visit_station[v0:v1]
        # a stable sort of small integers is a radix sort
        narrow = stations.astype(np.uint16 if len(plan.network.stations) < 2**16 else np.int64)
        order = np.argsort(narrow, kind="stable")
        bounds = np.searchsorted(narrow[order], np.arange(len(plan.network.stations) + 1))
        by_station = [order[bounds[k] : bounds[k + 1]] for k in range(len(plan.network.stations))]
        arrive, start, end = (t[v0:v1] for t in times)
        created = plan.created[s0:s1]
        arrive[starts[np.diff(plan.first_visit[s0 : s1 + 1]) > 0]] = created[created <= plan.horizon_h]
        return cls(
            plan,
            last - first,
            row_of_visit,
            has_next,
            stations,
            plan.visit_work[v0:v1],
            plan.visit_size[v0:v1],
            by_station,
            arrive,
            start,
            end,
        )


def _settle(block: _Block, group: Group) -> None:
    """Compute a group of stations: once, or sweep until no arrival changes."""
    if not group.cyclic:
        _compute(block, group.stations[0], track=False)
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
                dirty |= _compute(block, station, track=True) & members


def _compute(block: _Block, index: int, track: bool) -> set[int]:
    """Compute every visit at one station and pass the ends on as next arrivals.

    Returns the stations whose arrival times changed (when ``track``).
    """
    visits = block.by_station[index]
    if visits.size == 0:
        return set()
    station = block.plan.network.stations[index]
    if station.kind == "leg":
        begin = block.arrive[visits]
        finish = _travel(begin, block.work[visits], station)
    else:
        queue = fifo(visits, block.arrive, block.row_of_visit, block.rows)
        visits = queue.visits
        begin = queue.flat(_start_grid(block, station, queue))
        finish = begin + block.work[visits]
    horizon = block.plan.horizon_h
    np.putmask(begin, begin > horizon, np.inf)
    np.putmask(finish, finish > horizon, np.inf)
    block.start[visits] = begin
    block.end[visits] = finish
    onward = block.has_next[visits]
    following = visits[onward] + 1
    arrivals = finish[onward]
    found: set[int] = set()
    if track:
        changed = following[block.arrive[following] != arrivals]
        counts = np.bincount(block.station_of_visit[changed], minlength=len(block.by_station))
        found = {int(s) for s in np.flatnonzero(counts)}
    block.arrive[following] = arrivals
    return found


def _travel(depart: FloatArray, work: FloatArray, leg: Station) -> FloatArray:
    """Arrival at the far end of a leg (h): work over the speed factor at departure."""
    if leg.capacity.is_constant and leg.capacity.values[0] == 1.0:
        return depart + work  # x / 1.0 is x
    with np.errstate(divide="ignore"):
        arrival: FloatArray = depart + work / leg.capacity.at_many(depart)
    return arrival


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
