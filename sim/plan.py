"""The Plan: every shipment and every random draw of a run, as flat numpy arrays.

Engines consume a Plan and nothing else, so two engines given one Plan must produce the same Trace. All
randomness is drawn into it by :func:`sim.drawing.draw_plan`.

Layout: shipments of all replications are concatenated, replication by replication, each replication's in
creation order (time created, then flow order, then order within the flow) — the order that breaks FIFO ties.
Visits are stored CSR-style: shipment ``i`` visits ``visit_station[first_visit[i]:first_visit[i + 1]]``.
A flow with a diversion lays out both ways for each shipment: the route's visits, then the alternative's
(:class:`sim.network.FlowDiversion`); the engines take one and leave the other's times NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.class_draws import ClassArray
from sim.network import DELAY_KINDS, Network
from sim.schedule import Schedule

__all__ = ["Plan", "check_plan"]


@dataclass(frozen=True)
class Plan:
    """Shipments and draws for one or more replications.

    Attributes
    ----------
    replications : tuple of int
        Global replication numbers (their seeds), in the order stored.
    rep_first : ndarray of int64, shape (R + 1,)
        Shipments of the r-th stored replication are ``rep_first[r]:rep_first[r + 1]``.
    shipment_rep : ndarray of int64
        Replication number of each shipment.
    shipment_id : ndarray of int64
        Shipment number within its replication (creation order).
    shipment_flow : ndarray of int64
        Index into ``network.flows``.
    created : ndarray of float64
        Creation time (h); also the arrival time at the first station.
    tonnes, teu : ndarray of float64
        Shipment size (TEU is 0 for bulk).
    free_flow_h : ndarray of float64
        Sum of the shipment's work at every station of its route (h): its transit time with no waiting and
        nominal speeds (a flow's alternative route on diversion is not counted: see
        :attr:`sim.network.FlowRoute.planned`).
    first_visit : ndarray of int64, shape (S + 1,)
        CSR offsets into the visit arrays.
    visit_station : ndarray of int64
        Station index of each visit.
    visit_work : ndarray of float64
        Hours of work: berth service time; leg travel time at nominal speed; service or chokepoint transit;
        dwell (yard) time.
    visit_size : ndarray of float64
        Shipment size in the station's unit (services only; 0 elsewhere).
    capacity_by_rep : tuple of mapping
        Random disruptions (:mod:`sim.spells`): for each stored replication, the schedule of every station
        whose capacity is random, by station index (it replaces ``station.capacity`` in that replication).
        Empty when the scenario has no random disruption of a station.
    visit_class : ndarray of int8, or None
        Priority class of each visit (an index into its station's ``classes``, 0 the highest; 0 at stations
        without classes: :mod:`sim.class_draws`, then booking slots given out: :mod:`sim.booking`). ``None``
        when no station has classes (every visit FIFO).
    left : ndarray of bool, or None
        Shipments that left at a chokepoint (a diversion that ``leaves``): never delivered. Set only in the
        Plan of the ways taken (:func:`sim.results.diversions.routes_taken`), which the results read; ``None``
        when no flow's ships leave. Engines ignore it.
    """

    network: Network
    seed: int
    replications: tuple[int, ...]
    rep_first: IntArray
    shipment_rep: IntArray
    shipment_id: IntArray
    shipment_flow: IntArray
    created: FloatArray
    tonnes: FloatArray
    teu: FloatArray
    free_flow_h: FloatArray
    first_visit: IntArray
    visit_station: IntArray
    visit_work: FloatArray
    visit_size: FloatArray
    capacity_by_rep: tuple[Mapping[int, Schedule], ...] = ()
    visit_class: ClassArray | None = None
    left: BoolArray | None = None

    def capacity(self, stored: int, station: int) -> Schedule:
        """The capacity schedule of ``station`` in the ``stored``-th replication of this Plan."""
        if self.capacity_by_rep:
            found = self.capacity_by_rep[stored].get(station)
            if found is not None:
                return found
        return self.network.stations[station].capacity

    @property
    def horizon_h(self) -> float:
        """Simulated time (h)."""
        return self.network.horizon_h

    @property
    def n_shipments(self) -> int:
        """Shipments over all replications."""
        return int(self.created.size)

    @property
    def n_visits(self) -> int:
        """Visits over all replications."""
        return int(self.visit_station.size)

    def block(self, start: int, stop: int) -> Plan:
        """The sub-plan of stored replications ``start:stop`` (visit offsets re-based to 0)."""
        first, last = int(self.rep_first[start]), int(self.rep_first[stop])
        v0, v1 = int(self.first_visit[first]), int(self.first_visit[last])
        return Plan(
            network=self.network,
            seed=self.seed,
            replications=self.replications[start:stop],
            rep_first=self.rep_first[start : stop + 1] - first,
            shipment_rep=self.shipment_rep[first:last],
            shipment_id=self.shipment_id[first:last],
            shipment_flow=self.shipment_flow[first:last],
            created=self.created[first:last],
            tonnes=self.tonnes[first:last],
            teu=self.teu[first:last],
            free_flow_h=self.free_flow_h[first:last],
            first_visit=self.first_visit[first : last + 1] - v0,
            visit_station=self.visit_station[v0:v1],
            visit_work=self.visit_work[v0:v1],
            visit_size=self.visit_size[v0:v1],
            capacity_by_rep=self.capacity_by_rep[start:stop],
            visit_class=self.visit_class[v0:v1] if self.visit_class is not None else None,
            left=self.left[first:last] if self.left is not None else None,
        )

    @property
    def visit_shipment(self) -> IntArray:
        """Row of the shipment each visit belongs to."""
        return _visit_rows(self.first_visit, seq=False)

    @property
    def visit_seq(self) -> IntArray:
        """Position of each visit on its shipment's route (0-based)."""
        return _visit_rows(self.first_visit, seq=True)


