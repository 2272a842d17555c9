"""Random disruptions (sim/spells.py): the process, its keyed streams, and how it reaches the Plan.

Stream properties: replication r draws the same windows in any block; adding a random disruption changes no
other stream (arrivals, parcels, work, another disruption's windows); scenarios without one draw the Plan
they drew before (no per-replication schedules at all).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.drawing import draw_plan
from sim.engines import get_engine
from sim.network import build_network
from sim.plan import Plan
from sim.scenario import Scenario, load_scenario
from sim.schedule import Schedule, windowed
from sim.spells import combined, down_windows
from sim.stacking import with_copies
from tests.engines.contract import assert_same_trace
from tests.plans import port_story

DEMO = Path(__file__).parents[1] / "scenarios" / "demo_two_ports.yaml"
RAIN = {
    "kind": "berths",
    "target": "BRPNG/dry_bulk",
    "set": 0,
    "random": {"up": {"dist": "exponential", "mean": 55.0}, "down": {"dist": "exponential", "mean": 20.0}},
}


def _demo(**disruptions: dict[str, Any]) -> Scenario:
    return load_scenario(DEMO, overrides={f"disruptions.{k}": v for k, v in disruptions.items()})


def _plan(scenario: Scenario, replications: range | list[int]) -> Plan:
    return draw_plan(scenario, build_network(scenario), replications, scenario.seed)


def _same_schedule(a: Schedule, b: Schedule) -> bool:
    return bool(np.array_equal(a.times, b.times) and np.array_equal(a.values, b.values))


def test_replication_windows_do_not_depend_on_the_block() -> None:
    scenario = _demo(rain=RAIN)
    whole = _plan(scenario, range(5))
    alone = _plan(scenario, [3])
    assert whole.capacity_by_rep[3].keys() == alone.capacity_by_rep[0].keys()
    for station, schedule in alone.capacity_by_rep[0].items():
        assert _same_schedule(whole.capacity_by_rep[3][station], schedule)
    assert _same_schedule(whole.block(3, 4).capacity(0, 0), alone.capacity(0, 0))


def test_adding_a_random_disruption_changes_no_other_stream() -> None:
    fog = {
        "kind": "berths",
        "target": "CNTAO",
        "scale": 0.5,
        "random": {"fraction_down": 0.1, "mean_down_h": 6},
    }
    without = _plan(_demo(rain=RAIN), range(3))
    with_fog = _plan(_demo(rain=RAIN, fog=fog), range(3))
    for field in ("created", "tonnes", "teu", "visit_work", "visit_size", "visit_station"):
        assert np.array_equal(getattr(without, field), getattr(with_fog, field)), field
    scenario = _demo(rain=RAIN, fog=fog)
    assert down_windows(scenario, "rain", 1, scenario.seed) == down_windows(
        _demo(rain=RAIN), "rain", 1, scenario.seed
    )


def test_scenarios_without_random_disruptions_have_no_per_replication_schedules() -> None:
    plan = _plan(_demo(), range(2))
    assert plan.capacity_by_rep == ()
    assert with_copies(plan) is plan


def test_each_replication_draws_its_own_windows() -> None:
    scenario = _demo(rain=RAIN)
    assert down_windows(scenario, "rain", 0, scenario.seed) != down_windows(
        scenario, "rain", 1, scenario.seed
    )


def test_windows_alternate_inside_the_disruption_window_and_the_horizon() -> None:
    bounded = {**RAIN, "start_h": 500.0, "end_h": 1500.0}
    scenario = _demo(rain=bounded)
    for rep in range(10):
        windows = down_windows(scenario, "rain", rep, scenario.seed)
        flat = np.ravel(windows)
        assert np.all(np.diff(flat) > 0), "windows are ordered, disjoint and separated by up spells"
        assert flat.min() >= 500.0
        assert flat.max() <= 1500.0


def test_monthly_weights_of_zero_start_no_spells_in_those_months() -> None:
    only_january = {
        **RAIN,
        "random": {"fraction_down": 0.2, "mean_down_h": 10.0, "monthly_weights": [1] + [0] * 11},
    }
    scenario = _demo(rain=only_january)  # starts 1 Jan 2024, 120 days
    january_h = 31 * 24.0
    for rep in range(10):
        starts = [a for a, _ in down_windows(scenario, "rain", rep, scenario.seed)]
        # only the initial state may put a down spell at time 0; every later one starts in January
        assert all(a < january_h for a in starts)


def test_monthly_weights_shift_spell_starts_to_the_heavy_months() -> None:
    """Down spells start at a rate proportional to the month's weight: the share of starts in the heavy
    half of a year is its weight share (binomial test at 99%)."""
    weights = [3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1]
    spells = {"up": {"dist": "exponential", "mean": 100.0}, "down": {"dist": "fixed", "value": 1.0}}
    rain = {"kind": "berths", "target": "XXPRT", "set": 0, "random": {**spells, "monthly_weights": weights}}
    scenario = port_story(1, {"rain": rain}, days=366.0)
    starts = np.concatenate(
        [[a for a, _ in down_windows(scenario, "rain", rep, 1) if a > 0] for rep in range(40)]
    )
    first_half = 182 * 24.0  # 1 Jan – 30 Jun 2024
    heavy = int((starts < first_half).sum())
    # spells start at rate w(t) per up-hour; up time is ~99% of each half, so the expected share is
    # the weighted-hours share 3*182 / (3*182 + 184)
    share = 3 * 182 / (3 * 182 + 184)
    assert stats.binomtest(heavy, starts.size, share).pvalue > 0.01


@pytest.mark.parametrize(
    ("spells", "fraction"),
    [
        ({"fraction_down": 0.27, "mean_down_h": 20.0}, 0.27),
        ({"rate_per_year": 12.0, "down": {"dist": "exponential", "mean": 48.0}}, 48.0 / (730.0 + 48.0)),
    ],
)
def test_long_run_fraction_down(spells: dict[str, Any], fraction: float) -> None:
    """Exponential spells started in their stationary state: each replication's fraction of time down is an
    unbiased estimate of E[down] / (E[up] + E[down]); 0.99 Student-t interval over replications."""
    scenario = port_story(
        1, {"d": {"kind": "berths", "target": "XXPRT", "set": 0, "random": spells}}, days=365.0
    )
    shares = np.array(
        [
            sum(b - a for a, b in down_windows(scenario, "d", rep, 3)) / scenario.horizon_h
            for rep in range(200)
        ]
    )
    half = stats.t.ppf(0.995, shares.size - 1) * stats.sem(shares)
    assert abs(shares.mean() - fraction) <= half


def test_overlapping_windows_take_the_most_restrictive_value() -> None:
    base = windowed(3.0, [(10.0, 20.0, 1.0)])
    schedule = combined(base, [(5.0, 15.0, 2.0), (18.0, 30.0, 0.0)])
    assert schedule.times.tolist() == [-np.inf, 5.0, 10.0, 18.0, 30.0]
    assert schedule.values.tolist() == [3.0, 2.0, 1.0, 0.0, 3.0]


WINDOW = st.tuples(
    st.integers(0, 40).map(float), st.integers(0, 40).map(float), st.sampled_from([0.0, 1.0, 2.0, 2.5])
)


@settings(max_examples=200, deadline=None)
@given(windows=st.lists(WINDOW, max_size=8), nominal=st.sampled_from([1.0, 3.0]))
def test_combined_is_the_smallest_value_holding_at_each_time(
    windows: list[tuple[float, float, float]], nominal: float
) -> None:
    """Against the definition: at every time, the base's value or any covering window's, the smallest."""
    base = windowed(nominal, [(10.0, 20.0, 1.5)])
    schedule = combined(base, windows)
    probes = np.arange(-2.0, 45.0, 0.5)
    expected = [
        min([float(base.at_many(np.array([t]))[0]), *(v for a, b, v in windows if a <= t < b)])
        for t in probes
    ]
    assert schedule.at_many(probes).tolist() == expected
    assert (schedule.values[1:] != schedule.values[:-1]).all()  # no change without a change of value


def test_copies_give_the_trace_of_the_plan_with_per_replication_schedules() -> None:
    plan = _plan(_demo(rain=RAIN), range(3))
    copied = with_copies(plan)
    assert copied.capacity_by_rep == ()
    assert len(copied.network.stations) == len(plan.network.stations) + 3
    reference = get_engine("reference")
    assert_same_trace(plan, reference(plan), reference(copied), "reference on the copies")


def test_random_parcel_limits_raise_the_shipment_rate() -> None:
    limit = {
        "kind": "parcel_limit",
        "target": "BRPNG",
        "scale": 0.5,
        "random": {"fraction_down": 0.5, "mean_down_h": 200.0},
    }
    without = _plan(_demo(), range(4))
    limited = _plan(_demo(draft=limit), range(4))
    soy = 0  # the soybean flow (first in the file)
    assert (limited.shipment_flow == soy).sum() > (without.shipment_flow == soy).sum() * 1.1
    assert limited.capacity_by_rep == ()  # a parcel limit changes no station


def _walked_windows(scenario: Scenario, name: str, rep: int) -> list[tuple[float, float]]:
    """The definition spell by spell (plain hours): the state from the first uniform, a spell per uniform."""
    from sim.rng import stream
    from sim.scenario.checks import disruption_window_h

    disruption = scenario.disruptions[name]
    spells = disruption.random
    assert spells is not None
    assert spells.monthly_weights is None
    begin, end = disruption_window_h(scenario, disruption)
    begin, end = max(begin, 0.0), min(end, scenario.horizon_h)
    generator = stream(scenario.seed, rep, "disruptions", name)
    uniforms = iter(np.concatenate([generator.random(64) for _ in range(400)]).tolist())
    mean_up, mean_down = spells.up_spell.mean, spells.down_spell.mean
    down = next(uniforms) < mean_down / (mean_up + mean_down)
    windows: list[tuple[float, float]] = []
    now = begin
    while now < end:
        spell = spells.down_spell if down else spells.up_spell
        length = float(spell.ppf(np.array([next(uniforms)]))[0])
        if down:
            stop = min(now + length, end)
            if windows and now <= windows[-1][1]:
                windows[-1] = (windows[-1][0], stop)
            else:
                windows.append((now, stop))
        now += length
        down = not down
    return windows


@pytest.mark.parametrize(
    "spells",
    [
        RAIN["random"],
        {"fraction_down": 0.3, "mean_down_h": 5.0},  # short spells: many chunks of uniforms
        {"rate_per_year": 20.0, "down": {"dist": "gamma", "mean": 48.0, "cv": 0.5}},
    ],
)
def test_plain_windows_are_the_spell_by_spell_walk(spells: dict[str, Any]) -> None:
    scenario = _demo(rain={**RAIN, "random": spells})
    for rep in range(15):
        assert down_windows(scenario, "rain", rep, scenario.seed) == _walked_windows(scenario, "rain", rep)
