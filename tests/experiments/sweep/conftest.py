"""Shared fixtures: the reference result of the test sweep, run once per session on the local pool."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from tests.experiments.sweep.helpers import GRID, write_sweep


@pytest.fixture(scope="session")
def grid_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("spec"), GRID)


@pytest.fixture(scope="session")
def reference(grid_spec: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sweep run uninterrupted on the local executor with 2 workers."""
    out = tmp_path_factory.mktemp("reference") / "out"
    assert main(["sweep", str(grid_spec), "--executor", "local", "--workers", "2", "--out", str(out)]) == 0
    return out
