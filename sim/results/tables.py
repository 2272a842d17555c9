"""Tidy tables of a run: one row per visit, per shipment and per station.

Column contract (see DESIGN.md): visits (replication, shipment, seq, station, kind, arrive, start, end),
shipments (replication, shipment, flow, commodity, origin, destination, tonnes, teu, created, delivered,
free_flow_h), stations (station, kind, node, node_name, cargo_class, lat, lon, capacity). Times in hours from the
scenario start; NaN where the event had not happened by the horizon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.plan import Plan
from sim.scenario.model import Scenario
from sim.trace import Trace

__all__ = ["shipments_table", "stations_table", "visits_table"]


def _categorical(labels: list[str], codes: np.ndarray) -> pd.Categorical[str]:
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=pd.Index(labels, dtype=str))


def visits_table(plan: Plan, trace: Trace) -> pd.DataFrame:
    """One row per visit."""
    shipment_row = plan.visit_shipment
    stations = plan.network.stations
    kind_names = ["berth", "service", "chokepoint", "leg", "dwell"]
    kind_of_station = np.array([kind_names.index(s.kind) for s in stations], dtype=np.int64)
    return pd.DataFrame(
        {
            "replication": plan.shipment_rep[shipment_row].astype(np.int32),
            "shipment": plan.shipment_id[shipment_row],
            "seq": plan.visit_seq.astype(np.int16),
            "station": _categorical([s.name for s in stations], plan.visit_station),
            "kind": _categorical(kind_names, kind_of_station[plan.visit_station]),
            "arrive": trace.arrive,
            "start": trace.start,
            "end": trace.end,
        }
    )


def shipments_table(plan: Plan, trace: Trace, scenario: Scenario) -> pd.DataFrame:
    """One row per shipment; ``delivered`` is the end of its last visit."""
    flows = plan.network.flows
    specs = [scenario.flows[f.name] for f in flows]
    last_visit = plan.first_visit[1:] - 1
    commodities = sorted({s.commodity for s in specs})
    nodes = sorted({n for s in specs for n in (s.origin, s.destination)})
    flow_commodity = np.array([commodities.index(s.commodity) for s in specs], dtype=np.int64)
    flow_origin = np.array([nodes.index(s.origin) for s in specs], dtype=np.int64)
    flow_destination = np.array([nodes.index(s.destination) for s in specs], dtype=np.int64)
    flow = plan.shipment_flow
    return pd.DataFrame(
        {
            "replication": plan.shipment_rep.astype(np.int32),
            "shipment": plan.shipment_id,
            "flow": _categorical([f.name for f in flows], flow),
            "commodity": _categorical(commodities, flow_commodity[flow]),
            "origin": _categorical(nodes, flow_origin[flow]),
            "destination": _categorical(nodes, flow_destination[flow]),
            "tonnes": plan.tonnes,
            "teu": plan.teu,
            "created": plan.created,
            "delivered": trace.end[last_visit] if last_visit.size else np.empty(0),
            "free_flow_h": plan.free_flow_h,
        }
    )


def stations_table(plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """One row per station: where it is and its nominal capacity (berths, per departure, slots/day)."""
    rows = []
    for station in plan.network.stations:
        node = scenario.nodes[station.node]
        rows.append(
            {
                "station": station.name,
                "kind": station.kind,
                "node": station.node,
                "node_name": node.name,
                "cargo_class": station.cargo_class,
                "lat": node.lat if node.lat is not None else np.nan,
                "lon": node.lon if node.lon is not None else np.nan,
                "capacity": station.nominal if not station.is_delay else np.nan,
                "unit": station.unit,
            }
        )
    return pd.DataFrame(rows)
