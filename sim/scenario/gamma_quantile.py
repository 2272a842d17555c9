"""Quantiles of the gamma distribution, ~10× faster than ``scipy.special.gammaincinv`` and within 1e-13 of it.

Every gamma draw of a Plan (berth and dwell variability, renewal gaps) is an inversion ``x = P⁻¹(k, u)`` of
the regularised lower incomplete gamma function; ``gammaincinv`` costs ~0.5 µs a value, which made it ~40 %
of drawing a Plan. Here each shape ``k`` has a table over ``u``: ``CELLS`` equal cells of ``[0, 1)``, each
with the cubic Hermite polynomial through its end nodes ``x_i = gammaincinv(k, i / CELLS)`` and their
slopes ``dx/du = 1 / f(x_i)`` (``f`` the density). A uniform in cell ``i`` is mapped by that polynomial,
except in the cells where it is not accurate enough — the tails, where the quantile function is steep, and
for small shapes more of the bottom — whose uniforms are inverted by ``gammaincinv`` itself.

Which cells are exact is decided when the cell is built, by measuring the polynomial at ``t = 1/4, 1/2, 3/4``
of the cell (a cubic Hermite interpolant's error ``t²(1 − t)² h⁴ x⁗ / 24`` peaks at the midpoint): the
relative error of ``x̂`` is ``|P(k, x̂) − u| / (f(x̂) x̂)`` (``Q = 1 − P`` in the upper half, so the
difference keeps its digits); a cell is kept when all three are below :data:`TOLERANCE`. So a draw differs
from ``gammaincinv``'s by at most ~1e-13 relative (tests/test_gamma_quantile.py checks 1e-12 over a grid of
shapes and uniforms, tails included), and values at the nodes (``u = i / CELLS``, the median among them)
are ``gammaincinv``'s exactly.

Cells are built lazily, on the first uniform that falls in them, and kept per shape for the process: a
cell's polynomial depends only on ``(k, i)``, so a draw does not depend on which draws came before it, on
the block of replications or on the worker (keyed streams keep their meaning). A scenario validated, or a
small test with a new shape, builds a few cells; a Plan of thousands of draws builds most of the 2¹⁶ cells
once (~40 ms a shape).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray

__all__ = ["CELLS", "COMPILED_FROM", "TOLERANCE", "gamma_quantile", "table_for"]

CELLS = 2**16
"""Cells of ``[0, 1)`` in a shape's table (``u · CELLS`` is exact: a power of two)."""
TOLERANCE = 1e-13
"""Largest relative error of the interpolation, measured inside a cell, for the cell to be interpolated."""
CHECKS = np.array([0.25, 0.5, 0.75])
"""Where in a cell (fraction of its width) the interpolation is measured."""
SMALLEST = 1e-290
"""Cells with quantiles below this are exact: near the subnormals the polynomial's arithmetic loses digits
(no valid scenario draws there: :data:`sim.scenario.limits.DRAW_RANGE`)."""
COMPILED_FROM = 4096
"""Uniforms from which the table is read by the compiled loop (fewer: numpy, without importing numba) until
the compiled loops are loaded; from then on every array is read by them (a Plan: most of its ~45 arrays a
replication are small, and numpy's dozen operations on each cost more than the values)."""
_COMPILED_MODULE = "sim.scenario.gamma_compiled"
WHOLE = CELLS // 16
"""Uniforms in cells not built from which the whole table is built (:func:`_build_missing`)."""
_MAX_SHAPES = 256
"""Shapes whose tables are kept (a sweep over the coefficient of variation makes one per point)."""


@dataclass
class _Table:
    """One shape's cells: Horner coefficients in ``t = u · CELLS − i``, built or not, exact or not."""

    shape: float
    coefficients: FloatArray = field(default_factory=lambda: np.zeros((CELLS, 4)))
    built: BoolArray = field(default_factory=lambda: np.zeros(CELLS, dtype=bool))
    exact: BoolArray = field(default_factory=lambda: np.ones(CELLS, dtype=bool))
    complete: bool = False

    def build(self, cells: IntArray) -> None:
        """Compute the polynomials of ``cells`` (unique, not yet built) and whether each is accurate."""
        from scipy import special

        k = self.shape
        u0 = cells / CELLS
        used = np.zeros(CELLS + 1, dtype=np.bool_)  # a cell's end is its neighbour's start: computed once
        used[cells] = used[cells + 1] = True
        nodes = np.flatnonzero(used)
        first = np.searchsorted(nodes, cells)
        last = first + 1  # a cell's end, the next integer, is the next node
        with np.errstate(all="ignore"):
            x = special.gammaincinv(k, nodes / CELLS)
            h = 1.0 / CELLS
            slope = h / _density(k, x)
            x0, x1, d0, d1 = x[first], x[last], slope[first], slope[last]
            step = x1 - x0
            coefficients = np.stack([x0, d0, 3.0 * step - 2.0 * d0 - d1, d0 + d1 - 2.0 * step], axis=1)
            accurate = np.isfinite(coefficients).all(axis=1) & (x0 > SMALLEST)
            for t in CHECKS:
                accurate &= _relative_error(k, _horner(coefficients, np.full(cells.size, t)), u0 + t * h)
        self.coefficients[cells] = np.where(accurate[:, None], coefficients, 0.0)
        self.exact[cells] = ~accurate
        self.built[cells] = True  # after: a cell marked built has its coefficients
        self.complete = bool(self.built.all())


