"""The ``corridor`` process: its entry point, and a collector off while it starts and on while it works."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from sim.collector import YOUNG, started

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def _in_a_process(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_collector_is_off_while_the_command_starts_and_on_once_it_has() -> None:
    code = (
        "import gc\n"
        "from sim.collector import start_up, started\n"
        "start_up()\n"
        "off = not gc.isenabled()\n"
        "import sim.cli\n"
        "started()\n"
        "print(off, gc.isenabled(), gc.get_threshold()[0], gc.get_freeze_count() > 1000)\n"
    )
    assert _in_a_process(code) == f"True True {YOUNG} True"


def test_a_run_works_with_the_collector_on(tmp_path: Path) -> None:
    """``python -m sim run``: the command turns the collector back on before it simulates."""
    out = tmp_path / "run"
    code = (
        "import atexit, gc, runpy, sys\n"
        "state = lambda: print(gc.isenabled(), gc.get_threshold()[0], gc.get_freeze_count() > 1000)\n"
        "atexit.register(state)\n"
        f"sys.argv = ['sim', 'run', {str(SCENARIOS / 'demo_two_ports.yaml')!r}, '--replications', '1',"
        f" '--quiet', '--out', {str(out)!r}]\n"
        "runpy.run_module('sim', run_name='__main__')\n"
    )
    assert _in_a_process(code) == f"True {YOUNG} True"
    assert (out / "kpis.json").is_file()


def test_the_api_keeps_its_interpreters_collector() -> None:
    before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    started()  # what the command line's callback calls: nothing outside a `corridor` process
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before
