"""``value_order`` orders values as a sort of the floats does, whatever their bits (NaN left out)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.results.value_order import value_order

SIZES = [0, 1, 2, 3, 17, 1000, 40_000]


def _cases(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(n)
    with_nan = rng.normal(size=n)
    with_nan[rng.random(n) < 0.1] = np.nan
    return [
        rng.random(n),
        rng.normal(size=n) * 1e3,
        np.round(rng.exponential(size=n), 1),  # many ties
        with_nan,
        1.0 + rng.integers(0, 1 << 20, n) * 2.0**-52,  # distinct only in the low bits: long runs to settle
        np.where(rng.random(n) < 0.5, 0.0, -0.0),
        rng.choice([np.inf, -np.inf, 0.0, 5e-324, -5e-324, 1.7e308, -1.7e308, 1.0], n),
    ]


@pytest.mark.parametrize("n", SIZES)
def test_value_order_sorts_like_numpy(n: int) -> None:
    for values in _cases(n):
        order = value_order(values)
        assert order.dtype == np.int64
        assert np.array_equal(np.sort(order), np.flatnonzero(~np.isnan(values)))  # each non-NaN row once
        assert np.array_equal(values[order], np.sort(values[~np.isnan(values)]))


def test_value_order_of_a_strided_view() -> None:
    values = np.random.default_rng(5).normal(size=(2, 500))[:, 1]
    assert np.array_equal(values[value_order(values)], np.sort(values))
