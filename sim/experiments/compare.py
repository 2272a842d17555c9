"""Comparison experiments: run a base and variants with common random numbers, pair their KPIs, write it all.

This is the engine of ``corridor compare`` and one of the two places where analysis simulates (the other is
:mod:`sim.experiments.bottlenecks`). Every scenario runs with the same root seed and the same replication
numbers, so replication *r* of each scenario draws the same parcels and arrivals for the flows they share.
With a precision target, replications are added in blocks (replication *r* draws the same numbers whichever
block runs it) until every chosen KPI's paired interval is narrow enough relative to the base mean.

Output directory layout (written atomically)::

    comparison.csv / comparison.parquet   one row per (variant, KPI): differences with 95 % intervals
    comparison.json                       base, variants, seed, replications, precision and warm-up reports
    warmup.csv                            MSER-5 warm-up per scenario and station vs the configured warm-up
    runs/<scenario>/                      each scenario's run directory (the ``corridor run`` contract)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.stats.differences import sequential_replications
from sim.analysis.stats.kpi_differences import (
    DEFAULT_KPIS,
    PRECISION_KPIS,
    compare_kpis,
    paired_precision,
    select_kpis,
)
from sim.analysis.stats.warmup import warmup_report
from sim.results.files import atomic_directory, write_json, write_parquet
from sim.results.kpis import summarise
from sim.results.traffic import Background, without_background
from sim.runner import RunResult, run
from sim.scenario.loader import dump_scenario
from sim.scenario.model import Scenario

__all__ = ["Comparison", "PrecisionReport", "RunTables", "run_comparison", "write_comparison"]

Notify = Callable[[str], None]


@dataclass
class RunTables:
    """One scenario's result tables, gathered over one or more blocks of replications."""

    scenario: Scenario
    engine: str
    seed: int
    blocks: list[RunResult] = field(default_factory=list)

    def _concat(self, name: str) -> pd.DataFrame:
        frames: list[pd.DataFrame] = [getattr(block, name) for block in self.blocks]
        return pd.concat(frames, ignore_index=True)

    @property
    def visits(self) -> pd.DataFrame:
        """Visits of every replication run so far."""
        return self._concat("visits")

    @property
    def shipments(self) -> pd.DataFrame:
        """Shipments of every replication run so far."""
        return self._concat("shipments")

    @property
    def kpis_by_replication(self) -> pd.DataFrame:
        """Long per-replication KPIs of every replication run so far."""
        return self._concat("kpis_by_replication")

    @property
    def replications(self) -> list[int]:
        """Replication numbers run so far, in order."""
        return [r for block in self.blocks for r in block.replications]

    @property
    def provenance(self) -> dict[str, Any]:
        """Provenance of the combined replications."""
        stamp = dict(self.blocks[0].provenance)
        stamp["replications"] = self.replications
        stamp["wall_time_s"] = round(sum(block.wall_time_s for block in self.blocks), 3)
        return stamp


@dataclass(frozen=True)
class PrecisionReport:
    """How the sequential procedure ended.

    Attributes
    ----------
    target : float
        Requested relative half-width (e.g. 0.05).
    reached : bool
        True when every chosen KPI met it before the cap.
    replications : int
        Replications run per scenario.
    cap : int
        The cap.
    worst : pandas.DataFrame
        Achieved precision per (variant, KPI), worst first.
    """

    target: float
    reached: bool
    replications: int
    cap: int
    worst: pd.DataFrame


@dataclass(frozen=True)
class Comparison:
    """A finished comparison: the table of differences and everything needed to report it."""

    base: str
    variants: list[str]
    seed: int
    engine: str
    table: pd.DataFrame
    runs: dict[str, RunTables]
    warmup: pd.DataFrame
    precision: PrecisionReport | None
    background: bool = True
    """Whether the table compares background traffic's KPIs too (``--no-background``: False)."""

    def figure(self, variant: str | None = None, limit: int = 12) -> Any:
        """Forest plot (matplotlib ``Figure``) of one variant's differences (default: the first variant)."""
        from sim.analysis.figures.forest import plot_differences
        from sim.analysis.figures.names import Names, names_of_scenario

        names = Names()
        for tables in self.runs.values():  # flows and stations by name; the base's names first
            names = names.merged(names_of_scenario(tables.scenario))
        return plot_differences(self.table, variant or self.variants[0], self.base, limit=limit, names=names)


