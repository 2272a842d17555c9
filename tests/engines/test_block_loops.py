"""The vector engine's compiled passes around the kernels against the numpy code they replaced.

Each oracle below is the numpy expression the engine used before (a stable argsort, the FIFO grid's gathers
and sorts, the hand-on by boolean masks, the window buckets by a sort), kept here to hold the compiled passes
to the same integers and floats, bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engines.priority import SlotOwners
from sim.engines.vector.block import _by_station, _feeds
from sim.engines.vector.block_loops import (
    _SortScratch,
    hand_on,
    hand_on_branches,
    hand_on_tracked,
    shipment_ends,
    stable_order,
    station_stats,
)
from sim.engines.vector.diversion import Branches, _deciding, _decisions
from sim.engines.vector.fifo import fifo
from sim.engines.vector.priority import _owners
from sim.engines.vector.service import _equal_starts, positions_along_rows
from sim.engines.vector.window_loops import _window_of, hand_on_until, window_buckets, window_inbox


def _order(values: np.ndarray) -> np.ndarray:
    return stable_order(values, _SortScratch(max(values.size, 1))).copy()


SPECIAL = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, 5e-324, 1e300, -1e300, 2.5]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SPECIAL) | st.floats(allow_nan=False), max_size=300))
def test_stable_order_is_numpys_stable_argsort(values: list[float]) -> None:
    array = np.array(values, dtype=np.float64)
    np.testing.assert_array_equal(_order(array), np.argsort(array, kind="stable"))


@pytest.mark.parametrize("case", ["ties", "sorted", "reversed", "nearly", "nan"])
def test_stable_order_on_long_rows(case: str) -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    values = {
        "ties": np.floor(rng.uniform(0, 50, n)),  # many equal times: the given order must hold
        "sorted": np.cumsum(rng.exponential(1.0, n)),
        "reversed": -np.cumsum(rng.exponential(1.0, n)),
        "nearly": np.cumsum(rng.exponential(1.0, n)) + rng.uniform(0, 30, n),
        "nan": np.where(rng.uniform(size=n) < 0.1, np.nan, rng.uniform(0, 1e4, n)),
    }[case]
    values[::97] = np.inf
    np.testing.assert_array_equal(_order(values), np.argsort(values, kind="stable"))


def _numpy_fifo(
    visits: np.ndarray, arrive: np.ndarray, per_row: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The FIFO grid as the engine laid it out with numpy: cells, arrivals, finite counts."""
    times = arrive[visits]
    n_rows = per_row.size
    width = int(per_row.max())
    row_first = np.cumsum(per_row) - per_row
    shift = np.arange(n_rows, dtype=np.int64) * width - row_first
    unsorted = np.full(n_rows * width, np.inf)
    unsorted[np.arange(visits.size, dtype=np.int64) + np.repeat(shift, per_row)] = times
    order = np.argsort(unsorted.reshape(n_rows, width), axis=1, kind="stable")
    order += (np.arange(n_rows, dtype=np.int64) * width)[:, None]
    grid = unsorted[order]
    order -= shift[:, None]
    np.minimum(order, visits.size - 1, out=order)
    return visits[order], grid, np.isfinite(grid).sum(axis=1)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**16), rows=st.integers(1, 6), ties=st.booleans())
def test_fifo_grid_is_the_numpy_grid(seed: int, rows: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    n_visits = 400
    arrive = rng.uniform(0.0, 100.0, n_visits)
    if ties:
        arrive = np.floor(arrive / 10.0)
    arrive[rng.uniform(size=n_visits) < 0.1] = np.inf  # visits that never arrive
    work = rng.exponential(1.0, n_visits)
    per_row = rng.integers(0, 40, rows).astype(np.int64)
    per_row[0] = max(per_row[0], 1)
    visits = np.sort(rng.choice(n_visits, int(per_row.sum()), replace=False)).astype(np.int64)
    queue = fifo(visits, arrive, per_row, work)
    cells, grid, counts = _numpy_fifo(visits, arrive, per_row)
    np.testing.assert_array_equal(queue.cells, cells)
    np.testing.assert_array_equal(queue.arrive, grid)
    np.testing.assert_array_equal(queue.counts, counts)
    np.testing.assert_array_equal(
        queue.work, np.where(queue.padding, 0.0, work[cells]) if queue.padding is not None else work[cells]
    )
    np.testing.assert_array_equal(queue.sizes, per_row)


def _visits_of_shipments(rng: np.random.Generator, shipments: int, n_stations: int) -> tuple[np.ndarray, ...]:
    steps = rng.integers(0, 5, shipments)
    first_visit = np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)
    stations = rng.integers(0, n_stations, int(first_visit[-1])).astype(np.int64)
    return first_visit, stations


