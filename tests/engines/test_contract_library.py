"""Contract: on every scenario in scenarios/, every engine returns the reference engine's Trace.

The library is globbed when the tests run, so a new scenario file is covered without editing this file.
One replication of the full horizon each; a scenario whose Plan is very large (the container-granularity
benchmark) is run over a shorter horizon so the reference engine stays quick.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.drawing import draw_plan
from sim.engines import ENGINES
from sim.engines.vector.block import Block
from sim.engines.vector.order import settle_order
from sim.engines.vector.windows import window_plan
from sim.network import build_network
from sim.scenario import Scenario, load_scenario
from tests.engines.contract import WINDOWS_ALWAYS, assert_matches_reference

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
@pytest.mark.parametrize(
    "path",
    # the benchmark scenarios are large on purpose: even cut to MOST_VISITS they take 6-7 s
    [
        pytest.param(p, id=p.stem, marks=[pytest.mark.slow] if p.stem.startswith("bench_") else [])
        for p in LIBRARY
    ],
)
def test_library_scenario_gives_the_reference_trace(path: Path, engine: str) -> None:
    scenario = _sized(path)
    plan = draw_plan(scenario, build_network(scenario), [0], scenario.seed)
    assert_matches_reference(plan, engine)


def test_baseline_cycle_settled_in_windows_with_pools_side_by_side() -> None:
    """Qinzhou's and Singapore's container berths (imports and exports through both) form a cycle with the
    feeder services; in windows the two berth pools are computed as rows of one grid, both before the
    services. Forced onto that path, the vector engine still returns the reference Trace. (Qinzhou's yard
    dwell is left out here: it puts a pure delay into the cycle before Qinzhou's berths, so the two pools no
    longer sit in one step; the cycle with it is checked below. The two pools are taken back to first come,
    first served: a pool with priority classes, as the library's berth windows, is never a grid row.)"""
    baseline = LIBRARY[[p.stem for p in LIBRARY].index("baseline_2024")]
    no_dwell = {"horizon_days": 120, "warmup_days": 10, "nodes.CNQZH.berths.container.dwell_h": None}
    for node in ("CNQZH", "SGSIN"):
        no_dwell |= {f"nodes.{node}.berths.container.{field}": None for field in ("classes", "default_share")}
    scenario = load_scenario(baseline, overrides=no_dwell)
    plan = draw_plan(scenario, build_network(scenario), range(3), scenario.seed)
    times = (np.full(plan.n_visits, np.inf), np.full(plan.n_visits, np.inf))
    block = Block.of(plan, 0, 3, times)
    cycles = [group.stations for group in settle_order(block.feeds) if group.cyclic]
    steps = [window_plan(block, stations, cost_visits=0) for stations in cycles]
    kinds = [
        [{plan.network.stations[s].kind for s in step} for step in found.steps] for found in steps if found
    ]
    assert [{"berth"}, {"service"}, {"service"}] in kinds
    assert any(len(step) == 2 for found in steps if found for step in found.steps)
    assert_matches_reference(plan, WINDOWS_ALWAYS)


def test_baseline_cycle_with_a_yard_dwell_settled_in_windows() -> None:
    """The same cycle with Qinzhou's transshipment dwell (a pure delay inside it), forced into windows."""
    baseline = LIBRARY[[p.stem for p in LIBRARY].index("baseline_2024")]
    scenario = load_scenario(baseline, overrides={"horizon_days": 120, "warmup_days": 10})
    plan = draw_plan(scenario, build_network(scenario), range(3), scenario.seed)
    assert any(s.kind == "dwell" for s in plan.network.stations)
    assert_matches_reference(plan, WINDOWS_ALWAYS)
