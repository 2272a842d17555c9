"""Confidence intervals across replications: one KPI's mean, and the difference between two scenarios.

Every replication of a scenario gives one value of a KPI (mean transit time, tonnes delivered …).
Replications are independent, so the mean over them has a Student-t interval (:func:`mean_interval`, computed
in :mod:`sim.results.intervals` and re-exported here). Comparing a variant with a base works two ways:

* **paired** (:func:`paired_difference`) — when both scenarios ran with common random numbers (the same seed,
  draws keyed by entity), replication *i* of the base and of the variant saw the same parcels and arrivals, so
  the differences ``variant_i − base_i`` are independent and usually far less variable than either series.
* **Welch** (:func:`welch_difference`) — for independently seeded runs or unequal replication counts.

The relative change ``variant_mean / base_mean − 1`` gets its own interval by Fieller's theorem, which
carries the base mean's own noise into it and — unlike a delta-method interval — always agrees with the
difference's interval on whether the change is distinguishable from zero.

A sequential-precision helper (:func:`sequential_replications`) adds replications until every chosen KPI's
interval is narrow enough relative to its mean, up to a cap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sim.arrays import FloatArray
from sim.results.intervals import Interval, finite_values, mean_interval, t_interval, t_quantile

__all__ = [
    "Difference",
    "Interval",
    "SequentialResult",
    "mean_interval",
    "paired_difference",
    "relative_half_width",
    "sequential_replications",
    "welch_difference",
]


@dataclass(frozen=True)
class Difference:
    """Variant minus base for one KPI.

    Attributes
    ----------
    base_mean, variant_mean : float
        Means over replications, in the KPI's unit.
    diff : Interval
        ``variant − base`` with its interval, in the KPI's unit.
    relative : Interval
        ``variant_mean / base_mean − 1`` (dimensionless; 0.10 is +10 %) with Fieller's interval; bounds are
        NaN when the base mean is zero or not itself distinguishable from zero (the set is unbounded).
    method : str
        ``"paired"`` or ``"welch"``.
    """

    base_mean: float
    variant_mean: float
    diff: Interval
    relative: Interval
    method: str

    @property
    def significant(self) -> bool:
        """True when the difference's interval excludes zero."""
        return self.diff.excludes_zero


def _fieller(
    means: tuple[float, float], var_x: float, var_y: float, cov: float, dof: float, n: int, confidence: float
) -> Interval:
    """Fieller interval of ``ȳ / x̄ − 1``.

    ``var_x``, ``var_y`` and ``cov`` are the (co)variances of the two *means*. The set of ratios R with
    ``(ȳ − R x̄)² ≤ t² Var(ȳ − R x̄)`` is an interval when x̄ is clearly non-zero (``a > 0``), else unbounded:
    then the base cannot be told from zero and no relative change is given (estimate NaN too), rather than a
    ratio to noise (a wait of a few seconds in the base made "+2,845,426 %").
    """
    x, y = means
    if not (n >= 2 and x != 0 and math.isfinite(var_x + var_y + cov) and dof > 0):
        estimate = y / x - 1.0 if x != 0 else math.nan
        return Interval(estimate, math.nan, math.nan, n, confidence)
    t2 = float(t_quantile(confidence, dof)) ** 2
    a = x * x - t2 * var_x
    b = -2.0 * (x * y - t2 * cov)
    c = y * y - t2 * var_y
    disc = b * b - 4.0 * a * c
    if a <= 0:
        return Interval(math.nan, math.nan, math.nan, n, confidence)
    if disc < 0:
        return Interval(y / x - 1.0, math.nan, math.nan, n, confidence)
    root = math.sqrt(disc)
    low, high = (-b - root) / (2.0 * a), (-b + root) / (2.0 * a)
    return Interval(y / x - 1.0, low - 1.0, high - 1.0, n, confidence)


def paired_difference(base: ArrayLike, variant: ArrayLike, confidence: float = 0.95) -> Difference:
    """Paired-difference interval for replications run with common random numbers.

    Parameters
    ----------
    base, variant : array_like
        Per-replication KPI values, aligned by replication (same length). A pair where either value is NaN
        is dropped.
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    Difference
        ``variant − base`` interval from the t distribution on the n paired differences (n − 1 degrees of
        freedom) and the relative change with Fieller's interval.

    Raises
    ------
    ValueError
        If the two arrays differ in length (they are not paired).
    """
    x = np.asarray(base, dtype=np.float64).ravel()
    y = np.asarray(variant, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"paired samples need equal lengths; got {x.size} base and {y.size} variant values")
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = int(x.size)
    diff = mean_interval(y - x, confidence)
    base_mean = float(x.mean()) if n else math.nan
    variant_mean = float(y.mean()) if n else math.nan
    if n >= 2:
        covariance = np.cov(x, y, ddof=1) / n
        var_x, var_y, cov = float(covariance[0, 0]), float(covariance[1, 1]), float(covariance[0, 1])
    else:
        var_x = var_y = cov = math.nan
    relative = _fieller((base_mean, variant_mean), var_x, var_y, cov, n - 1, n, confidence)
    return Difference(base_mean, variant_mean, diff, relative, "paired")


