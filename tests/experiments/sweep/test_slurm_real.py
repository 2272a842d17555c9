"""``--slurm`` on a real Slurm: Debian's slurm-wlm on this machine, dask-jobqueue workers in real jobs.

The cluster is docs/sweeps.md's single-node recipe (:mod:`tests.experiments.sweep.slurm_node`), started once
for this module and stopped after it; ``DASK_CONFIG`` points Dask at the recipe's ``jobqueue.yaml``. The fake
``sbatch`` of test_slurm.py covers what a real queue cannot easily show (a refused submission).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.experiments.sweep.helpers import assert_same_results, corridor, kill_job, task_files, wait_for
from tests.experiments.sweep.slurm_node import SlurmNode, cluster_processes, doc_block, single_node_slurm

pytestmark = pytest.mark.slow

WORKSTATION = "for the single-node Slurm above"
"""Words of the recipe's jobqueue.yaml block in docs/sweeps.md (the other block is a real cluster's)."""
SWEEP_TIMEOUT_S = 600
"""Generous: two jobs on a loaded 2-core machine (the sweep itself takes a few seconds idle)."""


@pytest.fixture(scope="module")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlurmNode]:
    with single_node_slurm(tmp_path_factory.mktemp("slurm")) as node:
        yield node
    assert not cluster_processes(node.directory), "a daemon, job step or worker of the test Slurm is left"


def finish(driver: subprocess.Popen[str]) -> str:
    """The driver's output once it ends (killed with its session after :data:`SWEEP_TIMEOUT_S`)."""
    try:
        output, _ = driver.communicate(timeout=SWEEP_TIMEOUT_S)
    finally:
        if driver.poll() is None:
            kill_job(driver)
    return output


def jobqueue_env(node: SlurmNode, tmp_path: Path) -> dict[str, str]:
    """The recipe's jobqueue.yaml (scratch and logs in ``tmp_path``) and the cluster's environment."""
    config = tmp_path / "dask"
    config.mkdir()
    text = doc_block("yaml", WORKSTATION)
    text = re.sub(r"local-directory: \S+", f"local-directory: {tmp_path / 'scratch'}", text)
    text = re.sub(r"log-directory: \S+", f"log-directory: {tmp_path / 'logs'}", text)
    (config / "jobqueue.yaml").write_text(text, encoding="utf-8")
    return {**node.env, "DASK_CONFIG": str(config)}


def new_jobs(node: SlurmNode, before: set[str]) -> dict[str, str]:
    return {job: state for job, state in node.jobs().items() if job not in before}


def test_a_sweep_on_slurm_runs_in_two_jobs_matches_the_local_pool_and_cancels_them(
    slurm: SlurmNode, reference: Path, grid_spec: Path, tmp_path: Path
) -> None:
    before = set(slurm.jobs())
    out = tmp_path / "out"
    driver = corridor(
        "sweep", str(grid_spec), "--slurm", "--workers", "2", "--out", str(out), "-v",
        env=jobqueue_env(slurm, tmp_path), cwd=tmp_path,
    )  # fmt: skip
    output = finish(driver)
    assert driver.returncode == 0, output
    assert "dask SLURM cluster tcp://127.0.0.1:" in output
    jobs = new_jobs(slurm, before)
    assert len(jobs) == 2, f"one job per worker: {jobs}"
    logs = [tmp_path / "logs" / f"dask-worker-{job}.err" for job in jobs]
    joined = [log for log in logs if log.exists() and "Registered to:" in log.read_text()]
    assert joined, "a job's Dask worker joined the driver (on a busy machine the other may start too late)"
    wait_for(lambda: not set(slurm.queued()) & set(jobs), 120, "the jobs to leave the queue")
    assert set(new_jobs(slurm, before).values()) == {"CANCELLED"}, "the driver cancelled its jobs"
    assert_same_results(reference, out)


def test_killing_the_driver_ends_its_jobs_and_a_resume_on_slurm_finishes_the_sweep(
    slurm: SlurmNode, reference: Path, grid_spec: Path, tmp_path: Path
) -> None:
    env = jobqueue_env(slurm, tmp_path)
    death_timeout_s = int(re.findall(r"death-timeout: (\d+)", doc_block("yaml", WORKSTATION))[0])
    before = set(slurm.jobs())
    out = tmp_path / "out"
    args = ("sweep", str(grid_spec), "--slurm", "--workers", "2", "--out", str(out))
    driver = corridor(*args, env=env, cwd=tmp_path)
    try:
        wait_for(lambda: len(task_files(out)) >= 1, SWEEP_TIMEOUT_S, "the first task file")
        os.kill(driver.pid, signal.SIGKILL)  # the driver alone, as `kill -9 PID` does
        driver.communicate(timeout=60)
    finally:
        if driver.poll() is None:
            kill_job(driver)
    jobs = new_jobs(slurm, before)
    assert len(jobs) == 2, jobs
    wait_for(
        lambda: not set(slurm.queued()) & set(jobs),
        death_timeout_s + 120,
        "the orphaned workers to end their jobs",
    )
    assert not [p for p in cluster_processes(slurm.directory) if "distributed" in " ".join(p.cmdline())]
    finished = {name: path.stat().st_ino for name, path in task_files(out).items()}  # workers are gone
    assert 0 < len(finished) < 16, "the driver died mid-sweep"

    again = corridor(*args, "--resume", env=env, cwd=tmp_path)
    output = finish(again)
    assert again.returncode == 0, output
    said = " ".join(output.split())
    assert f"16 tasks, {len(finished)} already finished" in said
    assert {name: task_files(out)[name].stat().st_ino for name in finished} == finished, "finished files kept"
    assert_same_results(reference, out)


def test_jobs_of_500_mb_stop_the_sweep_with_a_message_instead_of_a_hang(
    slurm: SlurmNode, grid_spec: Path, tmp_path: Path
) -> None:
    """The recipe with ``memory: 500MB`` (which once hung a sweep on a paused worker): exit 2 naming the
    setting to raise, and the driver cancels its jobs."""
    env = jobqueue_env(slurm, tmp_path)
    config = Path(env["DASK_CONFIG"]) / "jobqueue.yaml"
    text = config.read_text(encoding="utf-8")
    assert "memory: 1GB" in text
    config.write_text(text.replace("memory: 1GB", "memory: 500MB"), encoding="utf-8")
    before = set(slurm.jobs())
    driver = corridor(
        "sweep", str(grid_spec), "--slurm", "--workers", "1", "--out", str(tmp_path / "out"),
        env=env, cwd=tmp_path,
    )  # fmt: skip
    output = finish(driver)
    assert driver.returncode == 2, output
    said = " ".join(output.split())
    assert "error: <dask cluster>: memory_limit: got 477 MiB" in said
    assert "a larger `memory` in the jobqueue.slurm section" in said
    assert "Traceback" not in output
    jobs = new_jobs(slurm, before)
    wait_for(lambda: not set(slurm.queued()) & set(jobs), 120, "the jobs to leave the queue")
