"""One sweep task, as a worker runs it: rebuild the point's scenario, simulate a block, write one file.

A :class:`TaskOrder` is small and picklable: the point's parameter values, seeds, replication range, target
file and the provenance the file must carry. The layered base scenario travels separately (scattered once to
a Dask cluster) and the worker re-validates the point's scenario from it, checking that it gets the same hash
as the driver — so a worker running other code fails loudly instead of writing different numbers.

Running a task twice is harmless: it writes identical bytes, and it skips the work when its file is already
there with matching provenance (a worker killed after writing but before reporting).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.sweep.plan import point_scenario
from sim.experiments.sweep.spec import Scalar
from sim.results.sweep_store import is_finished, write_atomic_parquet
from sim.results.tables import visits_arrow
from sim.runner import run_points
from sim.scenario.layers import Layered
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Scenario

__all__ = ["KPI_COLUMNS", "TaskOrder", "TaskReport", "execute", "task_frame"]

log = logging.getLogger(__name__)

KPI_COLUMNS = ["table", "key", "period", "metric", "replication", "value"]
DTYPES: dict[str, Any] = {"int": np.int64, "float": np.float64, "bool": np.bool_}


@dataclass(frozen=True)
class TaskOrder:
    """Everything a worker needs to run one task, besides the layered base scenario.

    Attributes
    ----------
    point, block : int
        Which task.
    values : dict
        The point's parameter values by name (field path).
    kinds : dict
        Column type of each parameter: ``int``, ``float``, ``str`` or ``bool``.
    scenario_hash : str
        Hash of the point's scenario as the driver built it.
    engine : str
        Engine name.
    seed : int
        Root seed of the point.
    first, count : int
        Replications ``first`` … ``first + count - 1``.
    target : str
        Absolute path of the task's Parquet file.
    provenance : dict
        What the file's metadata must say (see :func:`sim.experiments.sweep.driver.task_provenance`).
    companions : tuple of TaskOrder
        Tasks of other points run together with this one (``points_per_task``).
    """

    point: int
    block: int
    values: dict[str, Scalar]
    kinds: dict[str, str]
    scenario_hash: str
    engine: str
    seed: int
    first: int
    count: int
    target: str
    provenance: dict[str, Any]
    companions: tuple[TaskOrder, ...] = ()
    """Tasks of other points (same replications) run together with this one, stacked in one engine run."""
    visits_target: str | None = None
    """Absolute path of the task's visits file, when the sweep keeps visits (``visits: all``)."""

    @property
    def key(self) -> str:
        """A unique, readable task name (also the Dask key)."""
        return f"sweep-task-p{self.point:04d}-b{self.block:04d}"


@dataclass(frozen=True)
class TaskReport:
    """What a worker says when a task is done.

    Attributes
    ----------
    point, block : int
        Which task.
    written : bool
        False when the file was already there (nothing simulated).
    wall_time_s : float
        Time spent in the task, seconds.
    worker : str
        ``host:pid`` of the worker process.
    engine_time_s : float
        Of ``wall_time_s``, the seconds spent in the engine (0 when nothing was simulated).
    also : tuple of TaskReport
        The reports of the order's companions.
    """

    point: int
    block: int
    written: bool
    wall_time_s: float
    worker: str
    engine_time_s: float = 0.0
    also: tuple[TaskReport, ...] = ()


def execute(order: TaskOrder, base: Layered) -> TaskReport:
    """Run one task (and its companions, stacked) and write each file atomically; report how it went.

    Raises
    ------
    RuntimeError
        When the worker builds a scenario whose hash differs from the driver's.
    """
    began = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    orders = (order, *order.companions)
    todo = [o for o in orders if not is_finished(Path(o.target), o.provenance)]
    running = {o.key for o in todo}
    in_engine: dict[str, float] = {}
    for skipped in orders:
        if skipped.key not in running:
            log.info("%s already finished (%s)", skipped.key, Path(skipped.target).name)
    if todo:
        scenarios = [_scenario(o, base) for o in todo]
        results = run_points(
            scenarios,
            [o.seed for o in todo],
            order.engine,
            replications=order.count,
            first_replication=order.first,
        )
        for done, result in zip(todo, results, strict=True):
            in_engine[done.key] = result.engine_time_s
            if done.visits_target is not None:  # before the KPI file, which marks the task finished
                visits = visits_arrow(result.plan, result.trace)
                write_atomic_parquet(visits, Path(done.visits_target), done.provenance)
            frame = task_frame(result.kpis_by_replication, done.values, done.kinds)
            write_atomic_parquet(frame, Path(done.target), done.provenance)
    elapsed = time.perf_counter() - began
    for done in todo:
        log.info(
            "%s: replications %d-%d in %.2f s on %s%s",
            done.key,
            done.first,
            done.first + done.count - 1,
            elapsed,
            worker,
            f" (with {len(todo) - 1} other points)" if len(todo) > 1 else "",
        )
    share = elapsed / len(orders)
    reports = [
        TaskReport(o.point, o.block, o.key in running, share, worker, in_engine.get(o.key, 0.0))
        for o in orders
    ]
    return dataclasses.replace(reports[0], also=tuple(reports[1:]))


def _scenario(order: TaskOrder, base: Layered) -> Scenario:
    """The order's point scenario, checked against the hash the driver built."""
    scenario = point_scenario(base, order.values, origin=f"sweep point {order.point}")
    found = scenario_hash(scenario)
    if found != order.scenario_hash:
        raise RuntimeError(
            f"{order.key}: the worker built scenario hash {found[:12]} but the driver built "
            f"{order.scenario_hash[:12]}; do driver and workers run the same corridor-sim version?"
        )
    return scenario


def task_frame(kpis: pd.DataFrame, values: dict[str, Scalar], kinds: dict[str, str]) -> pd.DataFrame:
    """KPIs per replication with the point's parameter values as leading columns, rows in a fixed order.

    Parameters
    ----------
    kpis : DataFrame
        Long-form KPIs (``table, key, period, metric, replication, value``).
    values : dict
        Parameter values of the point, one column each (named by field path).
    kinds : dict
        Column type of each parameter.
    """
    rows = kpis[KPI_COLUMNS].sort_values(KPI_COLUMNS[:5], kind="stable", ignore_index=True)
    columns: dict[str, Any] = {
        name: _constant(value, kinds[name], len(rows)) for name, value in values.items()
    }
    for name in KPI_COLUMNS[:4]:
        columns[name] = rows[name].astype(pd.StringDtype())
    columns["replication"] = rows["replication"].astype(np.int64)
    columns["value"] = rows["value"].astype(np.float64)
    return pd.DataFrame(columns)


def _constant(value: Scalar, kind: str, size: int) -> Any:
    """A column holding ``value`` ``size`` times, typed by the parameter's kind (text as pandas strings)."""
    if kind == "str":
        return pd.Series([str(value)] * size, dtype="string")
    return np.full(size, value, dtype=DTYPES[kind])
