"""``json_text`` writes what ``json.dumps(…, indent=2, sort_keys=True)`` writes (NaN as null), or fails alike.

The oracle is the standard library itself, on the documents a run writes and on any nesting of JSON values.
"""

from __future__ import annotations

import enum
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.results.files import _no_nan, json_text, write_json


def _standard(data: Any) -> str:
    return json.dumps(_no_nan(data), indent=2, sort_keys=True)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_any_nesting_of_json_values_gives_the_standard_text(data: Any) -> None:
    assert json_text(data) == _standard(data)


class Level(enum.IntEnum):
    HIGH = 3


class Label(str):
    pass


@pytest.mark.parametrize(
    "data",
    [
        {},
        [],
        (),
        {"a": {}, "b": [], "c": [{}], "d": [[]]},
        {"x": math.nan, "y": [math.nan, -math.inf, math.inf, -0.0, 0.0, 1e16, 1e-7, 5e-324]},
        {"numpy": np.float64(1.5), "nan": np.float64("nan"), "inf": np.float64("inf")},
        {"enum": Level.HIGH, "text": Label('quoted "label"\n'), "flags": [True, False, None]},
        {"é": "ünïcødé ✓ \u2028 \x00 \t", "b": 10**30, "a": -7},
        {2: "int keys", 10: "sorted as numbers", -1: "then written as text"},
        {1.5: "float keys", math.nan: "nan key", math.inf: "infinite key"},
        {True: "bool keys", False: "written as true and false"},
        [{"mean": 1.0, "std": math.nan, "n": 3, "key": "BRSSZ", "period": ""}] * 3,
    ],
)
def test_edge_cases_give_the_standard_text(data: Any) -> None:
    assert json_text(data) == _standard(data)


@pytest.mark.parametrize(
    "data",
    [{"a": np.int64(3)}, [object()], {"a": {1: 2, "b": 3}}, {("t", "k"): 1}, {"s": {1, 2}}, {None: 1, 2: 3}],
)
def test_what_json_cannot_write_fails_as_the_standard_library_fails(data: Any) -> None:
    with pytest.raises(TypeError) as expected:
        _standard(data)
    with pytest.raises(TypeError) as got:
        json_text(data)
    assert str(got.value) == str(expected.value)


def test_a_run_document_is_written_as_before(tmp_path: Path) -> None:
    document = {
        "confidence": 0.95,
        "replications": list(range(5)),
        "tables": {
            "stations": [
                {
                    "key": f"S{i}",
                    "metric": "wait_h",
                    "mean": i / 7,
                    "std": i / 3 if i % 3 else math.nan,
                    "n": 5,
                }
                for i in range(50)
            ]
        },
        "window_h": [720.0, 8760.0],
    }
    write_json(document, tmp_path / "kpis.json")
    assert (tmp_path / "kpis.json").read_text(encoding="utf-8") == _standard(document) + "\n"
