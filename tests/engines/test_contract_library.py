"""Contract: on every scenario in scenarios/, every engine returns the reference engine's Trace.

The library is globbed when the tests run, so a new scenario file is covered without editing this file.
One replication of the full horizon each; a scenario whose Plan is very large (the container-granularity
benchmark) is run over a shorter horizon so the reference engine stays quick.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.engines import ENGINES
from sim.network import build_network
from sim.plan import draw_plan
from sim.scenario import Scenario, load_scenario
from tests.engines.contract import check_engine

LIBRARY = sorted((Path(__file__).parents[2] / "scenarios").glob("*.yaml"))
OTHERS = sorted(set(ENGINES) - {"reference"})
MOST_VISITS = 400_000
"""Above this many visits in one replication the horizon is cut (see :func:`_sized`)."""


def _sized(path: Path) -> Scenario:
    scenario = load_scenario(path)
    visits = draw_plan(scenario, build_network(scenario), [0], scenario.seed).n_visits
    if visits <= MOST_VISITS:
        return scenario
    days = max(10.0, scenario.horizon_days * MOST_VISITS / visits)
    return load_scenario(
        path, overrides={"horizon_days": days, "warmup_days": min(scenario.warmup_days, days / 2)}
    )


def test_the_library_is_not_empty() -> None:
    assert LIBRARY


@pytest.mark.parametrize("engine", OTHERS)
@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_library_scenario_gives_the_reference_trace(path: Path, engine: str) -> None:
    scenario = _sized(path)
    plan = draw_plan(scenario, build_network(scenario), [0], scenario.seed)
    check_engine(plan, engine)
