"""Runs of library scenarios by name, each simulated once per test module that asks (a cache per fixture)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

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


def kpi(result: RunResult, table: str, key: str, metric: str) -> pd.Series:
    """A KPI of ``result`` per replication (NaN where the station or flow does not exist in this run)."""
    frame = result.kpis_by_replication
    rows = frame[
        (frame["table"] == table)
        & (frame["key"] == key)
        & (frame["metric"] == metric)
        & (frame["period"] == "")
    ]
    return rows.set_index("replication")["value"].reindex(result.replications)
