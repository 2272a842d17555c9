"""A step's work (:func:`sim.visit_work.step_work`) against its definition computed by numpy.

Work is the variability's quantile (:meth:`ppf`) times the step's nominal time: a berth's
``amount / rate + overhead``, a leg's, service's or chokepoint's transit time; a dwell's is the quantile
itself. Gamma variability is read from its table by a compiled pass, fixed variability draws no uniforms:
both must give numpy's floats, bit for bit, in the tails and at the cells' nodes too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.network import build_network
from sim.scenario import load_scenario
from sim.scenario.distributions import Fixed
from sim.scenario.gamma_quantile import CELLS
from sim.visit_work import step_work, variability

SCENARIOS = Path(__file__).parents[1] / "scenarios"


def _numpy_work(scenario, step, uniforms, tonnes, teu):  # type: ignore[no-untyped-def]
    """The definition, with numpy: quantiles of the uniforms (the fixed value's array), times nominal."""
    factor = variability(scenario, step).ppf(uniforms)
    if step.kind == "dwell":
        return factor
    if step.kind == "berth":
        pool = scenario.nodes[step.ref].berths[step.cargo_class]
        amount = teu if pool.rate_unit == "TEU/h" else tonnes
        return (amount / pool.rate + pool.overhead_h) * factor
    if step.kind == "service":
        nominal = scenario.services[step.ref].transit_h
    elif step.kind == "chokepoint":
        nominal = scenario.nodes[step.ref].chokepoint.transit_h
    else:
        nominal = scenario.legs[step.ref].free_flow_h
    return nominal * factor


def _uniforms(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    tail = 2.0 ** -rng.uniform(1.0, 53.0, 2_000)
    nodes = np.arange(0, CELLS, 61) / CELLS
    return np.concatenate([rng.random(20_000), tail, 1.0 - tail, nodes[1:], [2.0**-53, 0.5, 1.0 - 2.0**-53]])


@pytest.mark.parametrize("name", ["baseline_2024", "demo_two_ports", "panama_drought_2023_24"])
def test_every_steps_work_is_its_definition(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    network = build_network(scenario)
    kinds = set()
    for k, route in enumerate(network.flows):
        for j, step in enumerate(route.steps):
            u = _uniforms(100 * k + j)
            rng = np.random.default_rng(j)
            tonnes = rng.random(u.size) * 10.0 ** rng.uniform(0, 5, u.size)
            teu = tonnes / 11.5
            fixed = isinstance(variability(scenario, step), Fixed)
            got = np.full(u.size, np.nan)
            step_work(scenario, step, None if fixed else u, tonnes, teu, got)
            expected = np.asarray(_numpy_work(scenario, step, np.zeros(u.size) if fixed else u, tonnes, teu))
            assert np.array_equal(got.view(np.uint64), expected.view(np.uint64)), (route.name, step.kind)
            kinds.add((step.kind, type(variability(scenario, step)).__name__))
    if name == "baseline_2024":  # the gamma pass at berths and dwells, fixed transit times
        assert {("berth", "Gamma"), ("dwell", "Gamma"), ("service", "Fixed")} <= kinds


@pytest.mark.parametrize("cv", [0.3, 1.0, 2.5])
def test_gamma_work_of_a_nominal_time_and_a_dwell_is_numpys(cv: float) -> None:
    """The compiled pass for transit times (nominal × quantile) and dwells (the quantile), any shape."""
    from sim.scenario.distributions import Gamma
    from sim.scenario.gamma_compiled import DWELL, NOMINAL
    from sim.visit_work import _gamma_work

    law = Gamma.model_validate({"dist": "gamma", "mean": 1.3, "cv": cv})
    u = _uniforms(int(cv * 10))
    for how, expected in [
        ((NOMINAL, u, 37.25, 0.0), 37.25 * law.ppf(u)),
        ((DWELL, u, 0.0, 0.0), law.ppf(u)),
    ]:
        got = np.empty(u.size)
        _gamma_work(law, u, how, got)
        assert np.array_equal(got.view(np.uint64), expected.view(np.uint64))
