"""The vector engine's parts: each kernel against a plain loop, its paths against each other, resuming from a
saved state against running at once, memory blocks, the settling order, and what the engines import."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.drawing import draw_plan
from sim.engines.vector import berth_pool as vector_pool
from sim.engines.vector import replication_blocks, simulate
from sim.engines.vector.berth_pool import berth_pool
from sim.engines.vector.order import settle_order
from sim.engines.vector.service import service
from sim.engines.vector.single_server import single_server
from sim.engines.vector.windows import _order
from sim.examples import one_port
from sim.network import Station, build_network
from sim.schedule import Schedule, windowed
from sim.trace import first_difference


def _queues(rng: np.random.Generator, rows: int, n: int, load: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    arrive = np.sort(rng.exponential(1.0, (rows, n)).cumsum(axis=1) / load, axis=1)
    return arrive, rng.exponential(1.0, (rows, n))


def _server_loop(arrive: np.ndarray, work: np.ndarray | None, capacity: Schedule) -> list[float]:
    """One row of a single server as the reference engine computes it: start at the later of the arrival
    and the free time, moved to the next open time; free again after the work or the slot spacing."""
    starts, free = [], -np.inf
    for n, a in enumerate(arrive):
        t = capacity.next_positive(max(a, free))
        starts.append(t)
        free = t + (24.0 / capacity.at(t) if work is None else work[n])
    return starts


@pytest.mark.parametrize("service", ["work", "slots"])
@pytest.mark.parametrize("windows", [[], [(20.0, 40.0, 0.0), (60.0, 61.0, 0.0)], [(10.0, 300.0, 0.5)]])
def test_single_server_is_the_reference_loop_bit_for_bit(
    service: str, windows: list[tuple[float, float, float]]
) -> None:
    """Every start is the reference's float: an ulp decides whether a start falls before a closure."""
    arrive, work = _queues(np.random.default_rng(5), 7, 500, load=0.95)
    arrive[3, 400:] = np.inf  # a row that ends early, as padding does
    spans = work if service == "work" else None
    if service == "slots":
        windows = [(lo, hi, value * 60.0) for lo, hi, value in windows]
    capacity = windowed(1.0 if service == "work" else 30.0, windows)
    start, free = single_server(arrive, spans, capacity)
    for row in range(7):
        n = int(np.isfinite(arrive[row]).sum())
        loop = _server_loop(arrive[row, :n], None if spans is None else spans[row], capacity)
        np.testing.assert_array_equal(start[row, :n], loop)
        assert np.all(np.isinf(start[row, n:]))
        last = loop[-1]
        assert free[row] == last + (24.0 / capacity.at(last) if spans is None else spans[row, n - 1])


def _pool_loop(
    arrive: np.ndarray, work: np.ndarray, capacity: Schedule, ends: list[float], last: float
) -> list[float]:
    """One row of a pool in plain Python, straight from the definition: from ``max(arrival, last start)``
    walk the candidate times (ends, capacity changes) until fewer kept ends lie after ``t`` than berths
    are open; the ship then replaces the earliest kept end."""
    out = []
    for a, w in zip(arrive.tolist(), work.tolist(), strict=True):
        t = max(a, last)
        while t < np.inf:
            busy = [e for e in ends if e > t]
            if len(busy) < capacity.at(t):
                break
            t = min([*busy, capacity.next_change(t)])
        ends[ends.index(min(ends))] = t + w
        out.append(t)
        last = t
    return out


