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
    """The least lag (h) of each edge between the given stations, over the visits that take it."""
    inside = np.zeros(len(block.by_station), dtype=bool)
    inside[list(stations)] = True
    lags: dict[tuple[int, int], float] = {}
    for a in stations:
        visits = block.by_station[a]
        visits = visits[block.has_next[visits]]
        following = block.station_of_visit[visits + 1]
        keep = inside[following]
        visits, following = visits[keep], following[keep]
        lag = block.work[visits]
        spec = block.plan.network.stations[a]
        if spec.kind == "leg":
            with np.errstate(divide="ignore"):
                lag = lag / spec.capacity.values.max()
        for b in np.flatnonzero(np.bincount(following, minlength=inside.size)):
            lags[(a, int(b))] = float(lag[following == b].min())
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
    """Visits fed from outside the cycle (arrivals final), by arrival time."""
    outside_times: FloatArray
    taken: int = 0
    pending: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    inbox: list[IntArray] = field(default_factory=list)
    state: KernelState = None


def settle_in_windows(block: Block, order: tuple[int, ...], delta: float) -> None:
    """Compute a cycle of stations window by window, one pass per window (see the module docstring)."""
    lane_of = np.full(len(block.by_station), -1, dtype=np.int64)
    lane_of[list(order)] = np.arange(len(order))
    lanes = [_lane(block, station, lane_of) for station in order]
    step = delta * SAFETY
    until = 0.0
    while until <= block.plan.horizon_h:
        until += step
        for lane in lanes:
            _advance(block, lane, until, lanes, lane_of)


def _lane(block: Block, index: int, lane_of: IntArray) -> _Lane:
    visits = block.by_station[index]
    previous = np.maximum(visits - 1, 0)
    fed = (visits > 0) & block.has_next[previous] & (lane_of[block.station_of_visit[previous]] >= 0)
    outside = visits[~fed]
    times = block.arrive[outside]
    known = np.isfinite(times)
    order = np.argsort(times[known], kind="stable")
    return _Lane(block.plan.network.stations[index], outside[known][order], times[known][order])


def _arrivals(block: Block, lane: _Lane, until: float) -> IntArray:
    """Visits waiting or arriving before ``until``, in visit order."""
    parts = [lane.pending]
    upto = int(np.searchsorted(lane.outside_times, until, side="left"))
    if upto > lane.taken:
        parts.append(lane.outside[lane.taken : upto])
        lane.taken = upto
    if lane.inbox:
        box = np.concatenate(lane.inbox) if len(lane.inbox) > 1 else lane.inbox[0]
        soon = block.arrive[box] < until
        parts.append(box[soon])
        lane.inbox = [box[~soon]] if not soon.all() else []
    visits = np.concatenate(parts)
    visits.sort()
    return visits


def _advance(block: Block, lane: _Lane, until: float, lanes: list[_Lane], lane_of: IntArray) -> None:
    """Start every visit at the lane's station whose start falls before ``until``; hand on the ends."""
    visits = _arrivals(block, lane, until)
    if visits.size == 0:
        return
    if lane.station.kind == "leg":
        begin = block.arrive[visits]
        finish = travel(begin, block.work[visits], lane.station)
    else:
        queue = fifo(visits, block.arrive, block.row_of_visit, block.rows)
        grid, lane.state = kernel(block, lane.station, queue, lane.state, until)
        begin = queue.flat(grid)
        started = begin < until
        lane.pending = queue.visits[~started]
        visits, begin = queue.visits[started], begin[started]
        finish = begin + block.work[visits]
    following, _ = pass_on(block, visits, begin, finish)
    target = lane_of[block.station_of_visit[following]]
    inside = (target >= 0) & np.isfinite(block.arrive[following])
    following, target = following[inside], target[inside]
    for k in np.flatnonzero(np.bincount(target, minlength=len(lanes))):
        lanes[k].inbox.append(following[target == k])
