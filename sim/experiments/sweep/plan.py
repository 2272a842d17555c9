"""The sweep plan: every point (parameter values, resolved scenario, seed) and every task (point, block).

Each point's scenario is built on the driver — the base file layered once, the point's values applied as
overrides, then full validation — so a bad parameter path or value is reported before any task runs, naming
the sweep file's parameter. A task is one block of consecutive replications of one point; replication ``r``
draws the same numbers whichever block or worker runs it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError, Problem, format_path, show_value
from sim.experiments.sweep.design import design_points, point_seed
from sim.experiments.sweep.spec import MAX_POINTS, Parameter, Scalar, Sweep
from sim.scenario.checks import expected_shipments
from sim.scenario.layers import Layered, apply_overrides, layer_files
from sim.scenario.loader import scenario_hash, validate_layered
from sim.scenario.model import Scenario

__all__ = [
    "LARGE_POINTS",
    "LARGE_TASKS",
    "MAX_TASKS",
    "TASK_SHIPMENTS",
    "Point",
    "SweepPlan",
    "SweepSize",
    "Task",
    "block_size",
    "plan_sweep",
]

MAX_BAD_POINTS = 3
LARGE_POINTS = 1_000
"""A sweep of more points than this runs only when the user confirms it (``--allow-large``)."""
LARGE_TASKS = 10_000
"""A sweep of more tasks than this runs only when the user confirms it (``--allow-large``)."""
MAX_TASKS = 1_000_000
"""Most tasks any sweep may have, even with ``--allow-large``."""
TASK_SHIPMENTS = 300_000
"""Most expected shipments in a task whose sweep file leaves ``block_size`` to the planner (see
:func:`block_size`): about 1.5 s of work in ``baseline_2024`` on one core (2026-12; a one-replication task
of it spent a third of its time on things it pays once, ``benchmarks/sweep_pool.py``)."""


@dataclass(frozen=True)
class SweepSize:
    """How big a sweep is, known before any point is built.

    Attributes
    ----------
    points, replications, tasks : int
        Design points, replications per point, and tasks (points × blocks of replications).
    shipments : float
        Shipments the whole sweep simulates, estimated from the base scenario's volumes and parcels.
    """

    points: int
    replications: int
    tasks: int
    shipments: float

    @property
    def large(self) -> bool:
        """True when the sweep needs the user's confirmation to run."""
        return self.points > LARGE_POINTS or self.tasks > LARGE_TASKS

    def __str__(self) -> str:
        return (
            f"{self.points:,} points × {self.replications:,} replications = {self.tasks:,} tasks,"
            f" about {self.shipments:.3g} shipments to simulate"
        )


@dataclass(frozen=True)
class Point:
    """One combination of parameter values.

    Attributes
    ----------
    index : int
        Position in the design (0-based).
    values : dict
        Parameter name → value.
    scenario_hash : str
        SHA-256 of the resolved scenario (see :func:`sim.scenario_hash`).
    seed : int
        Root seed of this point's replications.
    shipments : float
        Shipments one replication of the point creates, on average (see
        :func:`sim.scenario.checks.expected_shipments`; the sweep's time estimate scales by it).
    """

    index: int
    values: dict[str, Scalar]
    scenario_hash: str
    seed: int
    shipments: float


@dataclass(frozen=True)
class Task:
    """Replications ``first`` … ``first + count - 1`` of one point."""

    point: int
    block: int
    first: int
    count: int

    @property
    def replications(self) -> range:
        """The global replication numbers of this task."""
        return range(self.first, self.first + self.count)


@dataclass(frozen=True)
class SweepPlan:
    """A sweep ready to run: validated points, tasks, and the layered base scenario the workers start from."""

    sweep: Sweep
    base: Layered
    base_scenario: Scenario
    seed: int
    replications: int
    points: tuple[Point, ...]
    tasks: tuple[Task, ...]
    block_size: int
    """Replications per task (the last block of a point may have fewer; see :func:`block_size`)."""

    @property
    def engine(self) -> str:
        """The engine every task uses."""
        return self.sweep.spec.engine

    @property
    def keeps_visits(self) -> bool:
        """Whether every task also writes its visits."""
        return self.sweep.spec.visits == "all"


