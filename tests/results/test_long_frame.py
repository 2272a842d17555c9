"""``long_frame`` gives the DataFrame that object columns of every row's labels give pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.results.long_form import COLUMNS, LongTable, long_frame


def _expected(tables: list[LongTable], numbers: np.ndarray) -> pd.DataFrame:
    """Each row's labels as Python objects, made a DataFrame by pandas (the layout of ``LongTable``)."""
    columns: dict[str, list[object]] = {c: [] for c in COLUMNS}
    for t in tables:
        m, k, p, r = t.values.shape
        for i in range(m):
            for j in range(k):
                for q in range(p):
                    for rep in range(r):
                        if t.observed is not None and not t.observed[j, rep]:
                            continue
                        row = (
                            t.table,
                            t.keys[j],
                            t.periods[q],
                            t.metrics[i],
                            numbers[rep],
                            t.values[i, j, q, rep],
                        )
                        for name, value in zip(COLUMNS, row, strict=True):
                            columns[name].append(value)
    frame = {c: np.array(v, dtype=object) for c, v in columns.items() if c not in ("replication", "value")}
    frame["replication"] = np.array(columns["replication"], dtype=np.int64)
    frame["value"] = np.array(columns["value"], dtype=np.float64)
    return pd.DataFrame(frame)


def test_long_frame_equals_object_columns() -> None:
    rng = np.random.default_rng(1)
    first = [
        LongTable("a", ["x", "y"], [""], ["m", "n", "o"], rng.normal(size=(3, 2, 1, 2))),
        LongTable("b", ["y", "z", ""], ["2024-01", "2024-02"], ["m"], rng.normal(size=(1, 3, 2, 2))),
        LongTable("c", ["x", "w"], [""], ["k"], rng.normal(size=(1, 2, 1, 2)), rng.random((2, 2)) < 0.5),
        LongTable("d", [], [""], ["m"], np.empty((1, 0, 1, 2))),
    ]
    second = [
        LongTable(
            t.table, t.keys, t.periods, t.metrics, t.values + 1, None if t.observed is None else ~t.observed
        )
        for t in first
    ]
    got = long_frame([first, second], [3, 5, 8, 9])
    joined = [a.joined(b) for a, b in zip(first, second, strict=True)]
    pd.testing.assert_frame_equal(got, _expected(joined, np.array([3, 5, 8, 9])), check_exact=True)
    assert all(str(got[c].dtype) == "str" for c in COLUMNS[:4])


def test_long_frame_without_tables_or_rows() -> None:
    empty = long_frame([[]], [0])
    assert list(empty.columns) == list(COLUMNS)
    assert empty.empty
    none = long_frame([[LongTable("d", [], [""], ["m"], np.empty((1, 0, 1, 1)))]], [0])
    assert list(none.columns) == list(COLUMNS)
    assert none.empty


def test_long_frame_of_several_sections_equals_their_frames_joined() -> None:
    rng = np.random.default_rng(2)
    kpis = [
        [LongTable("a", ["x", "y"], [""], ["m", "n"], rng.normal(size=(2, 2, 1, 2)))],
        [LongTable("a", ["x", "y"], [""], ["m", "n"], rng.normal(size=(2, 2, 1, 1)))],
    ]
    other = [[LongTable("b", ["y", "q"], ["2024-01"], ["m"], rng.normal(size=(1, 2, 1, 3)))]]
    empty: list[list[LongTable]] = [[]]
    got = long_frame(kpis, [3, 4, 7], (other, [3, 4, 7]), (empty, [3, 4, 7]))
    parts = [long_frame(kpis, [3, 4, 7]), long_frame(other, [3, 4, 7])]
    pd.testing.assert_frame_equal(got, pd.concat(parts, ignore_index=True), check_exact=True)
    assert all(str(got[c].dtype) == "str" for c in COLUMNS[:4])
