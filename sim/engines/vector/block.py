"""A block of whole replications being simulated, and how one station's visits are computed in it.

The block holds the visit times (views into the run's arrays), each station's visits, and what a kernel
needs. Ends are not stored while simulating: a visit ends at its start plus its work (a leg: over the speed
factor), which :func:`pass_on` hands on as the next arrivals and :func:`ends` records once the block is
settled. The kernel of each station kind is chosen in :mod:`~sim.engines.vector.kernels`;
:func:`compute` computes every visit of a station (or of a batch of stations) at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.arrays import FloatArray, IntArray
from sim.class_draws import ClassArray
from sim.engines.vector.berth_pool import PoolState, berth_pool
from sim.engines.vector.block_loops import (
    close_times,
    hand_on,
    hand_on_branches,
    hand_on_tracked,
    shipment_ends,
    station_order,
    station_pairs,
    station_stats,
)
from sim.engines.vector.diversion import Branches, branches_of, diverting_chokepoint
from sim.engines.vector.fifo import Fifo, fifo
from sim.engines.vector.kernels import KernelState, kernel, travel, unit_speed
from sim.engines.vector.priority import diverting_priority
from sim.network import Station
from sim.plan import Plan
from sim.schedule import Schedule

__all__ = ["Block", "batchable", "compute", "ends", "pass_on", "pool_state", "pooled", "run_kernel"]


@dataclass(frozen=True)
class Block:
    """Whole replications ``[first, last)`` of a plan; its time arrays are views into the run's."""

    plan: Plan
    rows: int
    row_first: IntArray
    """Visits of row ``r`` (a replication) are ``row_first[r]:row_first[r + 1]``."""
    has_next: NDArray[np.bool_]
    station_code: NDArray[np.unsignedinteger[Any]] | IntArray
    """Station of each visit, in the narrowest unsigned type that holds every station index."""
    work: FloatArray
    size: FloatArray
    by_station: list[IntArray]
    feeds: list[set[int]]
    """The stations each station passes shipments on to, in this block."""
    route_ends: NDArray[np.bool_]
    """Per station: some shipment's route ends there (else every visit has a next one)."""
    arrive: FloatArray
    start: FloatArray
    branches: Branches | None = None
    """Where shipments may divert (:mod:`~sim.engines.vector.diversion`); None when no flow diverts."""
    station_stats: dict[str, FloatArray] = field(default_factory=dict)
    """Cache of :meth:`_stats` (each station's least work, first size, and whether its sizes are one)."""
    station_rows: dict[int, tuple[int, int]] = field(default_factory=dict)
    """Cache of :meth:`rows_of`."""
    visit_class: ClassArray | None = None
    """Priority class of each visit (``None``: no station has classes)."""
    left: NDArray[np.bool_] | None = None
    """Per visit: a chokepoint visit whose shipment left there (ends at its arrival); None when none can."""

    @classmethod
    def of(
        cls,
        plan: Plan,
        first: int,
        last: int,
        times: tuple[FloatArray, FloatArray],
        moved: IntArray | None = None,
    ) -> Block:
        """Cut replications ``[first, last)`` out of ``plan``; ``times`` are the run's arrive and start.

        ``moved`` (stored replications × stations, :func:`sim.stacking.station_copies`) is the station each
        replication's visits go to instead of the Plan's; ``None``: the Plan's.
        """
        s0, s1 = int(plan.rep_first[first]), int(plan.rep_first[last])
        v0, v1 = int(plan.first_visit[s0]), int(plan.first_visit[s1])
        arrive, start = (t[v0:v1] for t in times)
        has_next = np.ones(v1 - v0, dtype=bool)
        first_visits = plan.first_visit[s0 : s1 + 1] - v0
        shipment_ends(first_visits, plan.created[s0:s1], float(plan.horizon_h), has_next, arrive)
        row_first = plan.first_visit[plan.rep_first[first : last + 1]] - v0
        stations = plan.visit_station[v0:v1]
        n_stations = len(plan.network.stations)
        table = moved[first:last] if moved is not None else None
        station_code, by_station = _by_station(stations, n_stations, row_first, table)
        branches = branches_of(plan, s0, s1, station_code)
        if branches is not None:  # a route's last visit is followed by the alternative's in the Plan
            has_next[branches.route_last] = False
        feeds, route_ends = _feeds(station_code, has_next, n_stations)
        if branches is not None:
            goes = ~branches.leaves  # a shipment that leaves has no alternative to feed
            pairs = zip(
                station_code[branches.decide[goes]].tolist(),
                station_code[branches.detour[goes]].tolist(),
                strict=True,
            )
            for a, b in set(pairs):
                feeds[a].add(b)
        return cls(
            plan,
            last - first,
            row_first,
            has_next,
            station_code,
            plan.visit_work[v0:v1],
            plan.visit_size[v0:v1],
            by_station,
            feeds,
            route_ends,
            arrive,
            start,
            branches,
            visit_class=plan.visit_class[v0:v1] if plan.visit_class is not None else None,
            left=np.zeros(v1 - v0, dtype=bool) if branches is not None and branches.leaves.any() else None,
        )

    def uniform_size(self, station: int) -> float | None:
        """The one size of every shipment at ``station`` in this block, or ``None`` when sizes differ."""
        stats = self._stats()
        return float(stats["first_size"][station]) if stats["uniform"][station] else None

    def least_work(self, station: int) -> float:
        """The least work (h) of a visit at ``station`` in this block (a station with visits)."""
        return float(self._stats()["least"][station])

    def _stats(self) -> dict[str, FloatArray]:
        """Per station: least work, first size, one size (1.0) or not — one compiled pass over the visits."""
        if not self.station_stats:
            n_stations = len(self.by_station)
            least = np.full(n_stations, np.inf)
            first_size = np.full(n_stations, np.nan)
            uniform = np.zeros(n_stations)
            station_stats(self.station_code, self.work, self.size, least, first_size, uniform)
            self.station_stats.update(least=least, first_size=first_size, uniform=uniform)
        return self.station_stats

    def rows_of(self, station: int) -> tuple[int, int]:
        """The rows ``[first, last)`` from the first to the last with a visit to ``station``.

        A station's queue grid has these rows only: in stacked sweep points (:mod:`sim.stacking`) a
        station's copy is visited in its own point's replications only.
        """
        if station not in self.station_rows:
            visits = self.by_station[station]
            if visits.size == 0:
                self.station_rows[station] = (0, 0)
            else:
                ends = np.searchsorted(self.row_first, [visits[0], visits[-1]], side="right") - 1
                self.station_rows[station] = (int(ends[0]), int(ends[1]) + 1)
        return self.station_rows[station]

    def per_row(self, visits: IntArray, station: int) -> IntArray:
        """How many of ``visits`` (ascending, all at ``station``) fall in each of the station's rows."""
        first, last = self.rows_of(station)
        return np.diff(np.searchsorted(visits, self.row_first[first : last + 1])).astype(np.int64)


