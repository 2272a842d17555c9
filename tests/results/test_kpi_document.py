"""``kpis.json``'s tables: the summary's rows as records, grouped by table in order of first appearance."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from sim.runner import _records_by_table


def _summary() -> pd.DataFrame:
    strings = pd.StringDtype(na_value=np.nan)
    return pd.DataFrame(
        {
            "table": pd.array(["waits", "ports", "waits", None, "ports", "flows"], dtype=strings),
            "key": pd.array(["A", None, "B", "C", "D", "E"], dtype=strings),
            "metric": pd.array(["wait_h"] * 6, dtype=strings),
            "mean": [1.5, 2.0, math.nan, 4.0, 0.1 + 0.2, -0.0],
            "n": np.array([3, 3, 0, 3, 3, 1], dtype=np.int64),
        }
    )


def test_records_are_those_of_a_group_by_in_order_of_appearance() -> None:
    summary = _summary()
    expected = {
        name: group.drop(columns="table").to_dict(orient="records")
        for name, group in summary.groupby("table", sort=False)
    }
    found = _records_by_table(summary)
    assert list(found) == ["waits", "ports", "flows"]  # the row without a table is left out, as by groupby
    assert json.dumps(found) == json.dumps(expected)  # same values, same Python types, NaN where missing
    assert found["waits"][0] == {"key": "A", "metric": "wait_h", "mean": 1.5, "n": 3}
    assert math.isnan(found["ports"][0]["key"])
    assert type(found["ports"][0]["n"]) is int
