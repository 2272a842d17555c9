"""What validates also runs: scenarios with values at and near the documented limits simulate without error.

Each example takes the demo scenario and pushes a few numbers to the edges of their ranges
(:mod:`sim.scenario.limits`): rates, times, distances and speeds from 1e-6 to 1e12, berth counts up to the
maximum, the most variable distributions still allowed, dates at the calendar's edges, the largest seed. A
guard keeps each run small (a horizon of at most two days, one replication): it is the values, not the size,
under test. If the scenario validates, both engines must run it, every visit's work must be positive and
finite, and the KPIs must be computed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.drawing import draw_plan
from sim.errors import InputError
from sim.network import build_network
from sim.plan import check_plan
from sim.runner import run
from sim.scenario import load_scenario
from sim.scenario.limits import MAX_BERTHS, MAX_DATE, MAX_NUMBER, MAX_SEED, MIN_DATE, MIN_POSITIVE
from tests.scenario.test_value_limits import DEMO

POSITIVE = st.sampled_from([MIN_POSITIVE, 1e-3, 1.0, 1e3, 1e6, 1e9, MAX_NUMBER]) | st.floats(
    MIN_POSITIVE, MAX_NUMBER
)
NON_NEGATIVE = st.just(0.0) | POSITIVE
MULTIPLIERS = st.one_of(
    st.builds(lambda v: {"dist": "fixed", "value": v}, POSITIVE),
    st.builds(lambda m: {"dist": "exponential", "mean": m}, POSITIVE),
    st.builds(
        lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv}, POSITIVE, st.floats(MIN_POSITIVE, 3.0)
    ),
    st.builds(lambda m, cv: {"dist": "gamma", "mean": m, "cv": cv}, POSITIVE, st.floats(MIN_POSITIVE, 3.0)),
    st.builds(lambda hi: {"dist": "uniform", "low": 0.0, "high": hi}, POSITIVE),
    st.builds(lambda m, sd: {"dist": "truncnormal", "mean": m, "sd": sd}, POSITIVE, POSITIVE),
)
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "nodes.BRPNG.berths.dry_bulk.count": st.sampled_from([1, 2, 100, MAX_BERTHS]),
    "nodes.BRPNG.berths.dry_bulk.rate": POSITIVE,
    "nodes.BRPNG.berths.dry_bulk.overhead_h": NON_NEGATIVE,
    "nodes.BRPNG.berths.dry_bulk.variability": MULTIPLIERS,
    "nodes.CNTAO.berths.container.count": st.sampled_from([1, MAX_BERTHS]),
    "nodes.CNTAO.berths.container.variability": MULTIPLIERS,
    "legs.BRPNG-CNTAO.distance_nm": POSITIVE,
    "legs.BRPNG-CNTAO.speed_kn": POSITIVE,
    "legs.BRPNG-CNTAO.variability": MULTIPLIERS,
    "services.ecsa_asia_loop.capacity": POSITIVE,
    "services.ecsa_asia_loop.transit_h": POSITIVE,
    "services.ecsa_asia_loop.variability": MULTIPLIERS,
    "flows.soy_png_tao.annual_volume": POSITIVE,
    "flows.soy_png_tao.parcel": MULTIPLIERS,
    "flows.boxes_ssz_tao.annual_volume": POSITIVE,
    "disruptions.tao_strike.set": st.sampled_from([0.0, 1.0, 50.0, float(MAX_BERTHS)]),
    "seed": st.sampled_from([0, MAX_SEED]),
}


@st.composite
def extreme_overrides(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=5, unique=True))
    overrides = {name: draw(FIELDS[name]) for name in chosen}
    start = draw(st.sampled_from([None, MIN_DATE, MAX_DATE]))
    if start is not None:  # the strike's dates would fall outside the horizon: give its window in hours
        overrides |= {
            "start": str(start),
            "disruptions.tao_strike.start": None,
            "disruptions.tao_strike.end": None,
            "disruptions.tao_strike.start_h": 1.0,
            "disruptions.tao_strike.end_h": 20.0,
        }
    # the guard: a small run (the values are under test, not the size)
    overrides |= {"horizon_days": draw(st.sampled_from([0.5, 2.0])), "warmup_days": 0.0, "replications": 1}
    if start is None:
        overrides |= {"start": "2024-03-01"}  # the strike (1-4 March) inside the short horizon
    return overrides


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=extreme_overrides())
def test_a_scenario_that_validates_runs(overrides: dict[str, Any]) -> None:
    try:
        scenario = load_scenario(DEMO, overrides)
    except InputError:
        event("refused at validation")
        return  # with a located message: fine
    event("validated and run")
    network = build_network(scenario)
    plan = draw_plan(scenario, network, range(1), scenario.seed)
    check_plan(plan)
    assert np.isfinite(plan.visit_work).all()
    for engine in ("vector", "reference"):
        result = run(scenario, engine=engine, replications=1)
        assert result is not None


def test_the_guarded_extremes_do_validate() -> None:
    """The property is not vacuous: scenarios at the limits pass validation and so are run."""
    scenario = load_scenario(
        DEMO,
        {
            "start": "2024-03-01",
            "horizon_days": 2.0,
            "warmup_days": 0.0,
            "nodes.BRPNG.berths.dry_bulk.rate": MAX_NUMBER,
            "nodes.BRPNG.berths.dry_bulk.variability": {"dist": "gamma", "mean": MIN_POSITIVE, "cv": 3.0},
            "legs.BRPNG-CNTAO.speed_kn": MIN_POSITIVE,
            "nodes.CNTAO.berths.container.count": MAX_BERTHS,
            "seed": MAX_SEED,
        },
    )
    result = run(scenario, replications=1)
    assert result is not None
