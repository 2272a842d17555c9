"""Shared fixtures: a toy corridor run written once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
import toy_corridor

from sim.analysis.tables.run_data import RunData, load_run


@pytest.fixture(scope="session")
def toy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return toy_corridor.write_run(tmp_path_factory.mktemp("toy") / "run", seed=1, replications=3)


@pytest.fixture(scope="session")
def toy_run(toy_dir: Path) -> RunData:
    return load_run(toy_dir)
