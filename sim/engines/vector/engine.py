"""The vector engine: the reference engine's semantics computed station by station with numpy arrays.

A station's visits are computed together, for every replication of a block, once their arrival times are
known: :mod:`~sim.engines.vector.fifo` lays them out as a grid, :mod:`~sim.engines.vector.kernels` picks the
kernel of the station's kind, :mod:`~sim.engines.vector.block` hands the ends on as the next arrivals.

Order of computation (:mod:`~sim.engines.vector.order`): stations outside cycles of the station graph are
computed once, upstream first, level by level (copies of one station in stacked sweep points, and copies of
one cycle, are computed together: see :func:`_level_steps`). Stations that feed each other (flows in both
directions through the same berths, a station visited at different route positions) are settled in one of
two exact ways:

- in time windows, one pass per window (:mod:`~sim.engines.vector.windows`), when the cycle's backward edges
  have long lags (sea or rail transits) and there are enough visits to share the per-window cost;
- otherwise by sweeping: recompute every station whose arrivals changed until none changes. With positive
  work every event depends only on earlier events, so the system has one consistent solution, and a sweep
  that changes nothing has found it; each sweep makes every event before the earliest change final, so the
  iteration ends.

Times after the horizon are computed like any other where that is cheaper than cutting them off (they
cannot change an earlier event) and become NaN in the Trace; services stop at the last departure before
the horizon and windows at the first window past it. Replications are independent: a run too large for
memory is cut into blocks of whole replications (:func:`replication_blocks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from sim.available_memory import available_bytes
from sim.engines.vector.block import Block, batchable, compute, ends
from sim.engines.vector.order import Group, settle_order
from sim.engines.vector.windows import WINDOW_COST_VISITS, WindowPlan, settle_in_windows, window_plan
from sim.plan import Plan, check_plan
from sim.stacking import station_copies
from sim.trace import Trace

__all__ = ["BYTES_PER_VISIT", "SweepLimitError", "replication_blocks", "simulate", "working_memory_budget"]


BYTES_PER_VISIT = 128
"""Working memory per visit of a block (bytes): the benchmarks measure 90–100 with the Trace included."""
DEFAULT_BLOCK_BYTES = 4 * 1024**3
"""Most working memory for one block (bytes); less when a third of the available memory is less."""
MAX_SWEEPS = 100_000
"""Fixed-point sweeps of a cycle before giving up (never reached with positive work times)."""


class SweepLimitError(RuntimeError):
    """A cycle of stations did not settle (only possible with zero work times around a cycle)."""


def simulate(
    plan: Plan, block_bytes: int | None = None, window_cost_visits: float = WINDOW_COST_VISITS
) -> Trace:
    """Simulate every replication of ``plan`` up to its horizon.

    Parameters
    ----------
    plan : Plan
        Shipments and draws.
    block_bytes : int, optional
        Working memory for one block of replications (bytes); by default a third of the memory available,
        at most 4 GiB.
    window_cost_visits : float, optional
        The fixed cost of settling one station of a cycle in one time window (visits' worth of array
        work), weighed against sweeping (see :func:`~sim.engines.vector.windows.window_plan`); 0 settles
        every cycle whose lags allow it in windows (the contract tests use it to exercise that path). The
        Trace is the same either way.

    Raises
    ------
    ValueError
        When the plan breaks the engines' precondition (a visit without work, a leg that stops): see
        :func:`sim.plan.check_plan`.
    """
    check_plan(plan)
    plan, moved = station_copies(plan)  # a station with its own schedule per replication: one copy per one
    arrive = np.full(plan.n_visits, np.inf)
    start = np.full(plan.n_visits, np.inf)
    end = np.empty(plan.n_visits)
    if plan.n_visits:
        for first, last in replication_blocks(plan, block_bytes):
            block = Block.of(plan, first, last, (arrive, start), moved)
            for step in _level_steps(block, settle_order(block.feeds), window_cost_visits):
                if isinstance(step, Cycle):
                    _settle(block, step)
                else:
                    compute(block, step, track=False)
            v0, v1 = (int(plan.first_visit[plan.rep_first[r]]) for r in (first, last))
            ends(block, end[v0:v1], plan.horizon_h)  # and every time after the horizon becomes NaN
    return Trace(arrive, start, end)


def replication_blocks(plan: Plan, block_bytes: int | None = None) -> Iterator[tuple[int, int]]:
    """Ranges ``[first, last)`` of stored replications whose visits fit in ``block_bytes`` of working memory.

    A single replication larger than the budget is still simulated whole.
    """
    budget = block_bytes if block_bytes is not None else working_memory_budget()
    visits_before = plan.first_visit[plan.rep_first]
    first = 0
    n_reps = len(plan.replications)
    while first < n_reps:
        allowed = visits_before[first] + budget // BYTES_PER_VISIT
        last = int(np.searchsorted(visits_before, allowed, side="right")) - 1
        last = min(max(last, first + 1), n_reps)
        yield first, last
        first = last


def working_memory_budget() -> int:
    """Working memory for one block of replications (bytes): a third of the available memory, 4 GiB at most.

    Available as :func:`sim.available_memory.available_bytes` says: a container's or Slurm job's limit counts.
    """
    return int(min(available_bytes() / 3, DEFAULT_BLOCK_BYTES))


@dataclass(frozen=True)
class Cycle:
    """Stations that feed each other (one group, or copies of one), and whether windows settle them."""

    groups: tuple[tuple[int, ...], ...]
    """The stations of each copy."""
    delta: float | None
    """Window length (h), or ``None`` to sweep to a fixed point."""
    windows: WindowPlan | None = None
    """The window plan already made for a single group (``None``: make it when settling)."""

    @property
    def stations(self) -> tuple[int, ...]:
        """Every station of every copy."""
        return tuple(station for group in self.groups for station in group)


def _level_steps(
    block: Block, groups: list[Group], window_cost_visits: float = WINDOW_COST_VISITS
) -> list[Cycle | list[int]]:
    """The groups in an order to compute them, copies of one station or cycle batched.

    A group's level is the longest chain of groups feeding it; groups of one level never feed each other.
    Outside cycles, stations of one level that share a name — the copies of a station in stacked sweep
    points (:mod:`sim.stacking`) — are computed in one call when they are legs or multi-berth pools (rows
    of one pool grid, walked by one compiled call). Copies of a
    cycle (the same station names) that would each be settled the same way — by sweeping, or in windows of
    the same length — are settled as one: every copy gets the floats it gets alone, and their pools become
    rows of one grid. ``window_cost_visits`` weighs windows against sweeping, as in :func:`simulate`.
    """
    group_of = {station: k for k, group in enumerate(groups) for station in group.stations}
    level = [0] * len(groups)
    for k, group in enumerate(groups):  # feeders come first
        for station in group.stations:
            for fed in block.feeds[station]:
                if group_of[fed] != k:
                    level[group_of[fed]] = max(level[group_of[fed]], level[k] + 1)
    steps: dict[tuple[int, str, str], Cycle | list[int]] = {}
    for k, group in enumerate(groups):
        spec = block.plan.network.stations[group.stations[0]]
        if group.cyclic:
            windows = window_plan(block, group.stations, window_cost_visits)
            delta = windows.delta if windows is not None else None
            names = "\n".join(sorted(block.plan.network.stations[s].name for s in group.stations))
            key = (level[k], names, repr(delta))
            copies = steps.get(key)
            assert copies is None or isinstance(copies, Cycle)
            steps[key] = (
                Cycle((group.stations,), delta, windows)
                if copies is None
                else Cycle((*copies.groups, group.stations), delta)
            )
        elif batchable(spec):
            batch = steps.setdefault((level[k], spec.name, ""), [])
            assert isinstance(batch, list)
            batch.append(spec.index)
        else:
            steps[(level[k], "", f"{k:09d}")] = [spec.index]
    return [steps[key] for key in sorted(steps)]


def _settle(block: Block, cycle: Cycle) -> None:
    """Settle stations that feed each other: in windows, or by sweeping until no arrival changes."""
    if cycle.delta is not None:
        windows = cycle.windows or window_plan(block, cycle.stations, cost_visits=0)
        if windows is None or windows.delta != cycle.delta:  # the copies' windows do not line up
            for group in cycle.groups:
                alone = window_plan(block, group, cost_visits=0)
                assert alone is not None
                settle_in_windows(block, alone)
            return
        settle_in_windows(block, windows)
        return
    members = set(cycle.stations)
    dirty = set(cycle.stations)
    batches = _batches(block, cycle.stations)
    sweeps = 0
    while dirty:
        sweeps += 1
        if sweeps > MAX_SWEEPS:
            raise SweepLimitError(f"stations {sorted(members)} did not settle in {MAX_SWEEPS} sweeps")
        for batch in batches:
            due = [station for station in batch if station in dirty]
            if due:
                dirty.difference_update(due)
                dirty |= compute(block, due, track=True) & members


def _batches(block: Block, order: tuple[int, ...]) -> list[list[int]]:
    """Cut a sweep order into batches of stations computed together.

    A batch is the stations of one level (the longest chain of forward edges reaching them) that share a
    batch kind (see :func:`~sim.engines.vector.block.batchable`); the rest are computed one by one.
    Stations of one level never feed each other along a forward edge, so a batch is what the sweep would
    have computed one after the other, with at most a backward edge taking effect a sweep later.
    """
    place = {station: k for k, station in enumerate(order)}
    level = dict.fromkeys(order, 0)
    for station in order:
        for fed in block.feeds[station]:
            if fed in place and place[fed] > place[station]:
                level[fed] = max(level[fed], level[station] + 1)
    batches: dict[tuple[int, str, int], list[int]] = {}
    for station in order:
        kind = batchable(block.plan.network.stations[station])
        batches.setdefault((level[station], kind, station if not kind else -1), []).append(station)
    return [batches[key] for key in sorted(batches, key=lambda key: (key[0], place[batches[key][0]]))]
