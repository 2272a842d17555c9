"""What a worker process keeps between tasks: each point's checked scenario, its network and its footprints.

Every task of a point needs the same scenario — the base with the point's values applied, fully validated,
its hash checked against the driver's — and the same network and memory footprint. Building them took ~28 ms,
6% of a one-replication task of ``baseline_2024`` (benchmarks/README.md, sweep section), so a worker builds
them for the first task of a point it runs and takes them from :data:`WORKER_POINTS` for the others.

An entry is keyed by the scenario hash the driver sent *and* the point's values, and is stored only after the
worker built that scenario from those values and found that hash: a hit is a mapping (values → hash) this
process has checked itself, never one it assumed. The hash names the resolved scenario's whole content, so
the entry serves any sweep with the same point (a Dask worker may serve several). A scenario whose hash
differs from the driver's is never kept: every such task fails, as it would without the cache. Scenarios and
networks are frozen (a pydantic model, frozen dataclasses whose arrays the tasks only read); tasks that share
them write the bytes of tasks run each in a fresh process (``tests/experiments/sweep/test_task_path.py``).

At most :data:`POINTS_KEPT` points are kept, the least recently used dropped first: the driver hands out
tasks point by point, so a worker meets each point in a short run of tasks (more with ``points_per_task``).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Protocol

from sim.experiments.sweep.plan import point_scenario
from sim.experiments.sweep.spec import Scalar
from sim.footprint import Footprint, footprint
from sim.network import Network, build_network
from sim.scenario.layers import Layered
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Scenario

__all__ = ["POINTS_KEPT", "WORKER_POINTS", "BuiltPoint", "BuiltPoints", "PointOrder"]

POINTS_KEPT = 32
"""Points a worker keeps built (a few MB each for the library's largest scenarios)."""


class PointOrder(Protocol):
    """What :meth:`BuiltPoints.get` needs of a task order (:class:`~sim.experiments.sweep.task.TaskOrder`)."""

    @property
    def point(self) -> int:
        """The point's index in the design."""
        ...

    @property
    def values(self) -> dict[str, Scalar]:
        """The point's parameter values by field path."""
        ...

    @property
    def scenario_hash(self) -> str:
        """The hash of the point's scenario as the driver built it."""
        ...

    @property
    def key(self) -> str:
        """The task's name, for messages."""
        ...


@dataclass(frozen=True)
class BuiltPoint:
    """A point's scenario as a worker built and checked it, with its network and footprints.

    Attributes
    ----------
    scenario : Scenario
        The point's validated scenario.
    network : Network
        Its network (:func:`sim.network.build_network`).
    """

    scenario: Scenario
    network: Network
    _sizes: dict[int, Footprint] = field(default_factory=dict, repr=False, compare=False)

    def size(self, replications: int) -> Footprint:
        """The footprint of ``replications`` replications (:func:`sim.footprint.footprint`), computed once."""
        if replications not in self._sizes:
            self._sizes[replications] = footprint(self.scenario, self.network, replications)
        return self._sizes[replications]


class BuiltPoints:
    """Built points by (scenario hash, values), least recently used dropped beyond ``capacity``."""

    def __init__(self, capacity: int = POINTS_KEPT) -> None:
        self.capacity = capacity
        self._kept: OrderedDict[tuple[str, str], BuiltPoint] = OrderedDict()
        self._lock = threading.Lock()  # a Dask worker may run tasks in several threads

    def get(self, order: PointOrder, base: Layered) -> BuiltPoint:
        """The point of ``order`` (its values over ``base``), checked against the hash the driver built.

        Raises
        ------
        RuntimeError
            When the scenario built here hashes otherwise (driver and worker run different code).
        """
        index = (order.scenario_hash, json.dumps(order.values, sort_keys=True))
        with self._lock:
            found = self._kept.get(index)
            if found is not None:
                self._kept.move_to_end(index)
                return found
        scenario = point_scenario(base, order.values, origin=f"sweep point {order.point}")
        built_hash = scenario_hash(scenario)
        if built_hash != order.scenario_hash:
            raise RuntimeError(
                f"{order.key}: the worker built scenario hash {built_hash[:12]} but the driver built "
                f"{order.scenario_hash[:12]}; do driver and workers run the same corridor-sim version?"
            )
        point = BuiltPoint(scenario, build_network(scenario))
        with self._lock:
            self._kept[index] = point
            while len(self._kept) > self.capacity:
                self._kept.popitem(last=False)
        return point


WORKER_POINTS = BuiltPoints()
"""This process's built points (a worker's; the driver's pilot builds its own)."""
