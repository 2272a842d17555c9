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
from sim.network import Network
from sim.plan import Plan
from sim.scenario.model import Scenario

__all__ = ["COMMODITY", "DESTINATION", "FLOW", "TRAFFIC", "FlowCodes", "ShipmentCodes", "month_numbers"]


@dataclass(frozen=True)
class FlowCodes:
    """Each flow's commodity, destination and traffic class, as codes into label lists (one set per run).

    Attributes
    ----------
    flows, commodities, nodes : list of str
        The labels: flow names (``network.flows`` order), commodities and nodes (origins and destinations),
        sorted.
    table : ndarray of int64
        Shape (4, flows): each flow's own code, its commodity, destination and traffic class (0 modelled,
        1 background: ``kpis_by_group.TRAFFIC``); rows :data:`FLOW`, :data:`COMMODITY`, :data:`DESTINATION`,
        :data:`TRAFFIC`.
    """

    flows: list[str]
    commodities: list[str]
    nodes: list[str]
    table: IntArray

    @classmethod
    def of(cls, scenario: Scenario, network: Network) -> FlowCodes:
        """The codes of the flows of ``network``."""
        flows = network.flows
        specs = [scenario.flows[f.flow] for f in flows]
        commodities = sorted({s.commodity for s in specs})
        nodes = sorted({n for f in flows for n in (f.nodes[0], f.nodes[-1])})
        table = np.array(
            [
                np.arange(len(flows)),
                [commodities.index(s.commodity) for s in specs],
                [nodes.index(f.nodes[-1]) for f in flows],
                [int(s.background) for s in specs],
            ],
            dtype=np.int64,
        ).reshape(4, len(flows))
        return cls([f.name for f in flows], commodities, nodes, table)


FLOW, COMMODITY, DESTINATION, TRAFFIC = 0, 1, 2, 3
"""Rows of :attr:`FlowCodes.table`."""


@dataclass(frozen=True)
class ShipmentCodes:
    """The shipment columns the KPIs need, with codes into the small label lists of :class:`FlowCodes`."""

    codes: FlowCodes
    replications: int
    traffic: IntArray
    """Traffic class of each shipment: 0 modelled, 1 background (``kpis_by_group.TRAFFIC``)."""
    delivered: FloatArray
    """Delivery of each shipment (h; NaN: not by the horizon, or never: it left)."""

    @classmethod
    def of(cls, codes: FlowCodes, plan: Plan, delivered: FloatArray) -> ShipmentCodes:
        """The codes of the shipments of ``plan``, delivered at ``delivered`` (h).

        ``delivered`` as :func:`sim.results.delivery.delivered_times` gives it: when their last visit ends
        (NaN: not by the horizon, or never: it left).
        """
        return cls(
            codes=codes,
            replications=len(plan.replications),
            traffic=codes.table[TRAFFIC][plan.shipment_flow],
            delivered=delivered,
        )


def month_numbers(scenario: Scenario, hours: FloatArray) -> IntArray:
    """Calendar month of each time, counted in months since 1970-01."""
    origin = np.datetime64(dt.datetime.combine(scenario.start, dt.time()), "s")
    moments = origin + (hours * 3600.0).astype("timedelta64[s]")
    return moments.astype("datetime64[M]").astype(np.int64)
