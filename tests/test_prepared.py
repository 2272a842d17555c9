"""Numbers kept per scenario (:mod:`sim.prepared`): a Plan drawn with them is the Plan drawn without them."""

from __future__ import annotations

import gc
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from sim import prepared as module
from sim.drawing import draw_plan
from sim.network import build_network
from sim.plan import Plan
from sim.prepared import prepared
from sim.scenario import Scenario, load_scenario

SCENARIOS = Path(__file__).parents[1] / "scenarios"
RANDOM_LIMIT = {
    "kind": "parcel_limit",
    "target": "BRPNG",
    "scale": 0.5,
    "random": {"fraction_down": 0.5, "mean_down_h": 200.0},
}


def _scenario(name: str) -> Scenario:
    if name == "random_limits":
        return load_scenario(SCENARIOS / "demo_two_ports.yaml", overrides={"disruptions.draft": RANDOM_LIMIT})
    return load_scenario(SCENARIOS / f"{name}.yaml")


def _same(one: Plan, other: Plan) -> None:
    for field in fields(Plan):
        mine, theirs = getattr(one, field.name), getattr(other, field.name)
        if isinstance(mine, np.ndarray):
            assert mine.dtype == theirs.dtype, field.name
            assert np.array_equal(mine, theirs), field.name
        elif field.name == "capacity_by_rep":
            for a, b in zip(mine, theirs, strict=True):
                assert sorted(a) == sorted(b)
                for station, schedule in a.items():
                    assert np.array_equal(schedule.times, b[station].times)
                    assert np.array_equal(schedule.values, b[station].values)
        elif field.name != "network":
            assert mine == theirs, field.name


@pytest.mark.parametrize("name", ["demo_two_ports", "panama_drought_choice", "strike_risk", "random_limits"])
def test_kept_numbers_draw_the_plan_drawn_afresh(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plans after others (intensities, shares and stream names kept; the store emptied when full) are the
    Plans drawn by a process that keeps nothing."""
    scenario = _scenario(name)
    network = build_network(scenario)
    blocks = [[0, 1], [5], [2, 9, 3], [1]]
    monkeypatch.setattr(module, "MAX_INTENSITIES", 3)
    kept = [draw_plan(scenario, network, block, scenario.seed) for block in blocks]
    assert prepared(scenario, network).stream_names
    for block, plan in zip(blocks, kept, strict=True):
        monkeypatch.setattr(module, "_kept", {})  # nothing kept: computed for this Plan alone
        _same(plan, draw_plan(scenario, network, block, scenario.seed))


def test_numbers_are_kept_per_scenario_object_while_it_lives() -> None:
    scenario = _scenario("demo_two_ports")
    network = build_network(scenario)
    assert prepared(scenario, network) is prepared(scenario, network)
    twin = _scenario("demo_two_ports")  # equal, another object: its own numbers
    assert prepared(twin, network) is not prepared(scenario, network)
    key = (id(twin), id(network))
    del twin
    gc.collect()
    prepared(scenario, build_network(scenario))  # preparing another drops the entries of dead scenarios
    assert key not in module._kept
