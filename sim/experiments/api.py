"""The Python face of the experiments: ``sim.compare``, ``sim.bottlenecks`` and ``sim.sweep``.

Each mirrors its ``corridor`` command (same defaults, same files when ``out`` is given) and returns the tables
as pandas DataFrames with the figures beside them::

    import sim
    result = sim.compare("baseline_2024", ["panama_drought_2023_24"], replications=5)
    result.table                               # one row per (variant, KPI): paired differences, 95 % CI
    result.figure("panama_drought_2023_24")    # forest plot (a matplotlib Figure)

Scenarios may be given as loaded :class:`~sim.scenario.model.Scenario` objects, file paths or library names
(``corridor scenarios`` lists them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.experiments.bottlenecks import rank_bottlenecks, write_bottlenecks
from sim.experiments.compare import Comparison, run_comparison, write_comparison
from sim.runner import DEFAULT_ENGINE
from sim.scenario.library import resolve_scenario
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario

if TYPE_CHECKING:
    from sim.analysis.report.sweep import SweepReport

__all__ = ["Bottlenecks", "bottlenecks", "compare", "sweep"]

ScenarioLike = Scenario | str | Path


def _scenario(value: ScenarioLike) -> Scenario:
    return value if isinstance(value, Scenario) else load_scenario(resolve_scenario(value))


def compare(
    base: ScenarioLike,
    variants: ScenarioLike | Sequence[ScenarioLike],
    *,
    replications: int | None = None,
    seed: int | None = None,
    engine: str = DEFAULT_ENGINE,
    precision: float | None = None,
    max_replications: int = 50,
    out: str | Path | None = None,
) -> Comparison:
    """Compare variants with a base on common random numbers (``corridor compare``).

    Parameters
    ----------
    base, variants : Scenario, path or library name
        The base scenario and one or more variants.
    replications, seed, engine, precision, max_replications
        As the command's options (defaults: the base scenario's replications and seed).
    out : path, optional
        Also write the comparison directory there (``comparison.csv``, ``warmup.csv``, ``runs/``…).

    Returns
    -------
    Comparison
        ``table`` (paired differences per variant and KPI), ``warmup`` (MSER-5), ``precision``, and
        :meth:`~sim.experiments.compare.Comparison.figure` for each variant's forest plot.
    """
    many = [variants] if isinstance(variants, Scenario | str | Path) else list(variants)
    result = run_comparison(
        _scenario(base),
        [_scenario(v) for v in many],
        replications=replications,
        seed=seed,
        engine=engine,
        precision=precision,
        max_replications=max_replications,
    )
    if out is not None:
        write_comparison(result, Path(out))
    return result


@dataclass(frozen=True)
class Bottlenecks:
    """A bottleneck ranking (``corridor bottlenecks``).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per degraded station, most harmful first: throughput change (t/yr) and transit change
        (h per tonne) with paired 95 % intervals.
    fraction : float
        Share of capacity each station lost.
    scenario : Scenario
        The scenario ranked (its stations are named from it in the figure).
    """

    table: pd.DataFrame
    fraction: float
    scenario: Scenario

    def figure(self, top: int = 15) -> Any:
        """The ranking's figure (matplotlib ``Figure``) for the ``top`` most harmful stations, by name."""
        from sim.analysis.figures.forest import plot_bottlenecks
        from sim.analysis.figures.names import names_of_scenario

        return plot_bottlenecks(self.table, top=top, names=names_of_scenario(self.scenario))


def bottlenecks(
    scenario: ScenarioLike,
    fraction: float = 0.25,
    *,
    replications: int | None = None,
    seed: int | None = None,
    engine: str = "vector",
    include_legs: bool = True,
    out: str | Path | None = None,
) -> Bottlenecks:
    """Rank stations by what losing ``fraction`` of their capacity costs (``corridor bottlenecks``).

    With ``out``, also writes ``bottlenecks.csv``, ``.parquet`` and ``.png`` there, as the command does.
    """
    loaded = _scenario(scenario)
    table = rank_bottlenecks(
        loaded,
        fraction,
        replications=replications,
        seed=seed,
        engine=engine,
        include_legs=include_legs,
    )
    ranking = Bottlenecks(table, fraction, loaded)
    if out is not None:
        write_bottlenecks(
            table, loaded, Path(out), fraction=fraction, replications=replications, seed=seed, engine=engine
        )
    return ranking


def sweep(
    spec: str | Path, out: str | Path, *, workers: int | None = None, resume: bool = False
) -> SweepReport:
    """Run a sweep file on a local process pool and report it (``corridor sweep`` + ``sweep-report``).

    Parameters
    ----------
    spec : path
        The sweep file (see docs/sweeps.md).
    out : path
        The sweep directory; the report goes to ``out/report``.
    workers : int, optional
        Worker processes (default: CPU count).
    resume : bool
        Continue a sweep already in ``out``.

    Returns
    -------
    sim.analysis.report.sweep.SweepReport
        ``summary`` (KPIs per point), ``headline()``, ``sensitivity``, ``ranking`` (DataFrames) and ``plots``
        (the response figures written, PNG paths).
    """
    from sim.analysis.report.sweep import sweep_report
    from sim.experiments.sweep.driver import run_sweep
    from sim.experiments.sweep.executors import make_executor
    from sim.experiments.sweep.plan import plan_sweep
    from sim.experiments.sweep.spec import load_sweep

    plan = plan_sweep(load_sweep(Path(spec)))
    run_sweep(plan, Path(out), make_executor("local", workers), resume)
    return sweep_report(Path(out))
