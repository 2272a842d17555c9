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

The names above load on first use: a pool worker imports this package on its way to the task machinery
(:mod:`.executors.worker`) and needs neither the driver nor the report (pandas' report tables, figures,
sensitivity).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_LAZY = {
    "SweepReport": "sim.analysis.report.sweep",
    "sweep_report": "sim.analysis.report.sweep",
    "SweepError": "sim.experiments.sweep.driver",
    "SweepOutcome": "sim.experiments.sweep.driver",
    "run_sweep": "sim.experiments.sweep.driver",
    "SweepEvents": "sim.experiments.sweep.executors",
    "make_executor": "sim.experiments.sweep.executors",
    "SweepPlan": "sim.experiments.sweep.plan",
    "plan_sweep": "sim.experiments.sweep.plan",
    "Sweep": "sim.experiments.sweep.spec",
    "load_sweep": "sim.experiments.sweep.spec",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim.experiments.sweep' has no attribute {name!r}")
