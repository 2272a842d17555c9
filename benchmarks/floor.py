"""How close the vector engine is to the floor, two ways.

- **Bare array operations** (every workload): given the final arrival times, what no array engine can avoid
  for one pass over the stations — gather each station's arrivals, sort each replication's queue (stable, by
  arrival), one max-plus prefix scan over it, scatter the results back. No kernel logic, no iteration.
- **A minimal compiled loop** (numba, a dependency of the engine; single-route workloads only: the M/M/c port
  and the tandem): each station in route order, each replication's queue sorted and served by c servers in a
  plain loop, legs as additions. The fastest this model can run on one core; the engine's own pools are
  compiled loops of the same kind (:mod:`sim.engines.vector.berth_pool`), so what stays between the engine and
  this loop is the FIFO grid, the hand-on between stations and the cost per kernel call.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from sim.plan import Plan
from sim.trace import Trace


def bare_array_seconds(plan: Plan, trace: Trace) -> float:
    """Seconds for the unavoidable array work of one pass (best of 3)."""
    arrive = np.nan_to_num(trace.arrive, nan=np.inf)
    rows = np.repeat(
        np.searchsorted(plan.rep_first, np.arange(plan.n_shipments), side="right") - 1,
        np.diff(plan.first_visit),
    )
    order = np.argsort(plan.visit_station.astype(np.uint16), kind="stable")
    bounds = np.searchsorted(plan.visit_station[order], np.arange(len(plan.network.stations) + 1))
    groups = [order[bounds[k] : bounds[k + 1]] for k in range(len(plan.network.stations))]
    best = np.inf
    for _ in range(3):
        out = np.empty(plan.n_visits)
        began = time.perf_counter()
        for visits in groups:
            if visits.size:
                _one_pass(visits, arrive, plan.visit_work, rows, out)
        best = min(best, time.perf_counter() - began)
    return best


def _one_pass(
    visits: np.ndarray, arrive: np.ndarray, work: np.ndarray, rows: np.ndarray, out: np.ndarray
) -> None:
    times = arrive[visits]
    key = rows[visits] * 1e7 + np.where(np.isfinite(times), times, 1e6)  # one sort by (row, arrival)
    order = np.argsort(key, kind="stable")
    spans = work[visits[order]]
    total = np.cumsum(spans)
    lead = np.maximum.accumulate(np.where(np.isfinite(times[order]), times[order], 0.0) - (total - spans))
    out[visits[order]] = total + lead


def numba_seconds(plan: Plan) -> float | None:
    """Seconds for a compiled loop over a single-route plan (best of 3), or ``None`` for several routes."""
    import numba  # imported here: the bare-array floor alone does not need it

    kernel = _compiled(numba)
    route = plan.visit_station[plan.first_visit[0] : plan.first_visit[1]]
    if not np.all(np.diff(plan.first_visit) == route.size):
        return None
    if not np.array_equal(
        plan.visit_station.reshape(-1, route.size), np.broadcast_to(route, (plan.n_shipments, route.size))
    ):
        return None  # several routes: no single-route loop
    stations = plan.network.stations
    berths = np.array(
        [int(stations[s].capacity.values.max()) if stations[s].kind == "berth" else 0 for s in route]
    )
    work = plan.visit_work.reshape(-1, route.size)
    kernel(plan.created[:10], work[:10], berths, plan.rep_first[:2].clip(max=10))  # compile
    best = np.inf
    for _ in range(3):
        began = time.perf_counter()
        kernel(plan.created, work, berths, plan.rep_first)
        best = min(best, time.perf_counter() - began)
    return best


def _compiled(numba: Any) -> Any:
    @numba.njit(cache=False)  # type: ignore[untyped-decorator]
    def serve(created: np.ndarray, work: np.ndarray, berths: np.ndarray, rep_first: np.ndarray) -> np.ndarray:
        n, steps = work.shape
        ends = np.empty((n, steps))
        for r in range(rep_first.size - 1):
            a, b = rep_first[r], rep_first[r + 1]
            arrive = created[a:b].copy()
            for k in range(steps):
                order = np.argsort(arrive, kind="mergesort")
                c = berths[k]
                free = np.full(max(c, 1), -np.inf)
                for i in order:
                    if c == 0:
                        finish = arrive[i] + work[a + i, k]
                    else:
                        slot = np.argmin(free)
                        begin = max(arrive[i], free[slot])
                        finish = begin + work[a + i, k]
                        free[slot] = finish
                    ends[a + i, k] = finish
                    arrive[i] = finish
        return ends

    return serve
