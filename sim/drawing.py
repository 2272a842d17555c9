"""Drawing a Plan: every shipment and random draw of a block of replications, as array operations.

All randomness is drawn here, by inversion of uniform draws from streams keyed by (replication, purpose,
entity) (see :mod:`sim.rng`), so a replication's numbers do not depend on the block it is drawn in or on
the other entities; the result is a :class:`sim.plan.Plan`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.arrivals import unit_points
from sim.booking import booked_classes
from sim.choice import alternatives_of, choose, combined_intensity, route_shares
from sim.class_draws import ClassArray, draw_classes
from sim.demand import Intensity, month_starts_h, volume_rate_h
from sim.network import FlowRoute, Network, ParcelLimit
from sim.plan import Plan
from sim.rng import stream
from sim.scenario.distributions import Distribution, Fixed
from sim.scenario.flows import Flow
from sim.scenario.model import Commodity, Scenario
from sim.scenario.routes import Step
from sim.spells import has_random_capacity, replication_capacity, replication_parcel_limits

__all__ = ["draw_plan", "expected_shipments"]

QUADRATURE = (np.arange(4096, dtype=np.float64) + 0.5) / 4096
"""Midpoints used to average a parcel distribution under a cap (E[min(P, cap)])."""


def draw_plan(scenario: Scenario, network: Network, replications: Sequence[int], seed: int) -> Plan:
    """Draw every shipment and random number for the given replications.

    Each stream — a (replication, purpose, entity) triple — is drawn on its own, so a replication's numbers
    do not depend on the other replications drawn with it; everything else is done for all the
    replications at once, flow by flow: uniforms become parcels, work and sizes by one inversion per
    (flow, step), and the shipments of every flow and replication are laid out in creation order by one
    stable sort per replication.

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
    numbers = [int(r) for r in replications]
    shares = route_shares(scenario, network)
    limits = [[*network.parcel_limits, *replication_parcel_limits(scenario, rep, seed)] for rep in numbers]
    draws = [_draw_flow(scenario, limits, network, shares, route, numbers, seed) for route in network.flows]
    laid = _Layout.of(draws, len(numbers))
    plan = Plan(
        network=network,
        seed=seed,
        replications=tuple(numbers),
        rep_first=laid.rep_first,
        shipment_rep=np.asarray(numbers, dtype=np.int64)[laid.rep] if numbers else np.empty(0, np.int64),
        shipment_id=laid.shipment_id,
        shipment_flow=laid.flow,
        created=laid.scatter(draws, "created"),
        tonnes=laid.scatter(draws, "tonnes"),
        teu=laid.scatter(draws, "teu"),
        free_flow_h=laid.scatter(draws, "free_flow_h"),
        first_visit=laid.first_visit,
        visit_station=laid.gather_visits(draws, "station", np.int64),
        visit_work=laid.gather_visits(draws, "work", np.float64),
        visit_size=laid.gather_visits(draws, "size", np.float64),
        capacity_by_rep=tuple(replication_capacity(scenario, network, rep, seed) for rep in numbers)
        if has_random_capacity(scenario)
        else (),
        visit_class=laid.gather_visits(draws, "klass", np.int8)
        if any(s.has_priority for s in network.stations)
        else None,
    )
    return replace(plan, visit_class=booked_classes(scenario, plan))


@dataclass(frozen=True)
class _FlowDraws:
    """One flow's shipments in every replication drawn (replication by replication, each in draw order).

    Every shipment of a flow visits the stations of its route: visit columns are (shipments, steps).

    Attributes
    ----------
    rep : ndarray of int64
        Position (0 … R − 1) of each shipment's replication among those drawn.
    created, tonnes, teu, free_flow_h : ndarray of float64
        Creation time (h), sizes (t, TEU) and the sum of the shipment's work (h).
    station : ndarray of int64, shape (1, steps)
        Station index of each step of the route.
    work, size : ndarray of float64, shape (shipments, steps)
        Work (h) and size in the station's unit of each visit.
    klass : ndarray of int8, shape (shipments, steps)
        Priority class of each visit (:mod:`sim.class_draws`; 0 at stations without classes).
    """

    rep: IntArray
    created: FloatArray
    tonnes: FloatArray
    teu: FloatArray
    free_flow_h: FloatArray
    station: IntArray
    work: FloatArray
    size: FloatArray
    klass: ClassArray


