"""The benchmark check inside the unit suite: both engines on a small scenario in the same process.

The Traces must be equal and the vector engine at least a quarter as far ahead of the reference engine as
the benchmark measured on the same scenario (``speed_check`` in benchmarks/results.json) — a ratio of two
timings taken side by side, so a slow or busy machine does not fail it. The same holds for a whole run
(Plan, engine, KPIs, files: ``speed_check_end_to_end`` in benchmarks/end_to_end.json).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from sim.drawing import draw_plan
from sim.engines import get_engine
from sim.network import build_network
from sim.plan import Plan
from sim.trace import first_difference

RESULTS = Path(__file__).parents[2] / "benchmarks" / "results.json"


def _plan() -> Plan:
    from benchmarks.workloads import SPEED_CHECK_REPLICATIONS, speed_check

    scenario = speed_check()
    return draw_plan(scenario, build_network(scenario), range(SPEED_CHECK_REPLICATIONS), scenario.seed)


def _measured_ratio() -> float:
    rows = json.loads(RESULTS.read_text())["rows"]
    return float(next(row["ratio"] for row in rows if row["workload"] == "speed_check"))


def test_vector_engine_is_equal_and_keeps_its_lead_over_the_reference() -> None:
    plan = _plan()
    vector = get_engine("vector")
    vector(plan)  # warm up
    began = time.perf_counter()
    expected = get_engine("reference")(plan)
    reference_s = time.perf_counter() - began
    vector_s = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        trace = vector(plan)
        vector_s = min(vector_s, time.perf_counter() - began)
    assert first_difference(expected, trace) is None
    assert reference_s / vector_s >= _measured_ratio() / 4, (reference_s, vector_s, _measured_ratio())


END_TO_END = RESULTS.with_name("end_to_end.json")


def _end_to_end_s(engine: str) -> float:
    """Seconds of a whole run through the API: Plan, engine, KPIs and every file."""
    from benchmarks.end_to_end import stages
    from benchmarks.workloads import SPEED_CHECK_REPLICATIONS, speed_check

    return stages(speed_check(), engine, SPEED_CHECK_REPLICATIONS)["total_s"]


def test_a_whole_run_keeps_its_lead_over_the_reference() -> None:
    """End to end, the vector run keeps a quarter of the lead the benchmark measured (same process)."""
    rows = json.loads(END_TO_END.read_text())["rows"]
    measured = float(next(r["ratio"] for r in rows if r["workload"] == "speed_check_end_to_end"))
    _end_to_end_s("vector")  # warm up
    reference_s = _end_to_end_s("reference")
    vector_s = min(_end_to_end_s("vector") for _ in range(2))
    assert reference_s / vector_s >= measured / 4, (reference_s, vector_s, measured)
