"""Provenance: what produced a result — scenario hash, seed, engine, replications, versions, commit.

:func:`stamp` is what every result file records, whatever made it; :func:`provenance` adds what a run of one
scenario records, and the sweep driver adds the point and block of a task
(:func:`sim.experiments.sweep.driver.task_provenance`).
"""

from __future__ import annotations

import datetime as dt
import math
import platform
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from sim.scenario.loader import scenario_hash
from sim.scenario.model import Scenario
from sim.version import __version__

__all__ = ["STREAMS", "git_commit", "provenance", "run_details", "stamp"]

STREAMS = "SeedSequence(seed, spawn_key=(replication, blake2b(purpose), blake2b(entity)...))"
"""How every random stream derives from the root seed (recorded so that a replication can be reproduced)."""


def git_commit() -> str | None:
    """The commit of the source tree the package runs from, if it is a git checkout."""
    source = Path(__file__).resolve().parents[2]  # sim/results/provenance.py -> the checkout
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


def stamp(digest: str, seed: int, engine: str, replications: list[int], commit: str | None) -> dict[str, Any]:
    """What every result file records about how it was made (deterministic).

    Parameters
    ----------
    digest : str
        :func:`~sim.scenario.loader.scenario_hash` of the resolved scenario simulated.
    seed : int
        Root seed.
    engine : str
        Engine name.
    replications : list of int
        Numbers of the replications the file holds.
    commit : str or None
        :func:`git_commit` (passed in, so that a sweep asks git once for all its tasks).

    Returns
    -------
    dict
        ``scenario_hash``, ``seed``, ``streams`` (:data:`STREAMS`), ``engine``, ``replications``,
        ``package_version`` and ``git_commit``.
    """
    return {
        "scenario_hash": digest,
        "seed": seed,
        "streams": STREAMS,
        "engine": engine,
        "replications": replications,
        "package_version": __version__,
        "git_commit": commit,
    }


def provenance(scenario: Scenario, engine: str, seed: int, replications: list[int]) -> dict[str, Any]:
    """The deterministic part of a run's provenance (what goes into Parquet metadata).

    The :func:`stamp` of the run, with the scenario's name, start date, horizon and warm-up (h).
    """
    return {
        "scenario": scenario.name,
        **stamp(scenario_hash(scenario), seed, engine, replications, git_commit()),
        "start_date": scenario.start.isoformat(),
        "horizon_h": scenario.horizon_h,
        "warmup_h": scenario.warmup_h,
    }


def run_details(wall_time_s: float) -> dict[str, Any]:
    """The non-deterministic part: when, how long, on what, and the process's peak memory so far."""
    return {
        "wall_time_s": round(wall_time_s, 3),
        "peak_rss_gb": round(_peak_rss_bytes() / 2**30, 3),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
    }


def _peak_rss_bytes() -> float:
    """Peak resident memory of this process's program (bytes); NaN where unknown.

    ``VmHWM`` of ``/proc/self/status`` (Linux): the high-water mark of this program's memory since it was
    started. Not ``ru_maxrss``: that keeps the peak of the process before ``exec``, so a run started from a
    large parent (a test session holding runs) would report the parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return float(int(line.split()[1]) * 1024)
    except (OSError, ValueError):
        pass
    return math.nan
