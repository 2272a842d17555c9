"""Priority classes in small stories with answers worked out by hand, on every engine.

A berth pool or chokepoint with classes serves the waiting ship of the highest class first, FIFO within a
class, without pre-emption; a chokepoint's transits owned by a class (reserved shares) go to that class when
it has a ship waiting; a ship that may divert or leave counts the ships waiting in its own class and every
higher one (docs/design.md, "Diversion", "Leaving" and "Priority classes").
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.engines import ENGINES, get_engine
from sim.engines.priority import OPEN, SlotOwners
from sim.network import FlowDiversion, FlowRoute, Network, Station
from sim.schedule import Schedule
from tests.plans import HandShipment, assemble_plan

ENGINE_NAMES = sorted(ENGINES)
HI, LO = 0, 1


def _starts(engine: str, station: Station, ships: list[tuple[float, float, int]]) -> list[float]:
    """Starts (h) of ships ``(created, work, class)`` (in creation order) that visit only ``station``."""
    network = Network((station,), (FlowRoute(0, "f", (), (0,), ()),), (), 100.0)
    plan = assemble_plan(network, [[HandShipment(t, [0], [w]) for t, w, _ in ships]])
    plan = dataclasses.replace(plan, visit_class=np.array([k for _, _, k in ships], dtype=np.int8))
    return get_engine(engine)(plan).start.tolist()


def _berths(count: int, capacity: Schedule | None = None) -> Station:
    schedule = capacity if capacity is not None else Schedule.constant(count)
    return Station(0, "b", "berth", "N", schedule, count, classes=("hi", "lo"))


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_higher_class_overtakes_the_queue_but_not_the_ship_at_berth(engine: str) -> None:
    # lo ship at berth 0-5; lo waiting since 1; hi arrives at 2: at 5 the hi ship goes first
    starts = _starts(engine, _berths(1), [(0.0, 5.0, LO), (1.0, 1.0, LO), (2.0, 1.0, HI)])
    assert starts == [0.0, 6.0, 5.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_high_ship_arriving_as_the_berth_frees_goes_before_the_low_one_waiting(engine: str) -> None:
    # decisions close the instant: the hi ship arriving at 5, when the berth frees, is already waiting
    starts = _starts(engine, _berths(1), [(0.0, 5.0, LO), (1.0, 1.0, LO), (5.0, 1.0, HI)])
    assert starts == [0.0, 6.0, 5.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_fifo_within_a_class_and_ties_by_creation_order(engine: str) -> None:
    ships = [(0.0, 4.0, LO), (0.5, 1.0, HI), (1.0, 1.0, HI), (1.0, 1.0, LO), (1.0, 1.0, HI)]
    # at 4: hi ships in arrival order (0.5, then the two of 1.0 by creation), then the lo one
    assert _starts(engine, _berths(1), ships) == [0.0, 4.0, 5.0, 7.0, 6.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_priority_holds_through_a_closure_with_two_berths(engine: str) -> None:
    closed = Schedule(np.array([-np.inf, 2.0, 10.0]), np.array([2.0, 0.0, 2.0]))
    ships = [(0.0, 3.0, LO), (3.0, 1.0, LO), (4.0, 1.0, LO), (9.0, 1.0, HI), (9.5, 1.0, HI)]
    # both hi ships take the two berths when they reopen at 10; the lo ones follow at 11
    assert _starts(engine, _berths(2, closed), ships) == [0.0, 11.0, 11.0, 10.0, 10.0]


def _canal(reserved: tuple[float, ...]) -> Station:
    return Station(
        0, "c", "chokepoint", "N", Schedule.constant(24.0), 24.0, classes=("hi", "lo"), reserved=reserved
    )


CROWD = [(0.0, 10.0, LO), (0.0, 10.0, LO), (0.0, 10.0, HI), (0.0, 10.0, HI), (0.0, 10.0, HI)]
"""Five ships at the canal at once (one transit an hour): two low, then three high, in creation order."""


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_the_canal_gives_slots_by_priority(engine: str) -> None:
    assert _starts(engine, _canal(()), CROWD) == [3.0, 4.0, 0.0, 1.0, 2.0]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_slots_reserved_for_the_low_class_go_to_it_while_it_waits(engine: str) -> None:
    # half the transits reserved for lo: owners lo, open, lo, open, lo (no lo left: by priority)
    assert _starts(engine, _canal((0.0, 0.5)), CROWD) == [0.0, 2.0, 1.0, 3.0, 4.0]


def test_slot_owners_alternate_and_spread_the_shares() -> None:
    owners = SlotOwners((0.0, 0.5))
    assert [owners.owner(k) for k in range(6)] == [LO, OPEN, LO, OPEN, LO, OPEN]
    assert [SlotOwners(()).owner(k) for k in range(3)] == [OPEN] * 3
    assert [SlotOwners((1.0, 0.0)).owner(k) for k in range(3)] == [HI] * 3
    for reserved in [(0.868, 0.132), (0.25, 0.0, 0.5), (1 / 3, 1 / 3), (0.05, 0.9)]:
        owners = SlotOwners(reserved)
        labels = np.array([owners.owner(k) for k in range(2000)])
        for klass, share in enumerate(reserved):
            counts = np.cumsum(labels == klass)
            expected = share * np.arange(1, labels.size + 1)
            assert np.abs(counts - expected).max() <= 1.0, (reserved, klass)


def test_slot_owners_listed_at_once_are_the_owners_one_by_one() -> None:
    """The vector kernel's list of owners (``first``) is what ``owner`` gives transit by transit, however
    the two are interleaved on one object."""
    for reserved in [(), (1.0, 0.0), (0.0, 0.5), (0.868, 0.132), (0.25, 0.0, 0.5)]:
        one_by_one = [SlotOwners(reserved).owner(k) for k in range(300)]
        mixed = SlotOwners(reserved)
        assert mixed.owner(7) == one_by_one[7]
        assert mixed.first(300) == one_by_one
        assert mixed.first(5) == one_by_one[:5]
        assert mixed.owner(299) == one_by_one[299]


def _diverting_canal_starts(engine: str, high_arrives: float, threshold_days: float) -> list[float]:
    """Three low ships at 0 at a canal (a transit an hour); a high ship that may divert at ``high_arrives``.

    Returns the four canal starts (NaN: diverted) and the high ship's start on its alternative (a leg).
    """
    canal = _canal(())
    leg = Station(1, "leg:cape", "leg", "N", Schedule.constant(1.0), 1.0)
    flows = (
        FlowRoute(0, "f", (), (0,), ()),
        FlowRoute(1, "g", (), (0, 1), (), FlowDiversion(0, 1, threshold_days, ())),
    )
    ships = [HandShipment(0.0, [0], [10.0]) for _ in range(3)]
    ships.append(HandShipment(high_arrives, [0, 1], [10.0, 30.0], flow=1))
    plan = assemble_plan(Network((canal, leg), flows, (), 100.0), [ships])
    plan = dataclasses.replace(plan, visit_class=np.array([LO, LO, LO, HI, 0], dtype=np.int8))
    return get_engine(engine)(plan).start.tolist()


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_diverting_ship_counts_its_class_and_higher_ones_then_goes_first_if_it_stays(engine: str) -> None:
    # at 0.5 two low ships wait (the first started at 0), no high one: the high ship has 0 ahead, so even a
    # threshold of 0.05 d x 24 slots/d = 1.2 ships keeps it, and as the higher class it takes the next
    # transit, at 1 (under the old rule, every class counted, its 2 ahead would have turned it away)
    starts = _diverting_canal_starts(engine, 0.5, 0.05)
    assert starts[:4] == [0.0, 2.0, 3.0, 1.0]
    assert np.isnan(starts[4])
    # threshold 0: it stays too (0 ahead is not more than 0)
    starts = _diverting_canal_starts(engine, 0.5, 0.0)
    assert starts[:4] == [0.0, 2.0, 3.0, 1.0]
    assert np.isnan(starts[4])


def _leaving_canal(engine: str, waiting: int, leavers: list[int]) -> tuple[list[float], list[float]]:
    """``waiting + 1`` low ships at 0 at a canal (a transit an hour); at 0.5 ships that leave above 0.2 d.

    The ships at 0 (flow f) never leave; those at 0.5 (flow g, classes ``leavers`` in creation order) leave
    when more than 0.2 d x 24 slots/d = 4.8 ships are ahead. Returns the canal visits' starts (NaN: never)
    and ends (a ship that left ends at its arrival).
    """
    flows = (
        FlowRoute(0, "f", (), (0,), ()),
        FlowRoute(1, "g", (), (0,), (), FlowDiversion(0, 1, 0.2, (), leaves=True)),
    )
    ships = [HandShipment(0.0, [0], [10.0]) for _ in range(waiting + 1)]
    ships += [HandShipment(0.5, [0], [10.0], flow=1) for _ in leavers]
    plan = assemble_plan(Network((_canal(()),), flows, (), 100.0), [ships])
    classes = [LO] * (waiting + 1) + leavers
    plan = dataclasses.replace(plan, visit_class=np.array(classes, dtype=np.int8))
    trace = get_engine(engine)(plan)
    return trace.start.tolist(), trace.end.tolist()


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_booked_ship_stays_behind_a_long_unbooked_queue_and_an_unbooked_one_leaves(engine: str) -> None:
    # seven low (unbooked) ships at 0: the first starts at 0, six wait. At 0.5 a high (booked) ship counts
    # the high ships waiting, none: it stays and takes the next transit, at 1. Then a low ship counts the
    # six low ones and the high one just admitted: 7 > 4.8, it leaves (its visit ends at 0.5, unstarted).
    # The six low ones go at 2..7 h. (Every class counted, the booked ship would have left with 6 ahead.)
    start, end = _leaving_canal(engine, 6, [HI, LO])
    assert start[:7] == [0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert start[7] == 1.0
    assert np.isnan(start[8])
    assert end[7:] == [11.0, 0.5]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_low_ship_counts_the_higher_class_waiting(engine: str) -> None:
    # three low ships wait at 0.5 (the first of four started at 0). Two high ships stay (0, then 1 ahead:
    # their own class only) and go at 1 and 2; the low ship then has 3 low + 2 high = 5 > 4.8 ahead and
    # leaves ...
    start, end = _leaving_canal(engine, 3, [HI, HI, LO])
    assert start[:6] == [0.0, 3.0, 4.0, 5.0, 1.0, 2.0]
    assert np.isnan(start[6])
    assert end[6] == 0.5
    # ... where with the low ones alone ahead (3 <= 4.8) it stays, behind them: at 4
    start, _ = _leaving_canal(engine, 3, [LO])
    assert start == [0.0, 1.0, 2.0, 3.0, 4.0]
