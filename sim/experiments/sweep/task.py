"""One sweep task, as a worker runs it: rebuild the point's scenario, simulate a block, write one file.

A :class:`TaskOrder` is small and picklable: the point's parameter values, seeds, replication range, target
file and the provenance the file must carry. The layered base scenario travels separately (scattered once to
a Dask cluster) and the worker re-validates the point's scenario from it, checking that it gets the same hash
as the driver — so a worker running other code fails loudly instead of writing different numbers. It does so
for the first task of a point it runs and keeps the checked scenario and its network for the point's other
tasks (:mod:`.built`).

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
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.arrays import IntArray
from sim.experiments.sweep.built import WORKER_POINTS
from sim.experiments.sweep.spec import Scalar
from sim.results.sweep_store import is_finished, write_atomic_parquet
from sim.results.tables import visits_arrow
from sim.runner import RunResult, run_points
from sim.scenario.layers import Layered

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["KPI_COLUMNS", "TaskOrder", "TaskReport", "execute", "task_frame"]

log = logging.getLogger(__name__)

KPI_COLUMNS = ["table", "key", "period", "metric", "replication", "value"]
DTYPES: dict[str, Any] = {"int": np.int64, "float": np.float64, "bool": np.bool_}
STAGES = ("scenario", "plan", "kpis", "files")
"""The parts of a task besides the engine that :attr:`TaskReport.stages` times (see :func:`execute`)."""


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
    stages : dict
        Of ``wall_time_s``, the seconds of each of :data:`STAGES`: ``scenario`` (the point's scenario,
        network and footprint, built or kept by the worker, :mod:`.built`), ``plan`` (drawing the Plan, with
        the memory check and the routes taken), ``kpis`` (the KPIs per replication), ``files`` (tabulating
        and writing the task's files). Shared out among companions like ``wall_time_s``; empty when nothing
        ran.
    """

    point: int
    block: int
    written: bool
    wall_time_s: float
    worker: str
    engine_time_s: float = 0.0
    also: tuple[TaskReport, ...] = ()
    stages: dict[str, float] = dataclasses.field(default_factory=dict)


def execute(order: TaskOrder, base: Layered) -> TaskReport:
    """Run one task (and its companions, stacked) and write each file atomically; report how it went.

    The point's scenario and network come from the worker's :data:`~.built.WORKER_POINTS` (built and checked
    by the first task of the point this worker runs).

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
    stages = dict.fromkeys(STAGES, 0.0)
    for skipped in orders:
        if skipped.key not in running:
            log.info("%s already finished (%s)", skipped.key, Path(skipped.target).name)
    if todo:
        for done, result in zip(todo, _simulate(order, todo, base, stages), strict=True):
            in_engine[done.key] = result.engine_time_s
            _write(done, result, stages)
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
    shared = {name: seconds / len(orders) for name, seconds in stages.items()} if todo else {}
    reports = [
        TaskReport(
            o.point, o.block, o.key in running, share, worker, in_engine.get(o.key, 0.0), stages=shared
        )
        for o in orders
    ]
    return dataclasses.replace(reports[0], also=tuple(reports[1:]))


def _simulate(
    order: TaskOrder, todo: list[TaskOrder], base: Layered, stages: dict[str, float]
) -> list[RunResult]:
    """Simulate the orders' points in one engine run; add the seconds of each stage to ``stages``."""
    began = time.perf_counter()
    points = [WORKER_POINTS.get(o, base) for o in todo]
    sizes = [p.size(order.count) for p in points]
    stages["scenario"] += time.perf_counter() - began
    results = run_points(
        [p.scenario for p in points],
        [o.seed for o in todo],
        order.engine,
        replications=order.count,
        first_replication=order.first,
        networks=[p.network for p in points],
        sizes=sizes,
    )
    seconds = sum(r.wall_time_s for r in results)
    engine = sum(r.engine_time_s for r in results)
    stages["plan"] += seconds - engine
    began = time.perf_counter()
    for result in results:
        _ = result.kpis_by_replication  # computed here (and timed), tabulated by _write
    stages["kpis"] += time.perf_counter() - began
    return results


def _write(order: TaskOrder, result: RunResult, stages: dict[str, float]) -> None:
    """Write the order's files: its visits when kept, then its KPIs (which mark the task finished)."""
    began = time.perf_counter()
    if order.visits_target is not None:
        visits = visits_arrow(result.plan, result.trace)
        write_atomic_parquet(visits, Path(order.visits_target), order.provenance)
    frame = task_frame(result.kpis_by_replication, order.values, order.kinds)
    write_atomic_parquet(frame, Path(order.target), order.provenance)
    stages["files"] += time.perf_counter() - began


def task_frame(kpis: pd.DataFrame, values: dict[str, Scalar], kinds: dict[str, str]) -> pa.Table:
    """KPIs per replication with the point's parameter values as leading columns, rows in a fixed order.

    Built with Arrow (no pandas operation): the rows sorted by ``table, key, period, metric, replication``
    (a stable sort; text in code-point order, missing values last, as pandas sorts), the labels as
    ``large_string``, ``replication`` as int64 and ``value`` as float64.

    Parameters
    ----------
    kpis : DataFrame
        Long-form KPIs (``table, key, period, metric, replication, value``).
    values : dict
        Parameter values of the point, one column each (named by field path).
    kinds : dict
        Column type of each parameter: ``int``, ``float``, ``str`` or ``bool``.
    """
    import pyarrow as pa

    types = {name: pa.large_string() for name in KPI_COLUMNS[:4]}
    types.update(replication=pa.int64(), value=pa.float64())
    columns = {name: _array(kpis[name], types[name]) for name in KPI_COLUMNS}
    order = pa.array(_row_order(columns))
    constants = {name: _constant(value, kinds[name], len(order)) for name, value in values.items()}
    return pa.table({**constants, **{name: column.take(order) for name, column in columns.items()}})


def _array(column: pd.Series, kind: pa.DataType) -> pa.Array:
    """A DataFrame column as one Arrow array of type ``kind`` (a pyarrow-backed column comes chunked)."""
    import pyarrow as pa

    array = pa.array(column, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(kind)


def _row_order(columns: dict[str, pa.Array]) -> IntArray:
    """The stable order of the rows by ``table, key, period, metric, replication``.

    Each label column is ranked through its dictionary (few distinct labels, compared as Arrow compares
    text: by code point); a missing label ranks last.
    """
    import pyarrow.compute as pc

    keys = []
    for name in KPI_COLUMNS[:4]:
        encoded = pc.dictionary_encode(columns[name])
        ranks = pc.rank(encoded.dictionary, sort_keys="ascending").to_numpy()
        missing = len(ranks) + 1
        codes = pc.fill_null(encoded.indices, len(ranks)).to_numpy()
        keys.append(np.append(ranks, missing)[codes])
    keys.append(columns["replication"].to_numpy())
    return np.lexsort(keys[::-1]).astype(np.int64)


def _constant(value: Scalar, kind: str, size: int) -> pa.Array:
    """A column holding ``value`` ``size`` times, typed by the parameter's kind (text as ``large_string``)."""
    import pyarrow as pa

    if kind == "str":
        return pa.array([str(value)] * size, type=pa.large_string())
    return pa.array(np.full(size, value, dtype=DTYPES[kind]))
