"""A real single-node Slurm for the tests: Debian's ``slurm-wlm`` and ``munge``, started here, stopped after.

The configuration is the recipe of docs/sweeps.md ("A single-node Slurm on a workstation"), read from the
document itself, with only what lets several test runs share one machine changed: a private directory for
state, spool, logs and PID files, free ports, and a private MUNGE key and socket (``AuthInfo=socket=…``), so
nothing under /etc or /run is touched and no other Slurm on the machine is disturbed. The daemons run in the
foreground as children of the test process (``-D``); they are stopped with ``scontrol shutdown`` as the recipe
says, and every process that carries this cluster's marker in its environment (daemons, ``slurmstepd``, the
jobs' Dask workers) is killed if it is still there after that.

Installing needs root: ``make test`` installs ``slurm-wlm`` and ``munge`` when missing (its ``slurm`` target,
as it does chromium), and so does this set-up when pytest runs alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from tests.experiments.sweep.helpers import ROOT

DOC = ROOT / "docs" / "sweeps.md"
PACKAGES = ("slurm-wlm", "munge")
COMMANDS = ("slurmctld", "slurmd", "munged", "sbatch", "squeue", "scontrol", "sinfo")
MARKER = "CORRIDOR_TEST_SLURM"
"""Environment variable naming the cluster's directory, inherited by every process the cluster starts."""
READY_TIMEOUT_S = 120
STOP_TIMEOUT_S = 30


@dataclass(frozen=True)
class SlurmNode:
    """A running single-node Slurm: its directory and the environment that points the commands at it."""

    directory: Path
    env: dict[str, str]

    def command(self, *args: str) -> str:
        """Run a Slurm client command against this cluster; return its standard output."""
        return subprocess.run(
            list(args), env={**os.environ, **self.env}, capture_output=True, text=True, check=True, timeout=60
        ).stdout

    def jobs(self) -> dict[str, str]:
        """Every job the controller still knows (ended ones for ``MinJobAge``, 300 s): id → state."""
        text = self.command("scontrol", "-o", "show", "job")
        return dict(re.findall(r"JobId=(\d+) .*?JobState=(\S+)", text))

    def queued(self) -> list[str]:
        """Ids of the jobs in the queue (pending, running or completing)."""
        return self.command("squeue", "-h", "-o", "%i").split()


def doc_block(language: str, containing: str) -> str:
    """The first fenced block of docs/sweeps.md in ``language`` that contains ``containing``."""
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    return next(block for block in blocks if containing in block)


