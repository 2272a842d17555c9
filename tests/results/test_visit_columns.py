"""The visits table's index columns from one compiled pass equal the numpy expressions they replaced.

Oracle: ``np.repeat`` over the CSR offsets, the gathers and numpy's narrowing casts, as
:func:`sim.results.tables._visits_arrow_numpy` writes them.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.results.tables import _visits_arrow_numpy, visits_arrow
from sim.results.visit_columns import visit_columns
from tests.library_runs import library_runs

WIDTHS = [np.int8, np.int16, np.int32, np.int64]


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 30),
    st.integers(1, 300),
    st.sampled_from(WIDTHS),
    st.booleans(),
)
def test_the_pass_equals_repeat_gather_and_cast(
    seed: int, shipments: int, stations: int, width: type[np.signedinteger], wide_values: bool
) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 5, shipments)
    first_visit = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    high = 2**40 if wide_values else 50  # wide values wrap in the narrow columns, as numpy's casts wrap them
    shipment_rep = rng.integers(0, high, shipments)
    shipment_id = rng.integers(0, high, shipments)
    visit_station = rng.integers(0, stations, first_visit[-1])
    station_kind = rng.integers(0, 5, stations)
    got = visit_columns(first_visit, shipment_rep, shipment_id, visit_station, station_kind, width, np.int8)
    assert got is not None
    row = np.repeat(np.arange(shipments), counts)
    seq = np.arange(first_visit[-1]) - np.repeat(first_visit[:-1], counts)
    want = {
        "replication": shipment_rep.astype(np.int32)[row],
        "shipment": shipment_id[row],
        "seq": seq.astype(np.int16),
        "station": visit_station.astype(width),
        "kind": station_kind[visit_station].astype(np.int8),
    }
    for name, column in want.items():
        assert got[name].dtype == column.dtype, name
        np.testing.assert_array_equal(got[name], column, err_msg=name)


@pytest.mark.parametrize(
    ("first_visit", "visit_station"),
    [
        (np.array([1, 3]), np.zeros(3, dtype=np.int64)),  # offsets not from 0
        (np.array([0, 3, 2]), np.zeros(3, dtype=np.int64)),  # decreasing
        (np.array([0, 2]), np.array([0, 7])),  # a station past the table
        (np.array([0, 2]), np.array([-1, 0])),  # a negative station
        (np.array([0, 2]), np.zeros(3, dtype=np.int64)),  # more visits than the offsets hold
    ],
)
def test_a_plan_the_pass_refuses_goes_back_to_numpy(
    first_visit: np.ndarray, visit_station: np.ndarray
) -> None:
    shipments = first_visit.size - 1
    refused = visit_columns(
        first_visit,
        np.zeros(shipments, dtype=np.int64),
        np.arange(shipments),
        visit_station,
        np.zeros(3, dtype=np.int64),
        np.int8,
        np.int8,
    )
    assert refused is None


@pytest.mark.parametrize("name", ["demo_two_ports", "strike_risk", "panama_drought_2023_24"])
def test_library_visits_tables_equal_the_numpy_tables(name: str) -> None:
    result = library_runs(2)(name)
    got = visits_arrow(result.plan, result.trace)
    want = _visits_arrow_numpy(result.plan, result.trace)
    assert got.schema.equals(want.schema)
    for column in got.column_names:  # NaN times compare by bits: Arrow's equality says NaN != NaN
        mine, theirs = got.column(column).combine_chunks(), want.column(column).combine_chunks()
        if hasattr(mine, "indices"):
            assert mine.dictionary.equals(theirs.dictionary)
            mine, theirs = mine.indices, theirs.indices
        a, b = mine.to_numpy(zero_copy_only=False), theirs.to_numpy(zero_copy_only=False)
        np.testing.assert_array_equal(a.view(np.uint8), b.view(np.uint8), err_msg=column)
