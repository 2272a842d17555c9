"""A block of whole replications being simulated, and how one station's visits are computed in it.

The block holds the visit times (views into the run's arrays), each station's visits, and what a kernel
needs. :func:`kernel` runs the kernel of a station's kind on a FIFO grid, from a saved state up to a time;
:func:`compute` computes every visit of a station at once and passes the ends on as the next arrivals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.engines.vector_fifo import Fifo, fifo
from sim.engines.vector_pool import PoolState, berth_pool
from sim.engines.vector_scan import single_server
from sim.engines.vector_service import service
from sim.network import Station
from sim.plan import Plan
from sim.schedule import Schedule

__all__ = ["Block", "KernelState", "batchable", "compute", "kernel", "pass_on", "travel"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
KernelState = FloatArray | PoolState | int | None
"""Where a station is after the visits started so far: server free times (single server), the pool's ends,
the next departure (service), or nothing (a fresh station)."""


@dataclass(frozen=True)
class Block:
    """Whole replications ``[first, last)`` of a plan; its time arrays are views into the run's."""

    plan: Plan
    rows: int
    row_of_visit: IntArray
    has_next: NDArray[np.bool_]
    station_of_visit: IntArray
    work: FloatArray
    size: FloatArray
    by_station: list[IntArray]
    feeds: list[set[int]]
    """The stations each station passes shipments on to, in this block."""
    arrive: FloatArray
    start: FloatArray
    end: FloatArray

    @classmethod
    def of(cls, plan: Plan, first: int, last: int, times: tuple[FloatArray, ...]) -> Block:
        """Cut replications ``[first, last)`` out of ``plan``; ``times`` are the run's arrive, start, end."""
        s0, s1 = int(plan.rep_first[first]), int(plan.rep_first[last])
        v0, v1 = int(plan.first_visit[s0]), int(plan.first_visit[s1])
        steps = np.diff(plan.first_visit[s0 : s1 + 1])
        has_next = np.ones(v1 - v0, dtype=bool)
        has_next[plan.first_visit[s0 + 1 : s1 + 1][steps > 0] - v0 - 1] = False
        per_row = np.diff(plan.first_visit[plan.rep_first[first : last + 1]])
        row_of_visit = np.repeat(np.arange(last - first, dtype=np.int64), per_row)
        stations = plan.visit_station[v0:v1]
        n_stations = len(plan.network.stations)
        # a stable sort of small integers is a radix sort
        narrow = stations.astype(np.uint16 if n_stations < 2**16 else np.int64)
        order = np.argsort(narrow, kind="stable")
        bounds = np.searchsorted(narrow[order], np.arange(n_stations + 1))
        by_station = [order[bounds[k] : bounds[k + 1]] for k in range(n_stations)]
        feeds = _feeds(stations, has_next, n_stations)
        arrive, start, end = (t[v0:v1] for t in times)
        created = plan.created[s0:s1][steps > 0]
        arrive[plan.first_visit[s0:s1][steps > 0] - v0] = np.where(created <= plan.horizon_h, created, np.inf)
        return cls(
            plan,
            last - first,
            row_of_visit,
            has_next,
            stations,
            plan.visit_work[v0:v1],
            plan.visit_size[v0:v1],
            by_station,
            feeds,
            arrive,
            start,
            end,
        )


