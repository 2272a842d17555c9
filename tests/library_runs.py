"""Runs of library scenarios by name, each simulated once per test module that asks (a cache per fixture)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sim
from sim.runner import RunResult

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

Runs = Callable[[str], RunResult]
"""A library scenario's name → its run (simulated on first request, then kept)."""


def library_runs(replications: int, engine: str = "vector") -> Runs:
    """A cached getter of library runs with ``replications`` replications on ``engine``."""
    cache: dict[str, RunResult] = {}

    def get(name: str) -> RunResult:
        if name not in cache:
            scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml")
            cache[name] = sim.run(scenario, engine=engine, replications=replications)
        return cache[name]

    return get
