"""Booked or not at a chokepoint with booking slots: decided in the Plan from each ship's planned canal day.

At a chokepoint with ``booking_slots`` (the ACP's booking system at Panama) a shipment drawn in the first
class (:mod:`sim.class_draws`: it *wants* to book) is booked only if a booking slot of its planned day is
left; otherwise it takes the station's last class (unbooked, first come, first served). The rule, per
replication and station (docs/design.md, "Booking slots"):

- planned arrival = created + the shipment's drawn work at every visit before this one (its free-flow time
  to the chokepoint, summed left to right); planned day ``d = floor(arrival / 24)``, day 0 the scenario's
  start;
- booking slots of day ``d`` = ``floor(booking_slots × slots(24 d) / slots_per_day)``: the booking slots
  scale with the daily slots in force at the day's start (the replication's own schedule when the slots
  are random);
- shipments wanting to book are booked in creation order (a shipment's visits in route order) while
  their day's booking slots last; the others take the last class.

A visit on a diversion's alternative is never booked (a ship that diverted there has no booking). The
result is Plan data: both engines see only the classes. Booking depends on every flow through the
chokepoint (the slots are shared), so adding a flow there can change who is booked; the draws themselves
keep their streams.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.class_draws import ClassArray
from sim.compiled import compiled
from sim.network import Network, Station
from sim.scenario.model import Scenario
from sim.schedule import Schedule

__all__ = ["booked_classes", "booking_slots_on"]


class Drawn(Protocol):
    """The Plan's columns booking reads (:class:`sim.plan.Plan` has them)."""

    @property
    def network(self) -> Network: ...
    @property
    def rep_first(self) -> IntArray: ...
    @property
    def shipment_flow(self) -> IntArray: ...
    @property
    def created(self) -> FloatArray: ...
    @property
    def first_visit(self) -> IntArray: ...
    @property
    def visit_station(self) -> IntArray: ...
    @property
    def visit_work(self) -> FloatArray: ...
    @property
    def visit_class(self) -> ClassArray | None: ...

    def capacity(self, stored: int, station: int) -> Schedule:
        """The station's capacity schedule in the ``stored``-th replication."""
        ...


def booking_slots_on(scenario: Scenario, station: Station) -> int | None:
    """The station's booking slots a day at its normal slots, or None (a chokepoint without booking)."""
    if station.kind != "chokepoint":
        return None
    chokepoint = scenario.nodes[station.node].chokepoint
    return chokepoint.booking_slots if chokepoint is not None else None


def booked_classes(scenario: Scenario, plan: Drawn) -> ClassArray | None:
    """The visits' classes once booking slots are given out (``plan.visit_class`` when no station books)."""
    klass = plan.visit_class
    booking = [
        (station, slots)
        for station in plan.network.stations
        if (slots := booking_slots_on(scenario, station)) is not None
    ]
    if klass is None or not booking:
        return klass
    result = klass.copy()
    planned = np.array([route.planned for route in plan.network.flows], dtype=np.int64)
    replications = plan.rep_first.size - 1
    for station, slots in booking:
        schedules = [plan.capacity(r, station.index) for r in range(replications)]
        times = np.concatenate([s.times for s in schedules]) if schedules else np.empty(0)
        values = np.concatenate([s.values for s in schedules]) if schedules else np.empty(0)
        first = np.concatenate([[0], np.cumsum([s.times.size for s in schedules])]).astype(np.int64)
        if not _book(
            (*_positions(plan.network, station.index), planned),
            (plan.rep_first, plan.shipment_flow, plan.first_visit, plan.created, plan.visit_work, klass),
            (times, values, first, float(slots), float(station.nominal)),
            len(station.classes) - 1,
            result,
        ):
            raise ValueError(f"a planned arrival at {station.name} is not finite: booking slots need a day")
    return result


def _positions(network: Network, station: int) -> tuple[IntArray, IntArray]:
    """Where ``station`` is on each flow's route (the Plan's visits of a shipment follow its flow's route).

    Returns the positions (0-based visit numbers) flow after flow, and each flow's first in them (CSR).
    """
    found = [[j for j, at in enumerate(route.stations) if at == station] for route in network.flows]
    first = np.concatenate([[0], np.cumsum([len(own) for own in found])]).astype(np.int64)
    return np.array([j for own in found for j in own], dtype=np.int64), first


COUNTED_DAYS = 1 << 20
"""Planned days (from 0) counted in an array; any other day in a dictionary."""


@compiled
def _book(
    routes: tuple[IntArray, IntArray, IntArray],
    plan: tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, ClassArray],
    slots: tuple[FloatArray, FloatArray, IntArray, float, float],
    last: int,
    result: ClassArray,
) -> bool:
    """Give out one station's booking slots: ``result`` gets ``last`` where a visit is not booked.

    ``routes`` is (positions, each flow's first position, planned): the station's positions on each flow's
    route (:func:`_positions`) and the visits of each flow's planned route (the rest are a diversion's
    alternative, never booked). ``plan`` is (rep_first, shipment_flow, first_visit, created, work, klass);
    ``slots`` the replications' daily-slot schedules (times, values, each replication's first entry), the
    booking slots and the station's nominal slots. A visit in class 0 on the planned route wants to book:
    planned arrival = created + the work of the visits before (left to right), day ``d = floor(arrival /
    24)``; it is booked when fewer than ``floor(booking × slots(24 d) / nominal)`` visits of its
    replication wanted that day before it (creation order). False when an arrival is not finite.
    """
    positions, position_first, planned = routes
    rep_first, shipment_flow, first_visit, created, work, klass = plan
    times, values, first, booking, nominal = slots
    for r in range(rep_first.size - 1):
        own_times, own_values = times[first[r] : first[r + 1]], values[first[r] : first[r + 1]]
        seen = np.zeros(1024, dtype=np.int64)
        far = {np.int64(0): np.int64(0)}  # days outside [0, COUNTED_DAYS)
        far.clear()
        for i in range(rep_first[r], rep_first[r + 1]):
            f, begin = shipment_flow[i], first_visit[i]
            for p in range(position_first[f], position_first[f + 1]):  # increasing: route order
                v = begin + positions[p]
                if klass[v] != 0:
                    continue
                if positions[p] >= planned[f]:
                    result[v] = last
                    continue
                before = 0.0
                for k in range(begin, v):
                    before += work[k]
                day = np.floor((created[i] + before) / 24.0)
                if not np.isfinite(day):
                    return False
                daily = own_values[np.searchsorted(own_times, day * 24.0, side="right") - 1]
                limit = np.floor(booking * daily / nominal)
                if 0.0 <= day < COUNTED_DAYS:
                    d = int(day)
                    if d >= seen.size:
                        grown = np.zeros(max(2 * seen.size, d + 1), dtype=np.int64)
                        grown[: seen.size] = seen
                        seen = grown
                    place = seen[d]
                    seen[d] += 1
                else:
                    key = np.int64(day)
                    place = far.get(key, np.int64(0))
                    far[key] = place + 1
                if place >= limit:
                    result[v] = last
    return True
