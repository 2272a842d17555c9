"""Tidy tables of a run: one row per visit, per shipment and per station.

Large tables are built as Arrow tables straight from the Plan and Trace arrays (:func:`visits_arrow`,
:func:`shipments_arrow`; ids dictionary-encoded, as pandas writes categoricals) and written without pandas;
the DataFrames (:func:`visits_table`, :func:`shipments_table`) have the same columns, ids as categoricals —
what pandas reads back from the files.

Column contract (see DESIGN.md): visits (replication, shipment, seq, station, kind, arrive, start, end),
shipments (replication, shipment, flow, commodity, origin, destination, tonnes, teu, created, delivered,
free_flow_h, and ``left`` when a flow's ships may leave at a chokepoint: the time it left, NaN if it did not;
a shipment that left is never delivered), stations (station, kind, node, node_name, cargo_class, lat, lon,
capacity). Times in hours from the scenario start; NaN where the event had not happened by the horizon.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.arrays import IntArray
from sim.network import Network
from sim.plan import Plan
from sim.results.delivery import delivered_times, left_times
from sim.scenario.model import Scenario
from sim.trace import Trace

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["shipments_arrow", "shipments_table", "stations_table", "visits_arrow", "visits_table"]

KIND_NAMES = ["berth", "service", "chokepoint", "leg", "dwell"]


def _code_type(labels: list[str]) -> type[np.signedinteger]:
    """The narrowest signed integer type for codes into ``labels``, as pandas' categorical codes."""
    return next(t for t in (np.int8, np.int16, np.int32, np.int64) if len(labels) < np.iinfo(t).max)


def _dictionary(labels: list[str], codes: IntArray) -> pa.DictionaryArray:
    """Codes into ``labels`` as an Arrow dictionary column, indices as narrow as pandas' categorical codes."""
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(_code_type(labels), copy=False)), pa.array(labels, type=pa.string())
    )


def visits_arrow(plan: Plan, trace: Trace) -> pa.Table:
    """One row per visit, as an Arrow table.

    The index columns come from one compiled pass (:mod:`sim.results.visit_columns`); a Plan whose offsets
    or stations it refuses goes through the numpy expressions below, which raise their own errors.
    """
    import pyarrow as pa

    from sim.results.visit_columns import visit_columns

    names = [s.name for s in plan.network.stations]
    kind_of_station = np.array([KIND_NAMES.index(s.kind) for s in plan.network.stations], dtype=np.int64)
    index = visit_columns(
        plan.first_visit,
        plan.shipment_rep,
        plan.shipment_id,
        plan.visit_station,
        kind_of_station,
        _code_type(names),
        _code_type(KIND_NAMES),
    )
    if index is None:
        return _visits_arrow_numpy(plan, trace)
    return pa.table(
        {
            "replication": index["replication"],
            "shipment": index["shipment"],
            "seq": index["seq"],
            "station": _dictionary(names, index["station"]),
            "kind": _dictionary(KIND_NAMES, index["kind"]),
            "arrive": trace.arrive,
            "start": trace.start,
            "end": trace.end,
        }
    )


def _visits_arrow_numpy(plan: Plan, trace: Trace) -> pa.Table:
    """:func:`visits_arrow` by numpy expressions (a Plan the compiled pass refuses: they raise)."""
    import pyarrow as pa

    row = plan.visit_shipment
    stations = plan.network.stations
    kind_of_station = np.array([KIND_NAMES.index(s.kind) for s in stations], dtype=np.int64)
    return pa.table(
        {
            "replication": plan.shipment_rep.astype(np.int32)[row],
            "shipment": plan.shipment_id[row],
            "seq": plan.visit_seq.astype(np.int16),
            "station": _dictionary([s.name for s in stations], plan.visit_station),
            "kind": _dictionary(KIND_NAMES, kind_of_station[plan.visit_station]),
            "arrive": trace.arrive,
            "start": trace.start,
            "end": trace.end,
        }
    )


def visits_table(plan: Plan, trace: Trace) -> pd.DataFrame:
    """One row per visit: the columns of :func:`visits_arrow`, ids as categoricals."""
    import pandas as pd

    row = plan.visit_shipment
    stations = plan.network.stations
    kind_of_station = np.array([KIND_NAMES.index(s.kind) for s in stations], dtype=np.int64)
    return pd.DataFrame(
        {
            "replication": plan.shipment_rep[row].astype(np.int32),
            "shipment": plan.shipment_id[row],
            "seq": plan.visit_seq.astype(np.int16),
            "station": _categorical([s.name for s in stations], plan.visit_station),
            "kind": _categorical(KIND_NAMES, kind_of_station[plan.visit_station]),
            "arrive": trace.arrive,
            "start": trace.start,
            "end": trace.end,
        }
    )


def _categorical(labels: list[str], codes: IntArray) -> pd.Categorical[str]:
    import pandas as pd

    return pd.Categorical.from_codes(codes.astype(np.int64), categories=pd.Index(labels, dtype=str))


def _shipment_columns(
    plan: Plan, trace: Trace, scenario: Scenario, encode: Callable[[list[str], IntArray], Any]
) -> dict[str, Any]:
    """The shipment columns, ids encoded by ``encode(labels, codes)`` (categorical or Arrow dictionary)."""
    flows = plan.network.flows
    specs = [scenario.flows[f.flow] for f in flows]
    commodities = sorted({s.commodity for s in specs})
    nodes = sorted({n for f in flows for n in (f.nodes[0], f.nodes[-1])})
    flow_commodity = np.array([commodities.index(s.commodity) for s in specs], dtype=np.int64)
    flow_origin = np.array([nodes.index(f.nodes[0]) for f in flows], dtype=np.int64)
    flow_destination = np.array([nodes.index(f.nodes[-1]) for f in flows], dtype=np.int64)
    flow = plan.shipment_flow
    columns = {
        "replication": plan.shipment_rep.astype(np.int32),
        "shipment": plan.shipment_id,
        "flow": encode([f.name for f in flows], flow),
        "commodity": encode(commodities, flow_commodity[flow]),
        "origin": encode(nodes, flow_origin[flow]),
        "destination": encode(nodes, flow_destination[flow]),
        "tonnes": plan.tonnes,
        "teu": plan.teu,
        "created": plan.created,
        "delivered": delivered_times(plan, trace),
        "free_flow_h": plan.free_flow_h,
    }
    if plan.left is not None:  # a flow's ships may leave at a chokepoint: when each left (NaN: it did not)
        columns["left"] = left_times(plan, trace)
    return columns


def shipments_table(plan: Plan, trace: Trace, scenario: Scenario) -> pd.DataFrame:
    """One row per shipment; ``delivered``: end of its last visit, NaN if it left (ids as categoricals)."""
    import pandas as pd

    return pd.DataFrame(_shipment_columns(plan, trace, scenario, _categorical))


def shipments_arrow(plan: Plan, trace: Trace, scenario: Scenario) -> pa.Table:
    """One row per shipment, as an Arrow table."""
    import pyarrow as pa

    return pa.table(_shipment_columns(plan, trace, scenario, _dictionary))


def stations_table(network: Network, scenario: Scenario) -> pd.DataFrame:
    """One row per station: where it is and its nominal capacity (berths, per departure, slots/day)."""
    import pandas as pd

    rows = []
    for station in network.stations:
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
