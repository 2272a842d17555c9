"""``routes_taken``'s one compiled pass over the shipments equals the array expressions it replaced.

The reference below is that code (its records from gathers and masks over the shipments of flows with a
diversion, the extra sailing from the differences of ``np.cumsum`` of every visit's work), compared array
by array, bit for bit, on the worked example of ``test_diversions.py`` (ships that divert) with random work
and on a library scenario whose ships leave at the canal (visits dropped).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.drawing import draw_plan
from sim.engines import get_engine
from sim.network import build_network
from sim.plan import Plan
from sim.results.diversions import _compact, _kept, routes_taken
from sim.scenario.loader import load_scenario
from sim.trace import Trace
from tests.plans import diversion_story, hand_plan

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def _reference(plan: Plan, trace: Trace) -> tuple[Plan, Trace, dict[str, Any]]:
    """The ways taken and the diversion records, by the array expressions of before the compiled pass."""
    flows = plan.network.flows
    at = np.array([f.diversion.at if f.diversion else -1 for f in flows], dtype=np.int64)
    branch = np.array([f.diversion.branch if f.diversion else 0 for f in flows], dtype=np.int64)
    leaves = np.array([f.diversion.leaves if f.diversion else False for f in flows], dtype=bool)
    rows = np.flatnonzero(at[plan.shipment_flow] >= 0)
    flow = plan.shipment_flow[rows]
    first = plan.first_visit[rows]
    decide, detour = first + at[flow], first + branch[flow]
    leaving = leaves[flow]
    diverted = ~leaving & np.isfinite(trace.arrive[np.where(leaving, decide, detour)])
    left = leaving & np.isnan(trace.start[decide]) & np.isfinite(trace.end[decide])
    turned = diverted | left
    keep = _kept(
        plan.n_visits,
        first + np.where(turned, at[flow], branch[flow]),
        np.where(turned, first + branch[flow], plan.first_visit[rows + 1]),
    )
    shipments_left = None
    if leaves.any():
        shipments_left = np.zeros(plan.n_shipments, dtype=bool)
        shipments_left[rows] = left
    every = bool(keep.all())
    taken = _compact(plan, None if every else keep, shipments_left)
    times = trace if every else Trace(trace.arrive[keep], trace.start[keep], trace.end[keep])
    work = np.concatenate([[0.0], np.cumsum(plan.visit_work)])
    last = plan.first_visit[rows + 1]
    extra = np.where(leaving, np.nan, (work[last] - work[detour]) - (work[detour] - work[decide]))
    record = {
        "rows": rows,
        "flow": flow,
        "rep": np.searchsorted(plan.rep_first, rows, side="right") - 1,
        "arrived_h": trace.arrive[decide],
        "diverted": diverted,
        "extra_sailing_h": extra,
        "left": left,
        "tonnes": plan.tonnes[rows],
    }
    return taken, times, record


def _same(got: Any, want: Any) -> None:
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype
        assert got.shape == want.shape
        np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))  # NaN and ±0 bits included
    else:
        assert got == want


def _check(plan: Plan, trace: Trace) -> None:
    taken, times, record = routes_taken(plan, trace)
    want_taken, want_times, want_record = _reference(plan, trace)
    assert record is not None
    for field in dataclasses.fields(Plan):
        _same(getattr(taken, field.name), getattr(want_taken, field.name))
    for name in ("arrive", "start", "end"):
        _same(getattr(times, name), getattr(want_times, name))
    for name, want in want_record.items():
        _same(getattr(record, name), want)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_diverting_ships_with_random_work(seed: int) -> None:
    rng = np.random.default_rng(seed)
    work = [float(w) for w in rng.uniform(0.1, 40.0, 5)]
    created = [0.0] * 6 + [8.0, 8.5, 30.0]
    plan = hand_plan(diversion_story(0.5), [(t, "f", work, [0.0] * 5) for t in created])
    trace = get_engine("reference")(plan)
    _check(plan, trace)
    assert routes_taken(plan, trace)[2].diverted.any()  # type: ignore[union-attr]


def test_ships_that_leave_at_the_canal() -> None:
    scenario = load_scenario(SCENARIOS / "panama_drought_2023.yaml")
    network = build_network(scenario)
    plan = draw_plan(scenario, network, [0, 1], 4)
    trace = get_engine("vector")(plan)
    _check(plan, trace)
    assert routes_taken(plan, trace)[2].left.any()  # type: ignore[union-attr]
