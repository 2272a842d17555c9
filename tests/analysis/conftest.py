"""Shared fixtures: a small corridor (tests/data/mini_corridor.yaml) simulated and written once per session.

The run goes through the real pipeline — :func:`sim.run` then :func:`sim.write_run` — so the analysis reads
exactly the files a user's run leaves behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.analysis.tables.run_data import RunData, load_run

DATA = Path(__file__).parents[1] / "data"
CORRIDOR = DATA / "mini_corridor.yaml"


@pytest.fixture(scope="session")
def corridor_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run directory of mini_corridor: 3 replications of 395 days (30 of them warm-up)."""
    result = sim.run(sim.load_scenario(CORRIDOR))
    return sim.write_run(result, tmp_path_factory.mktemp("corridor") / "run")


@pytest.fixture(scope="session")
def corridor(corridor_dir: Path) -> RunData:
    return load_run(corridor_dir)
