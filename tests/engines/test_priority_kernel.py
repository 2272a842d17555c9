"""The vector engine's priority-class kernel against the reference engine, resumed window by window.

Hundreds of ships per replication at one station with classes, integer arrival times (ties of equal arrivals
across classes), capacity schedules with closed spells and changes, reserved transits past the owners listed
by a first window: the kernel (:func:`sim.engines.vector.priority.priority`), run over all replications in
one grid with ``until`` moving through cuts (the visits not started coming back with the next window, as
windowed settling does), gives the reference engine's starts exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from sim.engines import get_engine
from sim.engines.vector.priority import PriorityState, priority
from sim.engines.vector.priority_loops import _diverts
from sim.network import FlowRoute, Network, Station, diverts
from sim.schedule import windowed
from tests.plans import HandShipment, assemble_plan

ROWS = 4
SHIPS = 240
CLASSES = ("a", "b", "c")


def _pool() -> Station:
    """Three berths, closed for a spell, one for another, five for a third."""
    capacity = windowed(3.0, [(40.0, 70.0, 0.0), (150.0, 200.5, 1.0), (300.0, 330.0, 5.0)])
    return Station(0, "b", "berth", "N", capacity, 3.0, classes=CLASSES)


def _canal() -> Station:
    """Twelve slots a day, none for a spell, thirty for another; a share of the transits owned by b and c."""
    capacity = windowed(12.0, [(50.0, 80.0, 0.0), (200.0, 260.0, 30.0)])
    return Station(0, "c", "chokepoint", "N", capacity, 12.0, classes=CLASSES, reserved=(0.0, 0.3, 0.2))


def _ships(seed: int, station: Station) -> list[tuple[float, float, int]]:
    """Ships ``(created, work, class)`` in creation order; integer arrivals (many ties), a busy station."""
    rng = np.random.default_rng(seed)
    spacing = 1.0 if station.kind == "berth" else 2.2
    created = np.floor(np.cumsum(rng.exponential(spacing, SHIPS)))
    work = np.round(rng.exponential(2.5, SHIPS), 1) + 0.5
    kinds = rng.integers(0, len(CLASSES), SHIPS)
    return list(zip(created.tolist(), work.tolist(), kinds.tolist(), strict=True))


def _reference(station: Station, ships: list[tuple[float, float, int]]) -> np.ndarray:
    """Starts (h) at the station alone, by the reference engine, in creation order."""
    network = Network((station,), (FlowRoute(0, "f", (), (0,), ()),), (), 1000.0)
    plan = assemble_plan(network, [[HandShipment(t, [0], [w]) for t, w, _ in ships]])
    plan = dataclasses.replace(plan, visit_class=np.array([k for _, _, k in ships], dtype=np.int8))
    return get_engine("reference")(plan).start


def _resumed(station: Station, rows: list[list[tuple[float, float, int]]], cuts: list[float]) -> np.ndarray:
    """Starts (h) by the kernel over every row at once, ``until`` moving through ``cuts``."""
    arrive = np.array([[t for t, _, _ in ships] for ships in rows])  # creation order is FIFO order here
    work = np.array([[w for _, w, _ in ships] for ships in rows])
    kinds = np.array([[k for _, _, k in ships] for ships in rows], dtype=np.int8)
    start = np.full(arrive.shape, np.inf)
    state: PriorityState | None = None
    for until in [*cuts, np.inf]:
        waiting = [np.flatnonzero(np.isinf(start[r])) for r in range(len(rows))]
        width = max(w.size for w in waiting)
        queue, spans = np.full((len(rows), width), np.inf), np.zeros((len(rows), width))
        classes = np.zeros((len(rows), width), dtype=np.int8)
        for r, w in enumerate(waiting):
            queue[r, : w.size], spans[r, : w.size] = arrive[r, w], work[r, w]
            classes[r, : w.size] = kinds[r, w]
        counts = np.array([w.size for w in waiting], dtype=np.int64)
        begin, state = priority(queue, spans, classes, counts, station, station.capacity, state, until)
        for r, w in enumerate(waiting):
            kept = begin[r, : w.size] < until
            assert np.isinf(begin[r, : w.size][~kept]).all()  # nobody starts at or after until
            start[r, w[kept]] = begin[r, : w.size][kept]
    return start


@pytest.mark.parametrize("make", [_pool, _canal], ids=["berth pool", "chokepoint"])
@pytest.mark.parametrize("cuts", [[], [45.0, 45.5, 120.0, 301.0], list(np.arange(7.0, 600.0, 13.0))])
def test_kernel_resumed_in_windows_gives_the_reference_starts(
    make: Callable[[], Station], cuts: list[float]
) -> None:
    station = make()
    rows = [_ships(seed, station) for seed in range(ROWS)]
    expected = np.array([_reference(station, ships) for ships in rows])
    assert (expected > np.array([[t for t, _, _ in ships] for ships in rows])).mean() > 0.3  # ships queue
    np.testing.assert_array_equal(_resumed(station, rows, cuts), expected)


def test_reserved_transits_are_counted_across_windows() -> None:
    """A resumed chokepoint grid keeps its transit numbers: the owners table grows past the first window's."""
    station = _canal()
    rows = [_ships(seed, station) for seed in range(2)]
    state: PriorityState | None = None
    arrive = np.array([[t for t, _, _ in ships] for ships in rows])
    kinds = np.array([[k for _, _, k in ships] for ships in rows], dtype=np.int8)
    counts = np.full(2, SHIPS, dtype=np.int64)
    begin, state = priority(arrive, arrive * 0.0, kinds, counts, station, station.capacity, state, 100.0)
    given = np.isfinite(begin).sum(axis=1)
    assert (given > 0).all()
    np.testing.assert_array_equal(state.transits, given)


@pytest.mark.parametrize(
    ("ahead", "slots", "threshold"),
    [
        (0, 0.0, 0.0),  # a closed canal, nobody ahead: 0 > 0 is false
        (1, 0.0, 0.0),  # a closed canal, one ahead
        (1, 0.0, 2.5),  # a closed canal with a threshold: 2.5 × 0 = 0 < 1
        (0, 0.0, np.inf),  # inf × 0 is NaN: never diverts
        (5, 0.0, np.inf),
        (10**6, 36.0, np.inf),
        (9, 36.0, 0.25),  # a tie: 0.25 × 36 = 9, not more
        (10, 36.0, 0.25),
        (3, 10.0, 0.3),  # 0.3 × 10 = 3.0000000000000004 in floats: 3 is not more
        (4, 10.0, 0.3),
        (2**52, 1.0, float(2**52) - 1.0),  # counts up to 2**53 are exact floats (numba compares as floats)
    ],
)
def test_the_compiled_diversion_rule_decides_as_the_python_rule(
    ahead: int, slots: float, threshold: float
) -> None:
    """The compiled twin is :func:`sim.network.diverts` compiled from its source: ties, closed canal, NaN."""
    assert _diverts(ahead, slots, threshold) == diverts(ahead, slots, threshold)
