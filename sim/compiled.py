"""Compiled loops: numba's ``njit`` with the project's settings, typed for mypy.

The vector engine's scalar paths — single servers, a berth pool's order statistic, the event loop of
priority classes — and the single passes of the Plan's layout and the KPIs run as compiled loops over plain
float64 arrays. Numba compiles IEEE
operations in the order written, without fast-math, so a compiled loop computes the same floats as the
reference engine's Python (additions, comparisons, ``max``/``min``; no reassociation, no fused multiply-add).

Compiled code is cached on disk (numba's ``cache=True``: next to the module's ``__pycache__``, or the
user's cache folder when the package folder is read-only), so only the first run after an install pays the
compilation. ``numba`` is imported here and only by the modules that compile, so ``corridor --help``
and ``corridor validate`` do not load it.

Compilation (or loading from the cache) happens on a loop's first call with new argument types, in
numba's ``_compile_for_args``; it runs with SIGINT and SIGTERM held back
(:func:`sim.held_signals.deferred_signals`) and delivers them when it ends. Otherwise a Ctrl-C or SIGTERM
that arrives while LLVM calls back into Python would be swallowed by ctypes and the run would go on. Once
compiled, a call runs no Python until it returns, so holding changes nothing there.

Setting the environment variable ``NUMBA_DISABLE_JIT=1`` runs every compiled loop as plain Python (for a
debugger or coverage), with the same results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

from sim.held_signals import deferred_signals

__all__ = ["compiled"]

F = TypeVar("F", bound=Callable[..., Any])


def compiled(function: F) -> F:
    """``function`` compiled in numba's nopython mode (cached on disk, no fast-math, releases the GIL)."""
    dispatcher: Any = numba.njit(cache=True, nogil=True)(function)
    if not hasattr(dispatcher, "_compile_for_args"):
        return cast(F, dispatcher)  # NUMBA_DISABLE_JIT=1: numba hands back the Python function itself
    compile_for_args = dispatcher._compile_for_args  # what numba's C dispatcher calls on a miss

    def compile_holding_signals(*args: Any, **kws: Any) -> Any:
        with deferred_signals():
            return compile_for_args(*args, **kws)

    dispatcher._compile_for_args = compile_holding_signals
    return cast(F, dispatcher)
