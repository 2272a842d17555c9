"""Experimental designs: which parameter values each sweep point takes.

- ``grid``: the full factorial of every parameter's levels, the last parameter varying fastest.
- ``lhs``: a Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`): each parameter's range cut into
  ``points`` equal-probability strata, one point in each.
- ``sobol``: a scrambled Sobol' sequence (:class:`scipy.stats.qmc.Sobol`), ``points`` a power of two.

Sampled designs draw from their own stream of the root seed, so the same file always gives the same points.
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.experiments.sweep.parameters import Parameter, Scalar
from sim.experiments.sweep.spec import Sweep
from sim.rng import stream_key

__all__ = ["design_points", "point_seed"]


def design_points(sweep: Sweep, seed: int) -> list[dict[str, Scalar]]:
    """The parameter values of every point, in point order.

    Parameters
    ----------
    sweep : Sweep
        The validated sweep file.
    seed : int
        Root seed; sampled designs draw from ``SeedSequence(seed, spawn_key=(blake2b("sweep-design"),))``.
    """
    parameters = sweep.parameters
    if sweep.spec.design == "grid":
        levels = [p.levels or () for p in parameters]
        return [
            dict(zip((p.name for p in parameters), combo, strict=True))
            for combo in itertools.product(*levels)
        ]
    assert sweep.spec.points is not None
    unit = _unit_sample(sweep.spec.design, len(parameters), sweep.spec.points, seed)
    return [_at(parameters, row) for row in unit]


def _unit_sample(design: str, dimensions: int, points: int, seed: int) -> np.ndarray:
    from scipy.stats import qmc

    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=stream_key("sweep-design")))
    )
    if design == "lhs":
        return np.asarray(qmc.LatinHypercube(dimensions, rng=rng).random(points))
    return np.asarray(qmc.Sobol(dimensions, scramble=True, rng=rng).random_base2(points.bit_length() - 1))


def _at(parameters: tuple[Parameter, ...], row: np.ndarray) -> dict[str, Scalar]:
    return {p.name: p.at(float(u)) for p, u in zip(parameters, row, strict=True)}


def point_seed(seed: int, point: int, common_random_numbers: bool) -> int:
    """The root seed a point's replications draw from.

    With common random numbers (the default) every point uses the sweep's root seed, so replication ``r`` of
    two points sees the same arrivals and service draws wherever the scenarios agree — differences between
    points are then less noisy. Otherwise each point gets a 63-bit seed from
    ``SeedSequence(seed, spawn_key=(blake2b("sweep-point"), point))``.
    """
    if common_random_numbers:
        return seed
    words = np.random.SeedSequence(seed, spawn_key=(*stream_key("sweep-point"), point)).generate_state(2)
    return int((int(words[0]) << 31) ^ int(words[1]))
