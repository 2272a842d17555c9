"""End to end: `corridor run` of baseline_2024 with both engines, its stages, peak memory and start-up.

Run ``python -m benchmarks.end_to_end`` (``make bench`` runs it after ``benchmarks.run``; ``--only NAME``
runs some rows: the 1,000-replication row takes ~10 minutes on a 2-core machine). Writes
``benchmarks/end_to_end.json``. Three measurements:

- **the command**: ``corridor run baseline_2024.yaml --engine E --replications N --quiet`` in a fresh process,
  wall time and peak resident memory (the run's own high-water mark, ``peak_rss_gb`` in its provenance).
  The reference engine runs
  ``reference_replications`` of them (its cost per replication is flat; none for some rows); ratios are
  per replication;
- **the stages** of the same vector command, as it recorded them in its ``provenance.json``
  (``stages_s``: drawing the Plan, the engine, the KPIs, the files — summed over the blocks it streamed),
  and the seconds its threads spent writing the shipments and visits files (``writer_threads_s``, which
  overlap the stages: the files stage is the main thread's part, building the tables and waiting);
- **start-up**: ``corridor --help``, best of five.

Ratios only: the two engines run on the same machine one after the other.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.machine import machine as describe_machine
from benchmarks.workloads import SCENARIOS, SPEED_CHECK_REPLICATIONS, speed_check
from sim.drawing import draw_plan
from sim.engines import get_engine
from sim.engines.memory import keep_freed_memory
from sim.network import build_network
from sim.runner import RunResult, write_run
from sim.scenario import Scenario

DEFAULT_OUT = Path(__file__).with_name("end_to_end.json")
BASELINE = SCENARIOS / "baseline_2024.yaml"
CORRIDOR = Path(sys.executable).with_name("corridor")
STAGES = ("plan", "engine", "kpis", "files")


@dataclass(frozen=True)
class Row:
    """One end-to-end measurement: baseline_2024 with ``replications``, the reference with fewer (or none)."""

    name: str
    replications: int
    reference_replications: int


ROWS = (
    Row("baseline_2024_x1", 1, 1),
    Row("baseline_2024_x10", 10, 0),
    Row("baseline_2024_x100", 100, 2),
    Row("baseline_2024_x1000", 1000, 2),
)


def command(engine: str, replications: int, scenario: Path = BASELINE) -> dict[str, Any]:
    """Wall time (s), peak resident memory (bytes) and recorded stages (s) of one ``corridor run``."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "run"
        argv = [str(CORRIDOR), "run", str(scenario), "--engine", engine]
        argv += ["--replications", str(replications), "--quiet", "--out", str(out)]
        began = time.perf_counter()
        child = subprocess.run(argv, check=False)
        wall = time.perf_counter() - began
        if child.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited with {child.returncode}")
        details = json.loads((out / "provenance.json").read_text())
    stages = {f"{stage}_s": float(details["stages_s"].get(stage, 0.0)) for stage in STAGES}
    stages["total_s"] = float(details["wall_time_s"])
    # the threads writing shipments and visits: their time overlaps the next block's (not a stage)
    stages["writers_s"] = float(sum(details.get("writer_threads_s", {}).values()))
    return {
        "wall_s": wall,
        "peak_rss_bytes": float(details["peak_rss_gb"]) * 2**30,  # the program's VmHWM, its own record
        "stages": stages,
        "blocks": details["blocks"],
    }


def stages(scenario: Scenario, engine: str, replications: int) -> dict[str, float]:
    """Seconds in each stage of a run held in memory through the Python API: Plan, engine, KPIs, files."""
    began = time.perf_counter()
    network = build_network(scenario)
    plan = draw_plan(scenario, network, range(replications), scenario.seed)
    planned = time.perf_counter()
    trace = get_engine(engine)(plan)
    simulated = time.perf_counter()
    result = RunResult(scenario, network, plan, trace, engine, scenario.seed, simulated - began)
    _ = result.kpis  # kpis_by_replication and the summary
    measured = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        write_run(result, Path(scratch) / "run")
    written = time.perf_counter()
    return {
        "plan_s": planned - began,
        "engine_s": simulated - planned,
        "kpis_s": measured - simulated,
        "files_s": written - measured,
        "total_s": written - began,
    }


