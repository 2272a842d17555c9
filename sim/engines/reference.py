"""The reference engine: SimPy processes, one per shipment, visiting its route's stations in order.

This engine is the semantic definition the vector engine must reproduce. Rules:

- Every queue is FIFO by arrival time, ties broken by shipment creation order (Plan order).
- Decisions at a station (start service, load a departure, give a slot) are taken at the end of an instant:
  after every arrival, release and capacity change at that time (SimPy events of priority ``LATE``).
- Berth pools: a shipment may start when fewer than ``capacity(t)`` berths are busy; a capacity cut lets
  shipments at berth finish (no pre-emption).
- Services: departures at the timetable's times load the queue head first while it fits in
  ``capacity(t_departure)``; a shipment larger than a whole departure leaves alone on an empty one; the head
  is never overtaken.
- Chokepoints: one transit may start every ``24 / slots(t)`` hours (slots taken at the previous start);
  with 0 slots, none starts until slots return. Ships that arrived in an instant join the queue at its end,
  in FIFO order; a ship of a flow with a diversion there first counts the ships waiting ahead of it (at a
  chokepoint with classes, those of its class and every higher one) and, by
  :func:`sim.network.diverts`, turns away: it leaves the queue at once and sails its flow's alternative
  route (its chokepoint visit and the route's later visits are never started) — or, if its flow's
  diversion ``leaves``, it is gone: its chokepoint visit ends at that instant, unstarted (start NaN, end
  the arrival), and no later visit happens.
- Legs: travel time = work / speed factor at departure. Dwells (yard time at a port) are pure delays too:
  they are legs whose speed factor is 1 throughout.
- Random disruptions: in each replication a station follows that replication's schedule
  (:meth:`sim.plan.Plan.capacity`), drawn into the Plan (:mod:`sim.spells`).
- Priority classes (berth pools and chokepoints with ``classes``): the waiting visit of the highest class
  goes first, FIFO within a class, no pre-emption; a chokepoint's transit owned by a class (reserved
  shares) goes to that class's first waiting visit if any (:mod:`sim.engines.priority`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL, EventPriority

from sim.engines.priority import SlotOwners
from sim.engines.reference_lines import ClassedLine, FifoLine
from sim.engines.simpy_internals import schedule_at, triggered_event
from sim.network import Station, diverts
from sim.plan import Plan, check_plan
from sim.trace import Trace

__all__ = ["simulate"]

LATE = EventPriority(2)
"""Event priority after SimPy's URGENT (0) and NORMAL (1): station decisions close each instant."""


class _Recorder:
    """Visit times, written as shipments move."""

    def __init__(self, n_visits: int):
        self.arrive = np.full(n_visits, np.inf)
        self.start = np.full(n_visits, np.inf)
        self.end = np.full(n_visits, np.inf)


def _at_end_of_instant(env: simpy.Environment, delay: float, action: Callable[[], None]) -> None:
    """Run ``action`` at ``now + delay`` after every other event of that instant."""
    event = triggered_event(env)
    event.callbacks.append(lambda _event: action())
    env.schedule(event, priority=LATE, delay=delay)


def _late_at(env: simpy.Environment, when: float, action: Callable[[], None]) -> None:
    """Run ``action`` at the absolute time ``when``, exactly, after every other event of that instant.

    ``now + (when - now)`` can miss ``when`` by an ulp, and no delay need hit it (``3.7 + d`` is never
    12.35): a departure due at 12.35 fired at 12.349999999999998 and then again at 12.35.
    """
    event = triggered_event(env)
    event.callbacks.append(lambda _event: action())
    schedule_at(env, event, when, LATE)


def _at_time(env: simpy.Environment, when: float) -> simpy.Event:
    """An event at the absolute time ``when``, exactly.

    ``env.timeout(when - env.now)`` can land one rounding error away from ``when``; this puts the event on
    SimPy's queue with the absolute time itself (the entry ``Environment.schedule`` would make).
    """
    event = triggered_event(env)
    schedule_at(env, event, when, NORMAL)
    return event