@dataclass(frozen=True)
class _Layout:
    """Where each flow's shipments go in the Plan: replication by replication, each in creation order.

    Creation order is (time created, flow order, order within the flow): ``order`` indexes the shipments
    of all flows concatenated (flow after flow); ``shipment_at[f]`` is where flow ``f``'s shipments go;
    ``visit_order`` indexes the visits of all flows concatenated (flow after flow, shipment after shipment).
    """

    order: IntArray
    rep: IntArray
    flow: IntArray
    rep_first: IntArray
    shipment_id: IntArray
    first_visit: IntArray
    shipment_at: list[IntArray]
    visit_order: IntArray

    @classmethod
    def of(cls, draws: list[_FlowDraws], replications: int) -> _Layout:
        sizes = np.array([d.rep.size for d in draws], dtype=np.int64)
        counts = np.array(
            [np.bincount(d.rep, minlength=replications) for d in draws], dtype=np.int64
        ).reshape(len(draws), replications)
        per_rep = counts.sum(axis=0)
        rep_first = np.concatenate([[0], np.cumsum(per_rep)]).astype(np.int64)
        order = _creation_order(_joined([d.created for d in draws], np.float64), counts, rep_first)
        sorted_rep = np.repeat(np.arange(replications, dtype=np.int64), per_rep)
        sorted_flow = np.repeat(np.arange(len(draws), dtype=np.int64), sizes)[order]
        steps = np.array([d.station.size for d in draws], dtype=np.int64)
        first_visit = np.concatenate([[0], np.cumsum(steps[sorted_flow])]).astype(np.int64)
        position = np.empty(order.size, dtype=np.int64)
        position[order] = np.arange(order.size, dtype=np.int64)
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        shipment_at = [position[bounds[f] : bounds[f + 1]] for f in range(len(draws))]
        visit_order = np.empty(int(first_visit[-1]), dtype=np.int64)
        drawn = 0  # visits of the flows before, flow after flow
        for f, at in enumerate(shipment_at):
            places = first_visit[at][:, None] + np.arange(steps[f], dtype=np.int64)
            visit_order[places] = np.arange(drawn, drawn + places.size, dtype=np.int64).reshape(places.shape)
            drawn += places.size
        return cls(
            order=order,
            rep=sorted_rep,
            flow=sorted_flow,
            rep_first=rep_first,
            shipment_id=np.arange(order.size, dtype=np.int64) - rep_first[sorted_rep],
            first_visit=first_visit,
            shipment_at=shipment_at,
            visit_order=visit_order,
        )

    def scatter(self, draws: list[_FlowDraws], name: str) -> FloatArray:
        """A shipment column of every flow, in the Plan's order."""
        result = np.empty(self.order.size)
        for at, drawn in zip(self.shipment_at, draws, strict=True):
            result[at] = getattr(drawn, name)
        return result

    def gather_visits(self, draws: list[_FlowDraws], name: str, dtype: type) -> NDArray[Any]:
        """A visit column of every flow, in the Plan's order (all 0 without a draw: no gather)."""
        columns = [np.broadcast_to(getattr(d, name), d.work.shape).ravel() for d in draws]
        if not any(column.any() for column in columns):
            return np.zeros(self.visit_order.size, dtype=dtype)
        return np.take(_joined(columns, dtype), self.visit_order)