@pytest.mark.parametrize("n_stations", [1, 7, 300, 2100])
def test_block_cut_is_the_numpy_cut(n_stations: int) -> None:
    """Shipment ends, each station's visits, the station pairs and route ends: the numpy expressions'."""
    rng = np.random.default_rng(n_stations)
    first_visit, stations = _visits_of_shipments(rng, 3000, n_stations)
    created = rng.uniform(0.0, 120.0, 3000)
    has_next = np.ones(stations.size, dtype=bool)
    arrive = np.full(stations.size, np.inf)
    shipment_ends(first_visit, created, 100.0, has_next, arrive)
    steps = np.diff(first_visit)
    last = first_visit[1:][steps > 0] - 1
    expected_next = np.ones(stations.size, dtype=bool)
    expected_next[last] = False
    np.testing.assert_array_equal(has_next, expected_next)
    expected_arrive = np.full(stations.size, np.inf)
    firsts = first_visit[:-1][steps > 0]
    expected_arrive[firsts] = np.where(created[steps > 0] <= 100.0, created[steps > 0], np.inf)
    np.testing.assert_array_equal(arrive, expected_arrive)

    codes, by_station = _by_station(stations, n_stations)
    np.testing.assert_array_equal(codes, stations)
    order = np.argsort(stations, kind="stable")
    np.testing.assert_array_equal(np.concatenate(by_station), order)
    assert [part.size for part in by_station] == np.bincount(stations, minlength=n_stations).tolist()

    feeds, route_ends = _feeds(codes, has_next, n_stations)
    pairs = {
        (int(a), int(b)) for a, b, go in zip(stations[:-1], stations[1:], has_next[:-1], strict=True) if go
    }
    assert {(a, b) for a in range(n_stations) for b in feeds[a]} == pairs
    np.testing.assert_array_equal(route_ends, np.bincount(stations[last], minlength=n_stations) > 0)


def _grid(rng: np.random.Generator, n_visits: int, rows: int) -> tuple[np.ndarray, ...]:
    """A FIFO grid of some of ``n_visits`` visits (none the last), with starts (some ``inf``) and work."""
    per_row = rng.integers(1, 30, rows).astype(np.int64)
    visits = np.sort(rng.choice(n_visits - 1, int(per_row.sum()), replace=False)).astype(np.int64)
    work = rng.exponential(1.0, n_visits)
    queue = fifo(visits, rng.uniform(0.0, 50.0, n_visits), per_row, work)
    begin = queue.arrive + rng.exponential(2.0, queue.shape)
    begin[rng.uniform(size=queue.shape) < 0.1] = np.inf
    if queue.padding is not None:
        begin[queue.padding] = np.inf
    return queue, begin


def _numpy_hand_on(queue, begin, has_next, start, arrive):  # type: ignore[no-untyped-def]
    """The hand-on as the engine did it with numpy: visits, starts and ends by masks, then scatters."""
    visits, starts, ends = queue.visits(), queue.values(begin), queue.values(begin + queue.work)
    start[visits] = starts
    onward = has_next[visits]
    following, arrivals = visits[onward] + 1, ends[onward]
    changed = arrive[following] != arrivals
    arrive[following] = arrivals
    return following, arrivals, changed


