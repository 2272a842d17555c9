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
        positions, position_first = _positions(plan.network, station.index)
        wants, ship, arrival, off_route = _candidates(
            (positions, position_first, planned),
            plan.shipment_flow,
            plan.first_visit,
            klass,
            plan.created,
            plan.visit_work,
        )
        result[off_route] = last
        day = np.floor(arrival / 24.0)
        rep = np.searchsorted(plan.rep_first, ship, side="right") - 1
        limit = _day_limits(plan, station, slots, rep, day)
        result[wants[_rank_in_day(rep, day) >= limit]] = last
    return result


def _positions(network: Network, station: int) -> tuple[IntArray, IntArray]:
    """Where ``station`` is on each flow's route (the Plan's visits of a shipment follow its flow's route).

    Returns the positions (0-based visit numbers) flow after flow, and each flow's first in them (CSR).
    """
    found = [[j for j, at in enumerate(route.stations) if at == station] for route in network.flows]
    first = np.concatenate([[0], np.cumsum([len(own) for own in found])]).astype(np.int64)
    return np.array([j for own in found for j in own], dtype=np.int64), first


@compiled
def _candidates(
    routes: tuple[IntArray, IntArray, IntArray],
    shipment_flow: IntArray,
    first_visit: IntArray,
    klass: ClassArray,
    created: FloatArray,
    work: FloatArray,
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """The visits to the station in class 0, in creation order, split by where they lie on their way.

    ``routes`` is (positions, each flow's first position, planned): the station's positions on each flow's
    route (:func:`_positions`), and the number of visits of each flow's planned route (the rest are a
    diversion's alternative). Returns the visits on the planned route (wanting to book), their shipments and
    planned arrival (h: creation time plus the work of the visits before, summed left to right), and the
    visits on an alternative.
    """
    positions, position_first, planned = routes
    found = 0
    for i in range(shipment_flow.size):
        f = shipment_flow[i]
        for p in range(position_first[f], position_first[f + 1]):
            found += klass[first_visit[i] + positions[p]] == 0
    wants, ship = np.empty(found, dtype=np.int64), np.empty(found, dtype=np.int64)
    arrival, off_route = np.empty(found), np.empty(found, dtype=np.int64)
    on, off = 0, 0
    for i in range(shipment_flow.size):
        f, first = shipment_flow[i], first_visit[i]
        for p in range(position_first[f], position_first[f + 1]):  # increasing: the visits in route order
            v = first + positions[p]
            if klass[v] != 0:
                continue
            if positions[p] >= planned[f]:
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


COUNTED_DAYS = 1 << 20
"""Planned days up to which the places in a day are counted (one counter a day); past it, sorted."""


def _rank_in_day(rep: IntArray, day: FloatArray) -> IntArray:
    """Each visit's place (0, 1, …) among the visits of its replication and day, in the given order.

    ``rep`` is non-decreasing, days are whole. With days in ``[0, COUNTED_DAYS)`` the places are counted
    day by day (:func:`_counted_places`); otherwise one stable sort by ``rep × (last day + 1) + day`` keeps
    the given order within a (replication, day).
    """
    span = int(day.max(initial=0.0)) + 1
    if span <= COUNTED_DAYS and day.min(initial=0.0) >= 0.0:
        return _counted_places(rep, day.astype(np.int64), span)
    order = np.argsort(rep * span + day.astype(np.int64), kind="stable")
    key_rep, key_day = rep[order], day[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (key_rep[1:] != key_rep[:-1]) | (key_day[1:] != key_day[:-1])
    starts = np.flatnonzero(new)
    place = np.arange(order.size, dtype=np.int64) - np.repeat(starts, np.diff(np.append(starts, order.size)))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = place
    return rank


@compiled
def _counted_places(rep: IntArray, day: IntArray, span: int) -> IntArray:
    """:func:`_rank_in_day` by counting: a counter per day in ``[0, span)``, reset at each replication."""
    place = np.empty(rep.size, dtype=np.int64)
    seen = np.zeros(span, dtype=np.int64)
    for k in range(rep.size):
        if k > 0 and rep[k] != rep[k - 1]:
            seen[:] = 0
        place[k] = seen[day[k]]
        seen[day[k]] += 1
    return place
