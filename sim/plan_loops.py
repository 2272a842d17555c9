"""The Plan's per-visit index columns and its class check as compiled passes (:mod:`sim.plan`).

``Plan.visit_shipment`` and ``Plan.visit_seq`` were ``np.repeat`` expressions over the CSR offsets (two or
three passes over every visit, ~11 and ~20 ms for a block of 25 replications of ``baseline_2024``); the
class check of :func:`sim.plan.check_plan` gathered each visit's station limit into a temporary column.
Here each is one pass writing integers: the same values. Imported when first used, so importing
:mod:`sim.plan` does not load numba.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import IntArray
from sim.class_draws import ClassArray
from sim.compiled import compiled

__all__ = ["first_bad_class", "visit_rows"]


@compiled
def visit_rows(first_visit: IntArray, seq: bool) -> IntArray:
    """Each visit's shipment row, or (``seq``) its position on the shipment's route: one pass.

    ``np.repeat(arange(S), diff(first_visit))``, or ``arange(V) - np.repeat(first_visit[:-1],
    diff(first_visit))``, for non-decreasing offsets from 0 (``V = first_visit[-1]``).
    """
    out = np.empty(first_visit[-1] - first_visit[0], dtype=np.int64)
    k = 0
    for i in range(first_visit.size - 1):
        for _ in range(first_visit[i + 1] - first_visit[i]):
            out[k] = k - first_visit[i] if seq else i
            k += 1
    return out


@compiled
def first_bad_class(visit_class: ClassArray, visit_station: IntArray, limit: IntArray) -> int:
    """The first visit whose class is negative or not below its station's ``limit`` (−1: none).

    −2 when a visit's station is not an index of ``limit`` (before any bad class: the caller decides).
    """
    for v in range(visit_class.size):
        station = visit_station[v]
        if station < 0 or station >= limit.size:
            return -2
        klass = visit_class[v]
        if klass < 0 or klass >= limit[station]:
            return v
    return -1
