"""The Plan's visit index columns and class check (:mod:`sim.plan_loops`) against numpy's expressions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.plan import _visit_rows
from sim.plan_loops import first_bad_class, visit_rows


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 9), max_size=40))
def test_rows_and_positions_are_numpys_repeats(counts: list[int]) -> None:
    first_visit = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    repeats = np.diff(first_visit)
    rows = np.repeat(np.arange(len(counts), dtype=np.int64), repeats)
    seq = np.arange(int(first_visit[-1]), dtype=np.int64) - np.repeat(first_visit[:-1], repeats)
    for compiled in (visit_rows, _visit_rows):
        assert np.array_equal(compiled(first_visit, seq=False), rows)
        assert np.array_equal(compiled(first_visit, seq=True), seq)
        assert compiled(first_visit, seq=True).dtype == np.int64


def test_offsets_that_decrease_raise_numpys_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        _visit_rows(np.array([0, 3, 2], dtype=np.int64), seq=False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-2, 4), st.integers(0, 3)), max_size=30),
    st.lists(st.integers(1, 3), min_size=4, max_size=4),
)
def test_the_first_bad_class_is_numpys_first(visits: list[tuple[int, int]], limits: list[int]) -> None:
    klass = np.array([k for k, _ in visits], dtype=np.int8)
    station = np.array([s for _, s in visits], dtype=np.int64)
    limit = np.array(limits, dtype=np.int64)
    bad = np.flatnonzero((klass < 0) | (klass >= limit[station]))
    assert first_bad_class(klass, station, limit) == (int(bad[0]) if bad.size else -1)


def test_a_station_out_of_range_is_left_to_the_caller() -> None:
    limit = np.array([1, 2], dtype=np.int64)
    assert first_bad_class(np.zeros(2, np.int8), np.array([0, 2], dtype=np.int64), limit) == -2
