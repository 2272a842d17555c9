"""Settling a cycle of stations window by window: commit everything that starts before ``T``, then move ``T``.

Stations that feed each other (imports and exports through the same berths) can be computed without
iterating when time is cut into windows ``[T, T + Δ)`` no longer than the shortest *lag* on any edge that
runs backwards in the sweep order — a lag being the least time from a visit's start at one station to its
arrival at the next (work at a berth or chokepoint, transit of a service, travel of a leg at top speed).
Within a window, stations are computed in sweep order, each starting every waiting visit whose start falls
before ``T + Δ``: arrivals along forward edges were just computed upstream, and an arrival along a backward
edge before ``T + Δ`` comes from a start before ``T``, computed in an earlier window. So one pass per window
is exact; each kernel resumes from the state its station was left in
(:data:`~sim.engines.vector.kernels.KernelState`).

The order puts the short-lag edges forward: the largest threshold ``θ`` for which the edges with lag below
``θ`` have no cycle gives a topological order of those edges, and every backward edge has a lag of at least
``θ``. An edge whose lag is at least ``Δ`` cannot carry a start into an arrival in the same window, so only
the shorter edges order the work inside a window: constant berth pools that no chain of short edges links
(Qinzhou's and Singapore's container berths, with the feeder services between them) are computed as rows
of one pool grid, one step per window (:class:`WindowPlan`). Windows pay a fixed cost per station and
window, so they are used when each station-window has thousands of visits to share it (many replications,
big ports); otherwise the engine sweeps to a fixed point.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.engines.vector.block import Block, batchable, pass_on, pool_state, pooled, run_kernel
from sim.engines.vector.fifo import fifo
from sim.engines.vector.kernels import KernelState, travel
from sim.engines.vector.window_loops import hand_on_until, window_buckets, window_inbox
from sim.network import Station

__all__ = ["WINDOW_COST_VISITS", "WindowPlan", "settle_in_windows", "window_plan"]


WINDOW_COST_VISITS = 600
"""The fixed cost of computing one station in one window, in visits' worth of array work (the default)."""
_NONE = np.empty(0, dtype=np.int64)
"""No visits."""
SAFETY = 1.0 - 1e-9
"""Windows are shortened by this factor so rounding in ``T + Δ`` never lets a window outrun a lag."""


@dataclass(frozen=True)
class WindowPlan:
    """How a cycle of stations is settled in windows.

    Attributes
    ----------
    steps : tuple of tuple of int
        The stations computed in each window, step after step; the stations of one step (berth pools of
        constant capacity) are computed together, as rows of one pool grid.
    delta : float
        Window length (h): the shortest lag of any edge that runs backwards through the steps.
    """

    steps: tuple[tuple[int, ...], ...]
    delta: float


def window_plan(
    block: Block, stations: tuple[int, ...], cost_visits: float = WINDOW_COST_VISITS
) -> WindowPlan | None:
    """How to settle a cycle of stations in windows, or ``None`` when sweeping is cheaper (or the only way).

    Parameters
    ----------
    block : Block
        The replications being simulated.
    stations : tuple of int
        The stations of the cycle.
    cost_visits : float, optional
        The fixed cost of computing one station in one window (visits' worth of array work): windows are
        used when the visits of the cycle outweigh the cost of every station-window. With 0 the cost is not
        weighed: windows whenever the lags allow them.
    """
    if block.branches is not None and block.branches.stations & set(stations):
        return None  # a diverted ship reaches its alternative with no lag: sweep (see .diversion)
    visits = sum(block.by_station[s].size for s in stations)
    if len(stations) * cost_visits >= visits > 0 < cost_visits:
        return None  # more than one window (horizon / delta + 1) would cost more: no need to find delta
    lags = _edge_lags(block, stations)
    order, delta = _order(stations, lags)
    if not 0.0 < delta < np.inf:
        return None
    windows = block.plan.horizon_h / delta + 1.0
    if windows * len(stations) * cost_visits > visits:
        return None
    return WindowPlan(_steps(block, order, lags, delta), delta)


def _steps(
    block: Block, order: tuple[int, ...], lags: dict[tuple[int, int], float], delta: float
) -> tuple[tuple[int, ...], ...]:
    """Group the sweep order into steps.

    Within a window only edges with a lag shorter than the window carry a start into an arrival in the
    same window; those all run forward in ``order``. A station's level is the longest chain of such edges
    reaching it; constant berth pools of one level do not feed each other within a window and form one
    step, every other station is a step of its own (in ``order``, level by level).
    """
    level = dict.fromkeys(order, 0)
    for a in order:
        for b in order:
            if a != b and lags.get((a, b), np.inf) < delta:
                level[b] = max(level[b], level[a] + 1)
    place = {station: k for k, station in enumerate(order)}
    steps: dict[tuple[int, int], list[int]] = {}
    for station in order:
        pooled = batchable(block.plan.network.stations[station]) == "pool"
        steps.setdefault((level[station], -1 if pooled else station), []).append(station)
    keys = sorted(steps, key=lambda key: (key[0], place[steps[key][0]]))
    return tuple(tuple(steps[key]) for key in keys)


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
        lag = block.least_work(a)
        spec = block.plan.network.stations[a]
        if spec.is_delay:
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
    """One station's visits waiting to be computed, window after window."""

    outside: IntArray
    """Visits fed from outside the cycle (arrivals final), grouped by the window they arrive in."""
    outside_first: IntArray
    """Window ``k``'s outside visits are ``outside[outside_first[k]:outside_first[k + 1]]``."""
    pending: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    inbox: list[IntArray] = field(default_factory=list)


