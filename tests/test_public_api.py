"""The public API is small and stable; engines stay free of pandas, plotting, the CLI and dask."""

from __future__ import annotations

import subprocess
import sys

import sim


def test_all_lists_the_public_api() -> None:
    assert sorted(sim.__all__) == sorted(
        [
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
    )
    for name in sim.__all__:
        assert hasattr(sim, name)


def test_engines_import_no_pandas_matplotlib_cli_or_dask() -> None:
    code = (
        "import sys, sim.engines, sim.engines.reference, sim.plan, sim.network\n"
        "bad = [m for m in ('pandas', 'matplotlib', 'dask', 'distributed', 'typer', 'rich', 'sim.cli')"
        " if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_importing_sim_has_no_side_effects_on_matplotlib() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys, sim; print('matplotlib' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"
