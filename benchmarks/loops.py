"""What the vector engine's remaining per-shipment Python loops cost.

Multi-berth pools and services with unequal shipment sizes have no prefix-scan form; they are compiled loops
(:mod:`sim.compiled`) over all replications at once and are not counted here. What remains in
Python, ship by ship, is the FIFO chokepoint whose ships may divert (a decision per ship on the queue it
finds: :func:`~sim.engines.vector.diversion.diverting_chokepoint`). Stations with priority classes are event
loops of their own (:mod:`sim.engines.vector.priority`) and are not counted either. This module times the
remaining loops inside one vector run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sim.engines import get_engine
from sim.engines.vector import block as vector_block
from sim.plan import Plan

LOOPS = ((vector_block, "diverting_chokepoint"),)
"""The functions that loop over individual shipments in Python (module and name where the engine finds it)."""


def python_loop_share(plan: Plan) -> float:
    """Share (0–1) of one vector run's wall time spent in the per-shipment Python loops."""
    spent = [0.0]
    with _timing(spent):
        began = time.perf_counter()
        get_engine("vector")(plan)
        total = time.perf_counter() - began
    return spent[0] / total if total > 0 else 0.0


@contextmanager
def _timing(spent: list[float]) -> Iterator[None]:
    saved = [(module, name, getattr(module, name)) for module, name in LOOPS]
    for module, name, function in saved:
        setattr(module, name, _timed(function, spent))
    try:
        yield
    finally:
        for module, name, function in saved:
            setattr(module, name, function)


def _timed(function: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - began

    return wrapper
