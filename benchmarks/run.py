"""Both engines on the same Plans: throughput, peak memory, ratio, distance to the floor.

Run ``python -m benchmarks.run`` (``make bench``). Prints a table and writes the numbers to a JSON file
(``benchmarks/results.json`` by default). Where the reference engine would take too long it runs a stated
fraction of the Plan (the first replications, or the first part of the horizon); its rates per visit and
per replication are compared with the vector engine's on the whole Plan. Ratios only: the two engines run in
the same process, one after the other.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.floor import bare_array_seconds, numba_seconds
from benchmarks.loops import python_loop_share
from benchmarks.machine import machine as describe_machine
from benchmarks.workloads import Workload, reference_part, workloads
from sim.engines import get_engine
from sim.engines.memory import keep_freed_memory
from sim.plan import Plan
from sim.trace import Trace, first_difference

DEFAULT_OUT = Path(__file__).with_name("results.json")


def timed(plan: Plan, part: Plan, rounds: int = 3) -> tuple[float, Trace, float, Trace]:
    """Best wall times (s) and traces of the vector engine on ``plan`` and the reference engine on ``part``.

    The engines run in alternation, round after round, so a machine that speeds up or slows down for a while
    affects both alike; the vector engine runs ``rounds`` times, the reference engine as well while its run
    takes under :data:`REFERENCE_BUDGET_S`.
    """
    vector_s = reference_s = np.inf
    vector_trace = reference_trace = None
    for round_ in range(rounds):
        seconds, vector_trace = _run("vector", plan)
        vector_s = min(vector_s, seconds)
        if round_ == 0 or reference_s < REFERENCE_BUDGET_S:
            seconds, reference_trace = _run("reference", part)
            reference_s = min(reference_s, seconds)
    assert vector_trace is not None
    assert reference_trace is not None
    return vector_s, vector_trace, reference_s, reference_trace


REFERENCE_BUDGET_S = 30.0
"""The reference engine's run is repeated only while it takes less than this (s)."""


def _run(engine: str, plan: Plan) -> tuple[float, Trace]:
    began = time.perf_counter()
    trace = get_engine(engine)(plan)
    return time.perf_counter() - began, trace


def peak_bytes(engine: str, plan: Plan) -> int:
    """Peak memory traced while the engine runs (bytes; numpy buffers included, the Plan excluded)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        get_engine(engine)(plan)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def measure(workload: Workload) -> dict[str, Any]:
    """Everything for one row."""
    plan = workload.plan()
    part = reference_part(plan, workload.fraction)
    get_engine("vector")(part)  # warm up imports and caches
    vector_s, trace, reference_s, expected = timed(plan, part)
    on_part = get_engine("vector")(part)
    same_part = first_difference(expected, on_part) is None
    if workload.fraction.startswith("replications"):  # the whole run, cut to the same replications
        cut = Trace(trace.arrive[: part.n_visits], trace.start[: part.n_visits], trace.end[: part.n_visits])
        same_part = same_part and first_difference(on_part, cut, rtol=0.0) is None
    floor_s = bare_array_seconds(plan, trace)
    compiled_s = numba_seconds(plan)
    row: dict[str, Any] = {
        "workload": workload.name,
        "what": workload.what,
        "reference_runs": workload.fraction or "all",
        "replications": len(plan.replications),
        "shipments": plan.n_shipments,
        "visits": plan.n_visits,
        "reference_shipments": part.n_shipments,
        "reference_visits": part.n_visits,
        "reference_s": reference_s,
        "vector_s": vector_s,
        "reference_visits_per_s": part.n_visits / reference_s,
        "vector_visits_per_s": plan.n_visits / vector_s,
        "reference_shipments_per_s": part.n_shipments / reference_s,
        "vector_shipments_per_s": plan.n_shipments / vector_s,
        "equal_traces": same_part,
        "floor_bare_arrays_s": floor_s,
        "floor_numba_s": compiled_s,
        "vector_python_loop_share": python_loop_share(plan),
        "vector_peak_bytes": peak_bytes("vector", plan),
        "reference_peak_bytes": peak_bytes("reference", _small(part)),
    }
    row["ratio"] = row["vector_visits_per_s"] / row["reference_visits_per_s"]
    row["vector_peak_bytes_per_visit"] = row["vector_peak_bytes"] / max(plan.n_visits, 1)
    row["reference_peak_bytes_per_visit"] = row["reference_peak_bytes"] / max(_small(part).n_visits, 1)
    row["vector_over_bare_arrays"] = vector_s / floor_s
    row["vector_over_numba"] = vector_s / compiled_s if compiled_s else None
    return row


def _small(plan: Plan) -> Plan:
    """The reference engine's memory is traced on one replication (tracing slows SimPy several times)."""
    from benchmarks.workloads import first_replications

    return first_replications(plan, 1) if len(plan.replications) > 1 else plan


