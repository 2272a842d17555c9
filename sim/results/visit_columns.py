"""The visits table's index columns in one compiled pass (:func:`sim.results.tables.visits_arrow`).

Each visit's replication, shipment id, position on its route, station code and station-kind code were five
numpy expressions over every visit (two ``repeat`` columns of the Plan, two gathers, three narrowing casts:
~0.1 s for a block of 25 replications of ``baseline_2024``, ~5 million visits), on the main thread while
the writer threads waited for the table. Here one pass writes them, already in the file's narrow types: the
same values, as numpy's casts give them (C conversion: wrapped, not checked).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.arrays import IntArray
from sim.compiled import compiled

CodeArray = NDArray[np.signedinteger]
"""Integer codes in the narrow type a file column keeps (int8 … int64)."""

__all__ = ["fill_visit_columns", "visit_columns"]


@compiled
def fill_visit_columns(
    first_visit: IntArray,
    shipment_rep: IntArray,
    shipment_id: IntArray,
    visit_station: IntArray,
    station_kind: IntArray,
    replication: CodeArray,
    shipment: CodeArray,
    seq: CodeArray,
    station: CodeArray,
    kind: CodeArray,
) -> int:
    """Write each visit's index columns into the five output arrays; return −1, or the first bad visit.

    Parameters
    ----------
    first_visit : IntArray
        CSR offsets of each shipment's visits (length shipments + 1; from 0, never decreasing).
    shipment_rep, shipment_id : IntArray
        Each shipment's replication number and id.
    visit_station : IntArray
        Each visit's station (index into ``station_kind``).
    station_kind : IntArray
        Each station's kind code.
    replication, shipment, seq, station, kind : IntArray
        Outputs, one entry per visit, in the column types of the file (a value is converted as numpy's
        ``astype`` converts it).

    Returns
    -------
    int
        −1 when every visit was written; otherwise the first visit whose station is not an index of
        ``station_kind`` (the columns are then incomplete).
    """
    stations = station_kind.size
    for i in range(first_visit.size - 1):
        rep = shipment_rep[i]
        ident = shipment_id[i]
        first = first_visit[i]
        for v in range(first, first_visit[i + 1]):
            code = visit_station[v]
            if code < 0 or code >= stations:
                return v
            replication[v] = rep
            shipment[v] = ident
            seq[v] = v - first
            station[v] = code
            kind[v] = station_kind[code]
    return -1


def visit_columns(
    first_visit: IntArray,
    shipment_rep: IntArray,
    shipment_id: IntArray,
    visit_station: IntArray,
    station_kind: IntArray,
    station_type: type[np.signedinteger],
    kind_type: type[np.signedinteger],
) -> dict[str, CodeArray] | None:
    """The index columns ``replication`` (int32), ``shipment``, ``seq`` (int16), ``station``, ``kind``.

    ``None`` when the offsets do not start at 0 and never decrease, or a visit's station is not an index of
    ``station_kind``: the caller's numpy expressions then give their own errors.
    """
    offsets = np.asarray(first_visit, dtype=np.int64)
    if not offsets.size or offsets[0] != 0 or not (offsets[1:] >= offsets[:-1]).all():
        return None
    visits = int(offsets[-1])
    if visit_station.size != visits:
        return None
    columns: dict[str, CodeArray] = {
        "replication": np.empty(visits, dtype=np.int32),
        "shipment": np.empty(visits, dtype=shipment_id.dtype),
        "seq": np.empty(visits, dtype=np.int16),
        "station": np.empty(visits, dtype=station_type),
        "kind": np.empty(visits, dtype=kind_type),
    }
    bad = fill_visit_columns(
        offsets,
        shipment_rep,
        shipment_id,
        visit_station,
        station_kind,
        columns["replication"],
        columns["shipment"],
        columns["seq"],
        columns["station"],
        columns["kind"],
    )
    return columns if bad < 0 else None