def plan_sweep(
    sweep: Sweep, allow_large: bool = False, announce: Callable[[SweepSize], None] | None = None
) -> SweepPlan:
    """Build and validate every point's scenario, and cut the replications into tasks.

    Parameters
    ----------
    sweep : Sweep
        The validated sweep file.
    allow_large : bool
        Accept more than :data:`LARGE_POINTS` points or :data:`LARGE_TASKS` tasks (never more than
        :data:`MAX_POINTS` points or :data:`MAX_TASKS` tasks).
    announce : callable, optional
        Called with the sweep's size once it is known and accepted, before the points are built.

    Raises
    ------
    InputError
        When the base scenario is invalid, a parameter path does not lead into it, the sweep is too large,
        or a point's values make an invalid scenario (reported for the first few such points, against the
        sweep file's parameters).
    """
    base = layer_files(sweep.base)
    base_scenario = validate_layered(base, str(sweep.base))
    _check_paths(sweep, base[0])
    seed = base_scenario.seed if sweep.spec.seed is None else sweep.spec.seed
    replications = sweep.spec.replications or base_scenario.replications
    shipments = expected_shipments(base_scenario)
    blocks_of = block_size(sweep, replications, shipments)
    size = sweep_size(sweep, replications, shipments, blocks_of)
    _check_size(sweep, size, allow_large)
    if announce is not None:
        announce(size)
    points: list[Point] = []
    problems: list[Problem] = []
    bad = 0
    for index, values in enumerate(design_points(sweep, seed)):
        try:
            scenario = point_scenario(base, values, str(sweep.base))
        except InputError as error:
            problems.extend(p for p in _attribute(sweep, index, values, error) if p not in problems)
            bad += 1
            if bad == MAX_BAD_POINTS:
                break
            continue
        points.append(
            Point(
                index,
                values,
                scenario_hash(scenario),
                point_seed(seed, index, sweep.spec.common_random_numbers),
                expected_shipments(scenario),
            )
        )
    if problems:
        raise InputError(problems)
    tasks = tuple(
        Task(point.index, block, first, min(blocks_of, replications - first))
        for point in points
        for block, first in enumerate(range(0, replications, blocks_of))
    )
    return SweepPlan(sweep, base, base_scenario, seed, replications, tuple(points), tasks, blocks_of)


def block_size(sweep: Sweep, replications: int, shipments_per_replication: float) -> int:
    """Replications per task: the sweep file's ``block_size``, else the planner's choice.

    The rule, for the vector engine: the fewest blocks of at most :data:`TASK_SHIPMENTS` expected shipments
    each (from the base scenario's :func:`~sim.scenario.checks.expected_shipments` per replication), cut as
    evenly as fixed-size blocks allow — ``ceil(R / ceil(R × S / TASK_SHIPMENTS))`` replications for ``R``
    replications of ``S`` shipments, between 1 and ``R``. Each task then carries enough work that what it
    pays once (the point's scenario and network, the calls into Plan, engine and KPIs, its file, passing it
    to a worker) stays small beside its replications, while tasks stay short (a few seconds of work) so
    that the workers' load evens out and an interrupted sweep loses little. ``baseline_2024`` (57,000
    shipments a replication) gets blocks of 5 for 25 replications; ``demo_two_ports`` (220) one block of
    all of them. The reference engine takes one replication per task: its replications cost ~100× more, so
    a task's fixed costs are already negligible and smaller tasks keep the progress and the load even.

    The choice depends only on the sweep file and its base scenario, so a resumed sweep plans the same tasks,
    and never on the results: replication ``r`` draws the same numbers in any block.
    """
    if sweep.spec.block_size is not None:
        return sweep.spec.block_size
    if sweep.spec.engine == "reference":
        return 1
    blocks = math.ceil(replications * shipments_per_replication / TASK_SHIPMENTS)
    blocks = min(max(blocks, 1), replications)
    return math.ceil(replications / blocks)


