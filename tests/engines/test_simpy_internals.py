"""The SimPy internals the reference engine relies on behave as it assumes (a SimPy upgrade fails here)."""

from __future__ import annotations

import simpy
from simpy.events import NORMAL, URGENT, EventPriority

from sim.engines.simpy_internals import schedule_at, triggered_event

LATE = EventPriority(2)


def test_triggered_event_is_succeeded_but_not_queued() -> None:
    env = simpy.Environment()
    event = triggered_event(env)
    assert event.triggered
    assert event.ok
    assert event.value is None
    assert not event.processed
    assert env.peek() == float("inf")


def test_triggered_event_runs_its_callbacks_once_scheduled() -> None:
    env = simpy.Environment()
    event = triggered_event(env)
    seen: list[float] = []
    event.callbacks.append(lambda _event: seen.append(env.now))
    env.schedule(event, priority=LATE, delay=2.5)
    env.run()
    assert seen == [2.5]
    assert event.processed


def test_schedule_at_hits_an_absolute_time_no_delay_reaches() -> None:
    env = simpy.Environment()
    env.timeout(3.7)
    env.run()  # now 3.7, nothing queued (``run(until=...)`` may leave its stop event queued)
    assert env.now + (12.35 - env.now) != 12.35  # why the helper exists: a delay misses by an ulp
    event = triggered_event(env)
    schedule_at(env, event, 12.35, NORMAL)
    assert env.peek() == 12.35
    env.run()
    assert env.now == 12.35
    assert event.processed


def test_schedule_at_orders_by_priority_then_by_scheduling_order() -> None:
    """Same time: priority first; same priority: the order of scheduling, shared with SimPy's own calls."""
    env = simpy.Environment()
    seen: list[str] = []

    def note(name: str) -> simpy.Event:
        event = triggered_event(env)
        event.callbacks.append(lambda _event: seen.append(name))
        return event

    schedule_at(env, note("late"), 5.0, LATE)
    schedule_at(env, note("normal 1"), 5.0, NORMAL)
    env.timeout(5.0).callbacks.append(lambda _event: seen.append("normal 2 (timeout)"))
    schedule_at(env, note("normal 3"), 5.0, NORMAL)
    schedule_at(env, note("urgent"), 5.0, URGENT)
    env.schedule(note("late 2 (schedule)"), priority=LATE, delay=5.0)
    env.run()
    assert seen == ["urgent", "normal 1", "normal 2 (timeout)", "normal 3", "late", "late 2 (schedule)"]
