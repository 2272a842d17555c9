"""A step's work from gamma variability in one compiled pass: the quantile, its scale and the nominal time.

:func:`sim.visit_work.step_work` computes a step's work as numpy passes over the step's shipments: the gamma
quantile of each uniform (:mod:`sim.scenario.gamma_quantile`'s table), times the distribution's scale, times
the nominal time (a berth's ``amount / rate + overhead``). Here each visit's work is computed in one pass
with the same operations in the same order (no fast-math, no fused multiply-add), so the same floats; the
uniforms whose cell the table does not interpolate are flagged for ``gammaincinv`` (the caller recomputes
them with numpy).
"""

from __future__ import annotations

from sim.arrays import BoolArray, FloatArray
from sim.compiled import compiled

__all__ = ["BERTH", "DWELL", "NOMINAL", "gamma_work"]

DWELL, NOMINAL, BERTH = 0, 1, 2
"""How the factor becomes work: the factor itself (a dwell); ``nominal × factor`` (a leg, service or
chokepoint); ``(amount / rate + overhead) × factor`` (a berth)."""


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
        scaled = value * cells
        cell = int(scaled)
        t = scaled - cell
        c = coefficients[cell]
        x = c[3] * t
        x += c[2]
        x *= t
        x += c[1]
        x *= t
        x += c[0]
        need[k] = exact[cell]
        factor = x * scale
        if kind == DWELL:
            out[k] = factor
        elif kind == NOMINAL:
            out[k] = first * factor
        else:
            base = amount[k] / first
            base += second
            out[k] = base * factor