@dataclass
class _Step:
    """Stations computed together in every window, and where their kernel left off."""

    stations: tuple[int, ...]
    station: Station
    """The station whose kernel runs (the only one, or the first of a batch of pools)."""
    state: KernelState = None


def settle_in_windows(block: Block, plan: WindowPlan) -> None:
    """Compute a cycle of stations window by window, one pass per window (see the module docstring)."""
    order = [station for step in plan.steps for station in step]
    lane_of = np.full(len(block.by_station), -1, dtype=np.int64)
    lane_of[order] = np.arange(len(order))
    step = plan.delta * SAFETY
    ends = step * np.arange(1, int(block.plan.horizon_h // step) + 2, dtype=np.float64)
    lanes = [_lane(block, station, lane_of, ends) for station in order]
    steps = [_first_state(block, stations) for stations in plan.steps]
    for k, until in enumerate(ends.tolist()):
        for current in steps:
            _advance(block, current, k, until, lanes, lane_of)


def _first_state(block: Block, stations: tuple[int, ...]) -> _Step:
    """A step before its first window; a batch of pools starts from one pool state of all their rows."""
    first = block.plan.network.stations[stations[0]]
    if len(stations) == 1:
        return _Step(stations, first)
    return _Step(stations, first, pool_state(block, stations))


def _lane(block: Block, index: int, lane_of: IntArray, ends: FloatArray) -> _Lane:
    """The station's visits fed from outside the cycle, bucketed by window (``arrival < ends[k]``)."""
    visits = block.by_station[index]
    outside = np.empty(visits.size, dtype=np.int64)
    first = np.zeros(ends.size + 2, dtype=np.int64)  # past the last window: never
    found = window_buckets(
        visits, block.has_next, block.station_code, lane_of, block.arrive, ends, outside, first
    )
    return _Lane(outside[:found], first)


def _arrivals(block: Block, lane: _Lane, k: int, until: float) -> IntArray:
    """Visits waiting or arriving before ``until`` (the end of window ``k``), in visit order."""
    outside = lane.outside[lane.outside_first[k] : lane.outside_first[k + 1]]
    box = _NONE
    if lane.inbox:
        box = np.concatenate(lane.inbox) if len(lane.inbox) > 1 else lane.inbox[0]
    visits = np.empty(lane.pending.size + outside.size + box.size, dtype=np.int64)
    later = np.empty(box.size, dtype=np.int64)
    n, n_later = window_inbox(lane.pending, outside, box, block.arrive, until, visits, later)
    lane.inbox = [later[:n_later]] if n_later else []
    visits = visits[:n]
    visits.sort()  # distinct visits: every sort gives the one ascending order (SIMD quicksort is fastest)
    return visits


def _advance(block: Block, step: _Step, k: int, until: float, lanes: list[_Lane], lane_of: IntArray) -> None:
    """Start every visit at the step's stations whose start falls before ``until``; hand on the ends."""
    mine = [lanes[lane_of[station]] for station in step.stations]
    waiting = [_arrivals(block, lane, k, until) for lane in mine]
    visits = np.concatenate(waiting) if len(waiting) > 1 else waiting[0]
    if visits.size == 0:
        return
    if step.station.is_delay:
        begin = block.arrive[visits]
        finish = travel(begin, block.work[visits], step.station)
        following, arrivals = pass_on(block, step.stations, visits, begin, finish)[:2]
        target = lane_of[block.station_code[following]]
        inside = (target >= 0) & np.isfinite(arrivals)
        _deliver(lanes, following[inside], target[inside])
        return
    counts = [block.per_row(part, station) for part, station in zip(waiting, step.stations, strict=True)]
    queue = fifo(visits, block.arrive, np.concatenate(counts), block.work)
    if len(mine) == 1:
        grid, step.state = run_kernel(block, step.station, queue, step.state, until)
    else:
        grid, step.state = pooled(queue, step.state, until)
    held = np.empty(visits.size, dtype=np.int64)
    following = np.empty(visits.size, dtype=np.int64)
    target = np.empty(visits.size, dtype=np.int64)
    n_held, n_fed = hand_on_until(
        queue.cells, queue.sizes, grid, queue.work, until, block.has_next, block.start, block.arrive,
        block.station_code, lane_of, held, following, target,
    )  # fmt: skip
    _hold(block, held[:n_held], step, lane_of, lanes)
    _deliver(lanes, following[:n_fed], target[:n_fed])


def _deliver(lanes: list[_Lane], following: IntArray, target: IntArray) -> None:
    """Put visits arriving in the cycle into the inboxes of their lanes (``target``)."""
    for other in np.flatnonzero(np.bincount(target, minlength=len(lanes))).tolist():
        lanes[other].inbox.append(following[target == other])


def _hold(block: Block, waiting: IntArray, step: _Step, lane_of: IntArray, lanes: list[_Lane]) -> None:
    """Keep the visits not started in this window for the next, each with its own station."""
    if len(step.stations) == 1:
        lanes[lane_of[step.stations[0]]].pending = waiting
        return
    owner = lane_of[block.station_code[waiting]]
    for station in step.stations:
        lanes[lane_of[station]].pending = waiting[owner == lane_of[station]]
