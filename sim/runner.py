"""Run a scenario: build the network, draw the Plan, simulate with an engine, tabulate and summarise.

This is the Python API behind ``corridor run``: :func:`run` returns a :class:`RunResult`; :func:`write_run`
writes its files atomically.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.drawing import draw_plan
from sim.engines import DEFAULT_ENGINE, check_engine, get_engine, simulate_points
from sim.errors import InputError, Problem
from sim.footprint import Footprint, check_footprint, combined, footprint
from sim.network import Network, build_network
from sim.plan import Plan
from sim.results.diversions import Diversions, diversion_tables, routes_taken
from sim.results.files import VISITS, atomic_directory, write_json, write_parquet
from sim.results.kpis import KpiBlocks, joined_frame, summarise
from sim.results.provenance import provenance, run_details
from sim.results.tables import (
    shipments_arrow,
    shipments_table,
    stations_table,
    visits_arrow,
    visits_table,
)
from sim.results.traffic import Background
from sim.scenario.loader import dump_scenario
from sim.scenario.model import Scenario
from sim.trace import Trace

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from sim.results.ledger import ShipmentLedger

__all__ = ["DEFAULT_ENGINE", "VISITS", "RunResult", "run", "run_points", "write_run"]

Progress = Callable[[int, int], None]
"""Called with (replications done, replications in all)."""


@dataclass(frozen=True)
class RunResult:
    """A finished run: its inputs, Plan, Trace and (lazily) its tables and KPIs."""

    scenario: Scenario
    network: Network
    plan: Plan
    trace: Trace
    engine: str
    seed: int
    wall_time_s: float
    diversions: Diversions | None = None
    """Which shipments diverted (:mod:`sim.results.diversions`); ``plan`` and ``trace`` are the ways taken."""
    engine_time_s: float = 0.0
    """Of ``wall_time_s``, the seconds spent in the engine and finding the ways the ships took (the rest:
    network, Plan), when measured."""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def replications(self) -> list[int]:
        """Global replication numbers in this result."""
        return list(self.plan.replications)

    @cached_property
    def visits(self) -> pd.DataFrame:
        """One row per visit (see :mod:`sim.results.tables`)."""
        return visits_table(self.plan, self.trace)

    @cached_property
    def shipments(self) -> pd.DataFrame:
        """One row per shipment."""
        table = shipments_table(self.plan, self.trace, self.scenario)
        if self.diversions is not None and self.diversions.diverts:
            table["diverted"] = self.diversions.shipments_column(self.plan.n_shipments)
        return table.join(self.ledger) if has_ledger(self.scenario) else table

    @cached_property
    def ledger(self) -> pd.DataFrame:
        """The shipments' cost and emission columns (:func:`sim.results.ledger.ledger_columns`)."""
        from sim.results.ledger import ledger_frame

        return ledger_frame(self._shipment_ledger)

    @cached_property
    def _shipment_ledger(self) -> ShipmentLedger:
        from sim.results.ledger import shipment_ledger

        return shipment_ledger(self.scenario, self.plan, self.trace)

    @cached_property
    def stations(self) -> pd.DataFrame:
        """One row per station."""
        return stations_table(self.network, self.scenario)

    @cached_property
    def kpis_by_replication(self) -> pd.DataFrame:
        """KPIs per replication, long form."""
        from sim.results.choice_kpis import choice_kpis_by_replication, has_choice

        ledger = self._shipment_ledger if has_ledger(self.scenario) else None
        blocks = KpiBlocks(self.scenario, self.plan.network)
        blocks.add(self.plan, self.trace, None if ledger is None else ledger.delivered)
        diversions = None
        if self.diversions is not None:
            window = (self.scenario.warmup_h, self.scenario.horizon_h)
            diversions = diversion_tables(self.diversions, window)
        choices = None
        if has_choice(self.scenario):
            choices = choice_kpis_by_replication(self.scenario, self.plan, self.trace)
        ledgers = []
        if ledger is not None:
            from sim.results.ledger_kpis import ledger_kpi_tables

            ledgers.append(ledger_kpi_tables(self.scenario, self.plan, ledger))
        return joined_frame(blocks, diversions, choices, ledgers)

    @cached_property
    def kpis(self) -> pd.DataFrame:
        """KPI means with 95% confidence intervals across replications."""
        return summarise(self.kpis_by_replication)

    @property
    def provenance(self) -> dict[str, Any]:
        """Deterministic provenance (scenario hash, seed, engine, replications, versions)."""
        return provenance(self.scenario, self.engine, self.seed, self.replications)


