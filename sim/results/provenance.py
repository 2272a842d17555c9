"""Provenance: what produced a result — scenario hash, seed, engine, replications, versions, commit."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

import sim
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Scenario

__all__ = ["git_commit", "provenance"]


def git_commit() -> str | None:
    """The commit of the source tree the package runs from, if it is a git checkout."""
    source = Path(sim.__file__).resolve().parent.parent
    try:
        done = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def provenance(scenario: Scenario, engine: str, seed: int, replications: list[int]) -> dict[str, Any]:
    """The deterministic part of a run's provenance (what goes into Parquet metadata)."""
    return {
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": seed,
        "streams": "SeedSequence(seed, spawn_key=(replication, blake2b(purpose), blake2b(entity)...))",
        "engine": engine,
        "replications": replications,
        "package_version": sim.__version__,
        "git_commit": git_commit(),
        "start_date": scenario.start.isoformat(),
        "horizon_h": scenario.horizon_h,
        "warmup_h": scenario.warmup_h,
    }


def run_details(wall_time_s: float) -> dict[str, Any]:
    """The non-deterministic part: when, how long, on what."""
    return {
        "wall_time_s": round(wall_time_s, 3),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
    }
