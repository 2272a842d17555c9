"""The Plan: every shipment and every random draw of a run, as flat numpy arrays.

Engines consume a Plan and nothing else, so two engines given one Plan must produce the same Trace. All
randomness is drawn here, by inversion of uniform draws from streams keyed by (replication, purpose, entity)
(see :mod:`sim.rng`).

Layout: shipments of all replications are concatenated, replication by replication, each replication's in
creation order (time created, then flow order, then order within the flow) — the order that breaks FIFO ties.
Visits are stored CSR-style: shipment ``i`` visits ``visit_station[first_visit[i]:first_visit[i + 1]]``.
A flow with a diversion lays out both ways for each shipment: the route's visits, then the alternative's
(:class:`sim.network.FlowDiversion`); the engines take one and leave the other's times NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.arrivals import unit_points
from sim.choice import alternatives_of, choose, combined_intensity, route_shares
from sim.demand import Intensity, month_starts_h, volume_rate_h
from sim.network import DELAY_KINDS, FlowRoute, Network, ParcelLimit
from sim.rng import stream
from sim.scenario.model import Commodity, Flow, Scenario
from sim.scenario.routes import Step
from sim.schedule import Schedule
from sim.spells import has_random_capacity, replication_capacity, replication_parcel_limits

__all__ = ["Plan", "check_plan", "draw_plan"]

QUADRATURE = (np.arange(4096, dtype=np.float64) + 0.5) / 4096
"""Midpoints used to average a parcel distribution under a cap (E[min(P, cap)])."""


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
        )

    @property
    def visit_shipment(self) -> IntArray:
        """Row of the shipment each visit belongs to."""
        return np.repeat(np.arange(self.n_shipments, dtype=np.int64), np.diff(self.first_visit))

    @property
    def visit_seq(self) -> IntArray:
        """Position of each visit on its shipment's route (0-based)."""
        return np.arange(self.n_visits, dtype=np.int64) - np.repeat(
            self.first_visit[:-1], np.diff(self.first_visit)
        )


