"""The Plan's layout (:mod:`sim.layout`): creation order as numpy's lexsort gives it; visits gathered.

Creation order is (replication, time, flow, order within the flow); the layout's bucket sort must give the
permutation of ``lexsort`` whatever the times — ties, a bucket holding many equal times, unsorted runs, a
time that is not finite (numpy's stable sort then).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.layout import SMALL_BUCKET, Layout


def _drawn(rng: np.random.Generator, counts: np.ndarray, times: str) -> np.ndarray:
    """Creation times of ``counts[f, r]`` shipments, flow after flow, replication after replication."""
    size = int(counts.sum())
    if times == "ties":
        return np.round(rng.random(size) * 50.0, 0)
    if times == "one instant":
        return np.full(size, 7.0)
    created = rng.random(size) * 1000.0
    if times == "sorted runs":
        bounds = np.concatenate([[0], np.cumsum(counts.ravel())])
        for a, b in itertools.pairwise(bounds):
            created[a:b] = np.sort(created[a:b])
    if times == "nan":
        created[size // 2] = np.nan
    return created


def _lexsorted(created: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    flows, reps = counts.shape
    flow = np.repeat(np.arange(flows), counts.sum(axis=1))
    rep = np.concatenate([np.repeat(np.arange(reps), counts[f]) for f in range(flows)])
    order = np.lexsort((np.arange(created.size), flow, created, rep))
    return order, flow[order]


@pytest.mark.parametrize("times", ["random", "ties", "one instant", "sorted runs", "nan"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_creation_order_is_lexsorts(times: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 60, size=(5, 4))
    counts[1, 2] = 0  # a flow without shipments in a replication
    if times == "one instant":
        counts[0, 0] = 3 * SMALL_BUCKET  # one bucket larger than an insertion sort is used for
    created = _drawn(rng, counts, times)
    steps = rng.integers(1, 5, size=counts.shape[0])
    laid = Layout.of(created, counts, steps)
    order, flow = _lexsorted(created, counts)
    assert np.array_equal(laid.order, order)
    assert np.array_equal(laid.flow, flow)
    assert np.array_equal(laid.rep_first, np.concatenate([[0], np.cumsum(counts.sum(axis=0))]))
    assert np.array_equal(np.diff(laid.first_visit), steps[flow])
    assert laid.first_visit[0] == 0
    rep = np.repeat(np.arange(counts.shape[1]), counts.sum(axis=0))
    assert np.array_equal(laid.rep, rep)
    assert np.array_equal(laid.shipment_id, np.arange(rep.size) - laid.rep_first[rep])


@pytest.mark.parametrize("with_sizes", [True, False])
def test_visits_are_the_drawn_visits_of_each_row(with_sizes: bool) -> None:
    rng = np.random.default_rng(4)
    counts = rng.integers(0, 30, size=(3, 2))
    steps = np.array([2, 4, 1])
    laid = Layout.of(_drawn(rng, counts, "ties"), counts, steps)
    sizes = counts.sum(axis=1) * steps
    work = rng.random(int(sizes.sum()))
    tonnes, teu = rng.random(int(counts.sum())), rng.random(int(counts.sum()))
    kinds = [rng.integers(0, 3, size=k).astype(np.int8) for k in steps]
    klass = rng.integers(0, 3, size=work.size).astype(np.int8)
    routes = [rng.integers(0, 9, size=k) for k in steps]
    station, got_work, got_size, got_klass = laid.visits(
        routes, work, (kinds, tonnes, teu) if with_sizes else None, klass
    )
    drawn_first = np.concatenate([[0], np.cumsum(sizes)])
    ship_first = np.concatenate([[0], np.cumsum(counts.sum(axis=1))])
    for row, (source, f) in enumerate(zip(laid.order, laid.flow, strict=True)):
        at = slice(laid.first_visit[row], laid.first_visit[row + 1])
        shipments = counts[f].sum()  # a flow's drawn visits: step after step, each all its shipments
        drawn = drawn_first[f] + (source - ship_first[f]) + shipments * np.arange(steps[f])
        assert np.array_equal(station[at], routes[f])
        assert np.array_equal(got_work[at], work[drawn])
        size = np.choose(kinds[f], [0.0, tonnes[source], teu[source]])
        assert np.array_equal(got_size[at], size if with_sizes else np.zeros(steps[f]))
        assert got_klass is not None
        assert np.array_equal(got_klass[at], klass[drawn])
    assert laid.visits(routes, work, None, None)[3] is None


def test_shipment_columns_are_numpys_take() -> None:
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 40, size=(4, 3))
    laid = Layout.of(_drawn(rng, counts, "random"), counts, np.array([1, 2, 3, 1]))
    columns = [rng.random(int(counts.sum())) for _ in range(4)]
    for got, column in zip(laid.shipments(*columns), columns, strict=True):
        assert np.array_equal(got, np.take(column, laid.order))
    assert laid.shipments() == ()
