"""The two things the reference engine needs from SimPy that its public API does not offer.

The reference engine closes every instant with station decisions: events of a third priority, ``LATE``,
processed after every ``URGENT`` and ``NORMAL`` event of the same time, and some of them due at an absolute
time that no ``now + delay`` reaches exactly. SimPy's public API has neither: ``Event.succeed()`` and
``Environment.timeout()`` always schedule at ``NORMAL`` priority, and ``Environment.schedule()`` takes a
delay, not a time. The functions here reach into SimPy's private state for exactly that, and nothing else
in the project does.

Checked against SimPy 4.1.0, 4.1.1 and 4.1.2 (``Event._ok``, ``Event._value``, ``Environment._queue``,
``Environment._eid`` are the same in all three); ``tests/engines/test_simpy_internals.py`` runs them against
the installed SimPy, so an upgrade that changes these internals fails there, not as a subtly different Trace.
"""

from __future__ import annotations

import heapq

import simpy
from simpy.events import EventPriority

__all__ = ["schedule_at", "triggered_event"]


def triggered_event(env: simpy.Environment) -> simpy.Event:
    """A new event, already triggered with the value ``None`` (as ``Event.succeed`` leaves it), not scheduled.

    Why internal: ``Event.succeed`` marks an event triggered *and* schedules it at ``NORMAL`` priority with no
    delay. An event that is to be scheduled with another priority or time must be triggered without being
    scheduled, and SimPy has no public call for that; :meth:`simpy.Environment.step` then reads ``_ok`` and
    ``_value`` when it processes the event.

    Parameters
    ----------
    env : simpy.Environment
        The environment the event belongs to.

    Returns
    -------
    simpy.Event
        ``triggered`` and ``ok`` are true, ``value`` is ``None``; schedule it with
        :meth:`simpy.Environment.schedule` or :func:`schedule_at`.
    """
    event = simpy.Event(env)
    event._ok = True
    event._value = None
    return event


def schedule_at(env: simpy.Environment, event: simpy.Event, when: float, priority: EventPriority) -> None:
    """Put ``event`` on ``env``'s queue at the absolute time ``when`` (h), exactly.

    Why internal: :meth:`simpy.Environment.schedule` takes a delay and queues at ``now + delay``, which can
    miss ``when`` by an ulp — and for some pairs no delay hits it (``3.7 + d`` is never 12.35). This makes the
    entry ``schedule`` would make, ``(time, priority, event id, event)``, with ``when`` itself as the time and
    the next id of the environment's own counter, so ties among same-time, same-priority events still go by
    scheduling order.

    Parameters
    ----------
    env : simpy.Environment
        The environment whose queue receives the event.
    event : simpy.Event
        A triggered event (see :func:`triggered_event`), not yet scheduled.
    when : float
        Simulated time at which to process it (h); not before ``env.now``.
    priority : simpy.events.EventPriority
        Its place among the events of that instant (lower first).
    """
    heapq.heappush(env._queue, (when, priority, next(env._eid), event))