class _Queue:
    """A queue keyed by (arrival time, creation order), with decisions at the end of an instant.

    Where the station has priority classes, the key is the class first.
    """

    def __init__(self, env: simpy.Environment, station: Station):
        self.env = env
        self.station = station
        self.waiting = ClassedLine(len(station.classes)) if station.has_priority else FifoLine()
        self._pending = False

    def join(self, order: int, visit: int, klass: int) -> simpy.Event:
        granted = simpy.Event(self.env)
        self.waiting.push((self.env.now, order, visit, granted), klass)
        self.request_decision()
        return granted

    def request_decision(self) -> None:
        if not self._pending:
            self._pending = True
            _at_end_of_instant(self.env, 0.0, self._decide)

    def _decide(self) -> None:
        self._pending = False
        self.decide()

    def decide(self) -> None:  # pragma: no cover - every station overrides
        raise NotImplementedError


class _BerthPool(_Queue):
    def __init__(self, env: simpy.Environment, station: Station):
        super().__init__(env, station)
        self.busy = 0
        self.capacity = station.capacity.at(0.0)
        env.process(self._follow_capacity())

    def _follow_capacity(self) -> Generator[simpy.Event, Any, None]:
        while (change := self.station.capacity.next_change(self.env.now)) < np.inf:
            yield _at_time(self.env, change)
            self.capacity = self.station.capacity.at(self.env.now)
            self.request_decision()

    def decide(self) -> None:
        while self.waiting and self.busy < self.capacity:
            granted = self.waiting.pop()
            self.busy += 1
            granted.succeed()

    def release(self) -> None:
        self.busy -= 1
        self.request_decision()


class _Chokepoint(_Queue):
    def __init__(self, env: simpy.Environment, station: Station):
        super().__init__(env, station)
        self.next_free = -np.inf
        self.owners = SlotOwners(station.reserved)
        self.transits = 0
        self.arriving: list[tuple[float, int, int, simpy.Event, float, int]] = []

    def join(self, order: int, visit: int, klass: int, threshold_days: float = np.inf) -> simpy.Event:
        """Arrive; the event's value is False if the ship diverts (see :meth:`_admit`), else True."""
        granted = simpy.Event(self.env)
        self.arriving.append((self.env.now, order, visit, granted, threshold_days, klass))
        self.request_decision()
        return granted

    def _admit(self) -> None:
        """The instant's arrivals in FIFO order: each diverts, or joins the queue behind those ahead.

        The ships ahead of an arrival are those waiting in its class or a higher one (served before it, or
        with it FIFO); with one class, every ship waiting.
        """
        slots = self.station.capacity.at(self.env.now)
        for when, order, visit, granted, threshold, klass in sorted(self.arriving, key=lambda a: a[:2]):
            if diverts(self.waiting.ahead(klass), slots, threshold):  # its class and the higher ones
                granted.succeed(False)
            else:
                self.waiting.push((when, order, visit, granted), klass)
        self.arriving.clear()

    def decide(self) -> None:
        self._admit()
        if not self.waiting:
            return
        now = self.env.now
        ready = self.station.capacity.next_positive(max(now, self.next_free))
        if ready > now:
            if ready < np.inf:
                _late_at(self.env, ready, self.request_decision)
            return
        granted = self.waiting.pop(self.owners.owner(self.transits))
        self.transits += 1
        self.next_free = now + 24.0 / self.station.capacity.at(now)
        granted.succeed(True)
        if self.waiting:
            _late_at(self.env, self.next_free, self.request_decision)


