"""Student-t confidence intervals across replications: the one place their half width is computed.

Replications of a scenario are independent, so the mean of a KPI's *n* per-replication values has the
interval ``mean ± t · s / √n``, where ``s`` is the sample standard deviation (``ddof=1``) and ``t`` the
``(1 + confidence) / 2`` quantile of Student's t with ``n − 1`` degrees of freedom (:func:`t_quantile`).
One replication gives no interval: its bounds are NaN.

Two forms share that quantile:

* :func:`half_width` — vectorised over many KPIs at once from their ``s`` and ``n`` (the KPI summaries and
  the analysis tables); it computes ``(t · s) / √n``.
* :func:`mean_interval` and :func:`t_interval` — one KPI as an :class:`Interval`, from its values or from a
  standard error with any degrees of freedom (Welch's difference uses the latter); they compute
  ``t · (s / √n)``.

The two orders of operation may differ in the last bit; each is kept so that result files stay
bit-identical to the ones already written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from sim.arrays import FloatArray

__all__ = ["Interval", "finite_values", "half_width", "mean_interval", "t_interval", "t_quantile"]


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval.

    Attributes
    ----------
    estimate : float
        The point estimate (a mean, or a mean difference), in the KPI's own unit.
    low, high : float
        Interval bounds, same unit; NaN when fewer than two observations.
    n : int
        Number of observations (replications or pairs) used.
    confidence : float
        Confidence level, e.g. 0.95.
    """

    estimate: float
    low: float
    high: float
    n: int
    confidence: float

    @property
    def half_width(self) -> float:
        """Half the interval's width (NaN when undefined)."""
        return (self.high - self.low) / 2.0

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies strictly above or strictly below zero."""
        return bool(self.low > 0.0 or self.high < 0.0)


def finite_values(values: ArrayLike) -> FloatArray:
    """The finite values of ``values`` as a flat float64 array (NaN and infinite values dropped)."""
    array = np.asarray(values, dtype=np.float64).ravel()
    return array[np.isfinite(array)]


def t_quantile(confidence: float, dof: ArrayLike) -> FloatArray:
    """Two-sided Student-t critical value: the ``(1 + confidence) / 2`` quantile.

    Parameters
    ----------
    confidence : float
        Confidence level in (0, 1), e.g. 0.95.
    dof : float or array_like
        Degrees of freedom (``n − 1`` for a mean of n replications; may be fractional, as Welch's are).

    Returns
    -------
    ndarray
        The quantile (dimensionless), shaped like ``dof`` (0-d for a scalar).
    """
    # ``special.stdtrit`` is what ``scipy.stats.t.ppf`` computes for 0 < q < 1 and dof > 0 (the same floats:
    # tests/results/test_intervals.py); importing ``scipy.stats`` would cost ~0.3 s of every run
    return np.asarray(special.stdtrit(dof, 0.5 + confidence / 2.0), dtype=np.float64)


def half_width(std: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> FloatArray:
    """Half width ``t · s / √n`` of the t-interval of the mean of n replications, for many KPIs at once.

    Parameters
    ----------
    std : array_like
        Sample standard deviation (``ddof=1``) of each KPI over its replications, in the KPI's unit.
    n : array_like
        Number of replications giving a value, per KPI (same shape as ``std``).
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    ndarray
        Half widths in the KPI's unit; NaN where ``n < 2``.
    """
    count = np.asarray(n, dtype=np.float64)
    spread = np.asarray(std, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = t_quantile(confidence, np.maximum(count - 1.0, 1.0)) * spread / np.sqrt(count)
    return np.where(count >= 2, half, np.nan)


def t_interval(estimate: float, std_error: float, dof: float, n: int, confidence: float) -> Interval:
    """The interval ``estimate ± t · std_error`` with ``dof`` degrees of freedom.

    Parameters
    ----------
    estimate : float
        Point estimate, in the KPI's unit.
    std_error : float
        Standard error of the estimate, same unit.
    dof : float
        Degrees of freedom of the t quantile.
    n : int
        Observations behind the estimate (recorded in the interval; fewer than two give NaN bounds).
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    Interval
        Bounds NaN when ``n < 2``, ``dof <= 0`` or the standard error is not finite; equal to the estimate
        when the standard error is zero.
    """
    if not (n >= 2 and math.isfinite(std_error) and dof > 0):
        return Interval(estimate, math.nan, math.nan, n, confidence)
    half = float(t_quantile(confidence, dof)) * std_error if std_error > 0 else 0.0
    return Interval(estimate, estimate - half, estimate + half, n, confidence)


def mean_interval(values: ArrayLike, confidence: float = 0.95) -> Interval:
    """Student-t interval for the mean of independent replications.

    Parameters
    ----------
    values : array_like
        One value per replication; NaN and infinite values are dropped.
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    Interval
        Mean and bounds; bounds are NaN with fewer than two finite values, and equal the mean when all values
        are identical.
    """
    x = finite_values(values)
    n = x.size
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, confidence)
    mean = float(x.mean())
    std_error = float(x.std(ddof=1)) / math.sqrt(n) if n >= 2 else math.nan
    return t_interval(mean, std_error, n - 1, n, confidence)
