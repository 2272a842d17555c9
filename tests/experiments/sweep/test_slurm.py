"""The ``--slurm`` path end to end: dask-jobqueue's SLURMCluster with fake ``sbatch``/``squeue``/``scancel``.

The fake ``sbatch`` runs the job script dask-jobqueue generated (its ``dask worker`` command) in the
background on this machine, in a session of its own; ``scancel`` kills that session. Dask reads the user's
jobqueue configuration from ``DASK_CONFIG`` exactly as it would from ``~/.config/dask/jobqueue.yaml``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
from pathlib import Path

import pytest

from tests.experiments.sweep.helpers import assert_same_results, corridor, kill_job

pytestmark = pytest.mark.slow

SBATCH = """#!/usr/bin/env bash
# fake sbatch: start the job script in the background, in its own session; job id = this process's pid
set -euo pipefail
script="${@: -1}"
cp "$script" "$FAKE_SLURM_DIR/$$.sh"
setsid bash "$FAKE_SLURM_DIR/$$.sh" > "$FAKE_SLURM_DIR/$$.log" 2>&1 < /dev/null &
echo $! > "$FAKE_SLURM_DIR/$$.pid"
echo "Submitted batch job $$"
"""

SQUEUE = """#!/usr/bin/env bash
# fake squeue: the jobs whose session is still alive
echo "JOBID STATE"
for pidfile in "$FAKE_SLURM_DIR"/*.pid; do
  [ -e "$pidfile" ] || continue
  if kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "$(basename "$pidfile" .pid) RUNNING"; fi
done
"""

SCANCEL = """#!/usr/bin/env bash
# fake scancel: kill each job's session
for job in "$@"; do
  pid=$(cat "$FAKE_SLURM_DIR/$job.pid" 2>/dev/null) || continue
  kill -TERM -- "-$pid" 2>/dev/null || true
  echo "$job" >> "$FAKE_SLURM_DIR/cancelled"
done
"""

JOBQUEUE = """# what a user writes in ~/.config/dask/jobqueue.yaml (here: one worker per job, on loopback)
jobqueue:
  slurm:
    cores: 1
    processes: 1
    memory: 1GB
    walltime: "00:10:00"
    local-directory: {local}
    scheduler-options:
      host: 127.0.0.1
      dashboard_address: null
    worker-extra-args: ["--host", "127.0.0.1"]
"""


def fake_slurm(tmp_path: Path) -> dict[str, str]:
    """Scripts on PATH and a Dask config directory; return the environment of the sweep job."""
    bin_dir, jobs, config = tmp_path / "bin", tmp_path / "jobs", tmp_path / "dask"
    for directory in (bin_dir, jobs, config):
        directory.mkdir()
    for name, text in (("sbatch", SBATCH), ("squeue", SQUEUE), ("scancel", SCANCEL)):
        script = bin_dir / name
        script.write_text(text, encoding="utf-8")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    (config / "jobqueue.yaml").write_text(JOBQUEUE.format(local=tmp_path / "scratch"), encoding="utf-8")
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "DASK_CONFIG": str(config),
        "FAKE_SLURM_DIR": str(jobs),
    }


def kill_jobs(jobs: Path) -> None:
    for pidfile in jobs.glob("*.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(pidfile.read_text()), signal.SIGKILL)


def test_a_slurm_sweep_runs_end_to_end_and_matches_the_local_pool(
    reference: Path, grid_spec: Path, tmp_path: Path
) -> None:
    env = fake_slurm(tmp_path)
    jobs = Path(env["FAKE_SLURM_DIR"])
    out = tmp_path / "out"
    driver = corridor("sweep", str(grid_spec), "--slurm", "--workers", "2", "--out", str(out), "-v", env=env)
    try:
        output, _ = driver.communicate(timeout=300)
    finally:
        if driver.poll() is None:
            kill_job(driver)
        kill_jobs(jobs)
    assert driver.returncode == 0, output
    assert "dask SLURM cluster tcp://127.0.0.1:" in output
    submitted = sorted(p.stem for p in jobs.glob("*.pid"))
    assert len(submitted) == 2, "one job per worker"
    script = (jobs / f"{submitted[0]}.sh").read_text()
    assert "#SBATCH" in script
    assert "distributed.cli.dask_worker tcp://127.0.0.1:" in script
    assert sorted((jobs / "cancelled").read_text().split()) == submitted, "the driver cancelled its jobs"
    worker_pids = {line.rsplit(":", 1)[1].split()[0] for line in output.splitlines() if " on " in line}
    assert worker_pids, "worker logs were forwarded"
    assert_same_results(reference, out)


def test_an_incomplete_jobqueue_configuration_exits_2(grid_spec: Path, tmp_path: Path) -> None:
    env = fake_slurm(tmp_path)
    (Path(env["DASK_CONFIG"]) / "jobqueue.yaml").write_text("jobqueue:\n  slurm:\n    memory: 1GB\n")
    driver = corridor("sweep", str(grid_spec), "--slurm", "--out", str(tmp_path / "out"), env=env)
    output, _ = driver.communicate(timeout=120)
    assert driver.returncode == 2, output
    assert "--slurm: got an incomplete jobqueue configuration" in " ".join(output.split())
    assert "Traceback" not in output


def test_jobs_that_sbatch_refuses_exit_2_instead_of_waiting_forever(grid_spec: Path, tmp_path: Path) -> None:
    env = fake_slurm(tmp_path)
    sbatch = Path(env["PATH"].split(os.pathsep)[0]) / "sbatch"
    sbatch.write_text('#!/usr/bin/env bash\necho "sbatch: error: invalid account" >&2\nexit 1\n')
    out = tmp_path / "out"
    driver = corridor("sweep", str(grid_spec), "--slurm", "--out", str(out), env=env)
    output, _ = driver.communicate(timeout=120)
    assert driver.returncode == 2, output
    assert "sbatch: error: invalid account" in output
    assert "--slurm: got jobs that sbatch refused" in " ".join(output.split())
    assert not out.exists(), "nothing written when the cluster cannot start"


def test_a_network_interface_this_machine_lacks_exits_2(grid_spec: Path, tmp_path: Path) -> None:
    env = fake_slurm(tmp_path)
    config = Path(env["DASK_CONFIG"]) / "jobqueue.yaml"
    text = config.read_text().replace("      host: 127.0.0.1\n", "")  # the scheduler binds to `interface`
    config.write_text(text.replace("    cores: 1\n", "    cores: 1\n    interface: nosuchnic0\n"))
    out = tmp_path / "out"
    driver = corridor("sweep", str(grid_spec), "--slurm", "--out", str(out), env=env)
    output, _ = driver.communicate(timeout=120)
    assert driver.returncode == 2, output
    said = " ".join(output.split())
    assert "--slurm: got a jobqueue configuration the scheduler cannot start with" in said
    assert "'nosuchnic0' is not a valid network interface" in said
    assert "Traceback" not in output
    assert not out.exists()