def run(
    scenario: Scenario,
    engine: str = DEFAULT_ENGINE,
    replications: int | None = None,
    seed: int | None = None,
    first_replication: int = 0,
    progress: Progress | None = None,
) -> RunResult:
    """Simulate a scenario.

    Parameters
    ----------
    scenario : Scenario
        From :func:`sim.load_scenario`.
    engine : str
        ``"reference"`` (SimPy) or another name in :data:`sim.engines.ENGINES`.
    replications : int, optional
        How many replications (default: the scenario's).
    seed : int, optional
        Root seed (default: the scenario's).
    first_replication : int
        Number of the first replication; replication ``r`` draws the same numbers whichever block it runs in.
    progress : callable, optional
        Called as ``progress(done, total)`` after each block of replications.

    Raises
    ------
    InputError
        Bad arguments, or a run that cannot be held in the memory available (:mod:`sim.footprint`; checked
        before anything is drawn — :func:`sim.streaming.run_streamed` runs it block by block instead).
    """
    unknown = check_engine(engine, "<arguments>", ("engine",))
    if unknown:
        raise InputError(unknown)
    count = scenario.replications if replications is None else replications
    if count < 1 or first_replication < 0:
        raise InputError([Problem("<arguments>", None, ("replications",), str(count), "at least 1")])
    root = scenario.seed if seed is None else seed
    began = time.perf_counter()
    network = build_network(scenario)
    check_footprint(
        footprint(scenario, network, count),
        whole=True,
        advice="`corridor run` streams replications block by block",
    )
    plan = draw_plan(scenario, network, range(first_replication, first_replication + count), root)
    simulating = time.perf_counter()
    routed = routes_taken(plan, simulate_plan(plan, engine, progress))
    ended = time.perf_counter()
    return _result(scenario, network, routed, engine, root, ended - began, ended - simulating)


def run_points(
    scenarios: list[Scenario],
    seeds: list[int],
    engine: str = DEFAULT_ENGINE,
    replications: int = 1,
    first_replication: int = 0,
    networks: Sequence[Network] | None = None,
    sizes: Sequence[Footprint] | None = None,
) -> list[RunResult]:
    """Simulate several scenarios — sweep points — in one engine run (:func:`sim.engines.simulate_points`).

    Each result equals :func:`run` of its scenario with the same seed and replications, bit for bit; the
    vector engine computes the points' copies of each multi-berth pool and cycle together. Scenarios with
    different horizons are run in one engine run per horizon. ``wall_time_s`` and ``engine_time_s`` of each
    result are the run's wall and engine time shared out by visits.

    ``networks`` (each scenario's :func:`~sim.network.build_network`) and ``sizes`` (its
    :func:`~sim.footprint.footprint` for ``replications``) may be given by a caller that keeps them between
    runs (a sweep worker, :mod:`sim.experiments.sweep.built`); they are built here otherwise.
    """
    began = time.perf_counter()
    if networks is None:
        networks = [build_network(scenario) for scenario in scenarios]
    if sizes is None:
        sizes = [footprint(sc, net, replications) for sc, net in zip(scenarios, networks, strict=True)]
    if sizes:
        check_footprint(combined(sizes, f"{len(sizes)} sweep points"), whole=True)
    numbers = range(first_replication, first_replication + replications)
    plans = [
        draw_plan(sc, net, numbers, seed) for sc, net, seed in zip(scenarios, networks, seeds, strict=True)
    ]
    traces: list[Trace | None] = [None] * len(plans)
    simulating = time.perf_counter()
    for horizon in sorted({plan.horizon_h for plan in plans}):
        which = [k for k, plan in enumerate(plans) if plan.horizon_h == horizon]
        for k, trace in zip(which, simulate_points(engine, [plans[k] for k in which]), strict=True):
            traces[k] = trace
    routed = [
        routes_taken(plan, trace) if trace is not None else None
        for plan, trace in zip(plans, traces, strict=True)
    ]
    ended = time.perf_counter()
    seconds, in_engine = ended - began, ended - simulating
    visits = sum(plan.n_visits for plan in plans) or 1
    return [
        _result(
            sc,
            net,
            ways,
            engine,
            seed,
            seconds * plan.n_visits / visits,
            in_engine * plan.n_visits / visits,
        )
        for sc, net, plan, ways, seed in zip(scenarios, networks, plans, routed, seeds, strict=True)
        if ways is not None
    ]


def _result(
    scenario: Scenario,
    network: Network,
    routed: tuple[Plan, Trace, Diversions | None],
    engine: str,
    seed: int,
    wall_time_s: float,
    engine_time_s: float,
) -> RunResult:
    """The result of a run, from the ways its shipments took (:func:`sim.results.diversions.routes_taken`).

    ``engine_time_s`` counts finding those ways with the engine's run, as a streamed run's stages do.
    """
    taken, times, diversions = routed
    return RunResult(
        scenario, network, taken, times, engine, seed, wall_time_s, diversions, engine_time_s=engine_time_s
    )


