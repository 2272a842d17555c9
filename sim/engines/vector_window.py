"""Settling a cycle of stations window by window: commit everything that starts before ``T``, then move ``T``.

Stations that feed each other (imports and exports through the same berths) can be computed without
iterating when time is cut into windows ``[T, T + Δ)`` no longer than the shortest *lag* on any edge that
runs backwards in the sweep order — a lag being the least time from a visit's start at one station to its
arrival at the next (work at a berth or chokepoint, transit of a service, travel of a leg at top speed).
Within a window, stations are computed in sweep order, each starting every waiting visit whose start falls
before ``T + Δ``: arrivals along forward edges were just computed upstream, and an arrival along a backward
edge before ``T + Δ`` comes from a start before ``T``, computed in an earlier window. So one pass per window
is exact; each kernel resumes from the state its station was left in (:data:`~.vector_block.KernelState`).

The order puts the short-lag edges forward: the largest threshold ``θ`` for which the edges with lag below
``θ`` have no cycle gives a topological order of those edges, and every backward edge has a lag of at least
``θ``. Windows pay a fixed cost per station and window, so they are used when each station-window has
thousands of visits to share it (many replications, big ports); otherwise the engine sweeps to a fixed point.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sim.engines.vector_block import Block, KernelState, kernel, pass_on, travel
from sim.engines.vector_fifo import fifo
from sim.network import Station

__all__ = ["WINDOW_COST_VISITS", "settle_in_windows", "window_plan"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

WINDOW_COST_VISITS = 4000
"""The fixed cost of computing one station in one window, in visits' worth of array work."""
SAFETY = 1.0 - 1e-9
"""Windows are shortened by this factor so rounding in ``T + Δ`` never lets a window outrun a lag."""


def window_plan(block: Block, stations: tuple[int, ...]) -> tuple[tuple[int, ...], float] | None:
    """A sweep order and window length (h) for a cycle of stations, or ``None`` when sweeping is cheaper."""
    lags = _edge_lags(block, stations)
    order, delta = _order(stations, lags)
    if not 0.0 < delta < np.inf:
        return None
    windows = block.plan.horizon_h / delta + 1.0
    visits = sum(block.by_station[s].size for s in stations)
    if windows * len(stations) * WINDOW_COST_VISITS > visits:
        return None
    return order, delta


def _edge_lags(block: Block, stations: tuple[int, ...]) -> dict[tuple[int, int], float]:
    """A lower bound (h) on the lag of each edge between the given stations.

    The least work of any visit at the edge's first station (over its top speed factor for a leg): one
    reduction per station, slightly pessimistic when a station feeds several others.
    """
    inside = set(stations)
    lags: dict[tuple[int, int], float] = {}
    for a in stations:
        visits = block.by_station[a]
        if visits.size == 0:
            continue
        lag = float(block.work[visits].min())
        spec = block.plan.network.stations[a]
        if spec.kind == "leg":
            top = float(spec.capacity.values.max())
            lag = lag / top if top > 0 else np.inf
        for b in block.feeds[a] & inside:
            lags[(a, b)] = lag
    return lags


def _order(stations: tuple[int, ...], lags: dict[tuple[int, int], float]) -> tuple[tuple[int, ...], float]:
    """A sweep order whose backward edges have lags as long as possible, and the shortest of them (h)."""
    between = {edge: lag for edge, lag in lags.items() if edge[0] != edge[1]}
    levels = [*sorted(set(between.values())), np.inf]
    low, high = 0, len(levels) - 1  # with threshold levels[0] no edge is kept: always acyclic
    while low < high:
        middle = (low + high + 1) // 2
        if _topological(stations, [e for e, lag in between.items() if lag < levels[middle]]) is None:
            high = middle - 1
        else:
            low = middle
    order = _topological(stations, [e for e, lag in between.items() if lag < levels[low]])
    assert order is not None
    place = {station: k for k, station in enumerate(order)}
    backward = [lag for (a, b), lag in lags.items() if place[a] >= place[b]]
    return order, min(backward, default=np.inf)