@pytest.mark.parametrize("berths", [2, 3, 6, 20])
@pytest.mark.parametrize("windows", [[], [(30.0, 80.0, 0.0), (200.0, 260.5, 1.0), (400.0, 420.0, 8.0)]])
@pytest.mark.parametrize("rows", [1, 12])
def test_pool_is_the_plain_loop_exactly(
    berths: int, windows: list[tuple[float, float, float]], rows: int
) -> None:
    """The compiled loop over all rows gives, row by row, the floats of the definition's plain loop: from a
    used pool, with rows that end early, and integer arrivals (ties) in one row."""
    capacity = windowed(berths, windows)
    rng = np.random.default_rng(berths * 10 + rows)
    # arrivals at 0.9 per hour per berth, an hour of work each: every berth busy most of the time
    arrive, work = _queues(rng, rows, 300, load=0.9 * berths)
    arrive[0] = np.ceil(arrive[0])
    counts = np.full(rows, 300, dtype=np.int64)
    counts[-1] = 140 if rows > 1 else 300
    arrive[-1, counts[-1] :], work[-1, counts[-1] :] = np.inf, 0.0
    most = max(int(capacity.values.max()), 1)
    latest = 0.5 if windows else -np.inf  # at constant capacity a start is never before the last one anyway
    state = vector_pool.PoolState(rng.uniform(0.0, 3.0, (rows, most)), np.full(rows, latest))
    together, _ = berth_pool(arrive, work, counts, capacity, state)
    assert (together > arrive).mean() > 0.1  # ships do queue
    for row in range(rows):
        n = int(counts[row])
        loop = _pool_loop(arrive[row, :n], work[row, :n], capacity, state.ends[row].tolist(), latest)
        np.testing.assert_array_equal(together[row, :n], loop)
        assert np.all(np.isinf(together[row, n:]))


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    cuts=st.lists(st.floats(1.0, 400.0), max_size=4),
    rows=st.sampled_from([1, 30]),
)
def test_kernels_resumed_window_by_window_match_one_run(seed: int, cuts: list[float], rows: int) -> None:
    arrive, work = _queues(np.random.default_rng(seed), rows, 150, load=1.1)
    counts = np.full(rows, 150, dtype=np.int64)
    pool = windowed(3, [(50.0, 90.0, 1.0)])
    whole, _ = berth_pool(arrive, work, counts, pool)
    parts = _resumed(
        arrive, work, sorted(cuts), lambda a, w, c, state, t: berth_pool(a, w, c, pool, state, t)
    )
    np.testing.assert_array_equal(parts, whole)
    berth = windowed(1, [(20.0, 40.0, 0.0)])
    whole, _ = single_server(arrive, work, berth)
    parts = _resumed(
        arrive, work, sorted(cuts), lambda a, w, c, state, t: single_server(a, w, berth, state, t)
    )
    np.testing.assert_array_equal(parts, whole)


def _resumed(arrive: np.ndarray, work: np.ndarray, cuts: list[float], step: Callable[..., Any]) -> np.ndarray:
    """Run a kernel with ``until`` moving through ``cuts``; each run sees only the ships not started yet."""
    start = np.full(arrive.shape, np.inf)
    state = None
    for until in [*cuts, np.inf]:
        waiting = [np.flatnonzero(np.isinf(start[r])) for r in range(arrive.shape[0])]
        width = max(w.size for w in waiting)
        queue = np.full((arrive.shape[0], width), np.inf)
        spans = np.zeros((arrive.shape[0], width))
        for r, w in enumerate(waiting):
            queue[r, : w.size], spans[r, : w.size] = arrive[r, w], work[r, w]
        counts = np.array([w.size for w in waiting], dtype=np.int64)
        begin, state = step(queue, spans, counts, state, until)
        for r, w in enumerate(waiting):
            kept = begin[r, : w.size] < until
            start[r, w[kept]] = begin[r, : w.size][kept]
    return start


def test_service_loads_equal_sizes_as_the_general_loop_would() -> None:
    rng = np.random.default_rng(5)
    station = Station(
        0, "svc", "service", "N", windowed(10.0, [(100.0, 150.0, 3.5)]), 10.0, "TEU", 24.0, (2.5, 11.0)
    )
    arrive = np.sort(rng.uniform(0, 500, (4, 200)), axis=1)
    counts = np.full(4, 200, dtype=np.int64)
    for size in (1.0, 3.0, 4.0, 12.0):  # 12 > room: alone on an empty departure
        equal, _ = service(arrive, np.full(arrive.shape, size), counts, station, 600.0)
        nudged = np.full(arrive.shape, size)
        nudged[:, -1] = size + 1e-3  # unequal sizes take the departure loop; the last shipment never matters
        general, _ = service(arrive, nudged, counts, station, 600.0)
        np.testing.assert_array_equal(equal[:, :-1], general[:, :-1])


def _boarding_loop(ready: list[int], size: list[float], rooms: list[float]) -> list[int]:
    """One row in plain Python, from the definition: the head boards the first departure from its own first
    reachable one with room left (``load + size <= room``), or alone on an empty one it is too large for."""
    out, loads, alone = [], [0.0] * len(rooms), [False] * len(rooms)
    j = 0
    for r, s in zip(ready, size, strict=True):
        j = max(j, r)
        while j < len(rooms) and not (
            rooms[j] > 0 and not alone[j] and (loads[j] + s <= rooms[j] or (loads[j] == 0.0 and s > rooms[j]))
        ):
            j += 1
        if j < len(rooms):
            alone[j] = loads[j] + s > rooms[j]
            loads[j] += s
        out.append(j)
    return out


