"""The Plan drawn for many replications at once is the Plans of each replication drawn alone, laid end to end.

Draws come from one stream per (replication, purpose, entity) and are inverted and laid out for all the
replications together (:func:`sim.drawing.draw_plan`): nothing of one replication may depend on another, on
the block it is drawn in, or on the order of the replication numbers.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.drawing import draw_plan
from sim.network import build_network
from sim.plan import Plan
from sim.scenario import Scenario, load_scenario
from sim.visit_work import free_flow
from tests.strategies import scenarios

DEMO = Path(__file__).parents[1] / "scenarios" / "demo_two_ports.yaml"
ARRAYS = [
    f.name for f in fields(Plan) if f.name not in ("network", "seed", "replications", "capacity_by_rep")
]


def _alone_and_together(scenario: Scenario, numbers: list[int]) -> None:
    network = build_network(scenario)
    together = draw_plan(scenario, network, numbers, scenario.seed)
    alone = [draw_plan(scenario, network, [n], scenario.seed) for n in numbers]
    assert together.replications == tuple(numbers)
    for k, part in enumerate(alone):
        block = together.block(k, k + 1)
        for name in ARRAYS:
            mine, theirs = getattr(block, name), getattr(part, name)
            if mine is None or theirs is None:  # visit_class: only where a station has priority classes
                assert mine is None, name
                assert theirs is None, name
                continue
            assert mine.dtype == theirs.dtype, name
            np.testing.assert_array_equal(mine, theirs, err_msg=f"{name} of replication {numbers[k]}")
        assert len(block.capacity_by_rep) == len(part.capacity_by_rep)
        for mine_by_station, theirs_by_station in zip(
            block.capacity_by_rep, part.capacity_by_rep, strict=True
        ):
            assert sorted(mine_by_station) == sorted(theirs_by_station)
            for station, schedule in mine_by_station.items():
                np.testing.assert_array_equal(schedule.times, theirs_by_station[station].times)
                np.testing.assert_array_equal(schedule.values, theirs_by_station[station].values)


def test_random_parcel_limits_of_each_replication_apply_to_its_own_shipments() -> None:
    limit = {
        "kind": "parcel_limit",
        "target": "BRPNG",
        "scale": 0.5,
        "random": {"fraction_down": 0.5, "mean_down_h": 200.0},
    }
    scenario = load_scenario(DEMO, overrides={"disruptions.draft": limit})
    _alone_and_together(scenario, [4, 0, 7, 1])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), numbers=st.lists(st.integers(0, 50), min_size=1, max_size=4, unique=True))
def test_each_replication_is_drawn_as_if_alone(scenario: Scenario, numbers: list[int]) -> None:
    _alone_and_together(scenario, numbers)


@pytest.mark.parametrize("steps", range(13))
def test_free_flow_is_numpys_sum_of_a_shipments_row(steps: int) -> None:
    """Work is drawn step by step; a shipment's free-flow time is still numpy's sum of its row (pairwise
    from 8 steps on), bit for bit, whether the route's planned part is all of it or a prefix."""
    rng = np.random.default_rng(steps)
    rows = rng.random((5_000, steps + 2)) * 10.0 ** rng.uniform(-3, 3, (5_000, steps + 2))
    by_step = np.ascontiguousarray(rows.T)
    assert np.array_equal(free_flow(by_step[:steps]), rows[:, :steps].sum(axis=1))
    assert np.array_equal(free_flow(by_step), rows.sum(axis=1))