class _Service(_Queue):
    def __init__(self, env: simpy.Environment, station: Station, sizes: np.ndarray):
        super().__init__(env, station)
        self.sizes = sizes
        self._schedule_next(first=True)

    def _schedule_next(self, first: bool = False) -> None:
        """Schedule the next departure: the first at or after time 0, then each strictly after the last."""
        now = self.env.now
        times = self.station.departures_between(now, now + 2 * self.station.cycle_h)
        departure = float(times[times >= now][0] if first else times[times > now][0])
        _late_at(self.env, departure, self._depart)

    def _depart(self) -> None:
        now = self.env.now
        room = self.station.capacity.at(now)
        load = 0.0
        while self.waiting and room > 0:
            size = float(self.sizes[self.waiting.head()[2]])
            if load + size > room and not (load == 0.0 and size > room):
                break
            load += size
            self.waiting.pop().succeed()
            if size > room:
                break
        self._schedule_next()

    def decide(self) -> None:
        """Services decide only at departures."""


def _shipment(
    env: simpy.Environment,
    plan: Plan,
    row: int,
    stations: list[Any],
    specs: list[Station],
    record: _Recorder,
) -> Generator[simpy.Event, Any, None]:
    order = int(plan.shipment_id[row])
    classes = plan.visit_class
    first, last = int(plan.first_visit[row]), int(plan.first_visit[row + 1])
    diversion = plan.network.flows[int(plan.shipment_flow[row])].diversion
    decide_at = first + diversion.at if diversion is not None else -1
    visit, stop = first, first + diversion.branch if diversion is not None else last
    while visit < stop:
        station = stations[int(plan.visit_station[visit])]
        record.arrive[visit] = env.now
        work = float(plan.visit_work[visit])
        if station is None:  # a leg: a pure delay at the speed of the moment of departure
            record.start[visit] = env.now
            spec = specs[int(plan.visit_station[visit])]
            yield env.timeout(work / spec.capacity.at(env.now))
        elif visit == decide_at and diversion is not None:
            klass = int(classes[visit]) if classes is not None else 0
            if not (yield station.join(order, visit, klass, diversion.threshold_days)):
                if diversion.leaves:  # it leaves: the visit ends unstarted, the shipment is gone
                    record.end[visit] = env.now
                    return
                visit, stop = first + diversion.branch, last  # diverted: the alternative, from now
                continue
            record.start[visit] = env.now
            yield env.timeout(work)
        else:
            yield station.join(order, visit, int(classes[visit]) if classes is not None else 0)
            record.start[visit] = env.now
            yield env.timeout(work)
            if isinstance(station, _BerthPool):
                station.release()
        record.end[visit] = env.now
        visit += 1


def _source(
    env: simpy.Environment,
    plan: Plan,
    rows: range,
    stations: list[Any],
    specs: list[Station],
    record: _Recorder,
) -> Generator[simpy.Event, Any, None]:
    """Start each shipment's process at its creation time, in creation order (keeps SimPy's queue short)."""
    for row in rows:
        created = float(plan.created[row])
        if created > env.now:
            yield _at_time(env, created)
        env.process(_shipment(env, plan, row, stations, specs, record))


def _simulate_replication(plan: Plan, stored: int, record: _Recorder) -> None:
    env = simpy.Environment()
    first, last = int(plan.rep_first[stored]), int(plan.rep_first[stored + 1])
    stations: list[Any] = []
    specs = [
        dataclasses.replace(spec, capacity=plan.capacity(stored, spec.index))
        if plan.capacity_by_rep
        else spec
        for spec in plan.network.stations
    ]
    for spec in specs:
        if spec.kind == "berth":
            stations.append(_BerthPool(env, spec))
        elif spec.kind == "chokepoint":
            stations.append(_Chokepoint(env, spec))
        elif spec.kind == "service":
            stations.append(_Service(env, spec, plan.visit_size))
        else:
            stations.append(None)
    env.process(_source(env, plan, range(first, last), stations, specs, record))
    # process every event at or before the horizon (run(until=T) would leave those at exactly T)
    env.run(until=float(np.nextafter(plan.horizon_h, np.inf)))


def simulate(plan: Plan) -> Trace:
    """Simulate every replication of ``plan`` with SimPy, up to the horizon."""
    check_plan(plan)
    record = _Recorder(plan.n_visits)
    for stored in range(len(plan.replications)):
        _simulate_replication(plan, stored, record)
    return Trace.from_unmasked(record.arrive, record.start, record.end, plan.horizon_h)
