"""A run streamed block by block: drawn, simulated, reduced and written one block of replications at a time.

This is what ``corridor run`` does. Replications are independent and draw from keyed streams, so a block
of replications is drawn alone (:func:`sim.drawing.draw_plan` over its numbers), simulated alone, reduced to
per-replication KPI tables (:class:`sim.results.kpis.KpiBlocks`; the ledger's the same way) and handed, as
Arrow tables, to the threads writing the shipments and visits files as Parquet row groups
(:class:`sim.results.threaded.ThreadedRows`), which encode and compress one block while the next is drawn
and simulated. Memory is bounded by one block, the table of the block being written and the small
per-replication tables; the files are byte for byte those of :func:`sim.runner.write_run` on the whole run
held in memory, whatever the block size.

The block size comes from the run's footprint (:mod:`sim.footprint`): as many replications as fit in the
memory budget of one block, which also refuses — before anything is drawn — a run that cannot fit even one
replication at a time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.arrays import FloatArray
from sim.available_memory import available_bytes
from sim.drawing import draw_plan
from sim.engines import DEFAULT_ENGINE, check_engine
from sim.errors import InputError, Problem
from sim.footprint import BASE_BYTES, Footprint, block_budget, check_footprint, footprint
from sim.network import Network, build_network
from sim.plan import Plan
from sim.results.diversions import Diversions, diversion_tables, routes_taken
from sim.results.files import VISITS, ParquetRows, atomic_directory, write_json, write_parquet
from sim.results.kpis import KpiBlocks, joined_frame, summarise
from sim.results.long_form import LongTable, joined_blocks
from sim.results.provenance import provenance, run_details
from sim.results.tables import stations_table, visits_arrow
from sim.results.threaded import ThreadedRows
from sim.runner import Progress, has_ledger, kpi_document, shipments_file_table, simulate_plan
from sim.scenario.loader import dump_scenario
from sim.scenario.model import Scenario
from sim.trace import Trace

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["StreamedRun", "run_streamed"]


@dataclass(frozen=True)
class StreamedRun:
    """A run written by :func:`run_streamed`: what its summary needs, without its visits or shipments.

    Attributes
    ----------
    scenario : Scenario
        The scenario run.
    engine : str
        Engine name.
    seed : int
        Root seed.
    replications : list of int
        Replication numbers, in order.
    kpis_by_replication : pandas.DataFrame
        The long per-replication KPI table (``kpis_by_replication.parquet``).
    kpis : pandas.DataFrame
        Its summary (``kpis.json``).
    footprint : Footprint
        The estimate the run was sized by.
    blocks : int
        Blocks of replications the run was cut into.
    wall_time_s : float
        Drawing, simulating, reducing and writing (s).
    """

    scenario: Scenario
    engine: str
    seed: int
    replications: list[int]
    kpis_by_replication: pd.DataFrame
    kpis: pd.DataFrame
    footprint: Footprint
    blocks: int
    wall_time_s: float


def run_streamed(
    scenario: Scenario,
    out: Path,
    engine: str = DEFAULT_ENGINE,
    replications: int | None = None,
    seed: int | None = None,
    visits: str = "all",
    progress: Progress | None = None,
    block_replications: int | None = None,
    max_shipments: float | None = None,
    max_memory_gb: float | None = None,
    where: str = "<arguments>",
) -> StreamedRun:
    """Simulate ``scenario`` and write its run directory ``out``, one block of replications at a time.

    Parameters
    ----------
    scenario : Scenario
        From :func:`sim.load_scenario`.
    out : Path
        The run directory (written atomically, as by :func:`sim.runner.write_run`).
    engine, replications, seed
        As for :func:`sim.runner.run`.
    visits : str
        ``"all"`` (write ``visits.parquet``) or ``"none"``.
    progress : callable, optional
        ``progress(done, total)`` after each block is simulated *and* written (replications).
    block_replications : int, optional
        Replications per block (default: as many as the memory budget of a block allows).
    max_shipments : float, optional
        Refuse a run expected to draw more shipments than this over all its replications.
    max_memory_gb : float, optional
        Memory the run may use (GB, 2**30 bytes) when less than what is available: blocks are sized to fit
        in it, and a run that cannot fit is refused.
    where : str
        Who asked, for messages: ``<arguments>`` (the API) or ``<command line>``.

    Raises
    ------
    InputError
        Bad arguments, or a run that cannot fit in memory even one replication at a time, or that exceeds
        ``max_shipments`` (:func:`sim.footprint.check_footprint`); nothing is drawn then.
    OutputError
        When ``out`` may not be written (see :mod:`sim.results.destinations`).
    """
    count = _count(scenario, engine, replications, visits, where)
    root = scenario.seed if seed is None else seed
    clock = Stages()
    network = build_network(scenario)
    size = footprint(scenario, network, count)
    room = available_bytes() if max_memory_gb is None else min(available_bytes(), max_memory_gb * 2**30)
    check_footprint(size, max_shipments=max_shipments, available=room, where=where)
    budget = min(block_budget(), room - BASE_BYTES - size.kpi_bytes)
    step = block_replications if block_replications is not None else size.replications_per_block(budget)
    numbers = list(range(count))
    stamp = provenance(scenario, engine, root, numbers)
    blocks = [numbers[first : first + step] for first in range(0, count, step)]
    kpis = KpiBlocks(scenario, network)
    ledgers: list[list[LongTable]] = []
    extra = _Extra(scenario)
    with atomic_directory(out, "run") as scratch:
        shipments = ThreadedRows(ParquetRows(scratch / "shipments.parquet", stamp))
        visit_rows = ThreadedRows(ParquetRows(scratch / "visits.parquet", stamp)) if visits == "all" else None
        writers = [shipments] if visit_rows is None else [shipments, visit_rows]
        with contextlib.ExitStack() as stack:
            for writer in writers:
                stack.enter_context(writer)
            for block in blocks:
                with clock("plan"):
                    plan = draw_plan(scenario, network, block, root)
                with clock("engine"):
                    trace = simulate_plan(plan, engine)
                    plan, trace, diversions = routes_taken(plan, trace)  # the ways the ships took
                with clock("files"):  # the tables; their files are written by the writers' threads
                    if visit_rows is not None:  # now: it is written while the block's KPIs are computed
                        visit_rows.write(visits_arrow(plan, trace))
                with clock("kpis"):
                    ledger, delivered = _ledger(scenario, plan, trace, ledgers)
                    kpis.add(plan, trace, delivered)
                    extra.add(plan, trace, diversions)
                with clock("files"):
                    shipments.write(shipments_file_table(plan, trace, scenario, ledger, diversions))
                del plan, trace, ledger, diversions
                if progress is not None:
                    progress(block[-1] + 1, count)
            with clock("files"):
                for writer in writers:  # their last row groups, while the KPIs are joined and written
                    writer.finish()
            with clock("kpis"):
                by_replication = _joined(kpis, extra, ledgers, [len(block) for block in blocks])
                summary = summarise(by_replication)
            with clock("files"):
                _write_tables(scenario, network, numbers, by_replication, summary, scratch, stamp)
                stack.close()
        details = {
            **run_details(clock.total),
            "stages_s": clock.rounded(),
            "blocks": len(blocks),
            "writer_threads_s": {w.rows.path.name: round(w.busy_s, 3) for w in writers},
        }
        write_json({**stamp, **details, "visits": visits}, scratch / "provenance.json")
    return StreamedRun(
        scenario, engine, root, numbers, by_replication, summary, size, len(blocks), clock.total
    )


def _count(scenario: Scenario, engine: str, replications: int | None, visits: str, where: str) -> int:
    """The number of replications to run, once the arguments are checked."""
    problems = check_engine(engine, where, ("engine",))
    count = scenario.replications if replications is None else replications
    if count < 1:
        problems.append(Problem(where, None, ("replications",), str(count), "at least 1"))
    if visits not in VISITS:
        problems.append(Problem(where, None, ("visits",), visits, " or ".join(VISITS)))
    if problems:
        raise InputError(problems)
    return count


def _write_tables(
    scenario: Scenario,
    network: Network,
    numbers: list[int],
    by_replication: pd.DataFrame,
    summary: pd.DataFrame,
    scratch: Path,
    stamp: dict[str, Any],
) -> None:
    """The files written once every block is in: stations, the KPIs, the resolved scenario."""
    write_parquet(stations_table(network, scenario), scratch / "stations.parquet", stamp)
    write_parquet(by_replication, scratch / "kpis_by_replication.parquet", stamp)
    write_json(kpi_document(scenario, network, numbers, summary), scratch / "kpis.json")
    (scratch / "scenario.yaml").write_text(dump_scenario(scenario), encoding="utf-8")


class Stages:
    """Wall time spent in each stage of a run (s): ``with stages("plan"): ...`` adds to ``plan``."""

    def __init__(self) -> None:
        self.began = time.perf_counter()
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        """Time the block as part of ``stage``."""
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - began

    @property
    def total(self) -> float:
        """Seconds since the clock was made."""
        return time.perf_counter() - self.began

    def rounded(self) -> dict[str, float]:
        """Each stage's seconds to the millisecond, for ``provenance.json``."""
        return {stage: round(seconds, 3) for stage, seconds in self.seconds.items()}