@pytest.mark.parametrize("rows", [1, 30])
def test_service_with_unequal_sizes_is_the_plain_loop_exactly(rows: int) -> None:
    """Sizes with no exact binary sum (0.1, 0.7) make the load's order of additions matter; one size is
    larger than any departure; one departure has no room."""
    rng = np.random.default_rng(rows)
    station = Station(
        0, "svc", "service", "N", windowed(2.0, [(100.0, 150.0, 0.0)]), 2.0, "TEU", 24.0, (2.5, 11.0)
    )
    arrive = np.sort(rng.uniform(0, 500, (rows, 120)), axis=1)
    size = rng.choice([0.1, 0.7, 1.0, 2.5], arrive.shape)
    counts = np.full(rows, 120, dtype=np.int64)
    counts[-1] = 77
    arrive[-1, 77:] = np.inf
    start, _ = service(arrive, size, counts, station, 600.0)
    departures = station.departures_between(0.0, 600.0)
    rooms = station.capacity.at_many(departures).tolist()
    waited = 0
    for row in range(rows):
        n = int(counts[row])
        ready = np.searchsorted(departures, arrive[row, :n]).tolist()
        taken = np.array(_boarding_loop(ready, size[row, :n].tolist(), rooms))
        expected = np.where(taken < len(rooms), departures[np.minimum(taken, len(rooms) - 1)], np.inf)
        np.testing.assert_array_equal(start[row, :n], expected)
        waited += int((taken > np.array(ready)).sum())
    assert waited > counts.sum() / 10  # departures fill: many shipments wait for a later one


def test_blocks_of_replications_give_the_same_trace() -> None:
    scenario = one_port(berths=2, arrivals_per_day=3.0, service_h=12.0, days=60.0, replications=5)
    plan = draw_plan(scenario, build_network(scenario), range(5), scenario.seed)
    blocks = list(replication_blocks(plan, block_bytes=1))
    assert blocks == [(r, r + 1) for r in range(5)]
    assert first_difference(simulate(plan), simulate(plan, block_bytes=1)) is None


def test_blocks_follow_the_memory_left_under_a_job_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's blocks are sized by what a container or Slurm job leaves, not by the machine's memory."""
    from sim.engines.vector import engine

    scenario = one_port(berths=2, arrivals_per_day=3.0, service_h=12.0, days=60.0, replications=5)
    plan = draw_plan(scenario, build_network(scenario), range(5), scenario.seed)
    per_replication = int(np.diff(plan.first_visit[plan.rep_first]).max()) * engine.BYTES_PER_VISIT
    monkeypatch.setattr(engine, "available_bytes", lambda: 3.0 * per_replication)  # a third: one replication
    assert engine.working_memory_budget() == per_replication
    assert list(replication_blocks(plan)) == [(r, r + 1) for r in range(5)]
    monkeypatch.setattr(engine, "available_bytes", lambda: float("inf"))  # unknown: the 4 GiB cap
    assert engine.working_memory_budget() == engine.DEFAULT_BLOCK_BYTES
    assert list(replication_blocks(plan)) == [(0, 5)]


def test_an_empty_plan_gives_an_empty_trace() -> None:
    scenario = one_port(berths=1, arrivals_per_day=1.0, service_h=1.0, days=10.0, warmup_days=1.0)
    plan = draw_plan(scenario, build_network(scenario), [], scenario.seed)
    assert simulate(plan).arrive.size == 0


def test_stations_feeding_each_other_are_settled_together_after_their_suppliers() -> None:
    feeds = [{1}, {2}, {1, 3}, set(), {4}]
    groups = [(sorted(g.stations), g.cyclic) for g in settle_order(feeds)]
    assert sorted(groups) == [([0], False), ([1, 2], True), ([3], False), ([4], True)]
    assert groups.index(([0], False)) < groups.index(([1, 2], True)) < groups.index(([3], False))


def test_window_order_puts_the_long_transit_on_the_backward_edge() -> None:
    # port A -> feeder out (81 h) -> port B -> feeder back (81 h) -> port A; berth work is ~10 h
    lags = {(0, 1): 10.0, (1, 2): 81.0, (2, 3): 9.0, (3, 0): 81.0}
    order, delta = _order((0, 1, 2, 3), lags)
    assert delta == 81.0
    assert order in [(0, 1, 2, 3), (2, 3, 0, 1)]


def test_engines_import_no_pandas_plotting_cli_or_dask() -> None:
    code = (
        "import sys, sim.engines.vector.engine, sim.engines.reference; "
        "banned = ('pandas', 'matplotlib', 'dask', 'typer', 'sim.cli', 'rich'); "
        "print(sorted(m for m in banned if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_constant_schedule_helpers_used_by_the_kernels() -> None:
    assert Schedule.constant(2.0).is_constant
    assert windowed(2.0, [(1.0, 2.0, 0.0)]).values.tolist() == [2.0, 0.0, 2.0]