def _creation_order(created: FloatArray, counts: IntArray, rep_first: IntArray) -> IntArray:
    """The flows' shipments (flow after flow) permuted into creation order, replication by replication.

    ``counts[f, r]`` are flow ``f``'s shipments in replication ``r`` (stored replication after replication
    within the flow). The shipments are rearranged replication-major — each replication's flows in order,
    each flow's shipments in draw order — and each replication is sorted by time with a stable sort, which
    keeps ties in (flow, order within the flow): the order of ``lexsort((within, flow, created, rep))``.
    """
    replications = counts.shape[1]
    flow_first = np.concatenate([[0], np.cumsum(counts.sum(axis=1))[:-1]])
    source = flow_first[:, None] + np.cumsum(counts, axis=1) - counts  # start of (f, r) flow after flow
    by_rep = counts.T.ravel()
    target = np.cumsum(by_rep) - by_rep  # start of (r, f) replication after replication
    arranged = np.repeat(source.T.ravel() - target, by_rep) + np.arange(int(by_rep.sum()), dtype=np.int64)
    times = created[arranged]
    order = np.empty_like(arranged)
    for r in range(replications):
        mine = slice(int(rep_first[r]), int(rep_first[r + 1]))
        order[mine] = arranged[mine][np.argsort(times[mine], kind="stable")]
    return order


def _joined(parts: Sequence[NDArray[Any]], dtype: type) -> NDArray[Any]:
    """The arrays one after the other (an empty array of ``dtype`` when there are none)."""
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype=dtype)


def _draw_flow(
    scenario: Scenario,
    all_limits: list[list[ParcelLimit]],
    network: Network,
    shares: FloatArray,
    route: FlowRoute,
    reps: list[int],
    seed: int,
) -> _FlowDraws:
    """One route's shipments in every replication: arrivals and uniforms stream by stream, inverted once.

    ``all_limits[k]`` are the parcel limits of replication ``reps[k]`` (fixed and random). Streams are keyed
    by the flow; a choice flow's shipments pick their route in :func:`_flow_arrivals`, and each route keeps
    the draws of the shipments that took it.
    """
    flow = scenario.flows[route.flow]
    commodity = scenario.commodities[flow.commodity]
    limits = [tuple(_limits_on(found, route)) for found in all_limits]
    intensities: dict[tuple[int, tuple[ParcelLimit, ...]], Intensity] = {}
    created_parts, uniform_parts, picks = [], [], []
    for rep, found in zip(reps, all_limits, strict=True):
        arrivals, taken = _flow_arrivals(scenario, found, network, shares, route, rep, seed, intensities)
        chosen: BoolArray | slice = taken if route.alternative else slice(None)  # one route: all, no copy
        created_parts.append(arrivals[chosen])
        if not isinstance(flow.parcel, Fixed):  # a fixed parcel ignores its uniforms: none drawn
            uniform_parts.append(
                _open_uniforms(stream(seed, rep, "parcels", route.flow), arrivals.size)[chosen]
            )
        picks.append((arrivals.size, chosen))
    counts = np.array([part.size for part in created_parts], dtype=np.int64)
    created = _joined(created_parts, np.float64)
    parcel = flow.parcel.ppf(_joined(uniform_parts, np.float64) if uniform_parts else np.zeros(created.size))
    if len(set(limits)) <= 1:
        parcel = _limit_parcels(parcel, created, list(limits[0]) if limits else [])
    else:  # random parcel limits: each replication its own windows
        bounds = np.concatenate([[0], np.cumsum(counts)])
        for k, own in enumerate(limits):
            part = slice(int(bounds[k]), int(bounds[k + 1]))
            parcel[part] = _limit_parcels(parcel[part], created[part], list(own))
    tonnes, teu = _sizes(parcel, flow.parcel_unit, commodity)
    work = np.empty((created.size, len(route.steps)))
    size = np.zeros_like(work)
    for column, step in enumerate(route.steps):
        if isinstance(_variability(scenario, step), Fixed):  # ignores its uniforms: none drawn
            uniforms = np.zeros(created.size)
        else:
            uniforms = _joined(
                [
                    _open_uniforms(stream(seed, rep, "work", route.flow, step.station), drawn)[chosen]
                    for rep, (drawn, chosen) in zip(reps, picks, strict=True)
                ],
                np.float64,
            )
        work[:, column], size[:, column] = _step_work(scenario, step, uniforms, tonnes, teu)
    klass = [
        draw_classes(scenario, route, rep, seed, drawn)[chosen]
        for rep, (drawn, chosen) in zip(reps, picks, strict=True)
    ]
    return _FlowDraws(
        rep=np.repeat(np.arange(len(reps), dtype=np.int64), counts),
        created=created,
        tonnes=tonnes,
        teu=teu,
        free_flow_h=work[:, : route.planned].sum(axis=1),
        station=np.asarray(route.stations, dtype=np.int64)[None, :],
        work=work,
        size=size,
        klass=np.concatenate(klass) if klass else np.zeros((0, len(route.steps)), dtype=np.int8),
    )


