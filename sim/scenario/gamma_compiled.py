"""The gamma quantile table (:mod:`.gamma_quantile`) read by compiled loops: one pass over the uniforms.

The same operations as the numpy path, in the same order (no fast-math, no fused multiply-add): the cell
``i = int(u · CELLS)``, ``t = u · CELLS − i`` (``CELLS`` the table's size) and the cell's cubic by Horner's
rule (:func:`_cubic`). :func:`interpolate` gives the quantiles; :func:`gamma_work` a step's work from them
in the same pass (:func:`sim.visit_work.step_work`: the quantile times the distribution's scale times the
nominal time — a berth's ``amount / rate + overhead``). Both loops live in this one module because numba
caches a compiled loop per source file: a loop calling another module's compiled function would keep that
function's old code after a change to it. Imported only when a large array is inverted (a Plan), so
validating a scenario does not load numba.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled

__all__ = ["BERTH", "DWELL", "NOMINAL", "gamma_work", "interpolate", "unbuilt_cells"]

DWELL, NOMINAL, BERTH = 0, 1, 2
"""How :func:`gamma_work` makes a quantile work: the factor itself (a dwell); ``nominal × factor`` (a leg,
service or chokepoint); ``(amount / rate + overhead) × factor`` (a berth)."""


@compiled
def unbuilt_cells(u: FloatArray, built: BoolArray) -> IntArray:
    """The cells of the uniforms in ``[0, 1)`` whose polynomial is not built yet (repeats possible).

    ``built`` has one entry per cell (``CELLS``: a power of two, so ``u · CELLS`` is exact). Two passes,
    counting then writing: an array grown inside the loop made numba count its references at every
    uniform (~27 ns each, a pass over a Plan's uniforms ~10 times its interpolation).
    """
    cells = built.size
    count = 0
    for k in range(u.size):
        value = u[k]
        if 0.0 <= value < 1.0 and not built[int(value * cells)]:
            count += 1
    found = np.empty(count, dtype=np.int64)
    count = 0
    for k in range(u.size):
        value = u[k]
        if 0.0 <= value < 1.0:
            cell = int(value * cells)
            if not built[cell]:
                found[count] = cell
                count += 1
    return found


@compiled
def interpolate(
    u: FloatArray, coefficients: FloatArray, exact: BoolArray, x: FloatArray, need: BoolArray
) -> None:
    """``x`` the built cells' cubics at ``u``; ``need`` where ``gammaincinv`` must give the value instead.

    ``need`` is set for uniforms outside ``[0, 1)`` (NaN included) and in cells marked exact; every cell
    a uniform falls in must be built (:func:`unbuilt_cells`). ``exact`` has one entry per cell.
    """
    cells = exact.size
    for k in range(u.size):
        value = u[k]
        if not 0.0 <= value < 1.0:
            x[k] = 0.0
            need[k] = True
            continue
        cell, t = _place(value, cells)
        x[k] = _cubic(coefficients[cell], t)
        need[k] = exact[cell]


@compiled
def gamma_work(
    u: FloatArray,
    table: tuple[FloatArray, BoolArray],
    scale: float,
    how: tuple[int, FloatArray, float, float],
    out: FloatArray,
    need: BoolArray,
) -> None:
    """``out[k]`` the work of uniform ``u[k]``; ``need[k]`` where ``gammaincinv`` must give its quantile.

    Parameters
    ----------
    u : ndarray of float64
        The step's uniforms, one per shipment; every cell they fall in built.
    table : (ndarray of float64, shape (cells, 4), ndarray of bool, shape (cells,))
        The shape's Horner coefficients and exact cells (:mod:`sim.scenario.gamma_quantile`).
    scale : float
        The gamma's scale (h, or a factor of the nominal time): ``mean / shape``.
    how : (int, ndarray of float64, float, float)
        :data:`DWELL`, :data:`NOMINAL` or :data:`BERTH`; for a berth the shipments' amounts (t or TEU),
        the rate (per hour) and the overhead (h); for a nominal time, ``(NOMINAL, _, nominal_h, _)``.
    out : ndarray of float64
        Work (h), written.
    need : ndarray of bool
        Written: True where the quantile is not the table's (a cell marked exact, or ``u`` outside [0, 1)).
    """
    coefficients, exact = table
    kind, amount, first, second = how
    cells = exact.size
    for k in range(u.size):
        value = u[k]
        if not 0.0 <= value < 1.0:
            out[k] = 0.0
            need[k] = True
            continue
        cell, t = _place(value, cells)
        need[k] = exact[cell]
        factor = _cubic(coefficients[cell], t) * scale
        if kind == DWELL:
            out[k] = factor
        elif kind == NOMINAL:
            out[k] = first * factor
        else:
            base = amount[k] / first
            base += second
            out[k] = base * factor


@compiled
def _place(value: float, cells: int) -> tuple[int, float]:
    """The cell of ``value`` (in [0, 1)) and its offset in it, ``t = value · cells − cell``."""
    scaled = value * cells
    cell = int(scaled)
    return cell, scaled - cell


@compiled
def _cubic(c: FloatArray, t: float) -> float:
    """A cell's cubic (its four Horner coefficients ``c``, constant term first) at ``t``, by Horner's rule."""
    x = c[3] * t
    x += c[2]
    x *= t
    x += c[1]
    x *= t
    x += c[0]
    return float(x)