def _names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, made unique with a numeric suffix when two files share one."""
    seen: dict[str, int] = {}
    names = []
    for scenario in scenarios:
        count = seen.get(scenario.name, 0)
        seen[scenario.name] = count + 1
        names.append(scenario.name if count == 0 else f"{scenario.name}_{count + 1}")
    return names


def _run_block(runs: dict[str, RunTables], start: int, stop: int, notify: Notify | None) -> None:
    for name, tables in runs.items():
        if notify is not None:
            notify(f"{name}: replications {start}–{stop - 1}")
        tables.blocks.append(
            run(
                tables.scenario,
                engine=tables.engine,
                replications=stop - start,
                seed=tables.seed,
                first_replication=start,
            )
        )


def _precision_columns(runs: dict[str, RunTables], base: str) -> list[tuple[str, tuple[str, ...]]]:
    """(variant, KPI key) pairs the precision target applies to, fixed after the first block."""
    keys = ["table", "key", "period", "metric"]
    base_kpis = select_kpis(runs[base].kpis_by_replication, PRECISION_KPIS)
    present = set(map(tuple, base_kpis[keys].drop_duplicates().to_numpy().tolist()))
    return [(variant, kpi) for variant in runs if variant != base for kpi in sorted(present)]


def _values(runs: dict[str, RunTables], base: str, columns: list[tuple[str, tuple[str, ...]]]) -> np.ndarray:
    """Per-replication values: base columns for every (variant, KPI), then the variants' columns."""
    keys = ["table", "key", "period", "metric"]
    wide = {
        name: tables.kpis_by_replication.set_index([*keys, "replication"])["value"].unstack(keys)
        for name, tables in runs.items()
    }
    reps = runs[base].replications
    base_part = [wide[base].reindex(reps).get(kpi, pd.Series(np.nan, index=reps)) for _, kpi in columns]
    variant_part = [wide[v].reindex(reps).get(kpi, pd.Series(np.nan, index=reps)) for v, kpi in columns]
    return np.column_stack([*base_part, *variant_part]).astype(np.float64)


def run_comparison(
    base: Scenario,
    variants: Sequence[Scenario],
    *,
    replications: int | None = None,
    seed: int | None = None,
    engine: str = "reference",
    precision: float | None = None,
    max_replications: int = 50,
    notify: Notify | None = None,
    background: bool = True,
) -> Comparison:
    """Run base and variants with common random numbers and compare their KPIs.

    Parameters
    ----------
    base, variants : Scenario
        Loaded scenarios (:func:`sim.load_scenario`).
    replications : int, optional
        Replications per scenario (default: the base scenario's); with ``precision``, the first block.
    seed : int, optional
        Root seed shared by every scenario (default: the base scenario's).
    engine : str
        Simulation engine.
    precision : float, optional
        Target relative half-width of the paired differences of :data:`PRECISION_KPIS`, relative to the base
        mean (0.05 = ±5 %). Replications are added until it is met or ``max_replications`` is reached.
    max_replications : int
        Cap for the sequential procedure.
    notify : callable, optional
        Receives one-line progress messages.
    background : bool
        Compare the KPIs of background traffic too; ``False`` leaves them out of the table
        (:func:`sim.results.traffic.without_background`, each run by its own scenario's background).
    """
    names = _names([base, *variants])
    root = base.seed if seed is None else seed
    first = base.replications if replications is None else replications
    runs = {name: RunTables(s, engine, root) for name, s in zip(names, [base, *variants], strict=True)}
    report = None
    if precision is None:
        _run_block(runs, 0, first, notify)
    else:
        report = _sequential(runs, names[0], precision, max(2, first), max(max_replications, first), notify)
    kpis = {name: _kpis(tables, background) for name, tables in runs.items()}
    table = pd.concat(
        [compare_kpis(kpis[names[0]], kpis[v], v, DEFAULT_KPIS) for v in names[1:]], ignore_index=True
    )
    warmup = pd.concat(
        [
            warmup_report(t.visits, t.scenario.horizon_h, t.scenario.warmup_h).assign(scenario=name)
            for name, t in runs.items()
        ],
        ignore_index=True,
    )
    return Comparison(names[0], names[1:], root, engine, table, runs, warmup, report, background)


