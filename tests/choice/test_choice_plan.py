"""Route choice is Plan data: both engines see the same routes, streams stay keyed, volume shares hold."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.drawing import draw_plan
from sim.engines import ENGINES
from sim.experiments.equilibrium import with_shares
from sim.network import build_network
from sim.scenario import Scenario, load_scenario
from tests.engines.contract import WINDOWS_ALWAYS, assert_matches_reference

DATA = Path(__file__).parents[1] / "data"
A, B = "cargo_out/via_a", "cargo_out/via_b"
DISRUPTED: dict[str, Any] = {
    "disruptions": {
        "draft_a": {
            "kind": "parcel_limit",
            "target": "ZZPTA",
            "start_h": 2000.0,
            "end_h": 6000.0,
            "set": 400.0,
        },
        "strike_b": {"kind": "berths", "target": "ZZPTB", "start_h": 3000.0, "end_h": 3500.0, "set": 0},
        "slow_a": {"kind": "speed", "target": "out_a", "start_h": 1000.0, "end_h": 1500.0, "scale": 0.5},
    }
}


def _scenario(**overrides: Any) -> Scenario:
    return load_scenario(DATA / "choice_parallel.yaml", overrides={"horizon_days": 365, **overrides})


@pytest.mark.parametrize("engine", [*sorted(set(ENGINES) - {"reference"}), WINDOWS_ALWAYS])
def test_engines_agree_on_choice_flows_under_disruptions(engine: str) -> None:
    scenario = _scenario(**DISRUPTED)
    plan = draw_plan(scenario, build_network(scenario), [0, 1], scenario.seed)
    assert {plan.network.flows[f].name for f in np.unique(plan.shipment_flow)} == {A, B}
    assert_matches_reference(plan, engine)


def test_engines_agree_on_the_library_style_choice_fixture() -> None:
    scenario = load_scenario(DATA / "choice_three_routes.yaml")
    plan = draw_plan(scenario, build_network(scenario), [0], scenario.seed)
    assert_matches_reference(plan, "vector")


def test_a_parcel_limit_on_one_route_keeps_its_volume_share() -> None:
    """Parcels capped at 400 t on A all year: A carries 2.5× the ships but still its share of the tonnes."""
    whole_year = {
        "draft_a": {"kind": "parcel_limit", "target": "ZZPTA", "start_h": 0.0, "end_h": 8760.0, "set": 400.0}
    }
    scenario = with_shares(_scenario(disruptions=whole_year), {A: 0.4, B: 0.6})
    plan = draw_plan(scenario, build_network(scenario), range(6), scenario.seed)
    on_a = plan.shipment_flow == 0
    assert plan.network.flows[0].name == A
    assert np.all(plan.tonnes[on_a] == 400.0)
    assert np.all(plan.tonnes[~on_a] == 1000.0)
    # route k's ships are Poisson with mean p_k Λ_k: Λ_A = 2.5 Λ (parcels 2.5 times smaller)
    horizon = scenario.horizon_h * 6
    lam = 0.12
    for mask, expected in ((on_a, 0.4 * 2.5 * lam * horizon), (~on_a, 0.6 * lam * horizon)):
        count = int(mask.sum())
        z = stats.norm.ppf(1 - 0.001 / 4)
        assert abs(count - expected) <= z * math.sqrt(expected), (count, expected)
    tonnes_share = plan.tonnes[on_a].sum() / plan.tonnes.sum()
    assert tonnes_share == pytest.approx(0.4, abs=0.03)


def test_choice_flows_leave_other_flows_draws_unchanged() -> None:
    """Adding a flow with a choice changes no stream of another flow (keys are names, not positions)."""
    base = load_scenario(DATA / "two_ports.yaml")
    extra = {
        "flows.boxes_choice": {
            "commodity": "general_containers",
            "origin": "BRSSZ",
            "destination": "CNTAO",
            "annual_volume": 20000.0,
            "volume_unit": "TEU",
            "parcel": {"dist": "fixed", "value": 100.0},
            "parcel_unit": "TEU",
            "choice": {
                "mode": "fixed",
                "alternatives": {
                    "liner": {"route": ["BRSSZ", "CNTAO"], "share": 0.5},
                    "liner_too": {"route": ["BRSSZ", "ecsa_asia_loop", "CNTAO"], "share": 0.5},
                },
            },
        }
    }
    grown = load_scenario(DATA / "two_ports.yaml", overrides=extra)
    before = draw_plan(base, build_network(base), [0], 1)
    after = draw_plan(grown, build_network(grown), [0], 1)
    for name in base.flows:
        index = next(r.index for r in after.network.flows if r.name == name)
        old_index = next(r.index for r in before.network.flows if r.name == name)
        old = before.created[before.shipment_flow == old_index]
        new = after.created[after.shipment_flow == index]
        assert np.array_equal(old, new)
        assert np.array_equal(
            before.tonnes[before.shipment_flow == old_index], after.tonnes[after.shipment_flow == index]
        )
    assert {r.name for r in after.network.flows} >= {"boxes_choice/liner", "boxes_choice/liner_too"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    share=st.floats(0.0, 1.0),
    cap=st.floats(100.0, 1000.0),
    start=st.floats(0.0, 2000.0),
    length=st.floats(1.0, 2000.0),
    berths=st.integers(0, 1),
    batch=st.booleans(),
)
def test_engines_agree_on_random_choice_plans(
    share: float, cap: float, start: float, length: float, berths: int, batch: bool
) -> None:
    """Random shares, a draft window on one route, a berth cut on the other, batch or Poisson arrivals."""
    disruptions = {
        "draft_a": {
            "kind": "parcel_limit",
            "target": "ZZPTA",
            "start_h": start,
            "end_h": start + length,
            "set": cap,
        },
        "cut_b": {
            "kind": "berths",
            "target": "ZZPTB",
            "start_h": start,
            "end_h": start + 48.0,
            "set": berths,
        },
    }
    arrivals: Any = (
        {"process": "batch", "size": {"dist": "empirical", "values": [1, 2, 3]}} if batch else "poisson"
    )
    scenario = _scenario(horizon_days=120, disruptions=disruptions, **{"flows.cargo_out.arrivals": arrivals})
    scenario = with_shares(scenario, {A: share, B: 1.0 - share})
    plan = draw_plan(scenario, build_network(scenario), [0, 1], scenario.seed)
    assert_matches_reference(plan, "vector")