def expected_shipments(scenario: Scenario, network: Network) -> FloatArray:
    """Expected shipments of each route (``network.flows`` order) in one replication: ``Lambda(horizon)``.

    Every arrival process has one point per unit of ``Lambda`` on average (:mod:`sim.arrivals`), so this is
    the mean count whatever the process; a route of a choice flow takes its share. Fixed parcel limits are
    included; random ones are not (they raise a flow's rate only in their down spells). Inf or NaN for
    volumes too large for floating point.
    """
    shares = route_shares(scenario, network)
    counts = np.empty(len(network.flows))
    for route in network.flows:
        flow = scenario.flows[route.flow]
        limits = _limits_on(list(network.parcel_limits), route)
        with np.errstate(over="ignore", invalid="ignore"):
            intensity = _intensity(scenario, flow, scenario.commodities[flow.commodity], limits)
            share = float(shares[route.index]) if route.alternative else 1.0
            counts[route.index] = float(intensity.cumulative[-1]) * share
    return counts


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
    cache: dict[tuple[int, tuple[ParcelLimit, ...]], Intensity],
) -> tuple[FloatArray, BoolArray]:
    """Arrival times of all the flow's shipments (streams keyed by the flow), and which take ``route``.

    A flow with one route takes every arrival; a choice flow's shipments pick a route in :mod:`sim.choice`.
    ``cache`` keeps the intensities already computed, by route and parcel limits (replications without
    random parcel limits share them).
    """
    flow = scenario.flows[route.flow]
    commodity = scenario.commodities[flow.commodity]

    def intensity(of: FlowRoute) -> Intensity:
        limits = tuple(_limits_on(all_limits, of))
        if (of.index, limits) not in cache:
            cache[(of.index, limits)] = _intensity(scenario, flow, commodity, list(limits))
        return cache[(of.index, limits)]

    if not route.alternative:
        created = _arrival_times(flow, intensity(route), rep, seed, route.flow)
        return created, np.ones(created.size, dtype=bool)
    siblings = alternatives_of(network, route.flow)
    intensities = [intensity(r) for r in siblings]
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
    factor = _variability(scenario, step).ppf(uniforms)
    if kind == "dwell":
        return factor, zero
    if kind == "berth":
        assert cargo_class is not None
        pool = scenario.nodes[ref].berths[cargo_class]
        amount = teu if pool.rate_unit == "TEU/h" else tonnes
        return (amount / pool.rate + pool.overhead_h) * factor, zero
    if kind == "service":
        service = scenario.services[ref]
        amount = teu if service.capacity_unit == "TEU" else tonnes
        return service.transit_h * factor, amount
    if kind == "chokepoint":
        chokepoint = scenario.nodes[ref].chokepoint
        assert chokepoint is not None
        return chokepoint.transit_h * factor, zero
    return scenario.legs[ref].free_flow_h * factor, zero


def _variability(scenario: Scenario, step: Step) -> Distribution:
    """The distribution a step's uniforms are inverted through (the dwell time itself at a dwell step)."""
    kind, ref, cargo_class = step.kind, step.ref, step.cargo_class
    if kind == "dwell":
        assert cargo_class is not None
        assert step.direction is not None
        dwell = scenario.nodes[ref].berths[cargo_class].dwell_h
        stay = dwell.of(step.direction) if dwell is not None else None
        assert stay is not None
        return stay
    if kind == "berth":
        assert cargo_class is not None
        return scenario.nodes[ref].berths[cargo_class].variability
    if kind == "service":
        return scenario.services[ref].variability
    if kind == "chokepoint":
        chokepoint = scenario.nodes[ref].chokepoint
        assert chokepoint is not None
        return chokepoint.variability
    return scenario.legs[ref].variability