def help_seconds(rounds: int = 5) -> float:
    """Best wall time of ``corridor --help`` (s)."""
    best = np.inf
    for _ in range(rounds):
        began = time.perf_counter()
        subprocess.run([str(CORRIDOR), "--help"], check=True, capture_output=True)
        best = min(best, time.perf_counter() - began)
    return float(best)


def measure(row: Row) -> dict[str, Any]:
    """The command with both engines (the reference on fewer replications, or not at all), for one row."""
    vector = command("vector", row.replications)
    found = {
        "workload": row.name,
        "replications": row.replications,
        "reference_replications": row.reference_replications,
        "vector_command_s": vector["wall_s"],
        "vector_peak_rss_bytes": vector["peak_rss_bytes"],
        "vector_per_replication_s": vector["wall_s"] / row.replications,
        "blocks": vector["blocks"],
        "stages": vector["stages"],
    }
    if row.reference_replications:
        reference = command("reference", row.reference_replications)
        per_rep_reference = reference["wall_s"] / row.reference_replications
        found |= {
            "reference_command_s": reference["wall_s"],
            "reference_peak_rss_bytes": reference["peak_rss_bytes"],
            "ratio": per_rep_reference / found["vector_per_replication_s"],
        }
    return found


def speed_check_ratio() -> dict[str, Any]:
    """End-to-end ratio on the unit suite's speed-check scenario, through the API, in this process."""
    scenario = speed_check()
    stages(scenario, "vector", SPEED_CHECK_REPLICATIONS)  # warm up
    vector = min(stages(scenario, "vector", SPEED_CHECK_REPLICATIONS)["total_s"] for _ in range(3))
    reference = stages(scenario, "reference", SPEED_CHECK_REPLICATIONS)["total_s"]
    return {
        "workload": "speed_check_end_to_end",
        "replications": SPEED_CHECK_REPLICATIONS,
        "vector_s": vector,
        "reference_s": reference,
        "ratio": reference / vector,
    }


def targets(rows: list[dict[str, Any]], help_s: float) -> list[dict[str, Any]]:
    """The issue's end-to-end targets: measured value and whether it is met (rows not run are skipped)."""
    found = [{"target": "corridor --help under 0.5 s", "measured": help_s, "met": help_s < 0.5}]
    by_name = {r["workload"]: r for r in rows}
    if "baseline_2024_x100" in by_name:
        row = by_name["baseline_2024_x100"]
        split = row["stages"]
        around = split["plan_s"] + split["kpis_s"] + split["files_s"]
        found.append(
            {
                "target": "baseline_2024 x100 end to end: >= 100x per replication",
                "measured": row["ratio"],
                "met": row["ratio"] >= 100.0,
            }
        )
        found.append(
            {
                "target": "baseline_2024 x100: files / engine <= 1/3",
                "measured": split["files_s"] / split["engine_s"],
                "met": 3 * split["files_s"] <= split["engine_s"],
            }
        )
        found.append(
            {
                "target": "baseline_2024 x100: (Plan + KPIs + files) / engine <= 1",
                "measured": around / split["engine_s"],
                "met": around <= split["engine_s"],
            }
        )
    flat = [
        by_name[n] for n in ("baseline_2024_x10", "baseline_2024_x100", "baseline_2024_x1000") if n in by_name
    ]
    if len(flat) >= 2:
        costs = [r["vector_per_replication_s"] for r in flat]
        spread = max(costs) / min(costs)
        names = ", ".join(r["workload"].rsplit("_", 1)[1] for r in flat)
        found.append(
            {
                "target": f"per-replication cost flat within 25% ({names}): max / min",
                "measured": spread,
                "met": spread <= 1.25,
            }
        )
    if "baseline_2024_x1000" in by_name:
        peak = by_name["baseline_2024_x1000"]["vector_peak_rss_bytes"] / 2**30
        found.append(
            {"target": "baseline_2024 x1000 peak memory below 8 GB", "measured": peak, "met": peak < 8}
        )
    return found