@pytest.mark.parametrize("seed", range(5))
def test_hand_on_is_the_numpy_hand_on(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_visits = 600
    queue, begin = _grid(rng, n_visits, rows=4)
    has_next = rng.uniform(size=n_visits) < 0.7
    codes = rng.integers(0, 5, n_visits).astype(np.uint8)
    arrive0 = np.where(rng.uniform(size=n_visits) < 0.5, rng.uniform(0.0, 60.0, n_visits), np.inf)
    start0 = np.full(n_visits, np.inf)

    start, arrive = start0.copy(), arrive0.copy()
    following, _, changed = _numpy_hand_on(queue, begin, has_next, start, arrive)

    quiet_start, quiet_arrive = start0.copy(), arrive0.copy()
    hand_on(queue.cells, queue.sizes, begin, queue.work, has_next, quiet_start, quiet_arrive)
    np.testing.assert_array_equal(quiet_start, start)
    np.testing.assert_array_equal(quiet_arrive, arrive)

    tracked_start, tracked_arrive = start0.copy(), arrive0.copy()
    marked = np.zeros(5, dtype=bool)
    hand_on_tracked(
        queue.cells, queue.sizes, begin, queue.work, has_next, tracked_start, tracked_arrive, codes, marked
    )
    np.testing.assert_array_equal(tracked_arrive, arrive)
    np.testing.assert_array_equal(marked, np.bincount(codes[following[changed]], minlength=5) > 0)


def _numpy_branch_on(branches, arrive, visits, diverted, left):  # type: ignore[no-untyped-def]
    """The diverted ships handed on to their alternative as the engine did it with numpy (``branch_on``)."""
    where = np.searchsorted(branches.decide, visits)
    where = np.minimum(where, branches.decide.size - 1)
    deciding = branches.decide[where] == visits
    leaves = branches.leaves[where[deciding]]
    left[visits[deciding][leaves]] = diverted[deciding][leaves]
    goes = ~leaves
    detour = branches.detour[where[deciding][goes]]
    arrivals = np.where(diverted[deciding][goes], arrive[visits[deciding][goes]], np.inf)
    changed = arrive[detour] != arrivals
    arrive[detour] = arrivals
    return detour, changed


@pytest.mark.parametrize("seed", range(6))
def test_hand_on_branches_is_the_numpy_pass_on_and_branch_on(seed: int) -> None:
    """A diverting chokepoint's hand-on: starts, next arrivals, alternatives, left ships, changed stations."""
    rng = np.random.default_rng(seed)
    n_visits = 900
    queue, begin = _grid(rng, n_visits, rows=4)
    inside = queue.visits()
    decide = np.sort(rng.choice(inside, inside.size // 2, replace=False))
    detour = np.sort(rng.choice(np.setdiff1d(np.arange(n_visits), inside), decide.size, replace=False))
    leaves = rng.uniform(size=decide.size) < (0.3 if seed % 2 else 0.0)
    branches = Branches(decide, detour, leaves, detour - 1, rng.uniform(1, 9, decide.size), frozenset({0}))
    diverted = rng.uniform(size=queue.shape) < 0.4
    if queue.padding is not None:
        diverted[queue.padding] = False
    has_next = rng.uniform(size=n_visits) < 0.7
    has_next[detour - 1] = False  # a route's last visit feeds nothing: the alternative follows it
    codes = rng.integers(0, 5, n_visits).astype(np.uint8)
    arrive0 = np.where(rng.uniform(size=n_visits) < 0.5, rng.uniform(0.0, 60.0, n_visits), np.inf)
    arrive0[detour[: detour.size // 3]] = np.inf  # some alternatives unchanged when the ship transits
    start0 = np.full(n_visits, np.inf)

    start, arrive, left = start0.copy(), arrive0.copy(), np.zeros(n_visits, dtype=bool)
    following, _, changed = _numpy_hand_on(queue, begin, has_next, start, arrive)
    turned = diverted.ravel() if queue.padding is None else diverted[~queue.padding]
    rerouted_to, rerouted = _numpy_branch_on(branches, arrive, queue.visits(), turned, left)
    expected = np.concatenate([following[changed], rerouted_to[rerouted]])

    decision = branches.decisions(queue.cells)
    if queue.padding is not None:
        decision[queue.padding] = -1
    laid = np.searchsorted(decide, queue.cells).clip(max=decide.size - 1)
    laid = np.where(decide[laid] == queue.cells, laid, -1)
    if queue.padding is not None:
        laid[queue.padding] = -1
    np.testing.assert_array_equal(decision, laid)
    for track in (False, True):
        got_start, got_arrive, got_left = start0.copy(), arrive0.copy(), np.zeros(n_visits, dtype=bool)
        marked = np.zeros(5, dtype=bool)
        hand_on_branches(
            queue.cells, queue.sizes, begin, queue.work, diverted, decision, has_next, got_start, got_arrive,
            detour, leaves, got_left, codes, track, marked,
        )  # fmt: skip
        np.testing.assert_array_equal(got_start, start)
        np.testing.assert_array_equal(got_arrive, arrive)
        np.testing.assert_array_equal(got_left, left)
        want = np.bincount(codes[expected], minlength=5) > 0 if track else np.zeros(5, dtype=bool)
        np.testing.assert_array_equal(marked, want)


@pytest.mark.parametrize("seed", range(5))
def test_hand_on_until_is_the_numpy_split_and_hand_on(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_visits = 600
    queue, begin = _grid(rng, n_visits, rows=3)
    until = 30.0
    has_next = rng.uniform(size=n_visits) < 0.7
    codes = rng.integers(0, 6, n_visits).astype(np.uint8)
    lane_of = np.array([-1, 0, 1, -1, 2, 3], dtype=np.int64)
    arrive0 = np.full(n_visits, np.inf)
    start0 = np.full(n_visits, np.inf)

    # the numpy path: split the grid at ``until``, hand on the started, route those arriving in the cycle
    began = begin < until
    left = ~began if queue.padding is None else ~(began | queue.padding)
    visits, starts = queue.cells[began], begin[began]
    start, arrive = start0.copy(), arrive0.copy()
    start[visits] = starts
    onward = has_next[visits]
    following, arrivals = visits[onward] + 1, (starts + queue.work[began])[onward]
    arrive[following] = arrivals
    target = lane_of[codes[following]]
    inside = (target >= 0) & np.isfinite(arrivals)

    waiting = np.empty(queue.cells.size, dtype=np.int64)
    fed = np.empty(queue.cells.size, dtype=np.int64)
    lanes = np.empty(queue.cells.size, dtype=np.int64)
    new_start, new_arrive = start0.copy(), arrive0.copy()
    held, n_fed = hand_on_until(
        queue.cells, queue.sizes, begin, queue.work, until, has_next, new_start, new_arrive, codes, lane_of,
        waiting, fed, lanes,
    )  # fmt: skip
    np.testing.assert_array_equal(new_start, start)
    np.testing.assert_array_equal(new_arrive, arrive)
    np.testing.assert_array_equal(waiting[:held], queue.cells[left])
    np.testing.assert_array_equal(fed[:n_fed], following[inside])
    np.testing.assert_array_equal(lanes[:n_fed], target[inside])


def test_window_buckets_are_the_numpy_buckets() -> None:
    rng = np.random.default_rng(8)
    n_visits = 5000
    codes = rng.integers(0, 6, n_visits).astype(np.uint8)
    has_next = rng.uniform(size=n_visits) < 0.8
    lane_of = np.array([-1, 0, 1, -1, 2, -1], dtype=np.int64)
    arrive = np.where(rng.uniform(size=n_visits) < 0.9, rng.uniform(0.0, 120.0, n_visits), np.inf)
    ends = np.arange(1, 11) * 10.0  # the last window ends before some arrivals
    visits = np.flatnonzero(codes == 1)

    previous = np.maximum(visits - 1, 0)
    fed = (visits > 0) & has_next[previous] & (lane_of[codes[previous]] >= 0)
    outside = visits[~fed]
    window = np.searchsorted(ends, arrive[outside], side="right")
    expected = outside[np.argsort(window, kind="stable")]
    expected_first = np.zeros(ends.size + 2, dtype=np.int64)
    np.cumsum(np.bincount(window, minlength=ends.size + 1), out=expected_first[1:])

    out = np.empty(visits.size, dtype=np.int64)
    first = np.zeros(ends.size + 2, dtype=np.int64)
    found = window_buckets(visits, has_next, codes, lane_of, arrive, ends, out, first)
    np.testing.assert_array_equal(out[:found], expected)
    np.testing.assert_array_equal(first, expected_first)


@pytest.mark.parametrize("step", [81.4 * (1.0 - 1e-9), 10.0, 0.1, 3.0])
def test_window_of_is_searchsorted(step: float) -> None:
    """The division's guess, confirmed against the ends, is the bisection's position (every edge case)."""
    ends = step * np.arange(1, 130, dtype=np.float64)
    rng = np.random.default_rng(3)
    times = np.concatenate(
        [
            ends,
            np.nextafter(ends, np.inf),
            np.nextafter(ends, -np.inf),
            rng.uniform(-step, ends[-1] + 2 * step, 5000),
            [0.0, -0.0, -1.0, np.inf, -np.inf, np.nan, 5e-324, ends[-1] * 10],
        ]
    )
    found = [_window_of(ends, float(t)) for t in times]
    np.testing.assert_array_equal(found, np.searchsorted(ends, times, side="right"))


@pytest.mark.parametrize("seed", range(4))
def test_window_inbox_is_the_numpy_split(seed: int) -> None:
    """A window's visits and the inbox kept for later, as the concatenation and boolean masks gave them."""
    rng = np.random.default_rng(seed)
    arrive = np.where(rng.uniform(size=900) < 0.9, rng.uniform(0.0, 50.0, 900), np.inf)
    arrive[::17] = 20.0  # arrivals exactly at the window's end wait
    chosen = rng.permutation(900)
    pending, outside, box = chosen[: seed * 40], chosen[200:260], chosen[300 : 300 + 150 * seed]
    soon = arrive[box] < 20.0
    expected = np.sort(np.concatenate([pending, outside, box[soon]]))

    visits = np.empty(pending.size + outside.size + box.size, dtype=np.int64)
    later = np.empty(box.size, dtype=np.int64)
    n, n_later = window_inbox(pending, outside, box, arrive, 20.0, visits, later)
    np.testing.assert_array_equal(np.sort(visits[:n]), expected)
    np.testing.assert_array_equal(later[:n_later], box[~soon])


def test_station_stats_are_numpys() -> None:
    """Least work and one size per station, as ``work[visits].min()`` and ``np.all(sizes == sizes[0])``."""
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 6, 3000).astype(np.uint8)
    codes[codes == 5] = 4  # station 5 has no visits
    work = rng.exponential(1.0, 3000)
    size = rng.choice([1.0, 2.0], 3000)
    size[codes == 1] = 3.0  # one size
    size[np.flatnonzero(codes == 2)[0]] = np.nan  # a NaN first size: not one size
    size[codes == 3] = np.nan
    least = np.full(6, np.inf)
    first_size = np.full(6, np.nan)
    uniform = np.zeros(6)
    station_stats(codes, work, size, least, first_size, uniform)
    for k in range(5):
        visits = np.flatnonzero(codes == k)
        assert least[k] == work[visits].min()
        sizes = size[visits]
        assert bool(uniform[k]) == bool(np.all(sizes == sizes[0]))
        np.testing.assert_array_equal(first_size[k], sizes[0])
    assert least[5] == np.inf
    assert uniform[5] == 0.0


@pytest.mark.parametrize(
    "reserved", [(), (1.0, 0.0), (0.0, 0.5), (0.868, 0.132), (0.25, 0.0, 0.5), (1 / 3, 1 / 3), (0.05, 0.9)]
)
def test_compiled_owners_are_slot_owners(reserved: tuple[float, ...]) -> None:
    owners = SlotOwners(reserved)
    listed = _owners(reserved, 5000)
    if not owners.reserves:
        assert listed.size == 0
    else:
        assert listed.tolist() == owners.first(5000)


@settings(max_examples=100, deadline=None)
@given(
    table=st.lists(st.integers(0, 40), max_size=30),
    rows=st.lists(st.lists(st.integers(-2, 45), max_size=25), min_size=1, max_size=4),
    right=st.booleans(),
    ascending=st.booleans(),
)
def test_positions_along_rows_are_searchsorted(
    table: list[int], rows: list[list[int]], right: bool, ascending: bool
) -> None:
    """Rows of queries, ascending (as a FIFO grid's arrivals are) or not, against sorted tables with ties."""
    width = max(len(row) for row in rows)
    queries = np.full((len(rows), width), np.inf)
    for r, row in enumerate(rows):
        queries[r, : len(row)] = sorted(row) if ascending else row
    sorted_table = np.sort(np.array(table, dtype=np.float64))
    out = np.empty(queries.shape, dtype=np.int64)
    positions_along_rows(sorted_table, queries, right, out)
    side = "right" if right else "left"
    np.testing.assert_array_equal(out, np.searchsorted(sorted_table, queries, side=side))
    slots = queries.astype(np.int64) if np.isfinite(queries).all() else np.zeros_like(out)
    positions_along_rows(sorted_table.astype(np.int64), slots, right, out)
    np.testing.assert_array_equal(out, np.searchsorted(sorted_table.astype(np.int64), slots, side=side))


def _numpy_equal_starts(departures: np.ndarray, arrive: np.ndarray, places: np.ndarray) -> np.ndarray:
    """Equal sizes' departure times as the engine computed them with numpy (``_departure_for_equal``)."""
    ready = np.searchsorted(departures, arrive, side="left")
    filled = np.cumsum(places)
    before = np.concatenate([[0], filled]).astype(np.int64)
    position = np.arange(ready.shape[1], dtype=np.int64)[None, :]
    slot = position + np.maximum.accumulate(before[ready] - position, axis=1)
    taken = np.searchsorted(filled, slot, side="right")
    safe = np.minimum(taken, departures.size - 1)
    return np.where(taken < departures.size, departures[safe], np.inf)


@pytest.mark.parametrize("seed", range(8))
def test_equal_starts_are_the_numpy_slot_scan(seed: int) -> None:
    """The compiled slot scan gives the departure times of the numpy scan: ties at departures, full and
    empty departures, shipments that no departure takes, rows out of order and padding."""
    rng = np.random.default_rng(seed)
    departures = np.cumsum(rng.choice([0.5, 6.0, 24.0], 60))
    places = rng.integers(0, 4, departures.size).astype(np.int64)
    rows, width = 1 + seed, 40 + 20 * seed
    arrive = np.sort(rng.uniform(-5.0, departures[-1] + 30.0, (rows, width)), axis=1)
    arrive[:, ::7] = departures[rng.integers(0, departures.size, arrive[:, ::7].shape)]  # at a departure
    arrive.sort(axis=1)
    arrive[:, width - seed * 3 :] = np.inf  # padding
    if seed % 3 == 2:
        arrive[0] = arrive[0][::-1]  # out of order: the walks restart
    got = _equal_starts(departures, arrive, places)
    np.testing.assert_array_equal(got, _numpy_equal_starts(departures, arrive, places))


@pytest.mark.parametrize("seed", range(4))
def test_decisions_are_the_numpy_gathers(seed: int) -> None:
    """Decision visits, alternatives and flows of diverting shipments, as ``branches_of`` found them."""
    rng = np.random.default_rng(seed)
    at = np.array([-1, 2, -1, 0, 3], dtype=np.int64)[: 2 + seed]
    branch = np.array([-1, 5, -1, 4, 6], dtype=np.int64)[: 2 + seed]
    flow = rng.integers(0, at.size, 500).astype(np.int16)
    first = 1000 + np.cumsum(rng.integers(1, 9, 500)).astype(np.int64)

    rows = np.flatnonzero(at[flow] >= 0)
    begin = first - first[0]
    count = _deciding(flow, at)
    assert count == rows.size
    decide, detour, which = (np.empty(count, dtype=np.int64) for _ in range(3))
    _decisions(flow, first, at, branch, decide, detour, which)
    np.testing.assert_array_equal(decide, begin[rows] + at[flow[rows]])
    np.testing.assert_array_equal(detour, begin[rows] + branch[flow[rows]])
    np.testing.assert_array_equal(which, flow[rows])


@pytest.mark.parametrize("n_stations", [3, 40, 300])
def test_block_cut_with_copies_is_the_cut_of_moved_visits(n_stations: int) -> None:
    """Visits moved to their replication's copies while cut: the cut of the stations ``with_copies`` wrote."""
    rng = np.random.default_rng(n_stations)
    row_first = np.concatenate([[0], np.cumsum(rng.integers(0, 400, 5))]).astype(np.int64)
    stations = rng.integers(0, n_stations, int(row_first[-1])).astype(np.int64)
    copies = n_stations + np.arange(5 * 2)
    moved = np.tile(np.arange(n_stations + copies.size), (5, 1))[:, :n_stations]
    for row in range(5):  # two stations of each row move to copies of their own
        moved[row, rng.choice(n_stations, min(2, n_stations), replace=False)] = copies[2 * row : 2 * row + 2]
    written = np.concatenate([moved[r][stations[row_first[r] : row_first[r + 1]]] for r in range(5)])

    codes, by_station = _by_station(stations, n_stations + copies.size, row_first, moved)
    expected_codes, expected = _by_station(written, n_stations + copies.size)
    np.testing.assert_array_equal(codes, expected_codes)
    np.testing.assert_array_equal(codes, written)
    for got, want in zip(by_station, expected, strict=True):
        np.testing.assert_array_equal(got, want)
