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
        here = np.flatnonzero(plan.visit_station == station.index)
        here = here[klass[here] == 0]
        ship = np.searchsorted(plan.first_visit, here, side="right") - 1
        seq = here - plan.first_visit[ship]
        on_route = seq < planned[plan.shipment_flow[ship]]
        result[here[~on_route]] = last
        wants, ship, seq = here[on_route], ship[on_route], seq[on_route]  # creation order in each replication
        day = np.floor(_planned_arrival(plan, ship, seq) / 24.0)
        rep = np.searchsorted(plan.rep_first, ship, side="right") - 1
        limit = _day_limits(plan, station, slots, rep, day)
        result[wants[_rank_in_day(rep, day) >= limit]] = last
    return result


def _planned_arrival(plan: Drawn, ship: IntArray, seq: IntArray) -> FloatArray:
    """Creation time plus the work of each shipment's visits before visit ``seq`` (h), summed in order."""
    free_flow = np.zeros(ship.size)
    first = plan.first_visit[ship]
    for k in range(int(seq.max(initial=0))):
        before = seq > k
        free_flow[before] += plan.visit_work[first[before] + k]
    return np.asarray(plan.created[ship] + free_flow, dtype=np.float64)


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
