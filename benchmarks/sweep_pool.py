"""A 200-task sweep on the local process pool: how much of the workers' time goes to the engine.

Run ``python -m benchmarks.sweep_pool`` (``make bench`` runs it last). Writes ``benchmarks/sweep_pool.json``.

The sweep is baseline_2024 at 8 points (Santos grain berths 4–11, as the engine table's stacked sweep row)
× 25 replications in blocks of one: 200 tasks on a pool of ``--workers`` processes (default 2, this
machine's cores); then the same sweep with the blocks the planner chooses when the sweep file leaves
``block_size`` out (:func:`sim.experiments.sweep.plan.block_size`: 40 tasks of 5). Each runs through
:func:`sim.experiments.sweep.run_sweep` as ``corridor sweep`` runs it. Every task reports its wall time and,
of it, the seconds spent in the engine (``TaskReport.engine_time_s``); the workers' time is their number ×
the pool's wall time, from the sweep's start (before the worker processes are spawned) to the last task's
report. Shares of it:

- ``engine`` — the engine's run (``sim.engines.simulate_points``);
- ``rest of task`` — in the task but not the engine, itself in parts (``TaskReport.stages``): ``scenario``
  (the point's scenario and network, built by a worker's first task of the point and then kept), ``plan``
  (drawing the Plan), ``kpis`` (the KPIs per replication), ``files`` (tabulating and writing the task's
  file) and ``other`` (the rest: checking for a finished file, the log line);
- ``outside tasks`` — neither: worker start-up (imports), passing tasks and reports, waiting.

The target ("workers spend ≥ 50% of their time in the engine") is printed ``met`` / ``NOT MET`` for each
row. The driver's estimate from its pilot replication (:mod:`sim.experiments.sweep.estimate`) is printed
beside the measured wall time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.machine import machine as describe_machine
from benchmarks.workloads import SCENARIOS, SWEEP_BERTHS
from sim.engines.memory import keep_freed_memory
from sim.experiments.sweep import SweepEvents, load_sweep, make_executor, plan_sweep, run_sweep
from sim.experiments.sweep.estimate import estimate_sweep
from sim.experiments.sweep.task import STAGES, TaskReport

DEFAULT_OUT = Path(__file__).with_name("sweep_pool.json")
ENGINE_SHARE_TARGET = 0.5
"""The issue's target: workers spend at least this share of their time in the engine."""
PLANNER = "planner"
"""``--block-size`` value for a sweep file without ``block_size`` (the planner's blocks)."""


class Timeline(SweepEvents):
    """Every task's report, and when the sweep started and its last task ended (``time.perf_counter``)."""

    def __init__(self) -> None:
        self.began = self.last = time.perf_counter()
        self.reports: list[TaskReport] = []

    def started(self, total: int, finished: int, where: str) -> None:
        """The pool is about to start its workers."""
        self.began = self.last = time.perf_counter()

    def done(self, report: TaskReport) -> None:
        """A task finished."""
        self.reports.append(report)
        self.last = time.perf_counter()


def sweep_file(directory: Path, replications: int, block_size: int | None) -> Path:
    """The benchmark's sweep file in ``directory`` (no ``block_size`` when None: the planner's blocks)."""
    levels = ", ".join(str(b) for b in SWEEP_BERTHS)
    blocks = "" if block_size is None else f"block_size: {block_size}\n"
    path = directory / "bench_sweep.yaml"
    path.write_text(
        f"name: bench_sweep\nbase: {SCENARIOS / 'baseline_2024.yaml'}\ndesign: grid\n"
        f"replications: {replications}\n{blocks}"
        f"parameters:\n  nodes.BRSSZ.berths.grain.count: [{levels}]\n",
        encoding="utf-8",
    )
    return path


def measure(workers: int, replications: int, block_size: int | None) -> dict[str, Any]:
    """Run the sweep once; the shares of the workers' time and the estimate against the measured time."""
    with tempfile.TemporaryDirectory() as scratch:
        plan = plan_sweep(load_sweep(sweep_file(Path(scratch), replications, block_size)))
        estimate = estimate_sweep(plan)
        timeline = Timeline()
        run_sweep(plan, Path(scratch) / "out", make_executor("local", workers=workers), events=timeline)
    pool_s = timeline.last - timeline.began
    worker_s = workers * pool_s
    task_s = sum(r.wall_time_s for r in timeline.reports)
    engine_s = sum(r.engine_time_s for r in timeline.reports)
    stages = {name: sum(r.stages.get(name, 0.0) for r in timeline.reports) for name in STAGES}
    stages["other"] = task_s - engine_s - sum(stages.values())
    return {
        "name": f"baseline_2024_{len(plan.points)}x{replications}_blocks_of_{plan.block_size}"
        + ("_by_the_planner" if block_size is None else ""),
        "tasks": len(timeline.reports),
        "workers": workers,
        "pool_s": pool_s,
        "worker_s": worker_s,
        "engine_s": engine_s,
        "task_s": task_s,
        "engine_share": engine_s / worker_s,
        "rest_of_task_share": (task_s - engine_s) / worker_s,
        "stage_shares": {name: seconds / worker_s for name, seconds in stages.items()},
        "outside_tasks_share": 1.0 - task_s / worker_s,
        "median_task_s": float(np.median([r.wall_time_s for r in timeline.reports])),
        "estimated_s": estimate.wall_s(workers),
        "pilot_s": estimate.pilot_s,
    }


def table(row: dict[str, Any]) -> str:
    """The row as a small table."""
    head = (
        f"{row['name']}: {row['tasks']} tasks on {row['workers']} workers in {row['pool_s']:.1f} s "
        f"(median task {row['median_task_s']:.2f} s; estimated beforehand {row['estimated_s']:.0f} s)"
    )
    lines = [
        head,
        f"  {'engine':<14s} {row['engine_share']:6.1%}",
        f"  {'rest of task':<14s} {row['rest_of_task_share']:6.1%}",
        *(f"    {name:<12s} {share:6.1%}" for name, share in row["stage_shares"].items()),
        f"  {'outside tasks':<14s} {row['outside_tasks_share']:6.1%}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the sweep benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--workers", type=int, default=2, help="pool processes")
    parser.add_argument("--replications", type=int, default=25, help="replications per point")
    parser.add_argument(
        "--block-size",
        nargs="+",
        default=["1", PLANNER],
        help=f"replications per task, one row each ('{PLANNER}': no block_size in the sweep file)",
    )
    args = parser.parse_args(argv)
    keep_freed_memory()
    rows, targets = [], []
    for block in args.block_size:
        print(f"... sweep on the local pool, blocks: {block}", file=sys.stderr, flush=True)
        row = measure(args.workers, args.replications, None if block == PLANNER else int(block))
        print(table(row))
        met = row["engine_share"] >= ENGINE_SHARE_TARGET
        share = f"{ENGINE_SHARE_TARGET:.0%}"
        target = {
            "target": f"{row['name']}: workers spend >= {share} of their time in the engine",
            "measured": row["engine_share"],
            "met": met,
        }
        print(f"{'met' if met else 'NOT MET':>7s}  {target['target']}: {row['engine_share']:.1%}")
        rows.append(row)
        targets.append(target)
    machine = describe_machine()
    payload = {"machine": machine, "rows": rows, "targets": targets}
    args.out.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
