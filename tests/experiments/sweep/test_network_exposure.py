"""A Dask cluster started by corridor-sim listens on loopback only: scheduler, workers and dashboard.

Real processes, real sockets: the test lists every listening socket of this process and its children while
the executor is up (psutil) and checks each address.
"""

from __future__ import annotations

import ipaddress

import psutil
import pytest

from sim.experiments.sweep.executors import make_executor

pytestmark = pytest.mark.slow


def _listening_addresses() -> list[tuple[str, int]]:
    """(address, port) of every listening TCP socket of this process and its descendants."""
    me = psutil.Process()
    processes = [me, *me.children(recursive=True)]
    found = []
    for process in processes:
        try:
            sockets = process.net_connections(kind="inet")
        except psutil.NoSuchProcess:
            continue
        found += [(s.laddr.ip, s.laddr.port) for s in sockets if s.status == psutil.CONN_LISTEN]
    return found


def test_a_local_dask_cluster_binds_loopback_only():
    before = set(_listening_addresses())
    with make_executor("dask", workers=1) as executor:
        opened = [a for a in _listening_addresses() if a not in before]
        assert executor.description.startswith("dask LocalCluster tcp://127.0.0.1:")
    assert opened, "the cluster opened no listening socket (scheduler, worker, dashboard expected)"
    exposed = [(ip, port) for ip, port in opened if not ipaddress.ip_address(ip).is_loopback]
    assert exposed == [], f"listening beyond loopback: {exposed}"