def check_plan(plan: Plan) -> None:
    """The engines' precondition: every visit takes time, no leg ever stops, and diversions are well laid out.

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
        if not (
            0 <= diversion.at < diversion.branch < len(kinds)
            and kinds[diversion.at] == "chokepoint"
            and kinds[diversion.branch] in DELAY_KINDS
        ):
            raise ValueError(
                f"flow {flow.name}: a diversion needs a chokepoint on the route (position {diversion.at}) "
                f"and an alternative after it that starts with a leg (position {diversion.branch})"
            )


@dataclass(frozen=True)
class _FlowDraws:
    created: FloatArray
    tonnes: FloatArray
    teu: FloatArray
    work: FloatArray  # shape (n, steps)
    size: FloatArray  # shape (n, steps)


def draw_plan(scenario: Scenario, network: Network, replications: Sequence[int], seed: int) -> Plan:
    """Draw every shipment and random number for the given replications.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    network : Network
        Its network (``build_network(scenario)``).
    replications : sequence of int
        Global replication numbers to draw (e.g. ``range(10, 20)`` for a block of a sweep).
    seed : int
        Root seed.
    """
    shares = route_shares(scenario, network)
    per_rep = [_draw_replication(scenario, network, shares, rep, seed) for rep in replications]
    counts = np.array([draws.created.size for draws in per_rep], dtype=np.int64)
    rep_first = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    drawn = _ReplicationDraws.concatenate(per_rep)
    first_visit = np.concatenate([[0], np.cumsum(drawn.n_steps)]).astype(np.int64)
    shipment_id = (
        np.concatenate([np.arange(c, dtype=np.int64) for c in counts]) if per_rep else np.empty(0, np.int64)
    )
    return Plan(
        network=network,
        seed=seed,
        replications=tuple(int(r) for r in replications),
        rep_first=rep_first,
        shipment_rep=np.repeat(np.asarray(replications, dtype=np.int64), counts),
        shipment_id=shipment_id,
        shipment_flow=drawn.flow.astype(np.int64),
        created=drawn.created.astype(np.float64),
        tonnes=drawn.tonnes.astype(np.float64),
        teu=drawn.teu.astype(np.float64),
        free_flow_h=drawn.free_flow_h.astype(np.float64),
        first_visit=first_visit,
        visit_station=drawn.station.astype(np.int64),
        visit_work=drawn.work.astype(np.float64),
        visit_size=drawn.size.astype(np.float64),
        capacity_by_rep=tuple(replication_capacity(scenario, network, rep, seed) for rep in replications)
        if has_random_capacity(scenario)
        else (),
    )


@dataclass(frozen=True)
class _ReplicationDraws:
    """One replication's shipments, in creation order, and their visits, shipment after shipment.

    Attributes
    ----------
    created : ndarray of float64
        Creation time of each shipment (h).
    flow : ndarray of int64
        Index into ``network.flows`` of each shipment.
    tonnes : ndarray of float64
        Size of each shipment (t).
    teu : ndarray of float64
        Size of each shipment (TEU; 0 for bulk).
    free_flow_h : ndarray of float64
        Sum of each shipment's work at every station (h).
    n_steps : ndarray of int64
        Visits of each shipment (stations on its route).
    station : ndarray of int64
        Station index of each visit.
    work : ndarray of float64
        Hours of work of each visit (h).
    size : ndarray of float64
        Shipment size of each visit in the station's unit (t or TEU; services only, 0 elsewhere).
    """

    created: FloatArray
    flow: IntArray
    tonnes: FloatArray
    teu: FloatArray
    free_flow_h: FloatArray
    n_steps: IntArray
    station: IntArray
    work: FloatArray
    size: FloatArray

    @classmethod
    def concatenate(cls, parts: Sequence[_ReplicationDraws]) -> _ReplicationDraws:
        """The replications' draws one after the other (empty float64 arrays when there are none)."""

        def joined(name: str) -> NDArray[Any]:
            return np.concatenate([getattr(part, name) for part in parts]) if parts else np.empty(0)

        return cls(**{f.name: joined(f.name) for f in fields(cls)})


def _draw_replication(
    scenario: Scenario, network: Network, shares: FloatArray, rep: int, seed: int
) -> _ReplicationDraws:
    limits = [*network.parcel_limits, *replication_parcel_limits(scenario, rep, seed)]
    draws = [_draw_flow(scenario, limits, network, shares, route, rep, seed) for route in network.flows]
    created = np.concatenate([d.created for d in draws])
    flow = np.concatenate(
        [np.full(d.created.size, r.index, dtype=np.int64) for d, r in zip(draws, network.flows, strict=True)]
    )
    within = np.concatenate([np.arange(d.created.size) for d in draws])
    order = np.lexsort((within, flow, created))
    steps = np.array([len(r.stations) for r in network.flows], dtype=np.int64)[flow][order]
    by_flow = list(zip(draws, network.flows, strict=True))
    station = np.concatenate(
        [np.tile(np.asarray(r.stations, dtype=np.int64), d.created.size) for d, r in by_flow]
    )
    work = np.concatenate([d.work.ravel() for d, _ in by_flow])
    size = np.concatenate([d.size.ravel() for d, _ in by_flow])
    visit_order = _visit_order(order, steps, by_flow)
    free_flow = np.concatenate([d.work[:, : r.planned].sum(axis=1) for d, r in by_flow])
    return _ReplicationDraws(
        created=created[order],
        flow=flow[order],
        tonnes=np.concatenate([d.tonnes for d in draws])[order],
        teu=np.concatenate([d.teu for d in draws])[order],
        free_flow_h=free_flow[order],
        n_steps=steps,
        station=station[visit_order],
        work=work[visit_order],
        size=size[visit_order],
    )


