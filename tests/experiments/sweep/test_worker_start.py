"""A local pool worker's start: a light module to unpickle, then the task machinery loaded, collector off."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sim.experiments.sweep as sweep_package
from sim.collector import YOUNG
from sim.experiments.sweep.executors.worker import TASK_MODULES
from tests.experiments.sweep.helpers import GRID, write_sweep

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


def _in_a_process(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_worker_module_loads_no_heavy_library_nor_the_driver_or_the_report() -> None:
    """What a spawned worker imports to unpickle its initializer, before any of our code runs."""
    code = """
        import json, sys
        import sim.experiments.sweep.executors.worker
        heavy = ("numpy", "pandas", "pyarrow", "pydantic", "scipy", "numba", "matplotlib", "dask",
                 "sim.experiments.sweep.driver", "sim.experiments.sweep.task", "sim.analysis", "sim.cli")
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m.startswith(heavy))))
    """
    assert json.loads(_in_a_process(code)) == []


def test_start_worker_loads_the_task_machinery_with_the_collector_off_then_freezes_it() -> None:
    base = SCENARIOS / "demo_two_ports.yaml"
    code = f"""
        import gc, multiprocessing, os, pickle, sys
        from pathlib import Path
        from sim.scenario.layers import layer_files
        from sim.experiments.sweep.executors import worker
        layered = layer_files(Path({str(base)!r}))
        collections = lambda: sum(s["collections"] for s in gc.get_stats())
        records = multiprocessing.get_context("spawn").Queue()
        before = collections()
        worker.start_worker(records, 20, os.getppid(), pickle.dumps(layered))
        print(collections() - before, gc.isenabled(), gc.get_threshold()[0], gc.get_freeze_count() > 100_000,
              all(name in sys.modules for name in worker.TASK_MODULES),
              pickle.dumps(worker._BASE[0]) == pickle.dumps(layered))
    """
    assert _in_a_process(code) == f"0 True {YOUNG} True True True"


def test_every_task_module_is_one_a_task_loads_anyway(tmp_path: Path) -> None:
    """The initializer loads nothing a task would not: each of its modules is loaded after one task."""
    spec = write_sweep(tmp_path, {**GRID, "replications": 1, "block_size": 1})
    code = f"""
        import json, sys
        from pathlib import Path
        from sim.experiments.sweep import load_sweep, plan_sweep
        from sim.experiments.sweep.driver import task_orders
        plan = plan_sweep(load_sweep({str(spec)!r}))
        order = task_orders(plan, Path({str(tmp_path / "out")!r}), None)[0]
        before = set(sys.modules)
        from sim.experiments.sweep.task import execute
        execute(order, plan.base)
        print(json.dumps([sorted(before), sorted(sys.modules)]))
    """
    before, after = (set(names) for names in json.loads(_in_a_process(code)))
    assert set(TASK_MODULES) <= after
    assert set(TASK_MODULES) - before  # some load only with the task: the initializer loads them first


@pytest.mark.parametrize("name", sweep_package.__all__)
def test_the_sweep_api_loads_on_first_use(name: str) -> None:
    assert getattr(sweep_package, name) is not None


def test_an_unknown_sweep_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = sweep_package.nothing
