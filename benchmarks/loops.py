"""What the vector engine's remaining per-shipment Python loops cost.

Multi-berth pools and services with unequal shipment sizes have no prefix-scan form; with many replications
they are stepped across replications (one array operation per queue position or departure), but with fewer
than :data:`~sim.engines.vector.berth_pool.ROWS_FOR_COLUMNS` replications a plain loop over each replication's
ships is cheaper than numpy's per-call cost. This module times those loops inside one vector run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sim.engines import get_engine
from sim.engines.vector import berth_pool as vector_pool
from sim.engines.vector import service as vector_service
from sim.plan import Plan

LOOPS = ((vector_pool, "_row_constant"), (vector_pool, "_row_windows"), (vector_service, "_row_unequal"))
"""The functions that loop over individual shipments in Python."""


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
