"""A flow's visits: each step's work (h) and size, from the step's distribution and the shipments' sizes.

A step's work is its variability's quantile of the step's uniforms times its nominal time (a berth's from
the shipment's tonnes or TEU and the pool's rate and overhead; a dwell's the dwell time itself), computed in
place into the drawn rows of :mod:`sim.drawing`; a visit's size is its shipment's tonnes or TEU at a
service (in the service's capacity unit), 0 elsewhere.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.arrays import FloatArray
from sim.network import FlowRoute
from sim.scenario.distributions import Distribution, Fixed, Gamma
from sim.scenario.gamma_compiled import BERTH, DWELL, NOMINAL
from sim.scenario.gamma_quantile import table_for
from sim.scenario.model import Commodity, Scenario
from sim.scenario.routes import Step

__all__ = ["PAIRWISE_FROM", "free_flow", "shipment_sizes", "size_kinds", "step_work", "variability"]

PAIRWISE_FROM = 8
"""Numbers from which numpy sums a row pairwise (its blocks of 8) rather than left to right."""


def size_kinds(scenario: Scenario, route: FlowRoute) -> NDArray[np.int8]:
    """Each step's visit size: 0 none, 1 the shipment's tonnes, 2 its TEU (a service's capacity unit)."""
    kinds = np.zeros(len(route.steps), dtype=np.int8)
    for column, step in enumerate(route.steps):
        if step.kind == "service":
            kinds[column] = 2 if scenario.services[step.ref].capacity_unit == "TEU" else 1
    return kinds


def free_flow(work: FloatArray) -> FloatArray:
    """Each shipment's work summed over the steps (rows of ``work``), as numpy sums a shipment's row.

    numpy adds a row of fewer than 8 numbers left to right — done here step after step, contiguously — and
    pairwise from 8 on, so a longer route is summed as rows of a (shipments × steps) copy.
    """
    if work.shape[0] >= PAIRWISE_FROM:
        return np.asarray(np.ascontiguousarray(work.T).sum(axis=1), dtype=np.float64)
    if work.shape[0] == 0:
        return np.zeros(work.shape[1])
    total: FloatArray = work[0].copy()
    for step in work[1:]:
        total += step
    return total


def shipment_sizes(parcel: FloatArray, unit: str, commodity: Commodity) -> tuple[FloatArray, FloatArray]:
    """Tonnes and TEU of parcels of ``unit`` (bulk: no TEU; containers at the commodity's t/TEU)."""
    if commodity.kind == "bulk":
        return parcel, np.zeros_like(parcel)
    assert commodity.tonnes_per_teu is not None
    if unit == "TEU":
        return parcel * commodity.tonnes_per_teu, parcel
    return parcel, parcel / commodity.tonnes_per_teu


def step_work(
    scenario: Scenario,
    step: Step,
    uniforms: FloatArray | None,
    tonnes: FloatArray,
    teu: FloatArray,
    out: FloatArray,
) -> None:
    """Work hours at one step for every shipment of a flow, computed in place into ``out``.

    The variability's quantile times the step's nominal time (a berth's from the shipment's tonnes or TEU).
    ``uniforms`` is None for a ``fixed`` variability (it ignores them: none drawn); its value is the factor
    of every shipment. A gamma's quantiles are read from its table by the compiled pass of
    :mod:`sim.scenario.gamma_compiled` (the same operations, in one pass).
    """
    how = _how(scenario, step, tonnes, teu)
    distribution = variability(scenario, step)
    if isinstance(distribution, Gamma) and uniforms is not None:
        _gamma_work(distribution, uniforms, how, out)
        return
    if isinstance(distribution, Fixed):
        factor: FloatArray | float = float(distribution.value)
    else:
        assert uniforms is not None
        factor = distribution.ppf(uniforms)
    _apply(how, factor, out)


How = tuple[int, FloatArray, float, float]
"""How a step's factor becomes its work (:func:`sim.scenario.gamma_compiled.gamma_work`): the kind, and for a
berth the amounts (t or TEU), rate and overhead; for a leg, service or chokepoint the nominal time (h)
second."""


def _how(scenario: Scenario, step: Step, tonnes: FloatArray, teu: FloatArray) -> How:
    kind, ref, cargo_class = step.kind, step.ref, step.cargo_class
    if kind == "dwell":
        return DWELL, tonnes, 0.0, 0.0
    if kind == "berth":
        assert cargo_class is not None
        pool = scenario.nodes[ref].berths[cargo_class]
        amount = teu if pool.rate_unit == "TEU/h" else tonnes
        return BERTH, amount, float(pool.rate), float(pool.overhead_h)
    if kind == "service":
        nominal = scenario.services[ref].transit_h
    elif kind == "chokepoint":
        chokepoint = scenario.nodes[ref].chokepoint
        assert chokepoint is not None
        nominal = chokepoint.transit_h
    else:
        nominal = scenario.legs[ref].free_flow_h
    return NOMINAL, tonnes, float(nominal), 0.0


def _apply(how: How, factor: FloatArray | float, out: FloatArray) -> None:
    """``out`` the work of each shipment from its factor (numpy: in place, in the formula's order)."""
    kind, amount, first, second = how
    if kind == DWELL:
        out[:] = factor
    elif kind == BERTH:
        np.divide(amount, first, out=out)  # (amount / rate + overhead) * factor
        np.add(out, second, out=out)
        np.multiply(out, factor, out=out)
    else:
        np.multiply(first, factor, out=out)


def _gamma_work(distribution: Gamma, uniforms: FloatArray, how: How, out: FloatArray) -> None:
    """:func:`step_work` of a gamma variability: the compiled pass, then ``gammaincinv`` where it must."""
    from scipy import special

    from sim.scenario.gamma_compiled import gamma_work

    shape, scale = distribution.shape_scale
    need = np.empty(uniforms.size, dtype=np.bool_)
    gamma_work(uniforms, table_for(shape, uniforms), scale, how, out, need)
    if need.any():
        at = np.flatnonzero(need)
        kind, amount, first, second = how
        part = np.empty(at.size)
        _apply((kind, amount[at], first, second), special.gammaincinv(shape, uniforms[at]) * scale, part)
        out[at] = part


def variability(scenario: Scenario, step: Step) -> Distribution:
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
