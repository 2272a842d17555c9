"""The congestion equilibrium of two parallel M/M/1 routes against the analytic logit equilibrium.

tests/data/choice_parallel.yaml: Poisson arrivals of rate λ = 0.12/h (fixed 1,000-t parcels), route A through
one berth of exponential service with mean 10 h (μ_A = 0.1/h) and 40 h of legs, route B through one of mean
8 h (μ_B = 0.125/h) and 60 h of legs; money 10 and 15 US$/t, value of time 0.5 US$/t-h, logit scale 10 US$/t.
A Poisson stream split by independent choices is Poisson, so route A's berth is M/M/1 with arrival rate pλ and
door-to-door time ``T_A(p) = 40 + 1/(μ_A − pλ)`` (likewise B with 1 − p). The equilibrium p* solves
``p = P_A(T_A(p), T_B(p))`` (brentq here).

Tolerance: at the final shares x the experiment measured times T̂ with half-widths h (Student-t, 99.9 %),
and ``F(p) = p − P_A(T(p))`` has slope ≥ 1 (more traffic on A only lengthens A), so
``|x − p*| ≤ |F(x)| ≤ gap + |∂P_A/∂T_A| h_A + |∂P_A/∂T_B| h_B``.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, special, stats

from sim.drawing import draw_plan
from sim.experiments.equilibrium import Equilibrium, solve_equilibrium, with_shares
from sim.network import build_network
from sim.scenario import Scenario, load_scenario

FIXTURE = Path(__file__).parents[1] / "data" / "choice_parallel.yaml"
LAMBDA, MU_A, MU_B = 0.12, 0.1, 0.125
LEGS_A, LEGS_B = 40.0, 60.0
MONEY_A, MONEY_B, VOT, SCALE = 10.0, 15.0, 0.5, 10.0
A, B = "cargo_out/via_a", "cargo_out/via_b"


def _p_a(t_a: float, t_b: float) -> float:
    return float(special.expit(((MONEY_B + VOT * t_b) - (MONEY_A + VOT * t_a)) / SCALE))


def _times(p: float) -> tuple[float, float]:
    return LEGS_A + 1 / (MU_A - p * LAMBDA), LEGS_B + 1 / (MU_B - (1 - p) * LAMBDA)


def _analytic() -> float:
    upper = MU_A / LAMBDA - 1e-6  # A stays stable
    return float(optimize.brentq(lambda p: p - _p_a(*_times(p)), 1e-9, upper, xtol=1e-14))


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(FIXTURE, overrides={"replications": 40})


@pytest.fixture(scope="module")
def solved(scenario: Scenario) -> Equilibrium:
    return solve_equilibrium(scenario, engine="vector", tolerance=0.01)


def test_msa_finds_the_analytic_logit_equilibrium(solved: Equilibrium) -> None:
    assert solved.converged
    p_star = _analytic()
    x = solved.shares[A]
    by_rep = solved.result.kpis_by_replication
    times = by_rep[(by_rep["table"] == "route_choice") & (by_rep["metric"] == "time_mean_h")]
    half = {}
    for route in (A, B):
        values = times[times["key"] == route]["value"].to_numpy()
        half[route] = stats.t.ppf(0.9995, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size)
    p = _p_a(*_times(x))
    slope_a = p * (1 - p) * VOT / SCALE  # |∂P_A/∂T_A| = |∂P_A/∂T_B|
    tolerance = solved.gap + slope_a * (half[A] + half[B])
    assert abs(x - p_star) <= tolerance, (x, p_star, tolerance)
    # sharp enough to tell the equilibrium from the first guess (logit at free-flow times)
    assert abs(solved.iterations[0].shares[A] - p_star) > 2 * tolerance


def test_iterations_record_the_msa_steps(solved: Equilibrium) -> None:
    steps = solved.iterations
    assert len(steps) >= 2
    for number, (step, following) in enumerate(itertools.pairwise(steps), start=1):
        assert step.number == number
        expected = step.shares[A] + (step.response[A] - step.shares[A]) / number
        assert following.shares[A] == pytest.approx(expected, rel=1e-12)
        assert step.gap == pytest.approx(abs(step.response[A] - step.shares[A]), rel=1e-12)
    assert solved.gap < 0.01 <= min(step.gap for step in steps[:-1])
    record = solved.record()
    assert record["iterations"] == len(steps)
    assert record["shares"][A] + record["shares"][B] == pytest.approx(1.0)


def test_the_final_run_uses_the_final_shares(solved: Equilibrium) -> None:
    flow = solved.result.scenario.flows["cargo_out"]
    assert flow.choice is not None
    assert flow.choice.mode == "fixed"
    assert flow.choice.alternatives["via_a"].share == pytest.approx(solved.shares[A], rel=1e-12)


def test_fixed_shares_keep_common_random_numbers(scenario: Scenario) -> None:
    """Two share vectors: the same arrivals and parcels, and A's shipments at 30 % are among those at 60 %."""
    network = build_network(scenario)
    low = draw_plan(with_shares(scenario, {A: 0.3, B: 0.7}), network, [0], 1)
    high = draw_plan(with_shares(scenario, {A: 0.6, B: 0.4}), network, [0], 1)
    assert np.array_equal(low.created, high.created)
    assert np.array_equal(low.tonnes, high.tonnes)
    on_a = network.flows[0].index
    assert network.flows[0].name == A
    low_a = set(low.created[low.shipment_flow == on_a])
    high_a = set(high.created[high.shipment_flow == on_a])
    assert low_a < high_a
    assert 0.25 < len(low_a) / low.n_shipments < 0.35
