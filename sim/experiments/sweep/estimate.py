"""How long a sweep will take, from a timed pilot replication, stated before the sweep starts.

The driver simulates one replication of a typical point (the point of median expected shipments) exactly as a
worker would — Plan, engine, KPIs — twice, and times the second: the first pays what a process pays once
(importing the KPI modules, loading — after an install, compiling — the compiled loops, the gamma tables),
as a worker does on its first task only, and timing it made the estimate several times too high (15 s of
compilation × thousands of tasks could even ask for ``--allow-large``). Its seconds per shipment, times the
shipments of every point and replication (:func:`sim.scenario.checks.expected_shipments`), is the sweep's
work; spread over the workers in whole tasks it is the wall time. What it leaves out: replications run
together in a block cost less each than one alone (the vector engine's per-call costs are shared), which
makes it high for large blocks; writing each task's file and the workers' start-up (imports, a few seconds)
are not timed, and it assumes each worker gets a core as the pilot did — on a machine busy with other work
a sweep takes longer (``benchmarks/sweep_pool.py`` prints the estimate beside the measured time).

Work beyond :data:`LARGE_WORK_H` worker-hours needs the user's confirmation (``--allow-large``), like a
sweep of many points or tasks (:mod:`.plan`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.errors import InputError, Problem
from sim.experiments.sweep.plan import SweepPlan, point_scenario
from sim.runner import run_points

if TYPE_CHECKING:
    from sim.scenario.model import Scenario

__all__ = ["LARGE_WORK_H", "SweepEstimate", "check_work", "estimate_sweep"]

LARGE_WORK_H = 24.0
"""Estimated worker-hours above which a sweep runs only when the user confirms it (``--allow-large``)."""


@dataclass(frozen=True)
class SweepEstimate:
    """The estimated cost of a sweep.

    Attributes
    ----------
    pilot_s : float
        Wall time of the pilot replication, seconds.
    pilot_shipments : float
        Expected shipments of that replication.
    shipments : float
        Expected shipments of the whole sweep (every point, every replication).
    tasks : int
        Tasks in the sweep.
    """

    pilot_s: float
    pilot_shipments: float
    shipments: float
    tasks: int

    @property
    def work_s(self) -> float:
        """Worker-seconds the whole sweep needs."""
        return self.pilot_s * self.shipments / max(self.pilot_shipments, 1.0)

    def wall_s(self, workers: int) -> float:
        """Wall seconds on ``workers`` workers: rounds of whole tasks, each of the mean task's work."""
        rounds = math.ceil(self.tasks / max(workers, 1))
        return rounds * self.work_s / max(self.tasks, 1)

    def describe(self, workers: int | None) -> str:
        """``about 2 min on 4 workers once started (8 min of work; a pilot replication took 0.31 s)``."""
        pilot = f"a pilot replication took {self.pilot_s:.2g} s"
        work = f"{duration(self.work_s)} of work"
        if workers is None:
            return f"about {work} ({pilot})"
        wall = duration(self.wall_s(workers))
        return f"about {wall} on {workers} worker{'s' * (workers > 1)} once started ({work}; {pilot})"


def estimate_sweep(plan: SweepPlan) -> SweepEstimate:
    """Time one replication of the sweep's median point, as a worker runs it (KPIs included), once warm."""
    ranked = sorted(plan.points, key=lambda point: point.shipments)
    pilot = ranked[len(ranked) // 2]
    scenario = point_scenario(plan.base, pilot.values, f"sweep point {pilot.index}")
    _pilot(scenario, pilot.seed, plan.engine)  # the process's one-off costs, paid once by a worker too
    began = time.perf_counter()
    _pilot(scenario, pilot.seed, plan.engine)
    elapsed = time.perf_counter() - began
    shipments = plan.replications * sum(point.shipments for point in plan.points)
    return SweepEstimate(elapsed, pilot.shipments, shipments, len(plan.tasks))


def _pilot(scenario: Scenario, seed: int, engine: str) -> None:
    """One replication of ``scenario`` as a task runs it: Plan, engine, KPIs."""
    (result,) = run_points([scenario], [seed], engine, replications=1)
    _ = result.kpis_by_replication  # computed as a task computes it


def check_work(plan: SweepPlan, estimate: SweepEstimate, allow_large: bool) -> None:
    """Refuse a sweep of more than :data:`LARGE_WORK_H` worker-hours unless ``allow_large``.

    Raises
    ------
    InputError
        Naming the sweep file, the estimate and how to go on.
    """
    if allow_large or estimate.work_s <= LARGE_WORK_H * 3600:
        return
    raise InputError(
        [
            Problem(
                str(plan.sweep.path),
                None,
                ("replications",),
                f"a sweep of {plan.replications:,} replications at {len(plan.points):,} points, "
                f"{estimate.describe(None)}",
                f"at most {LARGE_WORK_H:g} worker-hours of estimated work, or --allow-large to confirm a "
                "sweep this long (fewer points or replications make it shorter)",
            )
        ]
    )


def duration(seconds: float) -> str:
    """``0.4 s``, ``45 s``, ``12 min``, ``3.5 h``, ``120 days``."""
    for unit, size, limit in (("s", 1, 90), ("min", 60, 90 * 60), ("h", 3600, 48 * 3600)):
        if seconds < limit:
            return f"{_number(seconds / size)} {unit}"
    return f"{_number(seconds / 86400)} days"


def _number(value: float) -> str:
    return f"{value:.2g}" if value < 10 else f"{value:,.0f}"