def _density(k: float, x: FloatArray) -> FloatArray:
    """Gamma density of shape ``k``, scale 1, at ``x``."""
    from scipy import special

    return np.asarray(np.exp(special.xlogy(k - 1.0, x) - x - special.gammaln(k)), dtype=np.float64)


def _relative_error(k: float, x: FloatArray, u: FloatArray) -> BoolArray:
    """Whether ``x`` is within :data:`TOLERANCE` (relative) of the ``u``-quantile, from ``P(k, x)``."""
    from scipy import special

    upper = u > 0.5
    miss = np.empty(u.size)  # each side's function only where it is used
    miss[upper] = special.gammaincc(k, x[upper]) - (1.0 - u[upper])
    lower = ~upper
    miss[lower] = special.gammainc(k, x[lower]) - u[lower]
    error = np.abs(miss) / (_density(k, x) * x)
    return np.asarray(error <= TOLERANCE, dtype=np.bool_)  # NaN is not


def _horner(coefficients: FloatArray, t: FloatArray) -> FloatArray:
    c = coefficients
    return np.asarray(c[:, 0] + t * (c[:, 1] + t * (c[:, 2] + t * c[:, 3])), dtype=np.float64)


_tables: dict[float, _Table] = {}
_lock = threading.Lock()


def _table(shape: float) -> _Table:
    with _lock:
        found = _tables.get(shape)
        if found is None:
            if len(_tables) >= _MAX_SHAPES:
                _tables.pop(next(iter(_tables)))
            found = _tables[shape] = _Table(shape)
        return found


def gamma_quantile(shape: float, u: FloatArray) -> FloatArray:
    """The ``u``-quantiles of the gamma distribution of shape ``shape`` and scale 1.

    Within ~1e-13 (relative) of ``scipy.special.gammaincinv(shape, u)``, which it calls for the uniforms
    in cells where the table is not that accurate and for any outside ``[0, 1)``. From
    :data:`COMPILED_FROM` uniforms on, or once it is loaded, the table is read by a compiled loop
    (:mod:`.gamma_compiled`: the same operations in one pass; numba is imported then, so validating a
    scenario does not load it).

    Parameters
    ----------
    shape : float
        ``k > 0``.
    u : ndarray of float
        Uniforms (probabilities).
    """
    from scipy import special

    u = np.asarray(u, dtype=np.float64)
    shape_of_u = u.shape
    u = u.ravel()
    table = _table(float(shape))
    if u.size >= COMPILED_FROM or _COMPILED_MODULE in sys.modules:
        x, exact = _compiled(table, u)
    else:
        x, exact = _interpolated(table, u)
    if exact.any():
        x[exact] = special.gammaincinv(shape, u[exact])
    return x.reshape(shape_of_u)


def table_for(shape: float, u: FloatArray) -> tuple[FloatArray, BoolArray]:
    """The table of ``shape`` with every cell ``u`` falls in built: Horner coefficients and exact cells.

    For a compiled loop that reads the table itself (:func:`.gamma_compiled.gamma_work`: the same operations
    as :func:`gamma_quantile`'s); the uniforms of exact cells, and any outside ``[0, 1)``, are
    ``gammaincinv``'s.
    """
    from sim.scenario.gamma_compiled import unbuilt_cells

    table = _table(float(shape))
    if not table.complete:
        _build_missing(table, unbuilt_cells(np.asarray(u, dtype=np.float64).ravel(), table.built))
    return table.coefficients, table.exact


def _interpolated(table: _Table, u: FloatArray) -> tuple[FloatArray, BoolArray]:
    """The table's polynomials at ``u`` (numpy), and which uniforms need ``gammaincinv`` instead."""
    scaled = u * CELLS
    cell = scaled.astype(np.int64)
    inside = bool(u.size == 0 or (u.min() >= 0.0 and u.max() < 1.0))  # False with a NaN
    if not inside:
        outside = ~((u >= 0.0) & (u < 1.0))
        cell[outside] = 0
    _build_missing(table, cell)
    t = scaled - cell
    c = np.take(table.coefficients, cell, axis=0)  # rows: faster than fancy indexing
    x = c[:, 3] * t  # Horner, in place: c0 + t (c1 + t (c2 + t c3)) as in _horner
    x += c[:, 2]
    x *= t
    x += c[:, 1]
    x *= t
    x += c[:, 0]
    exact = table.exact[cell]
    if not inside:
        exact |= outside
    return x, exact


def _compiled(table: _Table, u: FloatArray) -> tuple[FloatArray, BoolArray]:
    """:func:`_interpolated` by a compiled loop: the same floats."""
    from sim.scenario.gamma_compiled import interpolate, unbuilt_cells

    if not table.complete:
        _build_missing(table, unbuilt_cells(u, table.built))
    x = np.empty(u.size)
    exact = np.empty(u.size, dtype=np.bool_)
    interpolate(u, table.coefficients, table.exact, x, exact)
    return x, exact


def _build_missing(table: _Table, cell: IntArray) -> None:
    """Build the cells of ``cell`` not built yet; every cell not built when they are :data:`WHOLE` or more.

    A Plan's arrays of uniforms fall in most cells of a table: built at once, the table costs less than
    built a part at a time (a cell's polynomial is the same either way).
    """
    if table.complete:
        return
    missing = ~table.built[cell]
    if missing.any():
        with _lock:
            wanted = np.zeros(CELLS, dtype=np.bool_)  # the cells once each, in order (numpy's unique)
            if np.count_nonzero(missing) < WHOLE:
                wanted[cell[missing]] = True
            else:
                wanted[:] = True
            table.build(np.flatnonzero(wanted & ~table.built))