def sweep_size(sweep: Sweep, replications: int, shipments_per_replication: float, block: int) -> SweepSize:
    """The size of a sweep of blocks of ``block`` replications, counted without building its points."""
    if sweep.spec.design == "grid":
        points = math.prod(len(p.levels or ()) for p in sweep.parameters)
    else:
        points = sweep.spec.points or 0
    blocks = -(-replications // block)
    return SweepSize(points, replications, points * blocks, points * replications * shipments_per_replication)


def _check_size(sweep: Sweep, size: SweepSize, allow_large: bool) -> None:
    where = "points" if sweep.spec.design != "grid" else "parameters"
    line = sweep.parameters[0].line if sweep.spec.design == "grid" and sweep.parameters else None
    if size.points > MAX_POINTS or size.tasks > MAX_TASKS:
        expected = f"at most {MAX_POINTS:,} points and {MAX_TASKS:,} tasks (fewer levels, points or blocks)"
    elif size.large and not allow_large:
        expected = (
            f"at most {LARGE_POINTS:,} points and {LARGE_TASKS:,} tasks, or --allow-large to confirm a sweep"
            " this size (larger blocks of replications make fewer tasks)"
        )
    else:
        return
    raise InputError([Problem(str(sweep.path), line, (where,), f"a sweep of {size}", expected)])


def point_scenario(base: Layered, values: dict[str, Scalar], origin: str) -> Scenario:
    """The scenario of one point: ``base`` with ``values`` set by field path, fully validated."""
    return validate_layered(apply_overrides(base, dict(values), origin="sweep parameters"), origin)


def _check_paths(sweep: Sweep, data: dict[str, Any]) -> None:
    """Every step of a parameter's path but the last must exist in the base scenario (typos show here)."""
    problems = []
    for parameter in sweep.parameters:
        node: Any = data
        for depth, part in enumerate(parameter.path[:-1]):
            options = (
                list(node)
                if isinstance(node, dict)
                else list(range(len(node)))
                if isinstance(node, list)
                else []
            )
            if part not in options:
                problems.append(_missing(sweep, parameter, depth, options))
                break
            node = node[part]
    if problems:
        raise InputError(problems)


def _missing(sweep: Sweep, parameter: Parameter, depth: int, options: list[Any]) -> Problem:
    part, at = parameter.path[depth], format_path(parameter.path[:depth])
    close = difflib.get_close_matches(str(part), [str(o) for o in options], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    shown = ", ".join(str(o) for o in options[:12]) + (", ..." if len(options) > 12 else "")
    expected = (
        f"{at} to be one of: {shown}{hint}" if options else f"{at} to be a mapping or list to step into"
    )
    return Problem(
        str(sweep.path),
        parameter.line,
        ("parameters", parameter.name),
        f"{part!r}, which the base scenario {sweep.base.name} does not have",
        expected,
    )


def _attribute(sweep: Sweep, index: int, values: dict[str, Scalar], error: InputError) -> list[Problem]:
    """Re-state a point's scenario problems against the sweep parameters that caused them."""
    problems = []
    for problem in error.problems:
        culprit = next((p for p in sweep.parameters if _related(p.path, problem.path)), None)
        if culprit is None:
            shown = ", ".join(f"{k}={show_value(v)}" for k, v in values.items())
            problems.append(
                Problem(
                    str(sweep.path),
                    None,
                    ("parameters",),
                    f"point {index} ({shown})",
                    f"values that make a valid scenario; the scenario says: {problem}",
                )
            )
            continue
        problems.append(
            Problem(
                str(sweep.path),
                culprit.line,
                ("parameters", culprit.name),
                f"{show_value(values[culprit.name])} (point {index})",
                f"a value the scenario accepts (it says {format_path(problem.path)}: got {problem.value}; "
                f"expected {problem.expected})",
            )
        )
    return problems


def _related(parameter: tuple[str | int, ...], problem: tuple[str | int, ...]) -> bool:
    size = min(len(parameter), len(problem))
    return size > 0 and parameter[:size] == problem[:size]