def _visit_rows(first_visit: IntArray, seq: bool) -> IntArray:
    """Each visit's shipment row or position: :func:`sim.plan_loops.visit_rows`.

    For offsets from 0 that never decrease; numpy's ``repeat`` (and its errors) otherwise.
    """
    offsets = np.asarray(first_visit, dtype=np.int64)
    if offsets.size and offsets[0] == 0 and (offsets[1:] >= offsets[:-1]).all():
        from sim.plan_loops import visit_rows

        return visit_rows(offsets, seq)
    counts = np.diff(offsets)
    if seq:
        return np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(offsets[:-1], counts)
    return np.repeat(np.arange(counts.size, dtype=np.int64), counts)


def check_plan(plan: Plan) -> None:
    """The engines' precondition: visits take time, no leg stops, classes exist, diversions are laid out.

    Scenarios cannot break it (see :mod:`sim.scenario.distributions`, :mod:`sim.scenario.diversion`);
    hand-made Plans can. Zero-time visits would leave the order of same-instant decisions undefined; so
    would a diverted ship joining a queue in the instant it turned away, hence an alternative starts with a
    pure delay.

    Raises
    ------
    ValueError
        Naming the first offending visit or leg.
    """
    bad = np.flatnonzero(~(plan.visit_work > 0))
    if bad.size:
        raise ValueError(
            f"visit {int(bad[0])} has work {plan.visit_work[bad[0]]!r} h; every visit needs work > 0"
        )
    _check_classes(plan)
    for station in plan.network.stations:
        schedules = [
            station.capacity,
            *(by_rep[station.index] for by_rep in plan.capacity_by_rep if station.index in by_rep),
        ]
        if station.is_delay and not all((s.values > 0).all() for s in schedules):
            raise ValueError(f"{station.name} has a speed factor of 0; speed factors must be > 0")
    for flow in plan.network.flows:
        diversion = flow.diversion
        if diversion is None:
            continue
        kinds = [plan.network.stations[s].kind for s in flow.stations]
        laid_out = (
            diversion.branch == len(kinds)  # leaves: no alternative
            if diversion.leaves
            else diversion.branch < len(kinds) and kinds[diversion.branch] in DELAY_KINDS
        )
        if not (0 <= diversion.at < diversion.branch and kinds[diversion.at] == "chokepoint" and laid_out):
            raise ValueError(
                f"flow {flow.name}: a diversion needs a chokepoint on the route (position {diversion.at}) "
                f"and an alternative after it that starts with a leg, or none if its ships leave (position "
                f"{diversion.branch})"
            )


def _check_classes(plan: Plan) -> None:
    """Every visit's class is one of its station's classes (0 at stations without classes)."""
    if plan.visit_class is None:
        return
    if plan.visit_class.shape != plan.visit_station.shape:
        raise ValueError(f"visit_class has {plan.visit_class.size} entries for {plan.n_visits} visits")
    from sim.plan_loops import first_bad_class

    limit = np.array([max(len(s.classes), 1) for s in plan.network.stations], dtype=np.int64)
    bad = first_bad_class(plan.visit_class, np.asarray(plan.visit_station, dtype=np.int64), limit)
    if bad == -2:  # a station out of range: numpy's indexing (and its error, or negative indices)
        found = np.flatnonzero((plan.visit_class < 0) | (plan.visit_class >= limit[plan.visit_station]))
        bad = int(found[0]) if found.size else -1
    if bad >= 0:
        station = plan.network.stations[int(plan.visit_station[bad])]
        raise ValueError(
            f"visit {bad} is in class {int(plan.visit_class[bad])} at {station.name}, which has"
            f" {len(station.classes)} classes; classes are 0 to the count minus 1 (0 without classes)"
        )
