"""corridor-sim: discrete-event simulation of trade corridors.

The Python API mirrors the command line::

    import sim
    scenario = sim.load_scenario("scenarios/baseline_2024.yaml")
    result = sim.run(scenario, replications=5, seed=1)
    result.kpis          # means with 95% confidence intervals
    sim.write_run(result, "results/baseline_2024")

Experiments mirror ``corridor compare``, ``bottlenecks`` and ``sweep``, returning DataFrames and figures::

    comparison = sim.compare("baseline_2024", ["panama_drought_2023_24"], replications=5)
    comparison.table, comparison.figure()
    ranking = sim.bottlenecks("demo_two_ports")     # ranking.table, ranking.figure()
    report = sim.sweep("sweep.yaml", "results/sweep")  # report.summary, report.ranking, report.plots

``write_run`` refuses (:class:`OutputError`, an :class:`InputError`) a path holding anything but a run
(:mod:`sim.results.destinations`). ``run``, ``write_run``, ``RunResult``, ``compare``, ``bottlenecks`` and
``sweep`` load on first use, so importing :mod:`sim` (or its engines) does not import pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.errors import InputError, Problem
from sim.results.destinations import OutputError
from sim.scenario import Scenario, load_scenario, scenario_hash
from sim.version import __version__

if TYPE_CHECKING:
    from sim.experiments.api import bottlenecks, compare, sweep
    from sim.runner import RunResult, run, write_run

__all__ = [
    "InputError",
    "OutputError",
    "Problem",
    "RunResult",
    "Scenario",
    "__version__",
    "bottlenecks",
    "compare",
    "load_scenario",
    "run",
    "scenario_hash",
    "sweep",
    "write_run",
]

_LAZY = {"RunResult", "run", "write_run"}
_EXPERIMENTS = {"bottlenecks", "compare", "sweep"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from sim import runner

        return getattr(runner, name)
    if name in _EXPERIMENTS:
        from sim.experiments import api

        return getattr(api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
