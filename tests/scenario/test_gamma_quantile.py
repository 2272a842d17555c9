"""The gamma quantiles of the Plan (:mod:`sim.scenario.gamma_quantile`) against ``scipy.special.gammaincinv``.

Accuracy: within 1e-12 relative over shapes from the smallest a scenario can have (cv ≈ 3: shape 0.11) to
10⁶, and uniforms over the bulk and both tails down to 2⁻⁵³. Sameness: a draw depends on its uniform and
shape only (not on the draws before it, which decide which cells are built). Distribution: a sample's
Kolmogorov–Smirnov distance and mean are within the 99.9 % bounds of the gamma law.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from sim.scenario.distributions import Gamma
from sim.scenario.gamma_quantile import CELLS, COMPILED_FROM, gamma_quantile

SHAPES = [0.11, 0.25, 0.5, 1.0, 1.7, 4.0, 1 / 0.3**2, 37.5, 250.0, 1e4, 1e6]


def _uniforms(seed: int) -> np.ndarray:
    """Random uniforms, the two tails on a log scale down to 2⁻⁵³, the extremes, nodes and cell midpoints."""
    rng = np.random.default_rng(seed)
    tail = 2.0 ** -rng.uniform(1.0, 53.0, 20_000)
    nodes = np.arange(97, CELLS, 97) / CELLS
    return np.concatenate(
        [rng.random(100_000), tail, 1.0 - tail, [2.0**-53, 1.0 - 2.0**-53, 0.5], nodes, nodes + 0.5 / CELLS]
    )


@pytest.mark.parametrize("shape", SHAPES)
def test_within_1e_12_of_gammaincinv(shape: float) -> None:
    u = _uniforms(int(shape * 1000) % 2**32)
    ours, scipys = gamma_quantile(shape, u), special.gammaincinv(shape, u)
    assert np.isfinite(ours).all()
    worst = np.max(np.abs(ours - scipys) / scipys)
    assert worst <= 1e-12, f"shape {shape}: {worst:.2e} relative"


@pytest.mark.parametrize("shape", [0.3, 1 / 0.3**2, 1e4])
def test_nodes_and_ends_are_gammaincinv_exactly(shape: float) -> None:
    u = np.concatenate([np.arange(CELLS) / CELLS, [2.0**-53, 1.0 - 2.0**-53, 0.0, 1.0]])
    np.testing.assert_array_equal(gamma_quantile(shape, u), special.gammaincinv(shape, u))


def test_most_cells_are_interpolated() -> None:
    """The point of the table: the exact inversion is left to the tails (~1 % of cells for cv 0.3)."""
    from sim.scenario.gamma_quantile import _table

    shape = 1 / 0.3**2
    gamma_quantile(shape, (np.arange(CELLS) + 0.5) / CELLS)
    table = _table(shape)
    assert table.built.all()
    assert table.exact.mean() < 0.05
    assert not table.exact[CELLS // 100 : -CELLS // 100].any()  # the bulk (1 % to 99 %)


def test_a_draw_does_not_depend_on_the_draws_before_it() -> None:
    shape = 3.217  # a shape no other test builds: its cells are built by the first call here
    u = _uniforms(7)
    order = np.random.default_rng(8).permutation(u.size)
    first = gamma_quantile(shape, u[order][: u.size // 3])  # builds a third of the cells
    everything = gamma_quantile(shape, u)
    np.testing.assert_array_equal(first, everything[order][: u.size // 3])
    one_by_one = [gamma_quantile(shape, u[i : i + 1])[0] for i in range(0, u.size, 997)]
    np.testing.assert_array_equal(everything[::997], one_by_one)


def test_scalar_uniform() -> None:
    assert gamma_quantile(2.0, np.float64(0.3)) == pytest.approx(special.gammaincinv(2.0, 0.3), rel=1e-13)


@pytest.mark.parametrize("cv", [0.3, 1.0, 2.0])
def test_draws_follow_the_gamma_law(cv: float) -> None:
    n = 200_000
    spec = Gamma(dist="gamma", mean=5.0, cv=cv)
    draws = spec.ppf(np.random.default_rng(11).random(n))
    shape = 1 / cv**2
    law = stats.gamma(shape, scale=5.0 / shape)
    # 99.9 % critical value of the one-sample KS distance for large n: sqrt(-ln(0.0005) / 2) / sqrt(n)
    assert stats.kstest(draws, law.cdf).statistic < 1.95 / np.sqrt(n)
    # sample mean within 3.3 standard errors (99.9 %) of 5
    assert abs(draws.mean() - 5.0) < 3.3 * law.std() / np.sqrt(n)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_compiled_loop_gives_the_numpy_floats(shape: float) -> None:
    """Large arrays (the Plan's) are read by a compiled loop; small ones by numpy: bit for bit the same."""
    u = np.concatenate([_uniforms(int(shape) % 97), [0.0, 1.0, -0.5, 1.5]])
    small = np.concatenate([gamma_quantile(shape, part) for part in np.array_split(u, u.size // 1000 + 1)])
    assert u.size >= COMPILED_FROM > u.size // (u.size // 1000 + 1)
    large = gamma_quantile(shape, u)
    assert np.array_equal(large.view(np.uint64), small.view(np.uint64), equal_nan=False)


@pytest.mark.parametrize("shape", [0.11, 1.7, 1 / 0.3**2, 250.0])
def test_small_arrays_once_the_loops_are_loaded_give_the_numpy_floats(shape: float) -> None:
    """Once the compiled loop is loaded it reads every array, the smallest too: numpy's floats exactly."""
    from sim.scenario import gamma_quantile as module

    u = np.concatenate([_uniforms(int(shape * 7) % 97), [0.0, 1.0, -0.5, 1.5, np.nan]])
    gamma_quantile(shape, u)  # loads the compiled loop (a large array)
    for part in [u[:0], u[:1], u[-5:], *np.array_split(u, u.size // 300)]:
        with np.errstate(invalid="ignore"):  # the cast of NaN's cell (the value is gammaincinv's)
            numpy_x, numpy_exact = module._interpolated(module._table(shape), part)
        numpy_x[numpy_exact] = special.gammaincinv(shape, part[numpy_exact])
        got = gamma_quantile(shape, part)
        assert np.array_equal(got.view(np.uint64), numpy_x.view(np.uint64))


def _reference_cells(k: float, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The table's cells as first written: both ends' quantiles per cell, both tails' functions everywhere."""
    from sim.scenario.gamma_quantile import CHECKS, SMALLEST, TOLERANCE, _density, _horner

    u0, u1, h = cells / CELLS, (cells + 1) / CELLS, 1.0 / CELLS
    with np.errstate(all="ignore"):
        x0, x1 = special.gammaincinv(k, u0), special.gammaincinv(k, u1)
        d0, d1 = h / _density(k, x0), h / _density(k, x1)
        step = x1 - x0
        coefficients = np.stack([x0, d0, 3.0 * step - 2.0 * d0 - d1, d0 + d1 - 2.0 * step], axis=1)
        accurate = np.isfinite(coefficients).all(axis=1) & (x0 > SMALLEST)
        for t in CHECKS:
            x, u = _horner(coefficients, np.full(cells.size, t)), u0 + t * h
            miss = np.where(u > 0.5, special.gammaincc(k, x) - (1.0 - u), special.gammainc(k, x) - u)
            accurate &= np.abs(miss) / (_density(k, x) * x) <= TOLERANCE
    return np.where(accurate[:, None], coefficients, 0.0), ~accurate


@pytest.mark.parametrize("shape", [0.11, 1.0, 1 / 0.3**2, 1e6])
def test_cells_are_built_as_first_written(shape: float) -> None:
    """Each node's quantile computed once for the two cells it ends, each tail's function only on its side:
    the same coefficients and exact cells, bit for bit, for a whole table and for scattered cells."""
    from sim.scenario.gamma_quantile import _Table

    rng = np.random.default_rng(int(shape * 100))
    for cells in [np.arange(CELLS), np.unique(rng.integers(0, CELLS, 700)), np.array([0, CELLS - 1])]:
        table = _Table(shape)
        table.build(cells)
        coefficients, exact = _reference_cells(shape, cells)
        assert np.array_equal(table.coefficients[cells].view(np.uint64), coefficients.view(np.uint64))
        assert np.array_equal(table.exact[cells], exact)


def test_a_plan_sized_array_builds_the_whole_table_with_the_same_cells() -> None:
    """Many uniforms in cells not built build every cell at once: the same quantiles as cell by cell."""
    from sim.scenario.gamma_quantile import WHOLE, _build_missing, _Table, _table

    shape = 2.345
    u = np.random.default_rng(5).random(4 * WHOLE)
    whole = gamma_quantile(shape, u)
    assert _table(shape).complete
    by_parts = _Table(shape)
    for part in np.array_split(np.arange(CELLS), 64):  # fewer than WHOLE each: built a part at a time
        _build_missing(by_parts, part)
    assert by_parts.complete
    assert np.array_equal(by_parts.coefficients.view(np.uint64), _table(shape).coefficients.view(np.uint64))
    assert np.array_equal(by_parts.exact, _table(shape).exact)
    assert np.array_equal(whole, gamma_quantile(shape, u))
