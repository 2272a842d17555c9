"""Sweep points simulated together: stacked Plans give every point the Trace it gets alone.

Points differ in berth counts and handling rates (the parameters sweeps vary most); the vector engine computes
the copies of each multi-berth pool from all points as rows of one grid, and the copies of the Qinzhou–
Singapore cycle as one group. Each point's Trace must be bit-identical to the point run alone, and equal to
the reference engine's (1e-9).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.drawing import draw_plan
from sim.engines import get_engine, simulate_points
from sim.engines.vector import engine as vector
from sim.network import build_network
from sim.plan import Plan
from sim.scenario import load_scenario
from sim.stacking import stack, unstack
from sim.trace import first_difference
from tests.engines.contract import WINDOWS_ALWAYS, assert_same_trace, engine_under_test

BASELINE = Path(__file__).parents[2] / "scenarios" / "baseline_2024.yaml"
POINTS = [
    {"nodes.BRSSZ.berths.grain.count": 4},
    {"nodes.BRSSZ.berths.grain.count": 7, "nodes.CNQZH.berths.container.count": 3},
    {"nodes.BRSSZ.berths.grain.rate": 900.0, "nodes.SGSIN.berths.container.count": 1},
]


def _points(replications: int, days: float = 60.0) -> list[Plan]:
    plans = []
    for values in POINTS:
        scenario = load_scenario(BASELINE, overrides={"horizon_days": days, "warmup_days": 5.0, **values})
        plans.append(draw_plan(scenario, build_network(scenario), range(replications), scenario.seed))
    return plans


@pytest.mark.parametrize("windows", [False, True])
def test_each_stacked_point_gets_its_own_trace_exactly(windows: bool) -> None:
    plans = _points(replications=3)
    if windows:  # simulate_points runs registered engines only: the same stacking, by hand
        engine = engine_under_test(WINDOWS_ALWAYS)
        together = unstack(engine(stack(plans)), plans)
    else:
        engine = get_engine("vector")
        together = simulate_points("vector", plans)
    alone = [engine(plan) for plan in plans]
    for plan, trace, own in zip(plans, together, alone, strict=True):
        assert first_difference(own, trace, rtol=0.0) is None
        assert_same_trace(plan, get_engine("reference")(plan), trace, "vector (stacked)")


def test_copies_of_pools_and_cycles_are_computed_together() -> None:
    """The batching that makes stacking pay: one call for the copies, not one per point."""
    plans = _points(replications=2)
    stacked = stack(plans)
    times = (np.full(stacked.n_visits, np.inf), np.full(stacked.n_visits, np.inf))
    block = vector.Block.of(stacked, 0, len(stacked.replications), times)
    steps = vector._level_steps(block, vector.settle_order(block.feeds))
    names = {station.index: station.name for station in stacked.network.stations}
    cycles = [step for step in steps if isinstance(step, vector.Cycle)]
    assert len(cycles) == 1
    assert len(cycles[0].groups) == len(plans)
    assert sorted(names[s] for s in cycles[0].stations).count("CNQZH/container") == len(plans)
    santos = [step for step in steps if isinstance(step, list) and names[step[0]] == "BRSSZ/grain"]
    assert [len(step) for step in santos] == [len(plans)]


def test_stacking_needs_one_horizon_and_unstacks_in_order() -> None:
    short, long_ = (_points(1, days)[0] for days in (30.0, 40.0))
    with pytest.raises(ValueError, match="one horizon"):
        stack([short, long_])
    with pytest.raises(ValueError, match="at least one"):
        stack([])
    plans = _points(replications=1, days=30.0)
    trace = get_engine("vector")(stack(plans))
    parts = unstack(trace, plans)
    assert [part.arrive.size for part in parts] == [plan.n_visits for plan in plans]
    assert np.array_equal(np.concatenate([part.start for part in parts]), trace.start, equal_nan=True)


def test_stacked_points_with_diversion_get_their_own_trace() -> None:
    """Points whose thresholds differ: each point's flows keep their own diversion in the stacked network."""
    from tests.results.test_diversion_run import _scenario

    plans = []
    for threshold in (0.5, 1.0, 3.0):
        scenario = _scenario(diversion=True)
        flows = dict(scenario.flows)
        diversion = flows["soy"].diversion
        assert diversion is not None
        flows["soy"] = flows["soy"].model_copy(
            update={"diversion": diversion.model_copy(update={"threshold_days": threshold})}
        )
        scenario = scenario.model_copy(update={"flows": flows})
        plans.append(draw_plan(scenario, build_network(scenario), range(2), scenario.seed))
    together = simulate_points("vector", plans)
    for plan, trace in zip(plans, together, strict=True):
        assert first_difference(get_engine("vector")(plan), trace, rtol=0.0) is None
        assert_same_trace(plan, get_engine("reference")(plan), trace, "vector (stacked)")
    branch = plans[0].network.flows[0].diversion.branch  # type: ignore[union-attr]
    turned = [
        int(np.isfinite(trace.arrive[plan.first_visit[:-1][plan.shipment_flow == 0] + branch]).sum())
        for plan, trace in zip(plans, together, strict=True)
    ]
    assert turned[0] > turned[1] > turned[2]  # fewer ships divert the longer the queue they accept