def _ledger(
    scenario: Scenario, plan: Plan, trace: Trace, ledgers: list[list[LongTable]]
) -> tuple[pd.DataFrame | None, FloatArray | None]:
    """The block's ledger columns and its shipments' delivery times (None, None without a ledger).

    Its ledger KPI tables go to ``ledgers``.
    """
    if not has_ledger(scenario):
        return None, None
    from sim.results.ledger import ledger_frame, shipment_ledger
    from sim.results.ledger_kpis import ledger_kpi_tables

    ledger = shipment_ledger(scenario, plan, trace)
    ledgers.append(ledger_kpi_tables(scenario, plan, ledger))
    return ledger_frame(ledger), ledger.delivered


def _joined(kpis: KpiBlocks, extra: _Extra, ledgers: list[list[LongTable]], sizes: list[int]) -> pd.DataFrame:
    """The long KPI table of every block (:func:`~sim.results.kpis.joined_frame`)."""
    return joined_frame(kpis, extra.diversions(), extra.choice_frame(sizes), ledgers)


class _Extra:
    """The diversion and route-choice KPIs of a run's blocks (:mod:`sim.results.diversions`, ``choice_kpis``).

    Diversion KPIs list only the flows that had shipments, so the blocks' diversion records (one row per
    shipment of a flow with a diversion: small) are joined and reduced once at the end; route-choice tables
    list every (route, metric) cell with each block's replications, so they are joined cell by cell.
    """

    def __init__(self, scenario: Scenario) -> None:
        from sim.results.choice_kpis import has_choice

        self.scenario = scenario
        self.choice = has_choice(scenario)
        self.records: list[Diversions] = []
        self.choices: list[pd.DataFrame] = []
        self.shipments = 0
        self.replications = 0

    def add(self, plan: Plan, trace: Trace, diversions: Diversions | None) -> None:
        """Keep what the block's diversion and choice KPIs need (``plan``: the ways taken)."""
        if diversions is not None:
            self.records.append(
                dataclasses.replace(
                    diversions,
                    rows=diversions.rows + self.shipments,
                    rep=diversions.rep + self.replications,
                )
            )
        if self.choice:
            from sim.results.choice_kpis import choice_kpis_by_replication

            self.choices.append(choice_kpis_by_replication(self.scenario, plan, trace))
        self.shipments += plan.n_shipments
        self.replications += len(plan.replications)

    def diversions(self) -> list[LongTable] | None:
        """The diversion tables of every block (:func:`~sim.results.diversions.diversion_tables`).

        None when no flow has a diversion.
        """
        if not self.records:
            return None
        joined = Diversions.joined(self.records)
        return diversion_tables(joined, (self.scenario.warmup_h, self.scenario.horizon_h))

    def choice_frame(self, sizes: list[int]) -> pd.DataFrame | None:
        """The route-choice table of every block (None for a scenario without route choices)."""
        return joined_blocks(self.choices, sizes) if self.choices else None
