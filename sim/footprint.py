"""How large a run will be, estimated before anything is drawn, and the resource guard built on it.

From the scenario alone — each flow's expected shipments per replication (``Lambda(horizon)``,
:func:`sim.drawing.expected_shipments`), the stations on its route, the horizon and the replications — a
:class:`Footprint` gives the shipments and visits a run will draw and the memory they need:

- a **block** of replications holds its Plan, the engine's working arrays, its Trace, the KPI reductions'
  temporaries and the Arrow tables being written: :data:`BYTES_PER_VISIT` per visit (measured, with margin);
- the **per-replication KPI tables** of every replication are kept until the end (the intervals across
  replications need them): :data:`BYTES_PER_KPI_ROW` per row of the long table, rows counted from the
  network and the months of the window;
- the interpreter and its libraries: :data:`BASE_BYTES`.

:func:`check_footprint` refuses (an :class:`~sim.errors.InputError`: exit 2, before anything is drawn) a run
that cannot fit in the memory available even one replication at a time, naming the flows that dominate and
how to make it fit, and a run over the user's ``--max-shipments``. A streamed run (:mod:`sim.streaming`)
takes as many replications per block as :meth:`Footprint.replications_per_block` allows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray
from sim.available_memory import available_bytes
from sim.drawing import expected_shipments
from sim.errors import InputError, Problem
from sim.network import Network
from sim.results.waits import QUEUEING_KINDS
from sim.scenario.model import Scenario

__all__ = [
    "BASE_BYTES",
    "BYTES_PER_KPI_ROW",
    "BYTES_PER_VISIT",
    "Footprint",
    "block_budget",
    "check_footprint",
    "combined",
    "footprint",
]

BYTES_PER_VISIT = 400
"""Peak memory of a block per visit (bytes): Plan, engine, Trace, KPI temporaries, Arrow tables. Measured on
baseline_2024 in blocks of 36 replications: 215 with one block, 266 with two (freed memory is kept for reuse,
not all of it is reusable); the rest is margin."""
BYTES_PER_KPI_ROW = 400
"""Memory per row of the long per-replication KPI table (bytes): the table, its summary and its file."""
BASE_BYTES = 400 * 2**20
"""The interpreter with numpy, pandas, pyarrow, scipy and numba (llvmlite, the compiled loops) loaded (bytes):
~290 MiB measured for ``corridor run``'s imports (~200 without numba), with margin."""
BLOCK_BYTES = 2 * 2**30
"""Most memory for one block of a streamed run (bytes); less when a third of the available memory is less."""
HOURS_PER_MONTH = 730.5
CALL_OPTIONS = ("replications", "max_shipments")
LEDGER_METRICS = 14
"""Rows per key and replication of the cost and emission tables, at most."""


