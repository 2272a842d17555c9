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
    for station, slots in booking:
        last = len(station.classes) - 1
        wants, ship, arrival, off_route = _candidates(
            station.index,
            plan.visit_station,
            klass,
            plan.first_visit,
            planned[plan.shipment_flow],
            plan.created,
            plan.visit_work,
        )
        result[off_route] = last
        day = np.floor(arrival / 24.0)
        rep = np.searchsorted(plan.rep_first, ship, side="right") - 1
        limit = _day_limits(plan, station, slots, rep, day)
        result[wants[_rank_in_day(rep, day) >= limit]] = last
    return result


@compiled
def _candidates(
    station: int,
    visit_station: IntArray,
    klass: ClassArray,
    first_visit: IntArray,
    planned: IntArray,
    created: FloatArray,
    work: FloatArray,
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """The visits to ``station`` in class 0, in creation order, split by where they lie on their way.

    ``planned[i]`` is the number of visits of shipment ``i``'s planned route (the rest are a diversion's
    alternative). Returns the visits on the planned route (wanting to book), their shipments and planned
    arrival (h: creation time plus the work of the visits before, summed left to right), and the visits on
    an alternative.
    """
    found = 0
    for v in range(visit_station.size):
        found += visit_station[v] == station and klass[v] == 0
    wants, ship = np.empty(found, dtype=np.int64), np.empty(found, dtype=np.int64)
    arrival, off_route = np.empty(found), np.empty(found, dtype=np.int64)
    on, off = 0, 0
    for i in range(first_visit.size - 1):
        first = first_visit[i]
        for v in range(first, first_visit[i + 1]):
            if visit_station[v] != station or klass[v] != 0:
                continue
            if v - first >= planned[i]:
                off_route[off] = v
                off += 1
                continue
            before = 0.0
            for k in range(first, v):
                before += work[k]
            wants[on], ship[on], arrival[on] = v, i, created[i] + before
            on += 1
    return wants[:on], ship[:on], arrival[:on], off_route[:off]


def _day_limits(plan: Drawn, station: Station, slots: int, rep: IntArray, day: FloatArray) -> FloatArray:
    """Booking slots of each visit's planned day: ``floor(slots × slots(24 d) / nominal)``."""
    limit = np.empty(day.size)
    edges = np.concatenate([[0], np.flatnonzero(np.diff(rep)) + 1, [rep.size]])  # rep is non-decreasing
    for begin, end in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
        if begin == end:
            continue
        daily = plan.capacity(int(rep[begin]), station.index).at_many(day[begin:end] * 24.0)
        limit[begin:end] = np.floor(slots * daily / station.nominal)
    return limit


def _rank_in_day(rep: IntArray, day: FloatArray) -> IntArray:
    """Each visit's place (0, 1, …) among the visits of its replication and day, in the given order.

    Days are whole and non-negative: one stable sort by ``rep × (last day + 1) + day`` keeps the given
    order within a (replication, day).
    """
    span = int(day.max(initial=0.0)) + 1
    order = np.argsort(rep * span + day.astype(np.int64), kind="stable")
    key_rep, key_day = rep[order], day[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (key_rep[1:] != key_rep[:-1]) | (key_day[1:] != key_day[:-1])
    starts = np.flatnonzero(new)
    place = np.arange(order.size, dtype=np.int64) - np.repeat(starts, np.diff(np.append(starts, order.size)))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = place
    return rank
