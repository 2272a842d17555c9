"""Engines turn a Plan into a Trace. ``reference`` (SimPy) defines the semantics; ``vector`` (numpy) is fast.

Engines import neither pandas, matplotlib, the CLI nor dask.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from sim.errors import Problem

if TYPE_CHECKING:  # the engine names load without numpy: `corridor --help` lists them
    from sim.plan import Plan
    from sim.trace import Trace

__all__ = ["DEFAULT_ENGINE", "ENGINES", "Engine", "check_engine", "get_engine", "simulate_points"]

DEFAULT_ENGINE = "vector"


class Engine(Protocol):
    """Anything that simulates a Plan."""

    def __call__(self, plan: Plan) -> Trace:
        """Simulate every replication of ``plan`` up to its horizon."""
        ...


def _reference(plan: Plan) -> Trace:
    from sim.engines.reference import simulate

    return simulate(plan)


def _vector(plan: Plan) -> Trace:
    from sim.engines.vector import simulate

    return simulate(plan)


ENGINES: dict[str, Callable[[Plan], Trace]] = {"reference": _reference, "vector": _vector}


def check_engine(name: str, file: str, path: tuple[str | int, ...], line: int | None = None) -> list[Problem]:
    """The problems with an engine name given as input: none for a known engine, else one.

    Parameters
    ----------
    name : str
        The engine name as given.
    file : str
        Where it was given: a file, ``"<command line>"`` or ``"<arguments>"``.
    path : tuple
        The field or option that gave it (``("engine",)``, ``("--engine",)``).
    line : int, optional
        Line in ``file``, where known.

    Returns
    -------
    list of Problem
        Empty when ``name`` is a key of :data:`ENGINES`; else one problem naming the bad value and every
        known engine.
    """
    if name in ENGINES:
        return []
    return [Problem(file, line, path, repr(name), f"one of {', '.join(ENGINES)}")]


def get_engine(name: str) -> Callable[[Plan], Trace]:
    """The engine called ``name``.

    Raises
    ------
    KeyError
        For an unknown engine name.
    """
    return ENGINES[name]


def simulate_points(name: str, plans: Sequence[Plan]) -> list[Trace]:
    """Simulate several plans — sweep points over one horizon — in as few runs of engine ``name`` as fit.

    The plans are stacked into one (:mod:`sim.stacking`); the vector engine computes the copies of each
    multi-berth pool and cycle from every point together. Stacks are cut so that each fits in one of the
    vector engine's memory blocks (a point's replications are never split differently than alone). Returns
    one Trace per plan, each the Trace the engine gives that plan alone.
    """
    from sim.stacking import stack, unstack

    traces: list[Trace] = []
    for part in _stacks(name, plans):
        traces += unstack(get_engine(name)(stack(part)), part)
    return traces


def _stacks(name: str, plans: Sequence[Plan]) -> list[list[Plan]]:
    """Consecutive plans grouped so that each group fits in one vector block."""
    if name != "vector":
        return [list(plans)]
    from sim.engines.vector import BYTES_PER_VISIT, working_memory_budget

    most = working_memory_budget() // BYTES_PER_VISIT
    groups: list[list[Plan]] = []
    visits = 0
    for plan in plans:
        if not groups or visits + plan.n_visits > most:
            groups.append([])
            visits = 0
        groups[-1].append(plan)
        visits += plan.n_visits
    return groups
