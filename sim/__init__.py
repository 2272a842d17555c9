"""corridor-sim: discrete-event simulation of trade corridors.

The Python API mirrors the command line::

    import sim
    scenario = sim.load_scenario("scenarios/baseline_2024.yaml")
    result = sim.run(scenario, replications=5, seed=1)
    result.kpis          # means with 95% confidence intervals
    sim.write_run(result, "results/baseline_2024")
"""

from sim.errors import InputError, Problem
from sim.runner import RunResult, run, write_run
from sim.scenario import Scenario, load_scenario, scenario_hash

__version__ = "0.1.0"

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