def _code_type(n_stations: int) -> type[np.integer[Any]]:
    """The narrowest integer type for station indices: a stable sort of it is a radix sort, a pass a byte."""
    return np.uint8 if n_stations <= 2**8 else np.uint16 if n_stations <= 2**16 else np.int64


def _by_station(
    stations: IntArray, n_stations: int, row_first: IntArray | None = None, moved: IntArray | None = None
) -> tuple[NDArray[np.unsignedinteger[Any]] | IntArray, list[IntArray]]:
    """The visits' stations in their narrow type (:func:`_code_type`); each station's visits, ascending.

    With ``moved`` (rows × stations) a visit of row ``r`` (visits ``row_first[r]:row_first[r + 1]``) is at
    station ``moved[r, stations[visit]]`` instead.
    """
    codes = np.empty(stations.size, dtype=_code_type(n_stations))
    bounds = np.zeros(n_stations + 1, dtype=np.int64)
    order = np.empty(stations.size, dtype=np.int64)
    rows = row_first if moved is not None and row_first is not None else _NO_ROWS
    table = np.ascontiguousarray(moved, dtype=np.int64) if moved is not None else _NO_TABLE
    station_order(np.ascontiguousarray(stations, dtype=np.int64), rows, table, codes, bounds, order)
    return codes, [order[bounds[k] : bounds[k + 1]] for k in range(n_stations)]


_NO_ROWS = np.zeros(1, dtype=np.int64)
_NO_TABLE = np.empty((0, 0), dtype=np.int64)


