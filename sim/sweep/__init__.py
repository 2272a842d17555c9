"""Parameter sweeps: many (scenario variant, block of replications) tasks on a process pool or a Dask cluster.

    sweep = load_sweep("sweeps/soy_growth.yaml")        # validate the sweep file
    plan = plan_sweep(sweep)                             # build and check every point's scenario
    with-executor: run_sweep(plan, Path("results/soy_growth"), make_executor("local"))
    report = sweep_report(Path("results/soy_growth"))    # KPIs per point, response plots, sensitivity

Results are identical whatever the executor, the worker count or interruptions: every task's file depends
only on its point and its replications (see :mod:`sim.sweep.store` for the layout).
"""

from sim.sweep.driver import SweepError, SweepOutcome, run_sweep
from sim.sweep.executor import SweepEvents, make_executor
from sim.sweep.plan import SweepPlan, plan_sweep
from sim.sweep.spec import Sweep, load_sweep

__all__ = [
    "Sweep",
    "SweepError",
    "SweepEvents",
    "SweepOutcome",
    "SweepPlan",
    "load_sweep",
    "make_executor",
    "plan_sweep",
    "run_sweep",
]
