"""Arrival processes in expected-shipment time: the points that ``Lambda^-1`` maps to arrival times.

A flow's arrivals are points ``0 < s_1 < s_2 < ...`` on the scale of its cumulative intensity ``Lambda``
(expected shipments since time 0), mapped to hours by :meth:`sim.demand.Intensity.invert`. The process
decides how the points are spaced; every process has one point per unit of ``Lambda`` on average, so the
flow's volume does not depend on it:

- ``poisson``: unit-rate Poisson points (exponential gaps) — independent arrivals, the usual model of
  tramp shipping;
- ``regular``: evenly spaced points with a uniform random phase — a shipping programme;
- renewal ``cv``: gamma gaps of mean 1 and coefficient of variation ``cv`` (bunched when ``cv > 1``). The
  process is started in equilibrium: the first point is a forward recurrence time, ``U · G`` with ``G`` the
  length-biased gap (gamma of shape ``k + 1`` for gaps of shape ``k = 1/cv²``), so that the count in any
  interval has the same law wherever it lies;
- batch ``size``: batches at Poisson epochs of rate ``1 / E[size]``, each of ``size`` points at the same
  instant (a compound Poisson process: the count over ``Lambda`` has variance ``Lambda E[K²] / E[K]``). For
  each block of batches the gaps are drawn first, then the sizes.

Every draw is an inversion of uniforms from the flow's ``arrivals`` stream, in a fixed order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sim.arrays import FloatArray
from sim.scenario.flows import BatchArrivals, Flow, RenewalArrivals
from sim.scenario.gamma_quantile import gamma_quantile

__all__ = ["unit_points", "unit_points_of"]


def unit_points(flow: Flow, total: float, generator: np.random.Generator) -> FloatArray:
    """Points of the flow's arrival process on ``[0, total]`` and beyond (the caller drops those past it).

    Parameters
    ----------
    flow : Flow
        Its ``arrivals`` field chooses the process.
    total : float
        ``Lambda(horizon)``: expected shipments over the horizon.
    generator : numpy.random.Generator
        The flow's ``arrivals`` stream.
    """
    process = flow.arrivals
    if process == "regular":
        return generator.random() + np.arange(int(np.ceil(total)) + 1, dtype=np.float64)
    if isinstance(process, RenewalArrivals):
        return _renewal(process.cv, total, generator)
    if isinstance(process, BatchArrivals):
        return _batches(process, total, generator)
    return _cumulated(total, generator, _exponential, 0.0)


def unit_points_of(flow: Flow, total: float, generators: Sequence[np.random.Generator]) -> list[FloatArray]:
    """:func:`unit_points` of each generator (the flow's ``arrivals`` stream in several replications).

    Poisson points are drawn for every replication at once: each stream's first block of uniforms into a
    row of one array, whose gaps and cumulated sums are computed together (a row's sums are left to right,
    as for one stream); a stream that needs more blocks continues on its own. Other processes stream by
    stream.
    """
    if flow.arrivals != "poisson" or not generators:
        return [unit_points(flow, total, generator) for generator in generators]
    block = int(total * 1.1) + 16
    if total <= 0.0:  # no point drawn: the total is reached
        return [np.empty(0, dtype=np.float64) for _ in generators]
    uniforms = np.empty((len(generators), block))
    for row, generator in zip(uniforms, generators, strict=True):
        generator.random(out=row)
    points = np.cumsum(_exponential(uniforms), axis=1)  # 0 + the first block's sums: themselves
    return [
        row
        if row[-1] >= total
        else np.concatenate([row, _cumulated(total, generator, _exponential, row[-1])])
        for row, generator in zip(points, generators, strict=True)
    ]


Gaps = Callable[[FloatArray], FloatArray]
"""Uniform draws to gaps, by inversion."""


def _renewal(cv: float, total: float, generator: np.random.Generator) -> FloatArray:
    shape, scale = 1.0 / cv**2, cv**2  # gaps of mean 1
    phase, biased = _open(generator.random(2))
    first = float(phase * (gamma_quantile(shape + 1.0, np.array([biased]))[0] * scale))

    def gaps(u: FloatArray) -> FloatArray:
        return gamma_quantile(shape, _open(u)) * scale

    return np.concatenate([[first], _cumulated(total, generator, gaps, first)])


def _batches(process: BatchArrivals, total: float, generator: np.random.Generator) -> FloatArray:
    mean_size = process.size.mean
    epochs, sizes = [], []
    reached = 0.0
    block = int(total / mean_size * 1.1) + 16
    while reached < total:
        points = reached + np.cumsum(mean_size * _exponential(generator.random(block)))
        epochs.append(points)
        sizes.append(process.size.ppf(_open(generator.random(block))))
        reached = float(points[-1])
    counts = np.rint(np.concatenate(sizes)).astype(np.int64)
    return np.repeat(np.concatenate(epochs), counts)


def _exponential(u: FloatArray) -> FloatArray:
    return np.asarray(-np.log1p(-u), dtype=np.float64)


def _cumulated(total: float, generator: np.random.Generator, gaps: Gaps, start: float) -> FloatArray:
    """``start`` plus cumulated gaps (drawn in blocks of uniforms) until past ``total``."""
    blocks = []
    reached = start
    block = int(total * 1.1) + 16
    while reached < total:
        points = reached + np.cumsum(gaps(generator.random(block)))
        blocks.append(points)
        reached = float(points[-1])
    return np.concatenate(blocks) if blocks else np.empty(0, dtype=np.float64)


def _open(u: FloatArray) -> FloatArray:
    """Uniforms on (0, 1): an exact 0 (p = 2**-53) becomes the next double."""
    return np.where(u > 0.0, u, np.nextafter(0.0, 1.0))
