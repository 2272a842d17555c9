"""The Plan's shipments as small integer codes into label lists: what the KPI reductions group by.

A KPI groups by a flow, commodity, destination, station or month; here each is a code (an index into a
short list of labels) per shipment, so that a group is ``code * replications + replication`` and one
``np.bincount`` reduces them all (:mod:`sim.results.groups`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.plan import Plan
from sim.results.delivery import delivered_times
from sim.scenario.model import Scenario
from sim.trace import Trace

__all__ = ["ShipmentCodes", "month_numbers"]


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


def month_numbers(scenario: Scenario, hours: FloatArray) -> IntArray:
    """Calendar month of each time, counted in months since 1970-01."""
    origin = np.datetime64(dt.datetime.combine(scenario.start, dt.time()), "s")
    moments = origin + (hours * 3600.0).astype("timedelta64[s]")
    return moments.astype("datetime64[M]").astype(np.int64)