@dataclass(frozen=True)
class Footprint:
    """The expected size of a run.

    Attributes
    ----------
    scenario : str
        Scenario name.
    flows : tuple of str
        Flow names (``network.flows`` order).
    shipments : ndarray of float64
        Expected shipments of each flow in one replication.
    visits : ndarray of float64
        Expected visits of each flow in one replication (shipments × stations on its route).
    replications : int
        Replications of the run.
    kpi_rows : int
        Rows of the long KPI table per replication (an upper bound).
    """

    scenario: str
    flows: tuple[str, ...]
    shipments: FloatArray
    visits: FloatArray
    replications: int
    kpi_rows: int

    @property
    def shipments_total(self) -> float:
        """Expected shipments over every replication."""
        return float(self.shipments.sum()) * self.replications

    @property
    def visits_per_replication(self) -> float:
        """Expected visits of one replication."""
        return float(self.visits.sum())

    def block_bytes(self, replications: int) -> float:
        """Memory of a block of ``replications`` (bytes)."""
        return self.visits_per_replication * replications * BYTES_PER_VISIT

    @property
    def kpi_bytes(self) -> float:
        """Memory of the per-replication KPI tables of every replication (bytes)."""
        return float(self.kpi_rows) * self.replications * BYTES_PER_KPI_ROW

    def needed_bytes(self, replications_per_block: int = 1) -> float:
        """Peak memory of the streamed run with blocks of ``replications_per_block`` (bytes)."""
        return BASE_BYTES + self.block_bytes(replications_per_block) + self.kpi_bytes

    @property
    def whole_bytes(self) -> float:
        """Peak memory of the run held in memory at once (the Python API's :func:`sim.run`)."""
        return self.needed_bytes(self.replications)

    def replications_per_block(self, budget: float | None = None) -> int:
        """Replications per block: as many as fit in ``budget`` bytes (default :func:`block_budget`), ≥ 1."""
        room = block_budget() if budget is None else budget
        per_replication = max(self.block_bytes(1), 1.0)
        return int(min(max(room // per_replication, 1), self.replications))

    def dominant(self, count: int = 3) -> list[tuple[str, float]]:
        """The flows with the most visits and their shares of all visits, largest first."""
        total = self.visits_per_replication
        order = np.argsort(-self.visits, kind="stable")[:count]
        return [(self.flows[k], float(self.visits[k] / total) if total > 0 else 0.0) for k in order]


def footprint(scenario: Scenario, network: Network, replications: int) -> Footprint:
    """The expected size of ``replications`` replications of ``scenario`` (nothing is drawn)."""
    shipments = expected_shipments(scenario, network)
    steps = np.array([len(route.stations) for route in network.flows], dtype=np.float64)
    months = math.ceil(min(scenario.horizon_h, 1e9) / HOURS_PER_MONTH) + 2
    kinds = [station.kind for station in network.stations]
    queueing = sum(kind in QUEUEING_KINDS for kind in kinds)
    commodities = len({scenario.flows[route.flow].commodity for route in network.flows})
    flows = len(network.flows)
    rows = 5 * (2 * flows + commodities) + 3 * commodities * months + 6 * flows + 8 * len(kinds)
    rows += 6 * queueing * months
    if scenario.costs is not None or scenario.emissions is not None:
        rows += LEDGER_METRICS * (2 * flows + commodities) + 4 * len(kinds)
    return Footprint(
        scenario.name,
        tuple(route.name for route in network.flows),
        shipments,
        shipments * steps,
        replications,
        rows,
    )


def combined(sizes: Sequence[Footprint], label: str) -> Footprint:
    """The footprint of several runs held at once (sweep points, the scenarios of a comparison).

    Flows are named ``scenario:flow``; the replications are the first run's (all have as many).
    """
    if len(sizes) == 1:
        return sizes[0]
    return Footprint(
        label,
        tuple(f"{size.scenario}:{flow}" for size in sizes for flow in size.flows),
        np.concatenate([size.shipments for size in sizes]),
        np.concatenate([size.visits for size in sizes]),
        sizes[0].replications,
        sum(size.kpi_rows for size in sizes),
    )


def block_budget() -> float:
    """Memory for one block of a streamed run (bytes): a third of the available memory, at most 2 GiB."""
    return min(available_bytes() / 3, BLOCK_BYTES)


def check_footprint(
    size: Footprint,
    max_shipments: float | None = None,
    available: float | None = None,
    whole: bool = False,
    where: str = "<arguments>",
    advice: str = "",
) -> None:
    """Refuse a run that cannot fit, or is larger than the user allows, before anything is drawn.

    Parameters
    ----------
    size : Footprint
        The run's :func:`footprint`.
    max_shipments : float, optional
        The most shipments the user allows over all replications (``--max-shipments``).
    available : float, optional
        Memory available (bytes; default :func:`available_bytes`).
    whole : bool
        The run is held in memory at once (the Python API) rather than streamed one block at a time.
    where : str
        Where the run was asked for: ``<command line>`` (the message names ``--replications`` and
        ``--max-shipments``) or ``<arguments>`` (``replications``, ``max_shipments``).

    advice : str
        One more way to make it fit, appended to the message.

    With ``available`` less than :data:`BASE_BYTES` plus one replication, every run is refused.

    Raises
    ------
    InputError
        Naming the estimate, the flows that dominate it and how to make the run fit.
    """
    room = available_bytes() if available is None else available
    options = ("--replications", "--max-shipments") if where == "<command line>" else CALL_OPTIONS
    need = size.whole_bytes if whole else size.needed_bytes()
    total = size.shipments_total
    finite = math.isfinite(total) and math.isfinite(need)
    if finite and need <= room and (max_shipments is None or total <= max_shipments):
        return
    flows = ", ".join(f"{name} ({share:.0%})" for name, share in size.dominant())
    estimate = (
        f"~{_count(total)} shipments and ~{_count(size.visits_per_replication * size.replications)} visits "
        f"over {size.replications} replication{'s' * (size.replications != 1)} of {size.scenario}"
    )
    if finite and max_shipments is not None and total > max_shipments:
        path: tuple[str, ...] = (options[1],)
        expected = f"at most {_count(max_shipments)} shipments ({options[1]})"
    else:
        path = (options[0],)
        mode = "held in memory at once" if whole else "even one replication at a time"
        expected = (
            f"a run that fits in the {_bytes(room)} of memory allowed {mode} "
            f"(it needs ~{_bytes(need)}; "
            f"{_bytes(size.block_bytes(1))} per replication, {_bytes(size.kpi_bytes)} of KPI tables)"
        )
    hint = (
        f"fewer replications ({options[0]}), a shorter horizon_days, or less annual_volume or larger "
        "parcels for the flows that dominate"
    )
    if advice:
        hint += f"; {advice}"
    raise InputError(
        [
            Problem(
                where,
                None,
                path,
                estimate,
                f"{expected}. Flows that dominate: {flows}. To make it fit: {hint}",
            )
        ]
    )


def _count(value: float) -> str:
    """A count for messages: 2.3 million, 850,000, inf."""
    if not math.isfinite(value):
        return "infinitely many"
    if value >= 1e6:
        return f"{value / 1e6:,.1f} million"
    return f"{value:,.0f}"


def _bytes(value: float) -> str:
    """A size for messages in MB or GB."""
    if not math.isfinite(value):
        return "unbounded memory"
    return f"{value / 2**30:,.1f} GB" if value >= 2**30 else f"{value / 2**20:,.0f} MB"