def _feeds(stations: IntArray, has_next: NDArray[np.bool_], n_stations: int) -> list[set[int]]:
    """Distinct (station, next station) pairs visited in a row, as each station's set of next stations."""
    codes = stations[:-1] * n_stations + stations[1:]
    np.putmask(codes, ~has_next[:-1], n_stations * n_stations)  # a shipment's last visit feeds nothing
    small = n_stations * n_stations <= 1 << 22  # count pairs in a table when it is small, else sort
    found = np.flatnonzero(np.bincount(codes, minlength=n_stations**2 + 1)) if small else np.unique(codes)
    feeds: list[set[int]] = [set() for _ in range(n_stations)]
    for code in found[found < n_stations * n_stations].tolist():
        feeds[code // n_stations].add(code % n_stations)
    return feeds


def kernel(
    block: Block, station: Station, queue: Fifo, state: KernelState = None, until: float = np.inf
) -> tuple[FloatArray, KernelState]:
    """Start times on the queue's grid by the kernel of the station's kind, and the station's new state."""
    if station.kind == "service":
        first = state if isinstance(state, int) else 0
        sizes = queue.grid(block.size, np.inf)
        return service(queue.arrive, sizes, queue.counts, station, block.plan.horizon_h, first, until)
    work = queue.grid(block.work, 0.0)
    free = state if isinstance(state, np.ndarray) else None
    if station.kind == "chokepoint":
        return single_server(queue.arrive, None, station.capacity, free, until)
    if station.capacity.values.max() <= 1:
        return single_server(queue.arrive, work, station.capacity, free, until)
    pool = state if isinstance(state, PoolState) else None
    return berth_pool(queue.arrive, work, queue.counts, station.capacity, pool, until)


def travel(depart: FloatArray, work: FloatArray, leg: Station) -> FloatArray:
    """Arrival at the far end of a leg (h): work over the speed factor at departure."""
    if leg.capacity.is_constant and leg.capacity.values[0] == 1.0:
        return depart + work  # x / 1.0 is x
    with np.errstate(divide="ignore"):
        arrival: FloatArray = depart + work / leg.capacity.at_many(depart)
    return arrival


def pass_on(
    block: Block, visits: IntArray, begin: FloatArray, finish: FloatArray, track: bool = False
) -> tuple[IntArray, NDArray[np.bool_] | None]:
    """Record visits' start and end (h); the ends become the next visits' arrivals.

    Returns the next visits and, when ``track``, which of their arrival times changed.
    """
    block.start[visits] = begin
    block.end[visits] = finish
    onward = block.has_next[visits]
    following = visits[onward] + 1
    arrivals = finish[onward]
    changed = block.arrive[following] != arrivals if track else None
    block.arrive[following] = arrivals
    return following, changed


def batchable(station: Station) -> str:
    """Stations of one batch kind that do not feed each other can be computed in one call.

    ``"leg"`` (pure delays), ``"pool"`` (berth pools of constant capacity: rows of one pool grid), or
    ``""`` (computed alone).
    """
    if station.kind == "leg":
        return "leg"
    if station.kind == "berth" and station.capacity.is_constant and station.capacity.values[0] >= 1:
        return "pool"
    return ""


def compute(block: Block, indices: list[int], track: bool) -> set[int]:
    """Compute every visit at some stations at once: one station, or a batch (see :func:`batchable`).

    Returns the stations whose arrival times changed (when ``track``; else an empty set).
    """
    stations = [block.plan.network.stations[i] for i in indices]
    visits = (
        np.concatenate([block.by_station[i] for i in indices])
        if len(indices) > 1
        else block.by_station[indices[0]]
    )
    if visits.size == 0:
        return set()
    if stations[0].kind == "leg":
        begin = block.arrive[visits]
        finish = _travel_many(block, indices, visits, begin)
    else:
        visits, begin = _queue_starts(block, indices, visits)
        finish = begin + block.work[visits]
    following, changed = pass_on(block, visits, begin, finish, track)
    if changed is None:
        return set()
    counts = np.bincount(block.station_of_visit[following[changed]], minlength=len(block.by_station))
    return {int(s) for s in np.flatnonzero(counts)}


def _travel_many(block: Block, indices: list[int], visits: IntArray, begin: FloatArray) -> FloatArray:
    """Leg ends for visits at one or more legs (each leg's own speed factor)."""
    legs = [block.plan.network.stations[i] for i in indices]
    if all(leg.capacity.is_constant and leg.capacity.values[0] == 1.0 for leg in legs):
        finish: FloatArray = begin + block.work[visits]  # x / 1.0 is x
        return finish
    finish = np.empty_like(begin)
    at = 0
    for index, leg in zip(indices, legs, strict=True):
        n = block.by_station[index].size
        finish[at : at + n] = travel(begin[at : at + n], block.work[visits[at : at + n]], leg)
        at += n
    return finish


def _queue_starts(block: Block, indices: list[int], visits: IntArray) -> tuple[IntArray, FloatArray]:
    """FIFO-order the visits and run the kernel; several pools become rows of one pool grid."""
    if len(indices) == 1:
        rows = block.row_of_visit[visits] if block.rows > 1 else None
        queue = fifo(visits, block.arrive, rows, block.rows)
        return visits, queue.back(kernel(block, block.plan.network.stations[indices[0]], queue)[0])
    rank = np.repeat(np.arange(len(indices), dtype=np.int64), [block.by_station[i].size for i in indices])
    queue = fifo(
        visits, block.arrive, rank * block.rows + block.row_of_visit[visits], len(indices) * block.rows
    )
    berths = np.repeat([int(block.plan.network.stations[i].capacity.values[0]) for i in indices], block.rows)
    most = int(berths.max())
    # a pool with fewer berths than the widest: its missing berths are busy for ever
    ends = np.where(np.arange(most)[None, :] < berths[:, None], -np.inf, np.inf)
    state = PoolState(ends, np.full(berths.size, -np.inf))
    work = queue.grid(block.work, 0.0)
    start, _ = berth_pool(queue.arrive, work, queue.counts, Schedule.constant(most), state)
    return visits, queue.back(start)
