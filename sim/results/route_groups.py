"""Shipments grouped by the stations they visit: one group per (flow, sequence of stations).

The ledger's money and CO₂e of a visit depend only on its (station, flow) pair and the shipment's size, so a
group's shipments share every rate position by position: a per-shipment total is a few array operations per
position over the group's shipments instead of a gather per visit. Groups are found from the Plan's visits
themselves — a flow's shipments may take either way of a diversion (:mod:`sim.results.diversions`), or
visit fewer stations (none at all, for a shipment that left before its first visit) — so nothing about the
routes is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrays import IntArray
from sim.compiled import compiled
from sim.plan import Plan

__all__ = ["RouteGroup", "route_groups"]


@dataclass(frozen=True)
class RouteGroup:
    """The shipments of one flow that visit the same stations in the same order.

    Attributes
    ----------
    flow : int
        Index into ``network.flows``.
    stations : ndarray of int64
        The stations visited, in order (empty for shipments with no visit).
    rows : ndarray of int64
        The shipments' rows in the Plan, ascending.
    first : ndarray of int64
        Each shipment's first visit (``plan.first_visit[rows]``): visit ``j`` is ``first + j``.
    """

    flow: int
    stations: IntArray
    rows: IntArray
    first: IntArray


def route_groups(plan: Plan) -> list[RouteGroup]:
    """Every shipment of ``plan`` in exactly one group, groups by flow, then length, then stations."""
    counts = np.diff(plan.first_visit)
    if not counts.size:
        return []
    longest = int(counts.max())
    key = plan.shipment_flow * (longest + 1) + counts
    narrow = np.uint16 if int(key.max()) <= np.iinfo(np.uint16).max else np.int64
    order = np.argsort(key.astype(narrow), kind="stable")  # a radix sort of small codes: rows stay ascending
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    groups = []
    for rows in np.split(order, bounds):
        first = plan.first_visit[rows]
        length = int(counts[rows[0]])
        flow = int(plan.shipment_flow[rows[0]])
        if _same_stations(plan.visit_station, first, length):
            route = plan.visit_station[first[0] : first[0] + length].astype(np.int64)
            groups.append(RouteGroup(flow, route, rows, first))
            continue
        stations = plan.visit_station[first[:, None] + np.arange(length)]
        unique, inverse = np.unique(stations, axis=0, return_inverse=True)
        for k, route in enumerate(unique):
            mine = inverse.reshape(-1) == k
            groups.append(RouteGroup(flow, route.astype(np.int64), rows[mine], first[mine]))
    return groups


@compiled
def _same_stations(visit_station: IntArray, first: IntArray, length: int) -> bool:
    """Whether the shipments whose visits start at ``first`` all visit the stations of the first one."""
    for start in first[1:]:
        for j in range(length):
            if visit_station[start + j] != visit_station[first[0] + j]:
                return False
    return True