def install() -> None:
    """``apt-get install slurm-wlm munge`` when a command is missing (waits for another apt to finish)."""
    if all(shutil.which(c) or Path("/usr/sbin", c).exists() for c in COMMANDS):
        return
    assert os.geteuid() == 0, f"installing {' and '.join(PACKAGES)} for the Slurm tests needs root"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    get = ["apt-get", "-o", "DPkg::Lock::Timeout=900", "-q"]
    command = [*get, "install", "-y", "--no-install-recommends", *PACKAGES]
    if subprocess.run(command, env=env, capture_output=True, check=False).returncode != 0:
        subprocess.run([*get, "update"], env=env, capture_output=True, check=True)
        subprocess.run(command, env=env, capture_output=True, check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def slurm_conf(directory: Path) -> str:
    """The recipe's slurm.conf with private paths, ports, MUNGE socket and this machine's CPU count."""
    private = {
        "SlurmctldPort": str(free_port()),
        "SlurmdPort": str(free_port()),
        "AuthInfo": f"socket={directory / 'munge.socket'}",
        "StateSaveLocation": str(directory / "state"),
        "SlurmdSpoolDir": str(directory / "spool"),
        "SlurmctldPidFile": str(directory / "slurmctld.pid"),
        "SlurmdPidFile": str(directory / "slurmd.pid"),
        "SlurmctldLogFile": str(directory / "slurmctld.log"),
        "SlurmdLogFile": str(directory / "slurmd.log"),
        "PlugStackConfig": str(directory / "plugstack.conf"),
    }
    lines = []
    for line in doc_block("conf", "ProctrackType").splitlines():
        key = line.split("=", 1)[0]
        if key in private:
            continue
        cpus = f"CPUs={os.cpu_count() or 1}"
        lines.append(re.sub(r"CPUs=\d+", cpus, line) if key == "NodeName" else line)
    lines += [f"{key}={value}" for key, value in private.items()]
    return "\n".join(lines) + "\n"


def node_name() -> str:
    """The node the recipe names (``slurmd -N`` takes it: the host name need not match)."""
    found = re.search(r"^NodeName=(\S+)", doc_block("conf", "ProctrackType"), flags=re.MULTILINE)
    assert found, "the recipe's slurm.conf names its node"
    return found.group(1)


@contextlib.contextmanager
def single_node_slurm(directory: Path) -> Iterator[SlurmNode]:
    """Install if needed, start munged, slurmctld and slurmd, wait for the node; stop everything after."""
    install()
    for sub in ("state", "spool", "logs"):
        (directory / sub).mkdir(parents=True)
    key = directory / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    (directory / "plugstack.conf").write_text("")
    conf = directory / "slurm.conf"
    conf.write_text(slurm_conf(directory), encoding="utf-8")
    env = {"SLURM_CONF": str(conf), MARKER: str(directory)}
    daemons: list[subprocess.Popen[bytes]] = []
    node = SlurmNode(directory, env)
    try:
        daemons.append(
            _start(
                directory,
                env,
                "munged",
                "--foreground",
                "--force",  # root, and a key in a test directory: accept what munged would warn about
                f"--socket={directory / 'munge.socket'}",
                f"--key-file={key}",
                f"--pid-file={directory / 'munged.pid'}",
                f"--log-file={directory / 'munged.log'}",
                f"--seed-file={directory / 'munged.seed'}",
            )
        )
        _wait((directory / "munge.socket").exists, "munged's socket", daemons)
        daemons.append(_start(directory, env, "slurmctld", "-D"))
        daemons.append(_start(directory, env, "slurmd", "-D", "-N", node_name()))
        _wait(lambda: _idle(node), "the node to be idle (sinfo)", daemons)
        yield node
    finally:
        _stop(node, daemons)


def _start(directory: Path, env: dict[str, str], *command: str) -> subprocess.Popen[bytes]:
    with (directory / "logs" / f"{command[0]}.out").open("wb") as log:  # the daemon keeps its own copy
        return subprocess.Popen(
            [shutil.which(command[0]) or f"/usr/sbin/{command[0]}", *command[1:]],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **env},
            cwd=directory,
            start_new_session=True,
        )


def _idle(node: SlurmNode) -> bool:
    try:
        return node.command("sinfo", "-h", "-o", "%t").split() == ["idle"]
    except subprocess.CalledProcessError:
        return False


def _wait(condition: Callable[[], bool], what: str, daemons: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not condition():
        ended = [d.args[0] for d in daemons if d.poll() is not None]
        assert not ended, f"{ended} ended while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _stop(node: SlurmNode, daemons: list[subprocess.Popen[bytes]]) -> None:
    """Cancel the jobs, shut the daemons down (the recipe's way), then kill what of this cluster is left."""
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        for job in node.queued():
            node.command("scancel", job)
        node.command("scontrol", "shutdown")
    for daemon in reversed(daemons):
        if daemon.args[0].endswith("munged"):
            daemon.terminate()
        try:
            daemon.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait(STOP_TIMEOUT_S)
    left = cluster_processes(node.directory)
    for process in left:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(left, timeout=STOP_TIMEOUT_S)


def cluster_processes(directory: Path) -> list[psutil.Process]:
    """Every live process started by the cluster in ``directory`` (by the marker in its environment)."""
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if process.environ().get(MARKER) == str(directory) and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
    return found
