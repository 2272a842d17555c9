"""``pip install .`` into a fresh virtual environment: the library ships, and runs from any directory.

Slow (a real install with dependencies from pip's cache and the local index, without compiling bytecode: a
minute or more). The wheel is built from a copy of the checkout, so the checkout gets no ``build/`` or
``*.egg-info``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.version import __version__

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("sim", "scenarios", "seeds", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")


def _copy_checkout(target: Path) -> Path:
    target.mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target / name)
    return target


def _ok(command: list[str], cwd: Path, timeout: float = 900) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


@pytest.mark.slow
def test_pip_install_ships_the_library_and_runs_from_anywhere(tmp_path: Path) -> None:
    source = _copy_checkout(tmp_path / "src")
    venv = tmp_path / "venv"
    _ok([sys.executable, "-m", "venv", str(venv)], tmp_path)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-compile"]
    _ok([*pip, str(source)], tmp_path)
    corridor = str(venv / "bin" / "corridor")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    assert _ok([corridor, "--version"], elsewhere).strip() == f"corridor-sim {__version__}"
    listed = " ".join(_ok([corridor, "scenarios"], elsewhere).split())
    assert "baseline_2024" in listed
    assert "site-packages" in listed  # the installed copy, not this checkout
    _ok([corridor, "run", "baseline_2024", "--replications", "1", "--out", "run", "--quiet"], elsewhere)
    assert (elsewhere / "run" / "kpis.json").is_file()
    _ok([corridor, "validate", "panama_drought_2023_24"], elsewhere)  # extends: and seeds: ../seeds
    _ok([corridor, "init", "lib"], elsewhere)
    assert (elsewhere / "lib" / "seeds" / "nodes.csv").is_file()
    _ok([corridor, "validate", "lib/scenarios/chile_port_strike.yaml"], elsewhere)
    refused = subprocess.run([corridor, "init", "lib"], cwd=elsewhere, capture_output=True, check=False)
    assert refused.returncode == 2
