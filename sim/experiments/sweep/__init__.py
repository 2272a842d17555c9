"""Parameter sweeps: many (scenario variant, block of replications) tasks on a process pool or a Dask cluster.

The Python API mirrors ``corridor sweep`` and ``corridor sweep-report``::

    from pathlib import Path
    from sim.experiments.sweep import load_sweep, make_executor, plan_sweep, run_sweep, sweep_report

    plan = plan_sweep(load_sweep("sweeps/soy_demand.yaml"))    # validate the file and every point's scenario
    run_sweep(plan, Path("results/soy_demand"), make_executor("local", workers=4), resume=True)
    report = sweep_report(Path("results/soy_demand"))          # KPIs per point, response plots, sensitivity

Results are identical whatever the executor, the worker count or interruptions: every task's file depends
only on its point and its replications (see :mod:`sim.results.sweep_store` for the layout, docs/sweeps.md
for more).
"""

from sim.analysis.report.sweep import SweepReport, sweep_report
from sim.experiments.sweep.driver import SweepError, SweepOutcome, run_sweep
from sim.experiments.sweep.executors import SweepEvents, make_executor
from sim.experiments.sweep.plan import SweepPlan, plan_sweep
from sim.experiments.sweep.spec import Sweep, load_sweep

__all__ = [
    "Sweep",
    "SweepError",
    "SweepEvents",
    "SweepOutcome",
    "SweepPlan",
    "SweepReport",
    "load_sweep",
    "make_executor",
    "plan_sweep",
    "run_sweep",
    "sweep_report",
]