def _topological(stations: tuple[int, ...], edges: list[tuple[int, int]]) -> tuple[int, ...] | None:
    """Kahn's order (lowest index first among the ready), or ``None`` when the edges have a cycle."""
    feeds: dict[int, list[int]] = {s: [] for s in stations}
    waiting = dict.fromkeys(stations, 0)
    for a, b in edges:
        feeds[a].append(b)
        waiting[b] += 1
    ready = [s for s in stations if waiting[s] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        station = heapq.heappop(ready)
        order.append(station)
        for b in feeds[station]:
            waiting[b] -= 1
            if waiting[b] == 0:
                heapq.heappush(ready, b)
    return tuple(order) if len(order) == len(stations) else None


@dataclass
class _Lane:
    """One station's progress through the windows."""

    station: Station
    outside: IntArray
    """Visits fed from outside the cycle (arrivals final), grouped by the window they arrive in."""
    outside_first: IntArray
    """Window ``k``'s outside visits are ``outside[outside_first[k]:outside_first[k + 1]]``."""
    pending: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    inbox: list[IntArray] = field(default_factory=list)
    state: KernelState = None


def settle_in_windows(block: Block, order: tuple[int, ...], delta: float) -> None:
    """Compute a cycle of stations window by window, one pass per window (see the module docstring)."""
    lane_of = np.full(len(block.by_station), -1, dtype=np.int64)
    lane_of[list(order)] = np.arange(len(order))
    step = delta * SAFETY
    ends = step * np.arange(1, int(block.plan.horizon_h // step) + 2, dtype=np.float64)
    lanes = [_lane(block, station, lane_of, ends) for station in order]
    for k, until in enumerate(ends.tolist()):
        for lane in lanes:
            _advance(block, lane, k, until, lanes, lane_of)


def _lane(block: Block, index: int, lane_of: IntArray, ends: FloatArray) -> _Lane:
    """The station's visits fed from outside the cycle, bucketed by window (``arrival < ends[k]``)."""
    visits = block.by_station[index]
    previous = np.maximum(visits - 1, 0)
    fed = (visits > 0) & block.has_next[previous] & (lane_of[block.station_of_visit[previous]] >= 0)
    outside = visits[~fed]
    window = np.searchsorted(ends, block.arrive[outside], side="right")  # past the last window: never
    order = np.argsort(window.astype(np.uint16 if ends.size < 2**16 else np.int64), kind="stable")
    first = np.searchsorted(window[order], np.arange(ends.size + 1))
    return _Lane(block.plan.network.stations[index], outside[order], first.astype(np.int64))


def _arrivals(block: Block, lane: _Lane, k: int, until: float) -> IntArray:
    """Visits waiting or arriving before ``until`` (the end of window ``k``), in visit order."""
    parts = [lane.pending, lane.outside[lane.outside_first[k] : lane.outside_first[k + 1]]]
    if lane.inbox:
        box = np.concatenate(lane.inbox) if len(lane.inbox) > 1 else lane.inbox[0]
        soon = block.arrive[box] < until
        parts.append(box[soon])
        lane.inbox = [box[~soon]] if not soon.all() else []
    visits = np.concatenate(parts)
    visits.sort()
    return visits


def _advance(block: Block, lane: _Lane, k: int, until: float, lanes: list[_Lane], lane_of: IntArray) -> None:
    """Start every visit at the lane's station whose start falls before ``until``; hand on the ends."""
    visits = _arrivals(block, lane, k, until)
    if visits.size == 0:
        return
    if lane.station.kind == "leg":
        begin = block.arrive[visits]
        finish = travel(begin, block.work[visits], lane.station)
    else:
        rows = block.row_of_visit[visits] if block.rows > 1 else None
        queue = fifo(visits, block.arrive, rows, block.rows)
        grid, lane.state = kernel(block, lane.station, queue, lane.state, until)
        begin = queue.back(grid)
        started = begin < until
        lane.pending = visits[~started]
        visits, begin = visits[started], begin[started]
        finish = begin + block.work[visits]
    following, _ = pass_on(block, visits, begin, finish)
    target = lane_of[block.station_of_visit[following]]
    inside = (target >= 0) & np.isfinite(block.arrive[following])
    following, target = following[inside], target[inside]
    for other in np.flatnonzero(np.bincount(target, minlength=len(lanes))).tolist():
        lanes[other].inbox.append(following[target == other])
