"""Hand-made Plans: exact shipments on a scenario's network, for engine stories."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.network import build_network
from sim.plan import Plan
from sim.scenario import Scenario


def hand_plan(
    scenario: Scenario, shipments: Sequence[tuple[float, str, Sequence[float], Sequence[float]]]
) -> Plan:
    """A one-replication Plan of ``(created_h, flow, work_h per step, size per step)`` in creation order."""
    network = build_network(scenario)
    flows = {f.name: f for f in network.flows}
    ordered = sorted(enumerate(shipments), key=lambda item: (item[1][0], item[0]))
    stations: list[int] = []
    work: list[float] = []
    size: list[float] = []
    steps: list[int] = []
    for _, (_, flow, shipment_work, shipment_size) in ordered:
        route = flows[flow].stations
        assert len(shipment_work) == len(route) == len(shipment_size)
        stations += route
        work += shipment_work
        size += shipment_size
        steps.append(len(route))
    count = len(ordered)
    created = np.array([s[0] for _, s in ordered], dtype=np.float64)
    return Plan(
        network=network,
        seed=0,
        replications=(0,),
        rep_first=np.array([0, count], dtype=np.int64),
        shipment_rep=np.zeros(count, dtype=np.int64),
        shipment_id=np.arange(count, dtype=np.int64),
        shipment_flow=np.array([flows[s[1]].index for _, s in ordered], dtype=np.int64),
        created=created,
        tonnes=np.ones(count),
        teu=np.zeros(count),
        free_flow_h=np.array([sum(s[2]) for _, s in ordered], dtype=np.float64),
        first_visit=np.concatenate([[0], np.cumsum(steps)]).astype(np.int64),
        visit_station=np.array(stations, dtype=np.int64),
        visit_work=np.array(work, dtype=np.float64),
        visit_size=np.array(size, dtype=np.float64),
    )
