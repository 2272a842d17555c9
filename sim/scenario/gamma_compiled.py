"""The gamma quantile table (:mod:`.gamma_quantile`) read by compiled loops: one pass over the uniforms.

The same operations as the numpy path, in the same order (no fast-math, no fused multiply-add): the cell
``i = int(u · CELLS)``, ``t = u · CELLS − i`` (``CELLS`` the table's size) and the cell's cubic by Horner's
rule. Imported only when a large array is inverted (a Plan), so validating a scenario does not load numba.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled

__all__ = ["interpolate", "unbuilt_cells"]


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
        scaled = value * cells
        cell = int(scaled)
        t = scaled - cell
        c = coefficients[cell]
        result = c[3] * t
        result += c[2]
        result *= t
        result += c[1]
        result *= t
        result += c[0]
        x[k] = result
        need[k] = exact[cell]
