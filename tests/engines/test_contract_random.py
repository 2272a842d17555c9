"""Contract on random networks: every engine returns the reference engine's Trace for any Plan.

Random scenarios (drawn through the Plan, with continuous times) and random hand-built Plans (integer times,
so ties are exact and frequent; arbitrary routes, stations visited twice, cycles). The many-replication
examples exercise the vector engine's across-replication paths.

``CONTRACT_SCALE`` (environment, default 1) multiplies every test's number of examples: ``make fuzz`` runs
this module at 25× (a Plan where one ulp decided whether a ship started before a closure turned up once in
many ordinary runs: ``tests/engines/test_stories.py``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from sim.drawing import draw_plan
from sim.engines import ENGINES
from sim.network import build_network
from sim.plan import Plan
from sim.scenario import Scenario
from tests.engines.contract import WINDOWS_ALWAYS, assert_matches_reference
from tests.strategies import leaving_plans, plans, scenarios

OTHERS = sorted(set(ENGINES) - {"reference"})
SCALE = int(os.environ.get("CONTRACT_SCALE", "1"))
"""Examples per test, as a multiple of the suite's."""


def _examples(n: int) -> settings:
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _plan(scenario: Scenario) -> Plan:
    return draw_plan(scenario, build_network(scenario), range(scenario.replications), scenario.seed)


@pytest.mark.parametrize("engine", OTHERS)
@_examples(40)
@given(scenario=scenarios())
def test_random_scenario(engine: str, scenario: Scenario) -> None:
    assert_matches_reference(_plan(scenario), engine)


@pytest.mark.parametrize("engine", OTHERS)
@_examples(6)
@given(scenario=scenarios(max_replications=30))
def test_random_scenario_many_replications(engine: str, scenario: Scenario) -> None:
    assert_matches_reference(_plan(scenario), engine)


@pytest.mark.parametrize("engine", OTHERS)
@_examples(200)
@given(plan=plans())
def test_random_plan_with_exact_ties(engine: str, plan: Plan) -> None:
    assert_matches_reference(plan, engine)


@pytest.mark.parametrize("engine", OTHERS)
@_examples(100)
@given(plan=leaving_plans())
def test_random_plan_where_ships_leave_with_exact_ties(engine: str, plan: Plan) -> None:
    assert_matches_reference(plan, engine)


@pytest.mark.parametrize("engine", OTHERS)
@_examples(20)
@given(scenario=scenarios(leaving=True))
def test_random_scenario_where_ships_leave(engine: str, scenario: Scenario) -> None:
    assert_matches_reference(_plan(scenario), engine)


@pytest.mark.parametrize("engine", OTHERS)
@_examples(25)
@given(plan=plans(max_replications=40))
def test_random_plan_many_replications(engine: str, plan: Plan) -> None:
    assert_matches_reference(plan, engine)


@_examples(120)
@given(plan=plans(max_replications=30))
def test_random_plan_settled_in_windows(plan: Plan) -> None:
    assert_matches_reference(plan, WINDOWS_ALWAYS)


@_examples(25)
@given(scenario=scenarios())
def test_random_scenario_settled_in_windows(scenario: Scenario) -> None:
    assert_matches_reference(_plan(scenario), WINDOWS_ALWAYS)
