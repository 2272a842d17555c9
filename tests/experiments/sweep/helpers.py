"""Helpers of the sweep tests: sweep files, result comparison, and processes to kill."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pyarrow.parquet as pq
from ruamel.yaml import YAML

from sim.results.files import read_provenance

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "scenarios" / "demo_two_ports.yaml"

GRID: dict[str, Any] = {
    "design": "grid",
    "replications": 8,
    "block_size": 4,
    "seed": 11,
    "parameters": {
        "flows.soy_png_tao.annual_volume": [4.0e6, 8.0e6, 1.2e7, 1.6e7],
        "nodes.BRPNG.berths.dry_bulk.count": [1, 2],
    },
}
"""8 points × 8 replications in blocks of 4: 16 tasks of about 0.3 s each."""


def write_sweep(directory: Path, content: dict[str, Any] | str, name: str = "sweep.yaml") -> Path:
    """Write a sweep file next to nothing else; ``base`` defaults to the demo scenario, relative to it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
        return path
    data = {"base": os.path.relpath(DEMO, directory), **content}
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    return path


def task_files(out: Path) -> dict[str, Path]:
    """Every task file of a sweep directory by its relative path (hidden scratch files excluded)."""
    return {str(p.relative_to(out)): p for p in sorted((out / "kpis").glob("point=*/block=*.parquet"))}


def assert_same_results(expected: Path, found: Path) -> None:
    """The same task files with the same data and provenance; byte-identical when the git commit agrees."""
    want, got = task_files(expected), task_files(found)
    assert list(got) == list(want)
    for name, path in want.items():
        assert pq.read_table(got[name]).equals(pq.read_table(path)), name
        a, b = read_provenance(path), read_provenance(got[name])
        assert {**a, "git_commit": None} == {**b, "git_commit": None}, name
        if a["git_commit"] == b["git_commit"]:
            assert got[name].read_bytes() == path.read_bytes(), name
    assert not list((found / "kpis").glob("point=*/.*")), "scratch files left behind"


def corridor(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen[str]:
    """Start ``python -m sim ARGS`` in its own session (so that the test can kill the whole job)."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=full_env,
        start_new_session=True,
        **kwargs,
    )


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``condition`` every 20 ms until it holds; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def worker_processes(driver: subprocess.Popen[str]) -> list[psutil.Process]:
    """The spawned worker processes under the driver (the multiprocessing resource tracker excluded)."""
    try:
        children = psutil.Process(driver.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    workers = []
    for child in children:
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                workers.append(child)
        except psutil.Error:
            continue
    return workers


def kill_job(driver: subprocess.Popen[str]) -> None:
    """SIGKILL the driver's whole session (driver and workers), as a batch system or a crash would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(driver.pid, signal.SIGKILL)
    driver.communicate(timeout=30)


def task_log_lines(output: str) -> dict[str, int]:
    """How many times each task logged that it simulated and wrote its file."""
    counts: dict[str, int] = {}
    for line in output.splitlines():
        for word in line.split():
            if word.startswith("sweep-task-p") and word.endswith(":") and " replications " in line:
                counts[word[:-1]] = counts.get(word[:-1], 0) + 1
    return counts
