"""The compiled passes over the shipments equal the array expressions they replaced, float for float.

- ``delivery.ended_times``: the end of each shipment's last visit, its creation if it made none and left;
- ``diversions._turned_sums``: ``np.bincount`` of (key, replication) groups with each weight.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.results.delivery import _ended
from sim.results.diversions import _turned_sums


def _ended_by_arrays(first_visit, end, created, left):  # type: ignore[no-untyped-def]
    """The array expressions of ``ended_times`` before its compiled pass."""
    made = np.diff(first_visit) > 0
    ended = np.full(first_visit.size - 1, np.nan)
    ended[made] = end[first_visit[1:][made] - 1]
    if left is not None:
        at_once = left & ~made
        ended[at_once] = created[at_once]
    return ended


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 40), st.booleans())
def test_ended_equals_the_array_expressions(seed: int, shipments: int, leaving: bool) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 4, shipments)
    first_visit = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    end = np.where(rng.random(first_visit[-1]) < 0.2, np.nan, rng.uniform(0, 100, first_visit[-1]))
    created = rng.uniform(0, 50, shipments)
    left = rng.random(shipments) < 0.3 if leaving else None
    got = _ended(first_visit, end, created, np.empty(0, dtype=bool) if left is None else left)
    want = _ended_by_arrays(first_visit, end, created, left)
    np.testing.assert_array_equal(got.view(np.int64), want.view(np.int64))  # NaN bits included


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 5), st.integers(0, 300))
def test_turned_sums_equal_bincounts(seed: int, keys: int, reps: int, records: int) -> None:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, keys, records).astype(np.int64)
    rep = rng.integers(0, reps, records).astype(np.int64)
    mine = rng.random(records) < 0.7
    turned = rng.random(records) < 0.4
    weight = np.where(turned, rng.uniform(0, 1e4, records), 0.0) / 24.0
    got = _turned_sums(codes, rep, mine, turned, weight, (keys, reps))
    group = codes[mine] * reps + rep[mine]
    size = keys * reps
    want = [
        np.bincount(group, weights=turned[mine].astype(np.float64), minlength=size),
        np.bincount(group, weights=weight[mine], minlength=size),
        np.bincount(group, minlength=size).astype(np.float64),
    ]
    for row, expected in zip(got, want, strict=True):
        np.testing.assert_array_equal(row.view(np.int64), expected.view(np.int64))
