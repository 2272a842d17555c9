"""Parameter sweeps: many (scenario variant, block of replications) tasks on a process pool or a Dask cluster.

The Python API mirrors ``corridor sweep`` and ``corridor sweep-report``::

    from pathlib import Path
    from sim.sweep import load_sweep, make_executor, plan_sweep, run_sweep, sweep_report

    plan = plan_sweep(load_sweep("sweeps/soy_demand.yaml"))    # validate the file and every point's scenario
    run_sweep(plan, Path("results/soy_demand"), make_executor("local", workers=4), resume=True)
    report = sweep_report(Path("results/soy_demand"))          # KPIs per point, response plots, sensitivity

Results are identical whatever the executor, the worker count or interruptions: every task's file depends
only on its point and its replications (see :mod:`sim.sweep.store` for the layout, docs/sweeps.md for more).
"""

from sim.sweep.driver import SweepError, SweepOutcome, run_sweep
from sim.sweep.executor import SweepEvents, make_executor
from sim.sweep.plan import SweepPlan, plan_sweep
from sim.sweep.report import SweepReport, sweep_report
from sim.sweep.spec import Sweep, load_sweep

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
