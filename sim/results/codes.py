"""The Plan's shipments as small integer codes into label lists: what the KPI reductions group by.

A KPI groups by a flow, commodity, destination, station or month; here each is a code (an index into a
short list of labels) per shipment, so that a group is ``code * replications + replication`` and one
``np.bincount`` reduces them all (:mod:`sim.results.groups`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.plan import Plan
from sim.results.delivery import delivered_times
from sim.results.groups import argsort_by_value
from sim.results.waits import QUEUEING_KINDS
from sim.results.window_visits import window_visits
from sim.scenario.model import Scenario
from sim.trace import Trace

__all__ = ["ShipmentCodes", "WindowWaits", "month_numbers"]


@dataclass(frozen=True)
class ShipmentCodes:
    """The shipment columns the KPIs need, as arrays of codes into small label lists."""

    replications: int
    rep: IntArray
    """Index (0 … R − 1) of each shipment's replication in the Plan."""
    flow: IntArray
    commodity: IntArray
    destination: IntArray
    traffic: IntArray
    """Traffic class of each shipment: 0 modelled, 1 background (``kpis_by_group.TRAFFIC``)."""
    flows: list[str]
    commodities: list[str]
    nodes: list[str]
    tonnes: FloatArray
    teu: FloatArray
    created: FloatArray
    delivered: FloatArray
    free_flow_h: FloatArray

    @classmethod
    def of(cls, scenario: Scenario, plan: Plan, trace: Trace) -> ShipmentCodes:
        """The codes of the shipments of ``plan``; delivered when their last visit ends (never: left)."""
        flows = plan.network.flows
        specs = [scenario.flows[f.flow] for f in flows]
        commodities = sorted({s.commodity for s in specs})
        nodes = sorted({n for f in flows for n in (f.nodes[0], f.nodes[-1])})
        flow_commodity = np.array([commodities.index(s.commodity) for s in specs], dtype=np.int64)
        flow_destination = np.array([nodes.index(f.nodes[-1]) for f in flows], dtype=np.int64)
        flow_traffic = np.array([int(s.background) for s in specs], dtype=np.int64)
        flow = np.asarray(plan.shipment_flow, dtype=np.int64)
        count = len(plan.replications)
        return cls(
            replications=count,
            rep=np.repeat(np.arange(count, dtype=np.int64), np.diff(plan.rep_first)),
            flow=flow,
            commodity=flow_commodity[flow],
            destination=flow_destination[flow],
            traffic=flow_traffic[flow],
            flows=[f.name for f in flows],
            commodities=commodities,
            nodes=nodes,
            tonnes=plan.tonnes,
            teu=plan.teu,
            created=plan.created,
            delivered=delivered_times(plan, trace),  # NaN for a ship that left (never delivered)
            free_flow_h=plan.free_flow_h,
        )


@dataclass(frozen=True)
class WindowWaits:
    """The waits of the window (:mod:`sim.results.waits`) of some whole replications, for every wait table.

    The visits to queueing stations that arrived in [warm-up, horizon), in the Plan's order, with their
    station, stored replication and wait; :attr:`order` sorts them by wait once for every grouping.
    """

    kept: IntArray
    """Indices of the visits kept."""
    shipment: IntArray
    """Row of each kept visit's shipment in the Plan."""
    station: IntArray
    rep: IntArray
    arrive: FloatArray
    start: FloatArray
    began: BoolArray
    """Service started by the horizon (else still waiting: its wait is NaN)."""
    wait: FloatArray
    waiting: IntArray
    """Which of the kept visits had not started by the horizon (positions in the kept visits)."""
    order: IntArray
    """The kept visits by wait, those still waiting last (:func:`~sim.results.groups.argsort_by_value`)."""

    @classmethod
    def of(cls, plan: Plan, trace: Trace, window: tuple[float, float]) -> WindowWaits:
        """The window's waits of the visits of ``plan``."""
        kinds = np.array([s.kind in QUEUEING_KINDS for s in plan.network.stations], dtype=bool)
        kept, shipment, rep = window_visits(
            plan.rep_first, plan.first_visit, plan.visit_station, kinds, trace.arrive, window
        )
        arrive, start = trace.arrive[kept], trace.start[kept]
        began = start <= window[1]
        wait = np.where(began, start - arrive, np.nan)
        return cls(
            kept=kept,
            shipment=shipment,
            station=np.asarray(plan.visit_station[kept], dtype=np.int64),
            rep=rep,
            arrive=arrive,
            start=start,
            began=began,
            wait=wait,
            waiting=np.flatnonzero(~began),
            order=argsort_by_value(wait),
        )


def month_numbers(scenario: Scenario, hours: FloatArray) -> IntArray:
    """Calendar month of each time, counted in months since 1970-01."""
    origin = np.datetime64(dt.datetime.combine(scenario.start, dt.time()), "s")
    moments = origin + (hours * 3600.0).astype("timedelta64[s]")
    return moments.astype("datetime64[M]").astype(np.int64)
