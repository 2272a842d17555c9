"""Compiled loops: numba's ``njit`` with the project's settings, typed for mypy.

The vector engine's scalar paths — where service is not a prefix scan (a berth pool's order statistic, the
event loop of priority classes) — run as compiled loops over plain float64 arrays. Numba compiles IEEE
operations in the order written, without fast-math, so a compiled loop computes the same floats as the
reference engine's Python (additions, comparisons, ``max``/``min``; no reassociation, no fused multiply-add).

Compiled code is cached on disk (numba's ``cache=True``: next to the module's ``__pycache__``, or the
user's cache folder when the package folder is read-only), so only the first run after an install pays the
compilation. ``numba`` is imported here and only by the engine modules that compile, so ``corridor --help``
and ``corridor validate`` do not load it.

Setting the environment variable ``NUMBA_DISABLE_JIT=1`` runs every compiled loop as plain Python (for a
debugger or coverage), with the same results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

__all__ = ["compiled"]

F = TypeVar("F", bound=Callable[..., Any])


def compiled(function: F) -> F:
    """``function`` compiled in numba's nopython mode (cached on disk, no fast-math, releases the GIL)."""
    return cast(F, numba.njit(cache=True, nogil=True)(function))
