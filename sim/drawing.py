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
from sim.arrivals import unit_points_of
from sim.booking import booked_classes
from sim.choice import alternatives_of, choose, combined_intensity, route_shares
from sim.class_draws import ClassArray, by_shares, class_steps, has_classes, whole_class
from sim.demand import Intensity, month_starts_h, volume_rate_h
from sim.layout import Layout
from sim.network import FlowRoute, Network, ParcelLimit
from sim.plan import Plan
from sim.prepared import Prepared, prepared
from sim.scenario.distributions import Fixed
from sim.scenario.flows import Flow
from sim.scenario.model import Commodity, Scenario
from sim.seeding import StreamBook
from sim.spells import capacity_by_replication, has_random_capacity, parcel_limits_by_replication
from sim.visit_work import free_flow, shipment_sizes, size_kinds, step_work, variability

__all__ = ["draw_plan", "expected_shipments"]

QUADRATURE = (np.arange(4096, dtype=np.float64) + 0.5) / 4096
"""Midpoints used to average a parcel distribution under a cap (E[min(P, cap)])."""


def draw_plan(scenario: Scenario, network: Network, replications: Sequence[int], seed: int) -> Plan:
    """Draw every shipment and random number for the given replications.

    Each stream — a (replication, purpose, entity) triple — is drawn on its own, so a replication's numbers
    do not depend on the other replications drawn with it; everything else is done for all the
    replications at once, flow by flow: first the arrivals of every flow, which size the drawn columns and
    fix the Plan's order (:class:`sim.layout.Layout`: a stable sort by time per replication); then each
    flow's uniforms become parcels, work and sizes by one inversion per (flow, step), written into the drawn
    columns, which one pass gathers into the Plan's order.

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
    kept = prepared(scenario, network)
    book = StreamBook(seed, numbers, kept.stream_names)
    limits = [[*network.parcel_limits, *own] for own in parcel_limits_by_replication(scenario, numbers, seed)]
    flows: dict[str, list[_Arrived]] = {}
    arrived = [_arrivals(scenario, limits, network, kept, route, book, flows) for route in network.flows]
    created = _joined([a.created for a in arrived], np.float64)
    steps = np.array([len(route.steps) for route in network.flows], dtype=np.int64)
    counts = np.array([a.counts for a in arrived], dtype=np.int64).reshape(steps.size, len(numbers))
    laid = Layout.of(created, counts, steps)
    drawn = _Drawn.empty(created.size, int(laid.visit_first[-1]))
    for route, arrivals in zip(network.flows, arrived, strict=True):
        _draw_flow(scenario, limits, route, arrivals, book, drawn.of_flow(laid, route))
    kept.stream_names = tuple(dict.fromkeys(book.asked))  # the next Plan's streams hashed at once
    classes = any(s.has_priority for s in network.stations)
    kinds = [size_kinds(scenario, route) for route in network.flows]
    station, work, size, klass = laid.visits(
        [np.asarray(route.stations, dtype=np.int64) for route in network.flows],
        drawn.work,
        (kinds, drawn.tonnes, drawn.teu) if any(kind.any() for kind in kinds) else None,
        drawn.klass if classes else None,
    )
    created, tonnes, teu, free_flow_h = laid.shipments(created, drawn.tonnes, drawn.teu, drawn.free_flow_h)
    plan = Plan(
        network=network,
        seed=seed,
        replications=tuple(numbers),
        rep_first=laid.rep_first,
        shipment_rep=np.asarray(numbers, dtype=np.int64)[laid.rep] if numbers else np.empty(0, np.int64),
        shipment_id=laid.shipment_id,
        shipment_flow=laid.flow,
        created=created,
        tonnes=tonnes,
        teu=teu,
        free_flow_h=free_flow_h,
        first_visit=laid.first_visit,
        visit_station=station,
        visit_work=work,
        visit_size=size,
        capacity_by_rep=tuple(capacity_by_replication(scenario, network, numbers, seed))
        if has_random_capacity(scenario)
        else (),
        visit_class=klass,
    )
    return replace(plan, visit_class=booked_classes(scenario, plan))


@dataclass(frozen=True)
class _Drawn:
    """Every flow's draws besides creation times: flow after flow, replication after replication.

    Attributes
    ----------
    tonnes, teu, free_flow_h : ndarray of float64
        Each shipment's sizes (t, TEU) and the sum of its work (h).
    work : ndarray of float64
        Each visit's work (h): a flow's visits step after step in route order, each step every shipment of
        the flow (its (steps × shipments) rows, one after the other). A visit's size is its shipment's
        tonnes or TEU (:func:`size_kinds`).
    klass : ndarray of int8
        Each visit's priority class (:mod:`sim.class_draws`; 0 at stations without classes).
    """

    tonnes: FloatArray
    teu: FloatArray
    free_flow_h: FloatArray
    work: FloatArray
    klass: ClassArray

    @classmethod
    def empty(cls, shipments: int, visits: int) -> _Drawn:
        """Columns for ``shipments`` and their ``visits`` (classes 0 until drawn)."""
        return cls(
            tonnes=np.empty(shipments),
            teu=np.empty(shipments),
            free_flow_h=np.empty(shipments),
            work=np.empty(visits),
            klass=np.zeros(visits, dtype=np.int8),
        )

    def of_flow(self, laid: Layout, route: FlowRoute) -> _Drawn:
        """Views of the route's part; visit columns shaped (steps, shipments): a step's draws contiguous."""
        flow = route.index
        ships = slice(int(laid.shipment_first[flow]), int(laid.shipment_first[flow + 1]))
        visits = slice(int(laid.visit_first[flow]), int(laid.visit_first[flow + 1]))
        shape = (len(route.steps), ships.stop - ships.start)
        return _Drawn(
            tonnes=self.tonnes[ships],
            teu=self.teu[ships],
            free_flow_h=self.free_flow_h[ships],
            work=self.work[visits].reshape(shape),
            klass=self.klass[visits].reshape(shape),
        )


@dataclass(frozen=True)
class _Arrivals:
    """One route's shipments in every replication drawn: creation times and which arrivals they are.

    Attributes
    ----------
    created : ndarray of float64
        Creation time (h) of each shipment taking the route, replication after replication, in draw order.
    counts : list of int
        Shipments of each replication.
    picks : list of (int, bool array or slice)
        For each replication, the flow's arrivals and which of them take the route (its streams draw one
        number per arrival of the flow).
    """

    created: FloatArray
    counts: list[int]
    picks: list[tuple[int, BoolArray | slice]]


_Arrived = tuple[FloatArray, IntArray | None]
"""A flow's arrival times in one replication and the route each arrival picks (None: the flow's one route)."""


def _arrivals(
    scenario: Scenario,
    all_limits: list[list[ParcelLimit]],
    network: Network,
    kept: Prepared,
    route: FlowRoute,
    book: StreamBook,
    flows: dict[str, list[_Arrived]],
) -> _Arrivals:
    """One route's creation times in every replication, stream by stream (:func:`_flow_arrivals`).

    ``all_limits[k]`` are the parcel limits of the book's ``k``-th replication (fixed and random);
    ``flows`` keeps each flow's arrivals, drawn once for all its routes.
    """
    if route.flow not in flows:
        flows[route.flow] = _flow_arrivals(scenario, all_limits, network, kept, route, book)
    own = alternatives_of(network, route.flow).index(route) if route.alternative else 0
    created_parts, picks = [], []
    for arrivals, picked in flows[route.flow]:  # one route takes every arrival: a slice, no copy
        chosen: BoolArray | slice = slice(None) if picked is None else picked == own
        created_parts.append(arrivals[chosen])
        picks.append((arrivals.size, chosen))
    return _Arrivals(
        created=_joined(created_parts, np.float64),
        counts=[part.size for part in created_parts],
        picks=picks,
    )


def _joined(parts: Sequence[NDArray[Any]], dtype: type) -> NDArray[Any]:
    """The arrays one after the other (an empty array of ``dtype`` when there are none)."""
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype=dtype)


def _draw_flow(
    scenario: Scenario,
    all_limits: list[list[ParcelLimit]],
    route: FlowRoute,
    arrived: _Arrivals,
    book: StreamBook,
    out: _Drawn,
) -> None:
    """One route's draws in every replication into ``out``: uniforms stream by stream, inverted once.

    ``all_limits[k]`` are the parcel limits of the book's ``k``-th replication (fixed and random). Streams
    are keyed by the flow; a choice flow's route keeps the draws of the shipments that took it.
    """
    flow = scenario.flows[route.flow]
    commodity = scenario.commodities[flow.commodity]
    limits = [tuple(_limits_on(found, route)) for found in all_limits]
    created, picks = arrived.created, arrived.picks
    if isinstance(flow.parcel, Fixed):  # a fixed parcel ignores its uniforms: none drawn
        parcel = flow.parcel.ppf(np.zeros(created.size))
    else:
        parcel = flow.parcel.ppf(_uniforms(book, picks, "parcels", route.flow))
    bounds = np.concatenate([[0], np.cumsum(arrived.counts)]).astype(np.int64)
    if len(set(limits)) <= 1:
        parcel = _limit_parcels(parcel, created, list(limits[0]) if limits else [])
    else:  # random parcel limits: each replication its own windows
        for k, own in enumerate(limits):
            part = slice(int(bounds[k]), int(bounds[k + 1]))
            parcel[part] = _limit_parcels(parcel[part], created[part], list(own))
    out.tonnes[:], out.teu[:] = shipment_sizes(parcel, flow.parcel_unit, commodity)
    for column, step in enumerate(route.steps):
        fixed = isinstance(variability(scenario, step), Fixed)  # ignores its uniforms: none drawn
        uniforms = None if fixed else _uniforms(book, picks, "work", route.flow, step.station)
        step_work(scenario, step, uniforms, out.tonnes, out.teu, out.work[column])
    out.free_flow_h[:] = free_flow(out.work[: route.planned])
    if has_classes(scenario, route):
        _draw_classes(scenario, route, picks, book, out.klass)


def _draw_classes(
    scenario: Scenario,
    route: FlowRoute,
    picks: list[tuple[int, BoolArray | slice]],
    book: StreamBook,
    out: ClassArray,
) -> None:
    """The route's shipments' class at each step with classes (:mod:`sim.class_draws`) into ``out``'s rows.

    One uniform per arrival of the flow from stream ``("class", flow, node)`` (so a shipment's class does
    not depend on the route it takes), inverted for every replication at once.
    """
    drawn: dict[str, ClassArray | int] = {}
    for row, node, shares in class_steps(scenario, route):
        if node not in drawn:
            whole = whole_class(shares)
            drawn[node] = (
                whole
                if whole is not None
                else by_shares(shares, _uniforms(book, picks, "class", route.flow, node, opened=False))
            )
        out[row] = drawn[node]


def _uniforms(
    book: StreamBook,
    picks: list[tuple[int, BoolArray | slice]],
    purpose: str,
    *entity: str,
    opened: bool = True,
) -> FloatArray:
    """Uniforms on (0, 1) of stream ``(rep, purpose, *entity)``, one per arrival, of the route's shipments.

    On [0, 1) (``random()``'s own) when not ``opened``. A route that takes every arrival has its
    replications' draws made straight into one array.
    """
    if any(isinstance(chosen, slice) for _, chosen in picks):  # one route: every arrival, no copy
        bounds = np.cumsum([0, *(drawn for drawn, _ in picks)]).tolist()
        joined = np.empty(bounds[-1])
        for k, generator in enumerate(book.streams(purpose, *entity)):
            generator.random(out=joined[bounds[k] : bounds[k + 1]])
        return _opened(joined) if opened else joined
    return _joined(
        [
            (_open_uniforms(generator, drawn) if opened else generator.random(drawn))[chosen]
            for generator, (drawn, chosen) in zip(book.streams(purpose, *entity), picks, strict=True)
        ],
        np.float64,
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
    all_limits: list[list[ParcelLimit]],
    network: Network,
    kept: Prepared,
    route: FlowRoute,
    book: StreamBook,
) -> list[_Arrived]:
    """Arrival times of all the flow's shipments in each replication (streams keyed by the flow).

    A flow with one route takes every arrival; a choice flow's shipments pick a route in :mod:`sim.choice`
    (the index among :func:`sim.choice.alternatives_of`). Intensities are computed once per route and
    parcel limits for the scenario (:mod:`sim.prepared`: replications without random parcel limits share
    them).
    """
    flow = scenario.flows[route.flow]
    commodity = scenario.commodities[flow.commodity]

    def intensity(of: FlowRoute, found: list[ParcelLimit]) -> Intensity:
        limits = tuple(_limits_on(found, of))
        key = ("route", ((of.index, limits),))
        known = kept.intensity(key)
        return (
            known
            if known is not None
            else kept.keep(key, _intensity(scenario, flow, commodity, list(limits)))
        )

    generators = book.streams("arrivals", route.flow)
    if not route.alternative:
        return [
            (created, None)
            for created in _arrival_times(flow, [intensity(route, f) for f in all_limits], generators)
        ]
    siblings = alternatives_of(network, route.flow)
    probabilities = kept.shares[[r.index for r in siblings]]
    each = [[intensity(r, found) for r in siblings] for found in all_limits]
    flow_wide = []
    for found, own in zip(all_limits, each, strict=True):
        key = ("combined", tuple((r.index, tuple(_limits_on(found, r))) for r in siblings))
        known = kept.intensity(key)
        flow_wide.append(
            known if known is not None else kept.keep(key, combined_intensity(own, probabilities))
        )
    times = _arrival_times(flow, flow_wide, generators)
    return [
        (created, choose(created, own, probabilities, _open_uniforms(choice, created.size)))
        for created, own, choice in zip(times, each, book.streams("choice", route.flow), strict=True)
    ]


def _open_uniforms(generator: np.random.Generator, size: int) -> FloatArray:
    """``size`` uniform draws on (0, 1) (:func:`_opened`)."""
    return _opened(generator.random(size))


def _opened(draws: FloatArray) -> FloatArray:
    """Uniforms of ``random()`` on (0, 1), in place: the rare exact 0 (p = 2**-53) becomes the next double.

    So that inversion never returns the bottom of a distribution's support, e.g. an exponential time of 0.
    """
    if not draws.all():
        draws[draws == 0.0] = np.nextafter(0.0, 1.0)
    return draws


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


def _arrival_times(
    flow: Flow, intensities: list[Intensity], generators: list[np.random.Generator]
) -> list[FloatArray]:
    """The flow's arrival process (:mod:`sim.arrivals`) from each replication's stream, through ``Lambda^-1``.

    The replications with the same intensity are drawn together (:func:`sim.arrivals.unit_points_of`).
    """
    groups: dict[int, list[int]] = {}
    for k, intensity in enumerate(intensities):
        groups.setdefault(id(intensity), []).append(k)
    times: list[FloatArray] = [np.empty(0)] * len(generators)
    for members in groups.values():
        intensity = intensities[members[0]]
        total = float(intensity.cumulative[-1])
        for k, points in zip(
            members, unit_points_of(flow, total, [generators[k] for k in members]), strict=True
        ):
            times[k] = intensity.invert(points)
    return times


def _unit_factor(from_unit: str, to_unit: str, commodity: Commodity) -> float:
    if from_unit == to_unit:
        return 1.0
    tonnes_per_teu = commodity.tonnes_per_teu or 1.0
    return tonnes_per_teu if from_unit == "TEU" else 1.0 / tonnes_per_teu
