"""CO₂e by station of the shipments counted in the window, summed over route groups position by position.

The ledger's per-station CO₂e (:mod:`sim.results.ledger`, ``emissions_by_station``): of the shipments whose
journey ended in [warm-up, horizon], ``factor × (tonnes or TEU carried)`` at each station they visited. It
is summed over groups of shipments that visit the same stations (:mod:`sim.results.route_groups`: by flow,
then number of visits): for each group and each of its positions, ``(per_t × tonnes + per_teu × TEU) /
1000`` is added to the station's total in each stored replication with a counted shipment of the group —
tonnes and TEU summed over those shipments in the Plan's order.

Usually all the shipments of a flow with as many visits visit the same stations; one compiled pass over the
shipments checks that and sums each (flow, length) group's tonnes and TEU by replication (:func:`_loads`).
Otherwise (the two ways of a diversion with as many visits) the groups come from
:func:`sim.results.route_groups.route_groups`. Both give the same groups in the same order, so the same
floats.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled
from sim.plan import Plan
from sim.rates import Rates
from sim.results.route_groups import route_groups

__all__ = ["station_co2e"]

Load = tuple[int, IntArray, FloatArray, FloatArray, FloatArray]
"""A route group's flow, stations, and its counted shipments, tonnes and TEU by stored replication."""


def station_co2e(plan: Plan, rates: Rates, done: BoolArray) -> FloatArray:
    """Well-to-wheel and tank-to-wheel CO₂e (t) by station and stored replication, shape (2, stations, R).

    Parameters
    ----------
    plan : Plan
        The shipments and their visits.
    rates : Rates
        The factors (``wtw_kg``, ``ttw_kg``: kg per t and per TEU) of each (station, flow).
    done : ndarray of bool
        Which shipments count (their journey ended in the window).
    """
    reps = len(plan.replications)
    station_t = np.zeros((2, len(plan.network.stations), reps))
    for flow, stations, count, tonnes_by_rep, teu_by_rep in _group_loads(plan, done):
        present = np.flatnonzero(count)
        tonnes, teu = tonnes_by_rep[present], teu_by_rep[present]
        for station in stations.tolist():
            for which, factors in enumerate((rates.wtw_kg, rates.ttw_kg)):
                per_t, per_teu = factors[:, station, flow]
                if per_t or per_teu:
                    station_t[which, station, present] += (per_t * tonnes + per_teu * teu) / 1000.0
    return station_t


def _group_loads(plan: Plan, done: BoolArray) -> list[Load]:
    """Each route group's flow, stations and counted loads by replication, groups in route-group order."""
    reps = len(plan.replications)
    counts = np.diff(plan.first_visit)
    if not counts.size:
        return []
    longest = int(counts.max())
    flows = len(plan.network.flows)
    first, count, tonnes, teu, uniform = _loads(
        plan.rep_first,
        plan.first_visit,
        plan.visit_station,
        plan.shipment_flow,
        plan.tonnes,
        plan.teu,
        done,
        flows,
        longest,
    )
    loads: list[Load] = []
    if uniform:
        for flow in range(flows):
            for length in range(longest + 1):
                at = int(first[flow, length])
                if at >= 0:
                    stations = plan.visit_station[at : at + length].astype(np.int64)
                    loads.append(
                        (flow, stations, count[flow, length], tonnes[flow, length], teu[flow, length])
                    )
        return loads
    rep = np.repeat(np.arange(reps, dtype=np.int64), np.diff(plan.rep_first))
    for group in route_groups(plan):
        rows = group.rows[done[group.rows]]
        counted = rep[rows]
        weights = (None, plan.tonnes[rows], plan.teu[rows])
        by_rep = [
            np.asarray(np.bincount(counted, weights=w, minlength=reps), dtype=np.float64) for w in weights
        ]
        loads.append((group.flow, group.stations, by_rep[0], by_rep[1], by_rep[2]))
    return loads


@compiled
def _loads(
    rep_first: IntArray,
    first_visit: IntArray,
    visit_station: IntArray,
    shipment_flow: IntArray,
    tonnes: FloatArray,
    teu: FloatArray,
    done: BoolArray,
    flows: int,
    longest: int,
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, bool]:
    """The (flow, length) groups: first visit of each one's first shipment and its loads, and whether uniform.

    Returns ``first`` (shape (flows, longest + 1); −1: no shipment), the counted shipments, tonnes and TEU
    of each group by stored replication (shape (flows, longest + 1, R), summed in row order from 0), and
    whether every shipment visits the stations of its group's first shipment.
    """
    reps = rep_first.size - 1
    first = np.full((flows, longest + 1), -1, dtype=np.int64)
    count = np.zeros((flows, longest + 1, reps), dtype=np.float64)
    tonnes_by = np.zeros((flows, longest + 1, reps), dtype=np.float64)
    teu_by = np.zeros((flows, longest + 1, reps), dtype=np.float64)
    uniform = True
    for stored in range(reps):
        for row in range(rep_first[stored], rep_first[stored + 1]):
            flow = shipment_flow[row]
            at = first_visit[row]
            length = first_visit[row + 1] - at
            seen = first[flow, length]
            if seen < 0:
                first[flow, length] = at
            elif uniform:
                for j in range(length):
                    if visit_station[at + j] != visit_station[seen + j]:
                        uniform = False
                        break
            if done[row]:
                count[flow, length, stored] += 1.0
                tonnes_by[flow, length, stored] += tonnes[row]
                teu_by[flow, length, stored] += teu[row]
    return first, count, tonnes_by, teu_by, uniform