def table(rows: list[dict[str, Any]]) -> str:
    """The printed table."""
    head = (
        f"{'workload':20s} {'reps':>4s} {'visits':>10s} {'ref runs':>16s} {'ref visits/s':>12s} "
        f"{'vec visits/s':>12s} {'vec ship/s':>11s} {'ratio':>7s} {'vec/bare':>8s} {'vec/numba':>9s} "
        f"{'py loops':>8s} "
        f"{'B/visit vec':>11s} {'B/visit ref':>11s} {'equal':>5s}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        numba = f"{r['vector_over_numba']:9.1f}" if r["vector_over_numba"] else f"{'-':>9s}"
        lines.append(
            f"{r['workload']:20s} {r['replications']:4d} {r['visits']:10,d} {r['reference_runs']:>16s} "
            f"{r['reference_visits_per_s']:12,.0f} {r['vector_visits_per_s']:12,.0f} "
            f"{r['vector_shipments_per_s']:11,.0f} {r['ratio']:7.1f} {r['vector_over_bare_arrays']:8.1f} "
            f"{numba} {r['vector_python_loop_share']:8.0%} {r['vector_peak_bytes_per_visit']:11.0f} "
            f"{r['reference_peak_bytes_per_visit']:11.0f} "
            f"{'yes' if r['equal_traces'] else 'NO':>5s}"
        )
    return "\n".join(lines)


TARGETS = (
    (
        "baseline_2024_x100",
        "ratio",
        100.0,
        "baseline_2024, 100 replications at once: >= 100x per replication",
    ),
    ("baseline_2024_x1", "ratio", 20.0, "baseline_2024, one replication: >= 20x"),
    ("ilstc_teu_year", "vector_s", 0.0, "ILSTC year at container granularity completes (vector seconds)"),
)
"""The issue's targets: (workload, measure, least value, what it says)."""


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target whose workload ran: the measured value and whether it is met."""
    by_name = {r["workload"]: r for r in rows}
    found = []
    for name, key, least, what in TARGETS:
        if name in by_name:
            value = float(by_name[name][key])
            found.append(
                {"target": what, "measured": value, "met": bool(value >= least and np.isfinite(value))}
            )
    return found


def _merged(old: dict[str, Any], new: list[dict[str, Any]], when: str) -> list[dict[str, Any]]:
    """The old file's rows with the new ones in place of those of the same workload (new ones appended),
    each new row stamped ``measured`` with its date (the file's ``machine`` block keeps the full run's)."""
    fresh = {row["workload"]: {**row, "measured": when} for row in new}
    rows = [fresh.pop(row["workload"], row) for row in old["rows"]]
    return rows + list(fresh.values())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; exit 1 when a trace differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--only", nargs="*", default=None, help="workload names to run")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="replace only the rows run (by workload) in an existing --out file, each stamped with its date",
    )
    args = parser.parse_args(argv)
    keep_freed_memory()  # as the corridor command does: see sim/engines/memory.py
    rows = []
    for workload in workloads():
        if args.only and workload.name not in args.only:
            continue
        print(f"... {workload.name}: {workload.what}", file=sys.stderr, flush=True)
        rows.append(measure(workload))
    print(table(rows))
    reached = targets(rows)
    for target in reached:
        print(f"{'met' if target['met'] else 'NOT MET':>7s}  {target['target']}: {target['measured']:.1f}")
    machine = describe_machine()
    if args.merge and args.out.is_file():
        rows = _merged(json.loads(args.out.read_text()), rows, machine["when"])
        reached = targets(rows)
        machine = json.loads(args.out.read_text())["machine"]
    args.out.write_text(json.dumps({"machine": machine, "rows": rows, "targets": reached}, indent=1) + "\n")
    print(f"results: {args.out}")
    return 0 if all(r["equal_traces"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