def _kpis(tables: RunTables, background: bool) -> pd.DataFrame:
    """A run's per-replication KPIs, without its background traffic's unless ``background``."""
    kpis = tables.kpis_by_replication
    return kpis if background else without_background(kpis, Background.of(tables.scenario))


def _sequential(
    runs: dict[str, RunTables], base: str, target: float, initial: int, cap: int, notify: Notify | None
) -> PrecisionReport:
    columns: list[tuple[str, tuple[str, ...]]] = []

    def sample(start: int, stop: int) -> np.ndarray:
        _run_block(runs, start, stop, notify)
        if not columns:
            columns.extend(_precision_columns(runs, base))
        return _values(runs, base, columns)[start:stop]

    outcome = sequential_replications(sample, target, initial=initial, cap=cap, criterion=paired_precision)
    worst = pd.DataFrame(
        {
            "variant": [v for v, _ in columns],
            "table": [k[0] for _, k in columns],
            "key": [k[1] for _, k in columns],
            "metric": [k[3] for _, k in columns],
            "relative_half_width": outcome.precision,
        }
    ).sort_values("relative_half_width", ascending=False, ignore_index=True)
    return PrecisionReport(target, outcome.reached, outcome.replications, cap, worst)


def _write_run(tables: RunTables, directory: Path) -> None:
    stamp = tables.provenance
    by_rep = tables.kpis_by_replication
    directory.mkdir(parents=True)
    write_parquet(tables.visits, directory / "visits.parquet", stamp)
    write_parquet(tables.shipments, directory / "shipments.parquet", stamp)
    write_parquet(tables.blocks[0].stations, directory / "stations.parquet", stamp)
    write_parquet(by_rep, directory / "kpis_by_replication.parquet", stamp)
    summary = summarise(by_rep)
    kpis = {
        "window_h": [tables.scenario.warmup_h, tables.scenario.horizon_h],
        "replications": tables.replications,
        "confidence": 0.95,
        "tables": {
            name: group.drop(columns="table").to_dict(orient="records")
            for name, group in summary.groupby("table", sort=False)
        },
    }
    write_json(kpis, directory / "kpis.json")
    write_json(stamp, directory / "provenance.json")
    (directory / "scenario.yaml").write_text(dump_scenario(tables.scenario), encoding="utf-8")


def comparison_metadata(result: Comparison) -> dict[str, Any]:
    """The ``comparison.json`` content."""
    meta: dict[str, Any] = {
        "base": result.base,
        "variants": result.variants,
        "seed": result.seed,
        "engine": result.engine,
        "replications": result.runs[result.base].replications,
        "method": "paired differences over common random numbers (same seed and replication numbers)",
        "confidence": 0.95,
        "scenario_hashes": {name: t.provenance["scenario_hash"] for name, t in result.runs.items()},
        "warmup": result.warmup.to_dict(orient="records"),
        "background": "compared" if result.background else "left out",
    }
    if result.precision is not None:
        meta["precision"] = {
            "target": result.precision.target,
            "reached": result.precision.reached,
            "replications": result.precision.replications,
            "cap": result.precision.cap,
            "worst": result.precision.worst.head(10).to_dict(orient="records"),
        }
    return meta


def write_comparison(result: Comparison, out: Path) -> Path:
    """Write the comparison directory atomically (layout in the module docstring); return ``out``.

    Raises
    ------
    OutputError
        When ``out`` exists and is not a comparison, cannot be written, or another process is writing it.
    """
    with atomic_directory(Path(out), "comparison") as scratch:
        result.table.to_csv(scratch / "comparison.csv", index=False)
        result.table.to_parquet(scratch / "comparison.parquet", index=False)
        result.warmup.to_csv(scratch / "warmup.csv", index=False)
        write_json(comparison_metadata(result), scratch / "comparison.json")
        for name, tables in result.runs.items():
            _write_run(tables, scratch / "runs" / name)
    return Path(out)