def _visit_order(
    order: IntArray, steps_sorted: IntArray, by_flow: list[tuple[_FlowDraws, FlowRoute]]
) -> IntArray:
    """Indices that reorder flow-major visit rows into the shipments' creation order."""
    steps_unsorted = np.concatenate(
        [np.full(d.created.size, len(r.stations), dtype=np.int64) for d, r in by_flow]
    )
    starts = np.cumsum(steps_unsorted) - steps_unsorted
    first = starts[order]
    offsets = np.arange(int(steps_sorted.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(steps_sorted) - steps_sorted, steps_sorted
    )
    return np.asarray(np.repeat(first, steps_sorted) + offsets, dtype=np.int64)


def _draw_flow(
    scenario: Scenario,
    all_limits: list[ParcelLimit],
    network: Network,
    shares: FloatArray,
    route: FlowRoute,
    rep: int,
    seed: int,
) -> _FlowDraws:
    flow = scenario.flows[route.flow]
    commodity = scenario.commodities[flow.commodity]
    limits = _limits_on(all_limits, route)
    arrivals, chosen = _flow_arrivals(scenario, all_limits, network, shares, route, rep, seed)
    created = arrivals[chosen]
    uniforms = _open_uniforms(stream(seed, rep, "parcels", route.flow), arrivals.size)[chosen]
    parcel = _limit_parcels(flow.parcel.ppf(uniforms), created, limits)
    tonnes, teu = _sizes(parcel, flow.parcel_unit, commodity)
    work = np.empty((created.size, len(route.steps)))
    size = np.zeros_like(work)
    for column, step in enumerate(route.steps):
        draws = _open_uniforms(stream(seed, rep, "work", route.flow, step.station), arrivals.size)[chosen]
        work[:, column], size[:, column] = _step_work(scenario, step, draws, tonnes, teu)
    return _FlowDraws(created, tonnes, teu, work, size)


def _limits_on(all_limits: list[ParcelLimit], route: FlowRoute) -> list[ParcelLimit]:
    return [limit for limit in all_limits if limit.node in route.nodes]


def _flow_arrivals(
    scenario: Scenario,
    all_limits: list[ParcelLimit],
    network: Network,
    shares: FloatArray,
    route: FlowRoute,
    rep: int,
    seed: int,
) -> tuple[FloatArray, BoolArray]:
    """Arrival times of all the flow's shipments (streams keyed by the flow), and which take ``route``.

    A flow with one route takes every arrival; a choice flow's shipments pick a route in :mod:`sim.choice`.
    """
    flow = scenario.flows[route.flow]
    commodity = scenario.commodities[flow.commodity]
    if not route.alternative:
        created = _arrival_times(
            flow, _intensity(scenario, flow, commodity, _limits_on(all_limits, route)), rep, seed, route.flow
        )
        return created, np.ones(created.size, dtype=bool)
    siblings = alternatives_of(network, route.flow)
    intensities = [_intensity(scenario, flow, commodity, _limits_on(all_limits, r)) for r in siblings]
    probabilities = shares[[r.index for r in siblings]]
    created = _arrival_times(flow, combined_intensity(intensities, probabilities), rep, seed, route.flow)
    uniforms = _open_uniforms(stream(seed, rep, "choice", route.flow), created.size)
    picked = choose(created, intensities, probabilities, uniforms)
    return created, picked == siblings.index(route)


def _open_uniforms(generator: np.random.Generator, size: int) -> FloatArray:
    """Uniform draws on (0, 1): the rare exact 0 of ``random()`` (p = 2**-53) becomes the next double.

    So that inversion never returns the bottom of a distribution's support, e.g. an exponential time of 0.
    """
    draws = generator.random(size)
    return np.where(draws > 0.0, draws, np.nextafter(0.0, 1.0))


def _intensity(scenario: Scenario, flow: Flow, commodity: Commodity, limits: list[ParcelLimit]) -> Intensity:
    months = month_starts_h(scenario.start, scenario.horizon_h)
    cuts = [t for limit in limits for t in (limit.start_h, limit.end_h) if 0.0 < t < scenario.horizon_h]
    edges = np.unique(np.concatenate([months, np.asarray(cuts, dtype=np.float64)]))
    to_volume = _unit_factor(flow.parcel_unit, flow.volume_unit, commodity)
    rates = np.empty(edges.size - 1)
    for i, begin in enumerate(edges[:-1]):
        year, month = _calendar_month(scenario, begin)
        volume_rate = volume_rate_h(flow.annual_volume, flow.seasonality, flow.seasonality_basis, year, month)
        active = [lim for lim in limits if lim.start_h <= begin < lim.end_h]
        rates[i] = volume_rate / (_mean_parcel(flow, active) * to_volume)
    return Intensity(edges, rates)


def _calendar_month(scenario: Scenario, hours: float) -> tuple[int, int]:
    moment = np.datetime64(scenario.start) + np.timedelta64(round(hours * 3600), "s")
    date = moment.astype("datetime64[D]").item()
    return date.year, date.month


def _mean_parcel(flow: Flow, limits: list[ParcelLimit]) -> float:
    if not limits:
        return flow.parcel.mean
    return float(_limit_parcels(flow.parcel.ppf(QUADRATURE), None, limits).mean())


def _limit_parcels(parcel: FloatArray, created: FloatArray | None, limits: list[ParcelLimit]) -> FloatArray:
    """Apply caps and scalings; with ``created`` None every limit applies (used for the mean)."""
    result = parcel.copy()
    for limit in limits:
        inside = (
            np.ones(result.size, bool)
            if created is None
            else (created >= limit.start_h) & (created < limit.end_h)
        )
        if limit.cap is not None:
            result[inside] = np.minimum(result[inside], limit.cap)
        if limit.scale is not None:
            result[inside] = result[inside] * limit.scale
    return result


def _arrival_times(flow: Flow, intensity: Intensity, rep: int, seed: int, name: str) -> FloatArray:
    """The flow's arrival process (:mod:`sim.arrivals`) mapped through ``Lambda^-1``."""
    total = float(intensity.cumulative[-1])
    return intensity.invert(unit_points(flow, total, stream(seed, rep, "arrivals", name)))


def _unit_factor(from_unit: str, to_unit: str, commodity: Commodity) -> float:
    if from_unit == to_unit:
        return 1.0
    tonnes_per_teu = commodity.tonnes_per_teu or 1.0
    return tonnes_per_teu if from_unit == "TEU" else 1.0 / tonnes_per_teu


def _sizes(parcel: FloatArray, unit: str, commodity: Commodity) -> tuple[FloatArray, FloatArray]:
    if commodity.kind == "bulk":
        return parcel, np.zeros_like(parcel)
    assert commodity.tonnes_per_teu is not None
    if unit == "TEU":
        return parcel * commodity.tonnes_per_teu, parcel
    return parcel, parcel / commodity.tonnes_per_teu


def _step_work(
    scenario: Scenario, step: Step, uniforms: FloatArray, tonnes: FloatArray, teu: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Work hours and size (in the station's unit) at one step for every shipment of a flow."""
    zero = np.zeros_like(tonnes)
    kind, ref, cargo_class = step.kind, step.ref, step.cargo_class
    if kind == "dwell":
        assert cargo_class is not None
        assert step.direction is not None
        dwell = scenario.nodes[ref].berths[cargo_class].dwell_h
        stay = dwell.of(step.direction) if dwell is not None else None
        assert stay is not None
        return stay.ppf(uniforms), zero
    if kind == "berth":
        assert cargo_class is not None
        pool = scenario.nodes[ref].berths[cargo_class]
        amount = teu if pool.rate_unit == "TEU/h" else tonnes
        return (amount / pool.rate + pool.overhead_h) * pool.variability.ppf(uniforms), zero
    if kind == "service":
        service = scenario.services[ref]
        amount = teu if service.capacity_unit == "TEU" else tonnes
        return service.transit_h * service.variability.ppf(uniforms), amount
    if kind == "chokepoint":
        chokepoint = scenario.nodes[ref].chokepoint
        assert chokepoint is not None
        return chokepoint.transit_h * chokepoint.variability.ppf(uniforms), zero
    leg = scenario.legs[ref]
    return leg.free_flow_h * leg.variability.ppf(uniforms), zero
