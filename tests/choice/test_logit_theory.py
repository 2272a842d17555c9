"""Logit route choice against the closed form on a network of fixed times.

The fixture is tests/data/choice_three_routes.yaml. Money, time and the value of time are computed here by
hand from its numbers (freight rates, GLEC intensities, the carbon price, the cargo value); the shares are
``exp(−GC_k/μ) / Σ exp(−GC_j/μ)``. The simulated shares are multinomial draws of those probabilities: each
is checked against a binomial interval (Bonferroni over the three routes) — the run is seeded, the
tolerance comes from the interval.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.choice import logit_shares, route_costs, route_shares
from sim.network import build_network
from sim.runner import RunResult, run
from sim.scenario import Scenario, load_scenario

FIXTURE = Path(__file__).parents[1] / "data" / "choice_three_routes.yaml"
KM_PER_NM = 1.852
TONNES_PER_TEU = 10.0
VALUE_OF_TIME = 30000 * 0.12 / 8760 * TONNES_PER_TEU  # US$ per TEU-hour: value × holding rate, per TEU
CARBON = 100.0 / 1000.0  # US$ per kg CO₂e


def _hand() -> dict[str, tuple[float, float]]:
    """(money US$/TEU, time h) of each route, from the fixture's numbers."""
    co2e_rail_sea = (20 * 1000 + 8 * 2400 * KM_PER_NM) / 1000 * TONNES_PER_TEU  # kg per TEU
    co2e_river_sea = (30 * 2000 + 8 * 1800 * KM_PER_NM) / 1000 * TONNES_PER_TEU
    co2e_road_sea = (80 * 500 + 8 * 3000 * KM_PER_NM) / 1000 * TONNES_PER_TEU
    return {
        "boxes_out/rail_sea": (50 + 0.4 * 1000 + 400 + CARBON * co2e_rail_sea, 1000 / 40 + 2400 / 12),
        "boxes_out/river_sea": (0.15 * 2000 + 400 + CARBON * co2e_river_sea - 250, 2000 / 10 + 1800 / 12),
        "boxes_out/road_sea": (1.2 * 500 + 380 + CARBON * co2e_road_sea - 25, 500 / 50 + 3000 / 12),
    }


def _closed_form() -> dict[str, float]:
    generalised = {k: money + VALUE_OF_TIME * hours for k, (money, hours) in _hand().items()}
    weights = {k: math.exp(-gc / 150.0) for k, gc in generalised.items()}
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(FIXTURE)


@pytest.fixture(scope="module")
def result(scenario: Scenario) -> RunResult:
    return run(scenario, engine="vector", replications=8)


def test_generalised_costs_match_the_hand_computation(scenario: Scenario) -> None:
    costs = route_costs(scenario, build_network(scenario), "boxes_out")
    hand = _hand()
    assert [c.route for c in costs] == list(hand)
    for cost in costs:
        money, hours = hand[cost.route]
        assert cost.money_usd == pytest.approx(money, rel=1e-12)
        assert cost.time_h == pytest.approx(hours, rel=1e-12)
        assert cost.value_of_time_usd_per_h == pytest.approx(VALUE_OF_TIME, rel=1e-12)


def test_plan_probabilities_are_the_closed_form(scenario: Scenario) -> None:
    network = build_network(scenario)
    shares = route_shares(scenario, network)
    expected = _closed_form()
    for route in network.flows:
        assert shares[route.index] == pytest.approx(expected[route.name], rel=1e-12)
    assert min(expected.values()) > 0.05  # every route is a real alternative in this fixture


def test_logit_is_stable_for_large_costs() -> None:
    shares = logit_shares(np.array([1e6, 1e6 + 100.0]), 100.0)
    assert shares == pytest.approx([1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1))], rel=1e-12)


def test_simulated_shares_are_multinomial_draws_of_the_closed_form(result: RunResult) -> None:
    by_rep = result.kpis_by_replication
    counts = by_rep[(by_rep["table"] == "route_choice") & (by_rep["metric"] == "shipments")]
    totals = counts.groupby("key")["value"].sum()
    n = float(totals.sum())
    z = stats.norm.ppf(1 - 0.001 / (2 * len(totals)))  # 99.9 % family-wise, two-sided
    for route, p in _closed_form().items():
        share = totals[route] / n
        assert abs(share - p) <= z * math.sqrt(p * (1 - p) / n), (route, share, p)


def test_measured_times_are_the_fixed_route_times(result: RunResult) -> None:
    kpis = result.kpis
    times = kpis[(kpis["table"] == "route_choice") & (kpis["metric"] == "time_mean_h")].set_index("key")
    for route, (_, hours) in _hand().items():
        assert times.loc[route, "mean"] == pytest.approx(hours, rel=1e-9)


def test_route_costs_in_the_ledger_agree_with_the_choice_money(result: RunResult) -> None:
    """The ledger charges each delivered shipment the route money the logit priced (per TEU, less extras)."""
    shipments = result.shipments
    extras = {"boxes_out/rail_sea": 0.0, "boxes_out/river_sea": -250.0, "boxes_out/road_sea": -25.0}
    money = ["cost_sea_usd", "cost_rail_usd", "cost_inland_usd", "cost_port_usd", "cost_canal_usd"]
    for route, (expected, _) in _hand().items():
        mine = shipments[shipments["flow"] == route]
        per_teu = (mine[money].sum(axis=1) + mine["cost_carbon_usd"]) / mine["teu"]
        assert np.allclose(per_teu, expected - extras[route], rtol=1e-12)
