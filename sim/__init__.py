"""corridor-sim: discrete-event simulation of trade corridors.

The Python API mirrors the command line::

    import sim
    scenario = sim.load_scenario("scenarios/baseline_2024.yaml")
    result = sim.run(scenario, replications=5, seed=1)
    result.kpis          # means with 95% confidence intervals
    sim.write_run(result, "results/baseline_2024")

Everything but the errors and the version loads on first use, so importing :mod:`sim` (or its engines, or
the command line for ``--help``) imports neither pandas nor the scenario models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.errors import InputError, Problem
from sim.version import __version__

if TYPE_CHECKING:
    from sim.runner import RunResult, run, write_run
    from sim.scenario import Scenario, load_scenario, scenario_hash

__all__ = [
    "InputError",
    "Problem",
    "RunResult",
    "Scenario",
    "__version__",
    "load_scenario",
    "run",
    "scenario_hash",
    "write_run",
]

_LAZY = {
    "RunResult": "sim.runner",
    "run": "sim.runner",
    "write_run": "sim.runner",
    "Scenario": "sim.scenario",
    "load_scenario": "sim.scenario",
    "scenario_hash": "sim.scenario",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
