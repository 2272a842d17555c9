"""Route choice: the generalised cost of each alternative, multinomial-logit shares, and each shipment's pick.

A flow with a ``choice:`` section (:mod:`sim.scenario.choice`) has one route per alternative in
``network.flows``. Per unit of the flow's ``volume_unit`` (t or TEU), alternative ``k`` has

    GC_k = money_k + value_of_time × time_k + extra_k,

``money_k`` the expected money of its route for a shipment of mean parcel size — freight, port and canal
charges matched like the ledger's (:mod:`sim.rates`) plus the carbon price times its well-to-wheel CO₂e —
over the mean parcel; ``time_k`` its expected door-to-door hours (``expected_time_h``, else the route's
free-flow hours: the mean work of every visit, no waiting); ``extra_k`` its ``extra_usd_per_unit``. Logit
probabilities are ``P_k = exp(−GC_k / μ) / Σ_j exp(−GC_j / μ)`` with ``μ = scale_usd_per_unit``.

Shipments choose in the Plan: the flow's arrivals are drawn once (keyed by the flow, whatever the
alternatives), and arrival ``i`` at time ``t`` takes alternative ``k`` with probability
``p_k λ_k(t) / Σ_j p_j λ_j(t)``, by inversion of a uniform from the flow's own ``choice`` stream. ``λ_k`` is
the shipment rate the flow would have entirely on route ``k``; it differs between alternatives only where a
parcel limit (draft restriction) on one route makes its parcels smaller. So each route carries the share
``p_k`` of the flow's *volume* in every instant and, with Poisson arrivals, route ``k``'s ships arrive as a
Poisson process of rate ``p_k λ_k(t)``; without parcel limits the probability is ``p_k`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.demand import Intensity
from sim.network import FlowRoute, Network
from sim.rates import station_rates
from sim.scenario.model import Scenario
from sim.scenario.routes import Step

__all__ = ["RouteCost", "choose", "combined_intensity", "logit_shares", "route_costs", "route_shares"]

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class RouteCost:
    """The generalised cost of one alternative, per unit of the flow's volume (t or TEU).

    Attributes
    ----------
    route : str
        The route's name (``FLOW/ALTERNATIVE``).
    money_usd : float
        Expected money per unit (US$): charges, carbon and ``extra_usd_per_unit``.
    time_h : float
        Expected door-to-door time (h).
    value_of_time_usd_per_h : float
        US$ per unit and hour.
    """

    route: str
    money_usd: float
    time_h: float
    value_of_time_usd_per_h: float

    @property
    def generalised_usd(self) -> float:
        """Money plus the value of the expected time (US$ per unit)."""
        return self.money_usd + self.value_of_time_usd_per_h * self.time_h


def logit_shares(generalised_usd: FloatArray, scale_usd: float) -> FloatArray:
    """Multinomial-logit probabilities ``exp(−GC_k / μ) / Σ_j exp(−GC_j / μ)`` (computed stably).

    Parameters
    ----------
    generalised_usd : ndarray of float
        Generalised cost of each alternative (US$ per unit).
    scale_usd : float
        The scale ``μ`` (US$ per unit), > 0.
    """
    utility = -np.asarray(generalised_usd, dtype=np.float64) / scale_usd
    weights = np.exp(utility - utility.max())
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def alternatives_of(network: Network, flow: str) -> list[FlowRoute]:
    """The routes of one scenario flow, in network order."""
    return [route for route in network.flows if route.flow == flow]


def route_costs(
    scenario: Scenario, network: Network, flow: str, times_h: dict[str, float] | None = None
) -> list[RouteCost]:
    """The generalised cost of each alternative of ``flow`` (network order).

    Parameters
    ----------
    times_h : dict, optional
        Expected door-to-door hours by route name, replacing ``expected_time_h`` and free-flow hours (the
        congestion equilibrium passes the times it measured).
    """
    spec = scenario.flows[flow]
    assert spec.choice is not None
    commodity = scenario.commodities[spec.commodity]
    mean_t, mean_teu = _mean_sizes(scenario, flow)
    per_shipment_units = mean_teu if spec.volume_unit == "TEU" else mean_t
    tonnes_per_unit = (commodity.tonnes_per_teu or 1.0) if spec.volume_unit == "TEU" else 1.0
    value = scenario.costs.cargo_values.get(spec.commodity) if scenario.costs is not None else None
    default_vot = 0.0 if value is None else value.usd_per_t * value.holding_rate_per_year / HOURS_PER_YEAR
    vot = spec.choice.value_of_time_usd_per_unit_h
    vot = default_vot * tonnes_per_unit if vot is None else vot
    carbon_price = scenario.costs.carbon_price_usd_per_t if scenario.costs is not None else 0.0
    rates = station_rates(scenario, network)
    costs = []
    for route in alternatives_of(network, flow):
        alternative = spec.choice.alternatives[route.alternative]
        at = (np.asarray(route.stations, dtype=np.int64), route.index)
        usd = rates.usd[0][at].sum() + rates.usd[1][at].sum() * mean_t + rates.usd[2][at].sum() * mean_teu
        co2e_kg = rates.wtw_kg[0][at].sum() * mean_t + rates.wtw_kg[1][at].sum() * mean_teu
        money = (usd + carbon_price * co2e_kg / 1000.0) / per_shipment_units + alternative.extra_usd_per_unit
        if times_h is not None and route.name in times_h:
            time = times_h[route.name]
        elif alternative.expected_time_h is not None:
            time = alternative.expected_time_h
        else:
            time = sum(_mean_work(scenario, step, mean_t, mean_teu) for step in route.steps)
        costs.append(RouteCost(route.name, float(money), float(time), float(vot)))
    return costs


def route_shares(scenario: Scenario, network: Network) -> FloatArray:
    """The probability of each route of ``network.flows`` (1 for a flow with one route).

    ``fixed`` mode: the alternatives' shares; ``logit``: :func:`logit_shares` of :func:`route_costs`.
    """
    shares = np.ones(len(network.flows))
    for name, spec in scenario.flows.items():
        if spec.choice is None:
            continue
        routes = alternatives_of(network, name)
        if spec.choice.mode == "fixed":
            values = [spec.choice.alternatives[r.alternative].share or 0.0 for r in routes]
            chosen = np.asarray(values, dtype=np.float64)
        else:
            assert spec.choice.scale_usd_per_unit is not None
            costs = np.array([c.generalised_usd for c in route_costs(scenario, network, name)])
            chosen = logit_shares(costs, spec.choice.scale_usd_per_unit)
        shares[[r.index for r in routes]] = chosen
    return shares


def combined_intensity(intensities: list[Intensity], shares: FloatArray) -> Intensity:
    """The flow's shipment rate ``Σ_k p_k λ_k(t)`` over the union of the intensities' segments."""
    edges = np.unique(np.concatenate([i.edges for i in intensities]))
    rates = np.zeros(edges.size - 1)
    for intensity, share in zip(intensities, shares, strict=True):
        rates += share * _rate_at(intensity, edges[:-1])
    return Intensity(edges, rates)


def choose(
    created: FloatArray, intensities: list[Intensity], shares: FloatArray, uniforms: FloatArray
) -> IntArray:
    """Each arrival's alternative: ``k`` with probability ``p_k λ_k(t) / Σ_j p_j λ_j(t)``, by inversion.

    Parameters
    ----------
    created : ndarray of float
        Arrival times (h) of the flow's shipments.
    intensities : list of Intensity
        ``λ_k``: the flow's shipment rate were it all on alternative ``k``.
    shares : ndarray of float
        ``p_k``.
    uniforms : ndarray of float
        One uniform on (0, 1) per arrival, from the flow's ``choice`` stream.
    """
    weights = np.stack(
        [share * _rate_at(i, created) for i, share in zip(intensities, shares, strict=True)], axis=1
    )
    cumulative = np.cumsum(weights, axis=1)
    target = uniforms * cumulative[:, -1]
    picked = (cumulative <= target[:, None]).sum(axis=1)
    return np.asarray(np.minimum(picked, len(intensities) - 1), dtype=np.int64)


def _rate_at(intensity: Intensity, times: FloatArray) -> FloatArray:
    """``λ(t)`` of a piecewise-constant intensity (the segment containing each time)."""
    segment = np.searchsorted(intensity.edges, times, side="right") - 1
    return np.asarray(intensity.rates[np.clip(segment, 0, intensity.rates.size - 1)], dtype=np.float64)


def _mean_sizes(scenario: Scenario, flow: str) -> tuple[float, float]:
    """Mean tonnes and TEU of a shipment of the flow (parcel limits left out)."""
    spec = scenario.flows[flow]
    commodity = scenario.commodities[spec.commodity]
    parcel = spec.parcel.mean
    if commodity.kind == "bulk":
        return parcel, 0.0
    tonnes_per_teu = commodity.tonnes_per_teu or 1.0
    if spec.parcel_unit == "TEU":
        return parcel * tonnes_per_teu, parcel
    return parcel, parcel / tonnes_per_teu


def _mean_work(scenario: Scenario, step: Step, mean_t: float, mean_teu: float) -> float:
    """Expected hours of one visit without waiting (the mean of what :mod:`sim.drawing` draws)."""
    if step.kind == "dwell":
        assert step.cargo_class is not None
        assert step.direction is not None
        dwell = scenario.nodes[step.ref].berths[step.cargo_class].dwell_h
        stay = dwell.of(step.direction) if dwell is not None else None
        return 0.0 if stay is None else stay.mean
    if step.kind == "berth":
        assert step.cargo_class is not None
        pool = scenario.nodes[step.ref].berths[step.cargo_class]
        amount = mean_teu if pool.rate_unit == "TEU/h" else mean_t
        return (amount / pool.rate + pool.overhead_h) * pool.variability.mean
    if step.kind == "service":
        service = scenario.services[step.ref]
        return service.transit_h * service.variability.mean
    if step.kind == "chokepoint":
        chokepoint = scenario.nodes[step.ref].chokepoint
        assert chokepoint is not None
        return chokepoint.transit_h * chokepoint.variability.mean
    leg = scenario.legs[step.ref]
    return leg.free_flow_h * leg.variability.mean