def simulate_plan(plan: Plan, engine: str, progress: Progress | None = None) -> Trace:
    """The Trace of ``plan`` by engine ``engine``: the reference engine one replication at a time.

    ``progress(done, total)`` is called after each replication (reference) or once (other engines).
    """
    simulate = get_engine(engine)
    total = len(plan.replications)
    block = 1 if engine == "reference" else max(total, 1)
    parts = []
    for start in range(0, total, block):
        stop = min(start + block, total)
        parts.append(simulate(plan.block(start, stop)))
        if progress is not None:
            progress(stop, total)
    return Trace(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("arrive", "start", "end")))


def kpi_records(result: RunResult) -> dict[str, Any]:
    """``kpis.json`` content: window, replications, the background traffic and every KPI table as records."""
    return kpi_document(result.scenario, result.network, result.replications, result.kpis)


def kpi_document(
    scenario: Scenario, network: Network, replications: list[int], summary: pd.DataFrame
) -> dict[str, Any]:
    """``kpis.json`` content from the KPI summary (:func:`sim.results.kpis.summarise`) of ``replications``."""
    return {
        "window_h": [scenario.warmup_h, scenario.horizon_h],
        "replications": replications,
        "confidence": 0.95,
        "background": Background.of(scenario, network).as_json(),
        "tables": _records_by_table(summary),
    }


def _records_by_table(summary: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The summary's rows as records (``table`` left out), by table in order of first appearance.

    What ``groupby("table", sort=False)`` and ``to_dict(orient="records")`` give, from each column's values
    listed once (a tenth of the time: ~4,500 rows for ``baseline_2024``, every run).
    """
    names = summary["table"].tolist()
    columns = [str(column) for column in summary.columns if column != "table"]
    rows = zip(*(summary[column].tolist() for column in columns), strict=True)
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, row in zip(names, rows, strict=True):
        if isinstance(name, str):  # a group-by leaves out rows without a table
            tables.setdefault(name, []).append(dict(zip(columns, row, strict=True)))
    return tables


def has_ledger(scenario: Scenario) -> bool:
    """Whether the scenario has a cost or emission ledger (``costs:`` or ``emissions:``)."""
    return scenario.costs is not None or scenario.emissions is not None


def shipments_file_table(
    plan: Plan,
    trace: Trace,
    scenario: Scenario,
    ledger: pd.DataFrame | None,
    diversions: Diversions | None = None,
) -> pa.Table:
    """The shipments as an Arrow table, as in ``shipments``.

    ``diverted`` follows when a flow's ships divert (``left`` is a column of the table itself when a flow's
    ships leave), then the ledger's columns (if any).
    """
    import pyarrow as pa

    table = shipments_arrow(plan, trace, scenario)
    if diversions is not None and diversions.diverts:
        table = table.append_column("diverted", pa.array(diversions.shipments_column(plan.n_shipments)))
    if ledger is not None:
        for name, column in ledger.items():
            table = table.append_column(str(name), pa.array(column.to_numpy(np.float64)))
    return table


def write_run(
    result: RunResult, out: Path, visits: str = "all", extra_json: dict[str, Any] | None = None
) -> Path:
    """Write every result file of ``result`` into ``out`` atomically; return ``out``.

    With ``visits="none"`` there is no ``visits.parquet`` (the largest file by far): the KPIs, shipments
    and stations are written as always, and ``provenance.json`` says ``"visits": "none"``. ``extra_json``
    adds JSON files by name (``equilibrium.json`` of ``corridor run --equilibrium``).

    Raises
    ------
    OutputError
        When ``out`` exists and is not a run directory, cannot be written, or another process is writing it
        (see :mod:`sim.results.destinations`); nothing is written then.
    """
    if visits not in VISITS:
        raise InputError([Problem("<arguments>", None, ("visits",), visits, " or ".join(VISITS))])
    stamp = result.provenance
    with atomic_directory(out, "run") as scratch:
        if visits == "all":
            write_parquet(visits_arrow(result.plan, result.trace), scratch / "visits.parquet", stamp)
        ledger = result.ledger if has_ledger(result.scenario) else None
        shipments = shipments_file_table(
            result.plan, result.trace, result.scenario, ledger, result.diversions
        )
        write_parquet(shipments, scratch / "shipments.parquet", stamp)
        write_parquet(result.stations, scratch / "stations.parquet", stamp)
        write_parquet(result.kpis_by_replication, scratch / "kpis_by_replication.parquet", stamp)
        write_json(kpi_records(result), scratch / "kpis.json")
        details = {**stamp, **run_details(result.wall_time_s), "visits": visits}
        write_json(details, scratch / "provenance.json")
        (scratch / "scenario.yaml").write_text(dump_scenario(result.scenario), encoding="utf-8")
        for name, content in (extra_json or {}).items():
            write_json(content, scratch / name)
    return out
