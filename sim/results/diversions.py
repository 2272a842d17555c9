"""Diversions: which way each shipment took, the Plan and Trace of the ways taken, and the diversion KPIs.

The engines lay out both ways of a flow with a diversion (:class:`sim.network.FlowDiversion`) and leave the
untaken one's times NaN. :func:`routes_taken` keeps, for each shipment, the visits it made: a shipment that
diverted keeps its route up to the chokepoint and then its alternative (the chokepoint visit, where it never
started a transit, is dropped, so it counts in no wait, queue or utilisation of the chokepoint); every other
shipment keeps its route. Every table and KPI is computed from that Plan and Trace, so a diverted ship's
delivery, transit time, costs and emissions are those of the way it sailed. Its ``free_flow_h`` stays that
of its route, so its delay includes the extra sailing.

KPIs (``diversions_by_flow``, keyed by flow, and ``diversions_by_station``, keyed by chokepoint), over the
ships of flows with a diversion that arrived at the chokepoint in the window [warm-up, horizon]:
``arrivals``, ``diversions`` (of them, those that diverted: the decision is taken on arrival),
``diverted_share``, ``extra_sailing_days_mean`` and ``extra_sailing_days`` (mean and total over the
diverted ships of the alternative's free-flow time minus that of the route from the chokepoint on, in days:
the visits after the two ways join — the destination's berth — have the same work in both and cancel).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.plan import Plan
from sim.results.groups import group_sums
from sim.trace import Trace

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Diversions", "diversion_kpis", "routes_taken"]

HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class Diversions:
    """The shipments of flows with a diversion, and what happened at the chokepoint.

    Attributes
    ----------
    rows : ndarray of int64
        Their rows in the Plan (and in the shipments table).
    flow : ndarray of int64
        Index into ``network.flows`` of each such shipment.
    rep : ndarray of int64
        Stored replication (0 … R − 1) of each.
    arrived_h : ndarray of float64
        Arrival at the chokepoint (h); NaN if it had not arrived by the horizon.
    diverted : ndarray of bool
        Whether it diverted.
    extra_sailing_h : ndarray of float64
        The alternative's free-flow hours minus the route's from the chokepoint on (h).
    flows : list of str
        Flow names (``network.flows`` order).
    stations : list of str
        The chokepoint station of each flow (``""`` for a flow without a diversion).
    replications : tuple of int
        Replication numbers in stored order.
    """

    rows: IntArray
    flow: IntArray
    rep: IntArray
    arrived_h: FloatArray
    diverted: BoolArray
    extra_sailing_h: FloatArray
    flows: list[str]
    stations: list[str]
    replications: tuple[int, ...]

    def shipments_column(self, n_shipments: int) -> BoolArray:
        """``diverted`` for every shipment of the Plan (False for flows without a diversion)."""
        column = np.zeros(n_shipments, dtype=bool)
        column[self.rows] = self.diverted
        return column


def routes_taken(plan: Plan, trace: Trace) -> tuple[Plan, Trace, Diversions | None]:
    """The Plan and Trace of the visits each shipment made, and its diversions (None when no flow has one)."""
    flows = plan.network.flows
    if all(flow.diversion is None for flow in flows):
        return plan, trace, None
    at = np.array([f.diversion.at if f.diversion else -1 for f in flows], dtype=np.int64)
    branch = np.array([f.diversion.branch if f.diversion else 0 for f in flows], dtype=np.int64)
    rows = np.flatnonzero(at[plan.shipment_flow] >= 0)
    flow = plan.shipment_flow[rows]
    first = plan.first_visit[rows]
    decide, detour = first + at[flow], first + branch[flow]
    diverted = np.isfinite(trace.arrive[detour])
    keep = np.ones(plan.n_visits, dtype=bool)
    owner = plan.visit_shipment
    # a diverted ship's visits from the chokepoint to its route's end, any other's alternative: dropped
    seq = plan.visit_seq
    has = np.zeros(plan.n_shipments, dtype=bool)
    has[rows] = True
    cut_from = np.zeros(plan.n_shipments, dtype=np.int64)
    cut_to = np.zeros(plan.n_shipments, dtype=np.int64)
    cut_from[rows] = np.where(diverted, at[flow], branch[flow])
    cut_to[rows] = np.where(diverted, branch[flow], np.diff(plan.first_visit)[rows])
    keep[has[owner] & (seq >= cut_from[owner]) & (seq < cut_to[owner])] = False
    taken = _compact(plan, keep)
    times = Trace(trace.arrive[keep], trace.start[keep], trace.end[keep])
    work = np.concatenate([[0.0], np.cumsum(plan.visit_work)])
    last = plan.first_visit[rows + 1]
    extra = (work[last] - work[detour]) - (work[detour] - work[decide])
    names = [f.name for f in flows]
    stations = [plan.network.stations[f.stations[f.diversion.at]].name if f.diversion else "" for f in flows]
    record = Diversions(
        rows,
        flow,
        np.searchsorted(plan.rep_first, rows, side="right") - 1,
        trace.arrive[decide],
        diverted,
        extra,
        names,
        stations,
        plan.replications,
    )
    return taken, times, record


def _compact(plan: Plan, keep: BoolArray) -> Plan:
    """The Plan with only the kept visits (flows lose their diversion: their visits are laid out as taken)."""
    counts = np.bincount(plan.visit_shipment[keep], minlength=plan.n_shipments)
    flows = tuple(dataclasses.replace(f, diversion=None) for f in plan.network.flows)
    return dataclasses.replace(
        plan,
        network=dataclasses.replace(plan.network, flows=flows),
        first_visit=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        visit_station=plan.visit_station[keep],
        visit_work=plan.visit_work[keep],
        visit_size=plan.visit_size[keep],
    )


def diversion_kpis(diversions: Diversions, window: tuple[float, float]) -> pd.DataFrame:
    """The diversion KPIs per replication, in the long form of :mod:`sim.results.kpis`."""
    import pandas as pd

    lo, hi = window
    inside = (diversions.arrived_h >= lo) & (diversions.arrived_h <= hi)
    reps = len(diversions.replications)
    frames = []
    chokepoints = sorted({s for s in diversions.stations if s})
    by_station = np.array([chokepoints.index(s) if s else -1 for s in diversions.stations], dtype=np.int64)
    for table, labels, codes in (
        ("diversions_by_flow", diversions.flows, diversions.flow),
        ("diversions_by_station", chokepoints, by_station[diversions.flow]),
    ):
        group = codes[inside] * reps + diversions.rep[inside]
        turned = diversions.diverted[inside]
        count, extra, arrivals = group_sums(
            group,
            len(labels) * reps,
            turned.astype(np.float64),
            np.where(turned, diversions.extra_sailing_h[inside], 0.0) / HOURS_PER_DAY,
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            metrics = {
                "arrivals": arrivals,
                "diversions": count,
                "diverted_share": count / arrivals,
                "extra_sailing_days": extra,
                "extra_sailing_days_mean": extra / count,
            }
        used = np.unique(codes)
        used = used[used >= 0]
        for metric, values in metrics.items():
            grid = values.reshape(len(labels), reps)[used]
            frames.append(
                pd.DataFrame(
                    {
                        "table": table,
                        "key": np.repeat(np.asarray(labels, dtype=object)[used], reps),
                        "period": "",
                        "metric": metric,
                        "replication": np.tile(
                            np.asarray(diversions.replications, dtype=np.int64), used.size
                        ),
                        "value": grid.reshape(-1),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)