def _feeds(
    codes: NDArray[np.integer[Any]], has_next: NDArray[np.bool_], n_stations: int
) -> tuple[list[set[int]], NDArray[np.bool_]]:
    """Each station's set of next stations (pairs visited in a row), and where some route ends.

    ``codes`` are the visits' stations in their narrow type (:func:`_code_type`). Pairs are marked in a table
    of every (station, next station) in one compiled pass when the table is small, else found by a sort.
    """
    route_ends = np.zeros(n_stations, dtype=bool)
    if n_stations * n_stations <= 1 << 22:  # mark pairs in a table when it is small, else sort
        seen = np.zeros(n_stations * n_stations, dtype=bool)
        station_pairs(codes, has_next, n_stations, seen, route_ends)
        found = np.flatnonzero(seen)
    else:
        pairs = codes[:-1].astype(np.int64)
        np.multiply(pairs, n_stations, out=pairs)
        np.add(pairs, codes[1:], out=pairs)
        np.putmask(pairs, ~has_next[:-1], n_stations * n_stations)  # a shipment's last visit feeds nothing
        found = np.unique(pairs)
        found = found[found < n_stations * n_stations]
        route_ends[np.unique(codes[~has_next])] = True
    feeds: list[set[int]] = [set() for _ in range(n_stations)]
    for code in found.tolist():
        feeds[code // n_stations].add(code % n_stations)
    return feeds, route_ends


def pass_on(
    block: Block,
    stations: Sequence[int],
    visits: IntArray,
    begin: FloatArray,
    finish: FloatArray,
    track: bool = False,
) -> tuple[IntArray, FloatArray, NDArray[np.bool_] | None]:
    """Record the start (h) of visits at ``stations``; their ends ``finish`` (h) become the next arrivals.

    Returns the next visits, their arrival times (h) and, when ``track``, which of those changed.
    """
    block.start[visits] = begin
    if block.route_ends[list(stations)].any():
        onward = block.has_next[visits]
        following, arrivals = visits[onward] + 1, finish[onward]
    else:
        following, arrivals = visits + 1, finish
    changed = block.arrive[following] != arrivals if track else None
    block.arrive[following] = arrivals
    return following, arrivals, changed


def ends(block: Block, out: FloatArray, horizon_h: float = np.inf) -> None:
    """Write every visit's end (h) into ``out`` once the block is settled; times past ``horizon_h``: NaN.

    Start plus work, over the speed factor on legs: the same floating-point operations whose results
    :func:`compute` handed on as arrivals; a visit where its shipment left ends at its arrival. The block's
    arrivals, starts and ends after ``horizon_h`` (h) are set to NaN in the same pass
    (:func:`~.block_loops.close_times`), as ``np.putmask(times, times > horizon_h, np.nan)`` would.
    """
    special: list[
        tuple[IntArray, FloatArray]
    ] = []  # ends that are not start plus work, from the times before any is masked
    for index, station in enumerate(block.plan.network.stations):
        if station.is_delay and not unit_speed(station):
            visits = block.by_station[index]
            special.append((visits, travel(block.start[visits], block.work[visits], station)))
    if block.left is not None:  # a ship that left: its chokepoint visit ends, unstarted, as it arrived
        special.append((np.flatnonzero(block.left), block.arrive[block.left]))
    close_times(block.start, block.work, block.arrive, out, float(horizon_h))
    for visits, values in special:
        out[visits] = np.where(values > horizon_h, np.nan, values)


def batchable(station: Station) -> str:
    """Stations of one batch kind that do not feed each other can be computed in one call.

    ``"leg"`` (pure delays), ``"pool"`` (berth pools of two or more berths at constant capacity: rows of
    one pool grid), or ``""`` (computed alone). A one-berth pool is computed alone, by its single-server loop,
    whatever it is batched with: a station's kernel never depends on its neighbours, so its floats do not
    either.
    """
    if station.is_delay:
        return "leg"
    if station.has_priority:
        return ""
    if station.kind == "berth" and station.capacity.is_constant and station.capacity.values[0] >= 2:
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
    if stations[0].is_delay:
        begin = block.arrive[visits]
        finish = _travel_many(block, indices, visits, begin)
        following, _, changed = pass_on(block, indices, visits, begin, finish, track)
        return _changed_stations(block, following, changed)
    if block.branches is not None and indices[0] in block.branches.stations:
        branches = block.branches
        queue, decision, start, diverted = _diverting_starts(block, branches, indices[0], visits)
        marked = np.zeros(len(block.by_station), dtype=bool)
        hand_on_branches(
            queue.cells, queue.sizes, start, queue.work, diverted, decision, block.has_next, block.start,
            block.arrive, branches.detour, branches.leaves,
            block.left if block.left is not None else np.zeros(0, dtype=bool), block.station_code, track,
            marked,
        )  # fmt: skip
        return {int(s) for s in np.flatnonzero(marked)}
    queue, start = _queue_starts(block, indices, visits)
    if not track:
        hand_on(queue.cells, queue.sizes, start, queue.work, block.has_next, block.start, block.arrive)
        return set()
    marked = np.zeros(len(block.by_station), dtype=bool)
    hand_on_tracked(
        queue.cells, queue.sizes, start, queue.work, block.has_next, block.start, block.arrive,
        block.station_code, marked,
    )  # fmt: skip
    return {int(s) for s in np.flatnonzero(marked)}


def _changed_stations(block: Block, following: IntArray, changed: NDArray[np.bool_] | None) -> set[int]:
    """The stations of the ``following`` visits whose arrivals ``changed`` (none when not tracked)."""
    if changed is None:
        return set()
    counts = np.bincount(block.station_code[following[changed]], minlength=len(block.by_station))
    return {int(s) for s in np.flatnonzero(counts)}


def _travel_many(block: Block, indices: list[int], visits: IntArray, begin: FloatArray) -> FloatArray:
    """Leg ends for visits at one or more legs (each leg's own speed factor)."""
    legs = [block.plan.network.stations[i] for i in indices]
    if all(unit_speed(leg) for leg in legs):
        finish: FloatArray = begin + block.work[visits]  # x / 1.0 is x
        return finish
    finish = np.empty_like(begin)
    at = 0
    for index, leg in zip(indices, legs, strict=True):
        n = block.by_station[index].size
        finish[at : at + n] = travel(begin[at : at + n], block.work[visits[at : at + n]], leg)
        at += n
    return finish


def _queue_starts(block: Block, indices: list[int], visits: IntArray) -> tuple[Fifo, FloatArray]:
    """FIFO-order the visits and run the kernel; several pools become rows of one pool grid.

    Returns the queue and the starts (h) on its grid.
    """
    if len(indices) == 1:
        queue = fifo(visits, block.arrive, block.per_row(visits, indices[0]), block.work)
        return queue, run_kernel(block, block.plan.network.stations[indices[0]], queue)[0]
    per_row = np.concatenate([block.per_row(block.by_station[i], i) for i in indices])
    queue = fifo(visits, block.arrive, per_row, block.work)
    return queue, pooled(queue, pool_state(block, indices))[0]


def _diverting_starts(
    block: Block, branches: Branches, index: int, visits: IntArray
) -> tuple[Fifo, IntArray, FloatArray, NDArray[np.bool_]]:
    """A chokepoint where ships may divert: its queue, and on the queue's grid the decisions, starts, turns.

    Each cell's decision is its index in ``branches.decide`` (-1: none); the starts are in h; the last
    grid says which ships diverted.
    """
    queue = fifo(visits, block.arrive, block.per_row(visits, index), block.work)
    station = block.plan.network.stations[index]
    decision = branches.decisions(queue.cells)
    if queue.padding is not None:
        np.putmask(decision, queue.padding, -1)
    thresholds = np.where(decision >= 0, branches.threshold_days[decision], np.inf)
    if station.has_priority:  # by class, FIFO within a class (sim.engines.vector.priority)
        classes = _classes(block, queue)
        start, diverted = diverting_priority(queue.arrive, classes, queue.counts, station, thresholds)
    else:
        start, diverted = diverting_chokepoint(queue, thresholds, station.capacity)
    return queue, decision, start, diverted


def run_kernel(
    block: Block,
    station: Station,
    queue: Fifo,
    state: KernelState = None,
    until: float = np.inf,
) -> tuple[FloatArray, KernelState]:
    """The station's kernel (:func:`~sim.engines.vector.kernels.kernel`) on this block's queue grid.

    Services need the shipments' sizes: the block's one size at the station, or a grid of them; stations
    with priority classes the visits' classes.
    """
    sizes: float | FloatArray = 0.0
    if station.kind == "service":
        size = block.uniform_size(station.index)
        sizes = size if size is not None else queue.grid(block.size, np.inf)
    classes = _classes(block, queue) if station.has_priority else None
    return kernel(station, queue, queue.work, sizes, block.plan.horizon_h, state, until, classes)


def _classes(block: Block, queue: Fifo) -> ClassArray:
    """The visits' priority classes on the queue's grid (a Plan without classes: every visit in class 0)."""
    known = block.visit_class
    return known[queue.cells] if known is not None else np.zeros(queue.shape, np.int8)


def pool_state(block: Block, stations: Sequence[int]) -> PoolState:
    """An unused grid of constant pools: each station's rows (see :meth:`Block.rows_of`) with its berths.

    A row with fewer berths than the widest has its missing berths busy for ever.
    """
    berths = np.concatenate(
        [
            np.full(
                np.subtract(*block.rows_of(s)[::-1]), int(block.plan.network.stations[s].capacity.values[0])
            )
            for s in stations
        ]
    )
    most = int(berths.max())
    ends = np.where(np.arange(most)[None, :] < berths[:, None], -np.inf, np.inf)
    return PoolState(ends, np.full(berths.size, -np.inf))


def pooled(queue: Fifo, state: KernelState, until: float = np.inf) -> tuple[FloatArray, KernelState]:
    """Start times on a grid of several constant pools' rows (see :func:`pool_state`), and the new state."""
    assert isinstance(state, PoolState)
    most = state.ends.shape[1]
    return berth_pool(queue.arrive, queue.work, queue.counts, Schedule.constant(most), state, until)
