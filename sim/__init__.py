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
(:mod:`sim.results.destinations`). Everything but the errors and the version loads on first use, so
importing :mod:`sim` (or its engines, or the command line for ``--help``) imports neither pandas nor the
scenario models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.errors import InputError, Problem
from sim.results.destinations import OutputError
from sim.version import __version__

if TYPE_CHECKING:
    from sim.experiments.api import bottlenecks, compare, sweep
    from sim.runner import RunResult, run, write_run
    from sim.scenario import Scenario, load_scenario, scenario_hash

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

_LAZY = {
    "RunResult": "sim.runner",
    "run": "sim.runner",
    "write_run": "sim.runner",
    "Scenario": "sim.scenario",
    "load_scenario": "sim.scenario",
    "scenario_hash": "sim.scenario",
    "bottlenecks": "sim.experiments.api",
    "compare": "sim.experiments.api",
    "sweep": "sim.experiments.api",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