def _welch_dof(a: float, b: float, n_a: int, n_b: int) -> float:
    """Welch–Satterthwaite degrees of freedom for variance components ``a = s²/n`` and ``b``."""
    if a + b == 0:
        return float(n_a + n_b - 2)
    return (a + b) ** 2 / (a**2 / (n_a - 1) + b**2 / (n_b - 1))


def welch_difference(base: ArrayLike, variant: ArrayLike, confidence: float = 0.95) -> Difference:
    """Welch interval for the difference of two independently sampled means.

    Parameters
    ----------
    base, variant : array_like
        Per-replication KPI values of each scenario; lengths may differ; NaN values are dropped.
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    Difference
        ``variant − base`` with Welch–Satterthwaite degrees of freedom, and the relative change with
        Fieller's interval (using the same degrees of freedom).
    """
    x, y = finite_values(base), finite_values(variant)
    n_x, n_y = int(x.size), int(y.size)
    base_mean = float(x.mean()) if n_x else math.nan
    variant_mean = float(y.mean()) if n_y else math.nan
    n = min(n_x, n_y)
    if n < 2:
        nan = Interval(variant_mean - base_mean, math.nan, math.nan, n, confidence)
        return Difference(base_mean, variant_mean, nan, nan, "welch")
    a, b = float(x.var(ddof=1)) / n_x, float(y.var(ddof=1)) / n_y
    dof = _welch_dof(a, b, n_x, n_y)
    diff = t_interval(variant_mean - base_mean, math.sqrt(a + b), dof, n, confidence)
    relative = _fieller((base_mean, variant_mean), a, b, 0.0, dof, n, confidence)
    return Difference(base_mean, variant_mean, diff, relative, "welch")


def relative_half_width(values: FloatArray, confidence: float = 0.95) -> FloatArray:
    """Half-width of each column's mean interval divided by the absolute mean.

    Parameters
    ----------
    values : ndarray, shape (n_replications, n_kpis)
        Per-replication KPI values.
    confidence : float
        Confidence level.

    Returns
    -------
    ndarray, shape (n_kpis,)
        Relative half-widths (dimensionless); 0 where the values are all equal, ``inf`` where the mean is
        zero but the values vary, and NaN with fewer than two replications.
    """
    out = np.empty(values.shape[1], dtype=np.float64)
    for k in range(values.shape[1]):
        interval = mean_interval(values[:, k], confidence)
        if interval.half_width == 0.0:
            out[k] = 0.0
        elif interval.estimate == 0.0:
            out[k] = math.inf
        else:
            out[k] = interval.half_width / abs(interval.estimate)
    return out


@dataclass(frozen=True)
class SequentialResult:
    """Outcome of :func:`sequential_replications`.

    Attributes
    ----------
    replications : int
        Replications run in total.
    reached : bool
        True when every KPI met the target before the cap.
    precision : ndarray
        Final precision per KPI (as returned by the criterion; relative half-width by default).
    values : ndarray, shape (replications, n_kpis)
        Every per-replication value gathered.
    """

    replications: int
    reached: bool
    precision: FloatArray
    values: FloatArray


def _next_size(n: int, precision: FloatArray, target: float, cap: int) -> int:
    """Replications the worst KPI needs, from the half-width shrinking as 1/sqrt(n).

    The step is at least one replication and at most a doubling: early estimates of the spread are noisy,
    so a single extrapolation from a few replications can overshoot by an order of magnitude.
    """
    worst = float(np.nanmax(precision)) if np.isfinite(precision).any() else math.inf
    needed = n * (worst / target) ** 2 if math.isfinite(worst) else 2.0 * n
    return int(min(cap, 2 * n, max(n + 1, math.ceil(needed))))


def sequential_replications(
    sample: Callable[[int, int], FloatArray],
    target: float,
    *,
    initial: int = 5,
    cap: int = 100,
    criterion: Callable[[FloatArray], FloatArray] = relative_half_width,
) -> SequentialResult:
    """Add replications until every KPI's interval is narrow enough, or the cap is reached.

    Parameters
    ----------
    sample : callable ``(start, stop) -> ndarray``
        Returns per-replication KPI values for replications ``start .. stop-1`` as an array of shape
        ``(stop - start, n_kpis)``. Called with consecutive, non-overlapping ranges.
    target : float
        Precision to reach, e.g. 0.05 for a relative half-width below 5 % of the mean.
    initial : int
        Replications in the first batch (at least 2).
    cap : int
        Never run more than this many replications in total.
    criterion : callable ``values -> ndarray``
        Maps all values gathered so far, shape ``(n, n_kpis)``, to a precision per KPI; NaN counts as not
        reached. Defaults to :func:`relative_half_width`.

    Returns
    -------
    SequentialResult
        How many replications were run, whether the target was met, and the data.
    """
    if target <= 0:
        raise ValueError(f"precision target must be > 0; got {target}")
    if not 2 <= initial <= cap:
        raise ValueError(f"need 2 <= initial <= cap; got initial={initial}, cap={cap}")
    values = np.asarray(sample(0, initial), dtype=np.float64).reshape(initial, -1)
    while True:
        n = values.shape[0]
        precision = criterion(values)
        if bool(np.all(precision < target)):
            return SequentialResult(n, True, precision, values)
        if n >= cap:
            return SequentialResult(n, False, precision, values)
        stop = _next_size(n, precision, target, cap)
        more = np.asarray(sample(n, stop), dtype=np.float64).reshape(stop - n, -1)
        values = np.vstack([values, more])