def marginal_costs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each further replication costs between the runs of ``baseline_2024`` that ran (not a target).

    The flat-cost target divides a whole command by its replications, so a short run carries the fixed cost
    every command pays once (imports, numba's first call, the first block's set-up). The slope between two
    runs, ``(s_b - s_a) / (n_b - n_a)`` in seconds per replication, leaves that fixed cost out: if it stays
    level from ×10 to ×1,000, nothing in the run grows faster than its replications. ``fixed_s`` is what the
    smaller run costs beyond its replications at that slope.
    """
    ran = sorted(
        (r for r in rows if r["workload"].startswith("baseline_2024_x") and "vector_command_s" in r),
        key=lambda r: r["replications"],
    )
    found = []
    for small, large in itertools.pairwise(ran):
        slope = (large["vector_command_s"] - small["vector_command_s"]) / (
            large["replications"] - small["replications"]
        )
        found.append(
            {
                "between": [small["replications"], large["replications"]],
                "s_per_replication": slope,
                "fixed_s": small["vector_command_s"] - slope * small["replications"],
            }
        )
    return found


def table(rows: list[dict[str, Any]]) -> str:
    """The printed table: command times, ratio, stage seconds and shares, peak memory."""
    head = (
        f"{'workload':20s} {'reps':>4s} {'ref reps':>8s} {'vec run s':>9s} {'s/rep':>6s} {'ref run s':>9s} "
        f"{'ratio':>6s} {'plan':>11s} {'engine':>11s} {'kpis':>11s} {'files':>11s} "
        f"{'writers':>7s} {'blocks':>6s} {'peak GB':>7s}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        split = r["stages"]
        cells = [f"{split[f'{k}_s']:5.1f} {split[f'{k}_s'] / split['total_s']:4.0%}" for k in STAGES]
        reference = (
            f"{r['reference_command_s']:9.1f} {r['ratio']:6.1f}" if "ratio" in r else f"{'-':>9s} {'-':>6s}"
        )
        lines.append(
            f"{r['workload']:20s} {r['replications']:4d} {r['reference_replications']:8d} "
            f"{r['vector_command_s']:9.1f} {r['vector_per_replication_s']:6.2f} {reference} "
            + " ".join(f"{c:>11s}" for c in cells)
            + f" {split.get('writers_s', 0.0):7.1f} {r['blocks']:6d}"
            + f" {r['vector_peak_rss_bytes'] / 2**30:7.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the end-to-end benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--only", nargs="*", default=None, help="row names to run")
    args = parser.parse_args(argv)
    keep_freed_memory()
    help_s = help_seconds()
    rows = []
    for row in ROWS:
        if args.only and row.name not in args.only:
            continue
        print(f"... {row.name}", file=sys.stderr, flush=True)
        rows.append(measure(row))
    check = speed_check_ratio()
    print(table(rows))
    print(f"speed check end to end (API, in one process): ratio {check['ratio']:.1f}")
    reached = targets(rows, help_s)
    for target in reached:
        print(f"{'met' if target['met'] else 'NOT MET':>7s}  {target['target']}: {target['measured']:.2f}")
    marginal = marginal_costs(rows)
    for step in marginal:
        first, last = step["between"]
        print(
            f"   info  x{first} -> x{last}: {step['s_per_replication']:.3f} s a further replication, "
            f"{step['fixed_s']:.2f} s paid once"
        )
    machine = describe_machine()
    payload = {
        "machine": machine,
        "help_s": help_s,
        "rows": [*rows, check],
        "targets": reached,
        "marginal": marginal,
    }
    args.out.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
