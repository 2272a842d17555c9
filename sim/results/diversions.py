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
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled
from sim.plan import Plan
from sim.results.long_form import LongTable, long_frame
from sim.trace import Trace

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Diversions", "diversion_kpis", "diversion_tables", "routes_taken"]

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
        Whether it diverted (took its flow's alternative route).
    extra_sailing_h : ndarray of float64
        The alternative's free-flow hours minus the route's from the chokepoint on (h); NaN for a flow
        whose ships leave.
    flows : list of str
        Flow names (``network.flows`` order).
    stations : list of str
        The chokepoint station of each flow (``""`` for a flow without a diversion).
    replications : tuple of int
        Replication numbers in stored order.
    left : ndarray of bool
        Whether it left (its flow's diversion ``leaves``: it went elsewhere, never delivered).
    leaves : list of bool
        Per flow (``network.flows`` order): its diversion ``leaves`` (its ships leave, none divert).
    tonnes : ndarray of float64
        Its tonnes.
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
    left: BoolArray
    leaves: list[bool]
    tonnes: FloatArray

    @classmethod
    def joined(cls, records: list[Diversions]) -> Diversions:
        """The records of consecutive blocks of replications as one.

        The caller re-bases each block's ``rows`` and ``rep`` (see :mod:`sim.streaming`).
        """

        def join(name: str) -> Any:
            return np.concatenate([getattr(record, name) for record in records])

        first = records[0]
        return cls(
            rows=join("rows"),
            flow=join("flow"),
            rep=join("rep"),
            arrived_h=join("arrived_h"),
            diverted=join("diverted"),
            extra_sailing_h=join("extra_sailing_h"),
            flows=first.flows,
            stations=first.stations,
            replications=tuple(number for record in records for number in record.replications),
            left=join("left"),
            leaves=first.leaves,
            tonnes=join("tonnes"),
        )

    def shipments_column(self, n_shipments: int) -> BoolArray:
        """``diverted`` for every shipment of the Plan (False for flows without a diversion)."""
        column = np.zeros(n_shipments, dtype=bool)
        column[self.rows] = self.diverted
        return column

    @property
    def diverts(self) -> bool:
        """Some flow's ships divert (take an alternative route): the shipments get a ``diverted`` column."""
        return any(s and not leaves for s, leaves in zip(self.stations, self.leaves, strict=True))


def routes_taken(plan: Plan, trace: Trace) -> tuple[Plan, Trace, Diversions | None]:
    """The Plan and Trace of the visits each shipment made, and its diversions (None when no flow has one)."""
    flows = plan.network.flows
    if all(flow.diversion is None for flow in flows):
        return plan, trace, None
    at = np.array([f.diversion.at if f.diversion else -1 for f in flows], dtype=np.int64)
    branch = np.array([f.diversion.branch if f.diversion else 0 for f in flows], dtype=np.int64)
    leaves = np.array([f.diversion.leaves if f.diversion else False for f in flows], dtype=bool)
    rows, rep, diverted, left, extra, drop = _records(
        (plan.rep_first, plan.first_visit, plan.shipment_flow),
        (at, branch, leaves),
        (trace.arrive, trace.start, trace.end),
        plan.visit_work,
    )
    flow = plan.shipment_flow[rows]
    shipments_left = None
    if leaves.any():
        shipments_left = np.zeros(plan.n_shipments, dtype=bool)
        shipments_left[rows] = left
    every = not bool((drop[1] > drop[0]).any())  # then the arrays are kept as they are
    keep = None if every else _kept(plan.n_visits, drop[0], drop[1])
    taken = _compact(plan, keep, shipments_left)
    times = trace if keep is None else Trace(trace.arrive[keep], trace.start[keep], trace.end[keep])
    decide = plan.first_visit[rows] + at[flow]
    names = [f.name for f in flows]
    stations = [plan.network.stations[f.stations[f.diversion.at]].name if f.diversion else "" for f in flows]
    record = Diversions(
        rows,
        flow,
        rep,
        trace.arrive[decide],
        diverted,
        extra,
        names,
        stations,
        plan.replications,
        left,
        leaves.tolist(),
        plan.tonnes[rows],
    )
    return taken, times, record


@compiled
def _records(
    layout: tuple[IntArray, IntArray, IntArray],
    diversion: tuple[IntArray, IntArray, BoolArray],
    times: tuple[FloatArray, FloatArray, FloatArray],
    visit_work: FloatArray,
) -> tuple[IntArray, IntArray, BoolArray, BoolArray, FloatArray, IntArray]:
    """What happened to each shipment of a flow with a diversion, in one pass over the shipments.

    ``layout``: the Plan's ``rep_first``, ``first_visit`` and ``shipment_flow``; ``diversion``: per flow,
    the position of its chokepoint on its route (−1: no diversion), of its alternative's first visit, and
    whether its ships leave (no alternative); ``times``: the visits' arrival, start and end (h).

    Returns the shipments' rows, stored replications, whether each diverted (it arrived at its
    alternative's first visit), left (it never started at the chokepoint, which it had left by the
    horizon), its extra sailing (h; NaN for a flow whose ships leave): the work from its alternative's first
    visit to its last minus that from its chokepoint to its alternative, each the difference of the
    cumulative sums of the Plan's ``visit_work`` from 0 (as ``np.cumsum`` adds them) — and the visits each
    drops, shape (2, records): from the chokepoint to the alternative for a ship that turned away, the
    alternative otherwise.
    """
    rep_first, first_visit, shipment_flow = layout
    at, branch, leaves = diversion
    arrive, start, end = times
    count = 0
    for row in range(shipment_flow.size):
        if at[shipment_flow[row]] >= 0:
            count += 1
    rows = np.empty(count, dtype=np.int64)
    rep = np.empty(count, dtype=np.int64)
    diverted = np.zeros(count, dtype=np.bool_)
    left = np.zeros(count, dtype=np.bool_)
    extra = np.empty(count, dtype=np.float64)
    drop = np.empty((2, count), dtype=np.int64)
    work = 0.0  # the cumulative work before visit `done`
    done = 0
    found = 0
    for stored in range(rep_first.size - 1):
        for row in range(rep_first[stored], rep_first[stored + 1]):
            flow = shipment_flow[row]
            if at[flow] < 0:
                continue
            first, last = first_visit[row], first_visit[row + 1]
            decide, detour = first + at[flow], first + branch[flow]
            leaving = leaves[flow]
            if leaving:  # no alternative: its detour is past its last visit
                left[found] = np.isnan(start[decide]) and np.isfinite(end[decide])
                extra[found] = np.nan
            else:
                diverted[found] = np.isfinite(arrive[detour])
                done, work, to_decide = _work_to(visit_work, done, work, decide)
                done, work, to_detour = _work_to(visit_work, done, work, detour)
                done, work, to_last = _work_to(visit_work, done, work, last)
                extra[found] = (to_last - to_detour) - (to_detour - to_decide)
            if diverted[found] or left[found]:
                drop[0, found], drop[1, found] = decide, detour
            else:
                drop[0, found], drop[1, found] = detour, last
            rows[found] = row
            rep[found] = stored
            found += 1
    return rows, rep, diverted, left, extra, drop


@compiled
def _work_to(visit_work: FloatArray, done: int, work: float, visit: int) -> tuple[int, float, float]:
    """The cumulative work before ``visit`` (h; ``np.cumsum`` of ``visit_work``, 0 before the first visit).

    Goes on from ``work``, the cumulative work before visit ``done`` (≤ ``visit``: the visits are asked for
    in order); returns the new ``done`` and ``work``, and the value.
    """
    while done < visit:
        work = visit_work[0] if done == 0 else work + visit_work[done]
        done += 1
    return done, work, work


@compiled
def _kept(visits: int, drop_from: IntArray, drop_to: IntArray) -> BoolArray:
    """Every visit but those in the ranges ``drop_from[i]:drop_to[i]`` (visit indices), as a mask."""
    keep = np.ones(visits, dtype=np.bool_)
    for i in range(drop_from.size):
        keep[drop_from[i] : drop_to[i]] = False
    return keep


def _compact(plan: Plan, keep: BoolArray | None, left: BoolArray | None) -> Plan:
    """The Plan with only the kept visits (flows lose their diversion: their visits are laid out as taken).

    ``keep``: None when every visit is kept. ``left``: the shipments that left (:attr:`sim.plan.Plan.left`;
    None when no flow's ships leave).
    """
    flows = tuple(dataclasses.replace(f, diversion=None) for f in plan.network.flows)
    network = dataclasses.replace(plan.network, flows=flows)
    if keep is None:
        return dataclasses.replace(plan, network=network, left=left)
    counts = np.bincount(plan.visit_shipment[keep], minlength=plan.n_shipments)
    return dataclasses.replace(
        plan,
        network=network,
        first_visit=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        visit_station=plan.visit_station[keep],
        visit_work=plan.visit_work[keep],
        visit_size=plan.visit_size[keep],
        visit_class=plan.visit_class[keep] if plan.visit_class is not None else None,
        left=left,
    )


def diversion_kpis(diversions: Diversions, window: tuple[float, float]) -> pd.DataFrame:
    """The diversion and leaving KPIs per replication, in the long form of :mod:`sim.results.kpis`.

    ``diversions_by_flow`` and ``diversions_by_station`` over the flows whose ships divert, ``left_by_flow``
    and ``left_by_station`` over those whose ships leave (a table only when some flow has that kind).
    """
    return long_frame([diversion_tables(diversions, window)], list(diversions.replications))


def diversion_tables(diversions: Diversions, window: tuple[float, float]) -> list[LongTable]:
    """The tables of :func:`diversion_kpis`, in long form (each over all the records' replications)."""
    lo, hi = window
    inside = (diversions.arrived_h >= lo) & (diversions.arrived_h <= hi)
    leaving = np.asarray(diversions.leaves, dtype=bool)[diversions.flow]
    had = np.bincount(diversions.flow, minlength=len(diversions.flows))
    present = np.flatnonzero(had).tolist()  # the flows that had shipments
    tables = []
    for kind, mine in (("diversions", inside & ~leaving), ("left", inside & leaving)):
        flows = {f for f in present if diversions.leaves[f] == (kind == "left")}
        if not flows:
            continue
        for by in ("flow", "station"):
            tables.append(_turned_away(diversions, mine, kind, by, flows))
    return tables


def _turned_away(diversions: Diversions, mine: BoolArray, kind: str, by: str, flows: set[int]) -> LongTable:
    """Table ``{kind}_by_{by}`` over the shipments ``mine`` (in the window) of the flows ``flows``.

    ``diversions``: arrivals, diversions, their share and extra sailing days; ``left``: arrivals, ships that
    left and their share, and their tonnes.
    """
    reps = len(diversions.replications)
    if by == "flow":
        labels, codes = diversions.flows, diversions.flow
        used = np.array(sorted(flows), dtype=np.int64)
    else:
        labels = sorted({diversions.stations[f] for f in flows})
        by_station = np.array([labels.index(s) if s in labels else -1 for s in diversions.stations])
        codes = by_station[diversions.flow]
        used = np.arange(len(labels), dtype=np.int64)
    turned = diversions.diverted if kind == "diversions" else diversions.left
    if kind == "diversions":
        weight = np.where(turned, diversions.extra_sailing_h, 0.0) / HOURS_PER_DAY
    else:
        weight = np.where(turned, diversions.tonnes, 0.0)
    count, total, arrivals = _turned_sums(
        codes.astype(np.int64), diversions.rep, mine, turned, weight, (len(labels), reps)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "diversions":
            metrics = {
                "arrivals": arrivals,
                "diversions": count,
                "diverted_share": count / arrivals,
                "extra_sailing_days": total,
                "extra_sailing_days_mean": total / count,
            }
        else:
            metrics = {
                "arrivals": arrivals,
                "left": count,
                "left_share": count / arrivals,
                "left_tonnes": total,
            }
    values = np.stack([v.reshape(len(labels), reps)[used] for v in metrics.values()])
    return LongTable(
        f"{kind}_by_{by}",
        [labels[u] for u in used.tolist()],
        [""],
        list(metrics),
        values.reshape(len(metrics), used.size, 1, reps),
    )


@compiled
def _turned_sums(
    codes: IntArray,
    rep: IntArray,
    mine: BoolArray,
    turned: BoolArray,
    weight: FloatArray,
    shape: tuple[int, int],
) -> FloatArray:
    """Ships that turned away, their ``weight`` and all ships, of the records ``mine``, by (key, replication).

    ``shape`` is (keys, reps); the result's shape is (3, keys × reps), group ``codes[i] * reps + rep[i]``;
    each sum adds its records in order from 0 (``np.bincount`` of the group with weights ``turned`` as 0/1,
    ``weight``, and none).
    """
    keys, reps = shape
    sums = np.zeros((3, keys * reps), dtype=np.float64)
    for i in range(codes.size):
        if not mine[i] or codes[i] < 0:
            continue
        group = codes[i] * reps + rep[i]
        sums[0, group] += 1.0 if turned[i] else 0.0
        sums[1, group] += weight[i]
        sums[2, group] += 1.0
    return sums
