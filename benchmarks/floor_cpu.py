"""The vector engine against its bare-array floor in CPU seconds, the two timed in alternation in one process.

``python -m benchmarks.floor_cpu [--only NAME ...] [--rounds 5]`` prints, per workload, the best CPU time
(``time.process_time``) of the vector engine and of :func:`~benchmarks.floor.bare_array_seconds`, and their
quotient. On a shared machine the wall-clock ``vec/bare`` of :mod:`benchmarks.run` moves with the load, as
the two are timed tens of seconds apart; CPU seconds of one process, taken in alternation, do not. Run it
on two checkouts (``PYTHONPATH=...``) to compare code versions on the same Plans.
"""

from __future__ import annotations

import argparse
import time
from unittest import mock

import numpy as np

from benchmarks.floor import bare_array_seconds
from benchmarks.workloads import workloads
from sim.engines import get_engine
from sim.engines.memory import keep_freed_memory


def cpu_seconds(name: str, rounds: int) -> tuple[float, float]:
    """Best CPU seconds of the vector engine and of the floor on workload ``name``, in alternation."""
    plan = next(w for w in workloads() if w.name == name).plan()
    engine = get_engine("vector")
    trace = engine(plan)
    vector = bare = np.inf
    with mock.patch("benchmarks.floor.time.perf_counter", time.process_time):
        for _ in range(rounds):
            began = time.process_time()
            engine(plan)
            vector = min(vector, time.process_time() - began)
            bare = min(bare, bare_array_seconds(plan, trace))
    return vector, bare


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="workload names to run")
    parser.add_argument("--rounds", type=int, default=5, help="timings of each, best kept")
    args = parser.parse_args(argv)
    keep_freed_memory()
    print(f"{'workload':22s} {'vec cpu s':>10s} {'bare cpu s':>10s} {'vec/bare':>8s}")
    for workload in workloads():
        if args.only and workload.name not in args.only:
            continue
        vector, bare = cpu_seconds(workload.name, args.rounds)
        print(f"{workload.name:22s} {vector:10.4f} {bare:10.4f} {vector / bare:8.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
