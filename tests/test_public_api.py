"""The public API is small and stable; no module inside the package imports its face; engines stay free of
pandas, plotting, the CLI and dask."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import sim
import sim.version

PACKAGE = Path(sim.__file__).resolve().parent


def test_all_lists_the_public_api() -> None:
    assert sorted(sim.__all__) == sorted(
        [
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
    )
    for name in sim.__all__:
        assert hasattr(sim, name)


def test_the_version_has_one_home() -> None:
    assert sim.__version__ == sim.version.__version__


def _is_face_import(node: ast.AST, depth: int) -> bool:
    """``import sim`` or ``from sim import …`` (or a relative import reaching the package root)."""
    if isinstance(node, ast.Import):
        return any(alias.name == "sim" for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.level == 0 and node.module == "sim") or (node.level == depth + 1 and node.module is None)
    return False


def _imports_the_face(path: Path) -> list[str]:
    depth = len(path.relative_to(PACKAGE).parts) - 1  # packages between the root and the file
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(PACKAGE.parent)
    return [f"{where}:{node.lineno}" for node in ast.walk(tree) if _is_face_import(node, depth)]


def test_no_module_inside_the_package_imports_the_package_face() -> None:
    faces = {PACKAGE / "__init__.py", PACKAGE / "__main__.py"}
    offenders = [
        hit for path in sorted(PACKAGE.rglob("*.py")) if path not in faces for hit in _imports_the_face(path)
    ]
    assert offenders == [], "import names from their own modules (the version from sim.version)"


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


def test_the_command_line_loads_without_pandas_arrow_matplotlib_dask_or_scipy() -> None:
    """``corridor --help`` starts fast: the heavy libraries load when a command needs them."""
    heavy = ("pandas", "pyarrow", "matplotlib", "dask", "scipy")
    code = f"import sys, sim.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


HEAVY = ("pandas", "pyarrow", "matplotlib", "dask", "distributed", "numba", "llvmlite", "scipy.stats")
"""Libraries (and the parts of them) that take 0.1-0.5 s each to import: none on the ``--help`` path."""


def _loaded_by(argv: list[str], modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` are imported by ``corridor ARGV``, run in a fresh interpreter."""
    code = (
        "import sys\n"
        "from sim.cli import main\n"
        f"code = main({argv!r})\n"
        "assert code == 0, code\n"
        f"print([m for m in {modules!r} if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded: list[str] = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return loaded


def test_help_loads_no_heavy_library_nor_the_scenario_models() -> None:
    assert _loaded_by(["--help"], (*HEAVY, "scipy", "pydantic", "numpy", "sim.scenario.model")) == []
    # a command's help lets typer look at its parameters' types, for which it imports pydantic
    assert _loaded_by(["run", "--help"], (*HEAVY, "scipy", "numpy", "sim.scenario.model")) == []


def test_validate_loads_neither_pandas_arrow_matplotlib_dask_numba_nor_scipy_stats() -> None:
    demo = PACKAGE.parent / "scenarios" / "demo_two_ports.yaml"
    baseline = PACKAGE.parent / "scenarios" / "baseline_2024.yaml"
    # validation inverts each distribution at its extreme quantiles: demo_two_ports has a log-normal
    assert _loaded_by(["validate", str(demo)], (*HEAVY, "sim.engines.vector")) == []
    assert _loaded_by(["validate", str(baseline)], (*HEAVY, "sim.engines.vector")) == []


def test_a_run_loads_neither_matplotlib_dask_nor_scipy_stats(tmp_path: Path) -> None:
    baseline = PACKAGE.parent / "scenarios" / "baseline_2024.yaml"
    out = str(tmp_path / "run")
    argv = ["run", str(baseline), "--replications", "1", "--quiet", "--visits", "none", "--out", out]
    printing = ("rich.progress", "rich.table", "rich.logging", "sim.cli.summary", "sim.cli.units")
    loaded = _loaded_by(argv, ("matplotlib", "dask", "distributed", "scipy.stats", "pandas", *printing))
    # the KPI tables are DataFrames; the t quantile comes from scipy.special; a quiet run draws no bar and
    # lays out no table
    assert loaded == ["pandas"]


def test_the_console_script_loads_the_command_line_only_when_called() -> None:
    """A sweep's spawned workers re-import the ``corridor`` script: its module must not load the CLI."""
    scripts = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    module, _, function = scripts["corridor"].partition(":")
    code = (
        f"import sys, {module}\n"
        f"assert callable({module}.{function})\n"
        "print([m for m in ('sim.cli', 'typer', 'rich', 'numpy', 'pydantic') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_command_exits_with_its_code_after_the_exit_handlers() -> None:
    code = (
        "import atexit, sys\n"
        "from sim.cli import _exit_now\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "sys.stdout.write('buffered')\n"
        "_exit_now(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (3, "bufferedhandler ran\n")


def test_the_command_waits_for_a_thread_still_running() -> None:
    code = (
        "import threading, time\n"
        "from sim.cli import _exit_now\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done', flush=True))).start()\n"
        "_exit_now(0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "thread done\n")


def test_importing_sim_loads_no_experiment_pandas_or_matplotlib() -> None:
    code = (
        "import sys, sim\n"
        "print([m for m in ('pandas', 'matplotlib', 'sim.experiments', 'sim.runner') if m in sys.modules])\n"
        "sim.compare\n"
        "print('sim.experiments.api' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[]", "True"]
