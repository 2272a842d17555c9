"""The sweep driver: write the manifest, skip finished tasks, run the rest on an executor, check the result.

Resuming is the normal way to finish an interrupted sweep: ``run_sweep(plan, out, executor, resume=True)``
recomputes the plan, checks that ``out`` holds the same sweep, and runs only the tasks whose files are missing
or carry other provenance. Completion order never matters: every file's content depends only on its point and
replications.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import InputError, Problem
from sim.experiments.sweep.executors.base import Executor, SweepEvents
from sim.experiments.sweep.plan import Point, SweepPlan, Task
from sim.experiments.sweep.space import DiskFullError, is_disk_full
from sim.experiments.sweep.task import TaskOrder, TaskReport
from sim.results.files import claim_output
from sim.results.provenance import STREAMS, git_commit, stamp
from sim.results.sweep_store import (
    MANIFEST,
    is_finished,
    point_dir,
    read_manifest,
    remove_stale_temporaries,
    task_file,
    visits_file,
    write_atomic_json,
    write_atomic_text,
)
from sim.scenario.loader import dump_scenario
from sim.version import __version__

__all__ = [
    "MANIFEST_FORMAT",
    "SweepError",
    "SweepOutcome",
    "manifest",
    "run_sweep",
    "task_orders",
    "task_provenance",
    "write_inputs",
]

MANIFEST_FORMAT = "corridor-sim sweep manifest 1"
NOT_IDENTITY = ("spec_file", "package_version", "git_commit", "complete", "points_per_task")
"""Manifest entries that may change between a run and its resumption."""


class SweepError(RuntimeError):
    """Some tasks raised errors; the others finished and were kept."""

    def __init__(self, failures: list[tuple[TaskOrder, BaseException]], total: int):
        self.failures = failures
        shown = "; ".join(f"{o.key}: {e.__class__.__name__}: {e}" for o, e in failures[:3])
        more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
        super().__init__(f"{len(failures)} of {total} tasks failed: {shown}{more}")


@dataclass
class SweepOutcome:
    """How a sweep run went: counts of tasks and wall time (seconds)."""

    out: Path
    total: int
    skipped: int
    written: int = 0
    already: int = 0
    retried: int = 0
    wall_time_s: float = 0.0
    failures: list[tuple[TaskOrder, BaseException]] = field(default_factory=list)


class _Tally(SweepEvents):
    """Counts what happens and passes every event on."""

    def __init__(self, outcome: SweepOutcome, events: SweepEvents):
        self.outcome = outcome
        self.events = events

    def started(self, total: int, finished: int, where: str) -> None:
        self.events.started(total, finished, where)

    def done(self, report: TaskReport) -> None:
        for each in (report, *report.also):
            if each.written:
                self.outcome.written += 1
            else:
                self.outcome.already += 1
            self.events.done(dataclasses.replace(each, also=()))

    def retried(self, order: TaskOrder, reason: str) -> None:
        self.outcome.retried += 1
        self.events.retried(order, reason)

    def failed(self, order: TaskOrder, error: BaseException) -> None:
        self.outcome.failures.append((order, error))
        self.events.failed(order, error)
        if isinstance(error, OSError) and is_disk_full(error):  # the others would fail alike: stop here
            raise _NoSpaceError(order.target, error)


class _NoSpaceError(Exception):
    """Raised through the executor to stop a sweep whose disk is full (see :mod:`.space`)."""

    def __init__(self, where: str, cause: OSError):
        super().__init__(where)
        self.where = where
        self.cause = cause


def run_sweep(
    plan: SweepPlan, out: Path, executor: Executor, resume: bool = False, events: SweepEvents | None = None
) -> SweepOutcome:
    """Run a planned sweep into ``out``.

    Parameters
    ----------
    plan : SweepPlan
        From :func:`sim.experiments.sweep.plan.plan_sweep`.
    out : Path
        The sweep directory (created if needed).
    executor : Executor
        Where tasks run (not yet entered; this function starts and stops it).
    resume : bool
        Continue the sweep already in ``out``; without it, ``out`` must not hold a sweep.
    events : SweepEvents, optional
        Progress callbacks.

    Raises
    ------
    InputError
        When ``out`` holds another sweep, or holds this one and ``resume`` is false; and from the Dask
        executor, when its workers are too small for a task below Dask's pause line or stay paused
        (:mod:`.executors.dask_watch`; the finished tasks are kept).
    OutputError
        When ``out`` is a file or a directory that holds something else than a sweep, cannot be written, or
        another driver is running a sweep there (one driver per sweep directory: the lock of
        :mod:`sim.results.locks`, held until this function returns).
    SweepError
        When tasks raised errors (every other task's file is kept).
    DiskFullError
        When a write found its file system full: the sweep stops at once (:mod:`.space`).
    """
    with claim_output(out, "sweep"):
        return _run_claimed(plan, Path(out).resolve(), executor, resume, events)


def _stop_when_full(out: Path, orders: list[TaskOrder], cause: OSError, where: str) -> DiskFullError:
    """The error that ends a sweep whose disk filled up, once the executor has stopped its workers."""
    remove_stale_temporaries(out)
    finished = sum(is_finished(Path(o.target), o.provenance) for o in orders)
    return DiskFullError(out, where, cause, finished, len(orders))


def _run_claimed(
    plan: SweepPlan, out: Path, executor: Executor, resume: bool, events: SweepEvents | None
) -> SweepOutcome:
    """:func:`run_sweep` once ``out`` is checked and locked."""
    began = time.perf_counter()
    content = manifest(plan)
    found = _check_out(out, content, resume)
    orders = task_orders(plan, out, content["git_commit"])
    pending = [o for o in orders if not is_finished(Path(o.target), o.provenance)]
    outcome = SweepOutcome(out, len(orders), len(orders) - len(pending))
    tally = _Tally(outcome, events or SweepEvents())
    try:
        _run_pending(plan, out, executor, content, found, pending, tally)
    except _NoSpaceError as stopped:
        where = str(Path(stopped.where).relative_to(out))
        raise _stop_when_full(out, orders, stopped.cause, where) from None
    except OSError as error:  # the driver's own writes: the manifest and the copies of the inputs
        if not is_disk_full(error):
            raise
        raise _stop_when_full(out, orders, error, "the manifest and the copies of the inputs") from None
    outcome.wall_time_s = time.perf_counter() - began
    unfinished = [o for o in orders if not is_finished(Path(o.target), o.provenance)]
    if outcome.failures or unfinished:
        failed = {o.key for o, _ in outcome.failures}
        lost: list[tuple[TaskOrder, BaseException]] = [
            (o, RuntimeError("no result file")) for o in unfinished if o.key not in failed
        ]
        raise SweepError(outcome.failures + lost, len(orders))
    remove_stale_temporaries(out)
    try:
        write_atomic_json({**content, "complete": True}, out / MANIFEST)
    except OSError as error:
        if not is_disk_full(error):
            raise
        raise _stop_when_full(out, orders, error, MANIFEST) from None
    return outcome


def _run_pending(
    plan: SweepPlan,
    out: Path,
    executor: Executor,
    content: dict[str, Any],
    found: dict[str, Any] | None,
    pending: list[TaskOrder],
    tally: _Tally,
) -> None:
    """Write the manifest and inputs, then run the pending orders (if any) on the executor."""
    total, skipped = tally.outcome.total, tally.outcome.skipped
    if not pending:
        _write_start(plan, out, content, found)
        tally.started(total, skipped, "nothing to run")
        return
    with executor:  # started before anything is written: a cluster that fails to start leaves no trace
        _write_start(plan, out, content, found)
        tally.started(total, skipped, executor.description)
        executor.run(together(pending, plan.sweep.spec.points_per_task), plan.base, tally)


def together(orders: list[TaskOrder], points: int) -> list[TaskOrder]:
    """Orders of one block (the same replications) in groups of up to ``points``.

    Each group's first order carries the others as companions: they run stacked in one engine run.
    """
    if points <= 1:
        return orders
    by_block: dict[tuple[int, int], list[TaskOrder]] = {}
    for order in orders:
        by_block.setdefault((order.first, order.count), []).append(order)
    grouped = []
    for same in by_block.values():
        for at in range(0, len(same), points):
            lead, *rest = same[at : at + points]
            grouped.append(dataclasses.replace(lead, companions=tuple(rest)))
    return grouped


def _check_out(out: Path, content: dict[str, Any], resume: bool) -> dict[str, Any] | None:
    """Check ``out`` against the plan; return the manifest already there, if any."""
    found = read_manifest(out) if out.is_dir() else None
    if found is not None and not resume:
        raise _out_problem(
            out,
            "a directory that already holds a sweep",
            "a new directory, or --resume to continue the sweep in it",
        )
    if found is not None:
        difference = _identity_difference(found, content)
        if difference:
            raise _out_problem(
                out,
                f"a directory holding a different sweep ({difference})",
                "the directory of this sweep, or a new one (--resume continues a sweep only with the"
                " sweep file that started it)",
            )
    elif out.is_dir() and any(out.iterdir()):
        raise _out_problem(out, "a non-empty directory without a sweep manifest", "a new or empty directory")
    return found


def _write_start(plan: SweepPlan, out: Path, content: dict[str, Any], found: dict[str, Any] | None) -> None:
    """Create ``out`` with the manifest and copies of the inputs (a finished sweep stays marked complete)."""
    out.mkdir(parents=True, exist_ok=True)
    write_atomic_json({**content, "complete": bool(found and found.get("complete"))}, out / MANIFEST)
    write_inputs(plan, out)


DERIVED = ("parameters", "base_scenario", "points", "tasks")
"""Manifest entries that follow from the settings: compared last, so that a message names the cause."""
SHOWN_CHARS = 120
"""Both values of a differing setting are shown when they take at most this many characters."""


def _identity_difference(found: dict[str, Any], content: dict[str, Any]) -> str | None:
    """What differs between the manifest in the directory and this sweep's, in words; None when nothing."""
    keys = sorted((set(found) | set(content)) - set(NOT_IDENTITY), key=lambda k: (k in DERIVED, k))
    for key in keys:
        there, here = found.get(key), content.get(key)
        if there == here:
            continue
        if key == "points" and isinstance(there, list) and isinstance(here, list):
            if len(there) != len(here):
                return f"{len(there)} points there, {len(here)} in this sweep file"
            first = next(k for k, (a, b) in enumerate(zip(there, here, strict=True)) if a != b)
            unlike = sum(a != b for a, b in zip(there, here, strict=True))
            return f"{unlike} of its {len(here)} points differ, first point {first}: other values or scenario"
        shown = f": {there!r} there, {here!r} in this sweep file"
        return f"{key} differs{shown if len(shown) <= SHOWN_CHARS else ''}"
    return None


def _out_problem(out: Path, value: str, expected: str) -> InputError:
    return InputError([Problem("<command line>", None, ("--out",), f"{out}: {value}", expected)])


def manifest(plan: SweepPlan) -> dict[str, Any]:
    """The manifest of a plan: the sweep's settings, its points and its tasks (deterministic)."""
    spec = plan.sweep.spec
    return {
        "format": MANIFEST_FORMAT,
        "sweep": plan.sweep.name,
        "spec_file": str(plan.sweep.path),
        "design": spec.design,
        "seed": plan.seed,
        "common_random_numbers": spec.common_random_numbers,
        "replications": plan.replications,
        "block_size": plan.block_size,
        "points_per_task": spec.points_per_task,
        "engine": plan.engine,
        "base_scenario": {"name": plan.base_scenario.name, "file": "base_scenario.yaml"},
        "parameters": [
            {
                "name": p.name,
                "kind": p.kind,
                "scale": p.scale,
                "levels": list(p.levels) if p.levels else None,
                "low": p.low,
                "high": p.high,
            }
            for p in plan.sweep.parameters
        ],
        "package_version": __version__,
        "git_commit": git_commit(),
        "streams": STREAMS,
        "points": [_point_entry(p) for p in plan.points],
        "tasks": [_task_entry(t) for t in plan.tasks],
        "complete": False,
    }


def _point_entry(point: Point) -> dict[str, Any]:
    return {
        "point": point.index,
        "values": point.values,
        "scenario_hash": point.scenario_hash,
        "seed": point.seed,
        "dir": point_dir(point.index),
    }


def _task_entry(task: Task) -> dict[str, Any]:
    return {
        "point": task.point,
        "block": task.block,
        "replications": [task.first, task.first + task.count],
        "file": task_file(task.point, task.block),
    }


def task_orders(plan: SweepPlan, out: Path, commit: str | None) -> list[TaskOrder]:
    """One order per task, with the provenance its file must carry."""
    points = {p.index: p for p in plan.points}
    kinds = {p.name: p.kind for p in plan.sweep.parameters}
    orders = []
    for task in plan.tasks:
        point = points[task.point]
        orders.append(
            TaskOrder(
                task.point,
                task.block,
                point.values,
                kinds,
                point.scenario_hash,
                plan.engine,
                point.seed,
                task.first,
                task.count,
                str(out / task_file(task.point, task.block)),
                task_provenance(plan, point, task, commit),
                visits_target=str(out / visits_file(task.point, task.block)) if plan.keeps_visits else None,
            )
        )
    return orders


def task_provenance(plan: SweepPlan, point: Point, task: Task, commit: str | None) -> dict[str, Any]:
    """What a task's file must record.

    The sweep, point, block and parameter values, and the :func:`~sim.results.provenance.stamp` of the task's
    replications (``commit`` is :func:`~sim.results.provenance.git_commit`, asked once per sweep).
    """
    return {
        "kind": "corridor-sim sweep task",
        "sweep": plan.sweep.name,
        "point": task.point,
        "block": task.block,
        "parameters": point.values,
        **stamp(point.scenario_hash, point.seed, plan.engine, list(task.replications), commit),
    }


def write_inputs(plan: SweepPlan, out: Path) -> None:
    """Copy the sweep file and the resolved base scenario into ``out`` (for the record and the report)."""
    spec = plan.sweep.path
    write_atomic_text(spec.read_text(encoding="utf-8"), out / f"sweep{spec.suffix}")
    write_atomic_text(dump_scenario(plan.base_scenario), out / "base_scenario.yaml")
