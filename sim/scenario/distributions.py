"""Probability distributions a scenario can name: parcel sizes, handling- and travel-time variability.

Every distribution samples by inversion (``ppf`` of uniform draws). Inversion keeps common random numbers
intact between scenario variants: the same uniform draw maps to a larger parcel when the mean grows.
Variability distributions are multipliers with mean 1 (for example ``{dist: exponential, mean: 1}`` makes a
berth an M/M/c server when parcels are fixed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.arrays import FloatArray
from sim.scenario.gamma_quantile import gamma_quantile
from sim.scenario.limits import DRAW_RANGE, MAX_EMPIRICAL_VALUES, MAX_NUMBER, NonNegative, Positive

if TYPE_CHECKING:  # scipy.stats takes ~0.3 s to import: loaded when a distribution is first inverted
    from scipy import stats

__all__ = [
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Gamma",
    "LogNormal",
    "PositiveDistribution",
    "Triangular",
    "TruncNormal",
    "Uniform",
]


class _Spec(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

    def ppf(self, u: FloatArray) -> FloatArray:  # pragma: no cover - every subclass overrides
        """Map uniform draws in [0, 1) to values of this distribution."""
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover - every subclass overrides
        """Expected value."""
        raise NotImplementedError


class Fixed(_Spec):
    """A constant (a deterministic time or parcel)."""

    dist: Literal["fixed"]
    value: NonNegative

    def ppf(self, u: FloatArray) -> FloatArray:
        """Return the constant for every draw."""
        return np.full(np.shape(u), self.value, dtype=np.float64)

    @property
    def mean(self) -> float:
        """Expected value."""
        return self.value


class Exponential(_Spec):
    """Exponential with the given mean."""

    dist: Literal["exponential"]
    mean_: Positive = Field(alias="mean")

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF, ``-mean * log(1 - u)``."""
        return -self.mean_ * np.log1p(-u)

    @property
    def mean(self) -> float:
        """Expected value."""
        return self.mean_


class Uniform(_Spec):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: NonNegative
    high: NonNegative

    @field_validator("high")
    @classmethod
    def _ordered(cls, high: float, info: ValidationInfo) -> float:
        low = info.data.get("low")
        if low is not None and high < low:
            raise ValueError(f"at least low ({low:g})")
        return high

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF."""
        return self.low + (self.high - self.low) * u

    @property
    def mean(self) -> float:
        """Expected value."""
        return 0.5 * (self.low + self.high)


class Triangular(_Spec):
    """Triangular on ``[low, high]`` with the given mode."""

    dist: Literal["triangular"]
    low: NonNegative
    mode: NonNegative
    high: NonNegative

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError(
                f"low <= mode <= high and low < high (got {self.low:g}, {self.mode:g}, {self.high:g})"
            )
        return self

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF."""
        from scipy import stats

        c = (self.mode - self.low) / (self.high - self.low)
        return np.asarray(stats.triang.ppf(u, c, loc=self.low, scale=self.high - self.low), dtype=np.float64)

    @property
    def mean(self) -> float:
        """Expected value."""
        return (self.low + self.mode + self.high) / 3.0


class TruncNormal(_Spec):
    """Normal(mean, sd) truncated to ``[low, high]`` (``low`` defaults to 0, so values stay non-negative)."""

    dist: Literal["truncnormal"]
    mean_: Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER)] = Field(alias="mean")
    sd: Positive
    low: NonNegative = 0.0
    high: Annotated[float, Field(allow_inf_nan=True, gt=0)] = float("inf")
    """Upper bound; ``.inf`` (the default) for none — the one field that documents infinity."""

    @model_validator(mode="after")
    def _ordered(self) -> TruncNormal:
        if self.high <= self.low:
            raise ValueError(f"high ({self.high:g}) above low ({self.low:g})")
        return self

    def _frozen(self) -> stats.rv_continuous:
        from scipy import stats

        a, b = (self.low - self.mean_) / self.sd, (self.high - self.mean_) / self.sd
        return stats.truncnorm(a, b, loc=self.mean_, scale=self.sd)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF."""
        return np.asarray(self._frozen().ppf(u), dtype=np.float64)

    @property
    def mean(self) -> float:
        """Expected value of the truncated distribution."""
        return float(self._frozen().mean())


class LogNormal(_Spec):
    """Log-normal given by its mean and coefficient of variation."""

    dist: Literal["lognormal"]
    mean_: Positive = Field(alias="mean")
    cv: Positive

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF: ``exp(σ Φ⁻¹(u)) · e^μ``.

        What ``scipy.stats.lognorm.ppf(u, σ, scale=e^μ)`` computes, the same floats (0 at ``u = 0``, infinity
        at 1, NaN outside [0, 1] or when σ underflows to 0), from ``scipy.special.ndtri``: importing
        ``scipy.stats`` would cost ~0.3 s of the runs and validations of a scenario with a log-normal.
        """
        from scipy import special

        sigma = np.sqrt(np.log1p(self.cv**2))
        mu = np.log(self.mean_) - 0.5 * sigma**2
        q = np.asarray(u, dtype=np.float64)
        if not sigma > 0:  # scipy's argument check: no distribution
            return np.full(q.shape, np.nan)
        inside = np.exp(sigma * special.ndtri(q)) * np.exp(mu)
        edges = np.where(q == 0, 0.0, np.where(q == 1, np.inf, np.nan))
        return np.asarray(np.where((q > 0) & (q < 1), inside, edges), dtype=np.float64)

    @property
    def mean(self) -> float:
        """Expected value."""
        return self.mean_


class Gamma(_Spec):
    """Gamma given by its mean and coefficient of variation (Erlang-k when ``cv = 1/sqrt(k)``)."""

    dist: Literal["gamma"]
    mean_: Positive = Field(alias="mean")
    cv: Positive

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF (:func:`sim.scenario.gamma_quantile.gamma_quantile`, scaled)."""
        shape, scale = self.shape_scale
        return gamma_quantile(shape, u) * scale

    @property
    def shape_scale(self) -> tuple[float, float]:
        """The shape ``1 / cv²`` and the scale ``mean / shape`` the quantiles are computed with."""
        shape = 1.0 / self.cv**2
        return shape, self.mean_ / shape

    @property
    def mean(self) -> float:
        """Expected value."""
        return self.mean_


class Empirical(_Spec):
    """A discrete distribution over observed values, optionally weighted."""

    dist: Literal["empirical"]
    values: Annotated[list[NonNegative], Field(min_length=1, max_length=MAX_EMPIRICAL_VALUES)]
    weights: Annotated[list[NonNegative], Field(max_length=MAX_EMPIRICAL_VALUES)] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"as many weights as values ({len(self.weights)} weights, {len(self.values)} values)"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights with a positive sum")
        return self

    def _cumulative(self) -> tuple[FloatArray, FloatArray]:
        values = np.asarray(self.values, dtype=np.float64)
        weights = np.ones_like(values) if self.weights is None else np.asarray(self.weights, dtype=np.float64)
        cumulative = np.cumsum(weights) / weights.sum()
        return values, cumulative

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF of the step function."""
        values, cumulative = self._cumulative()
        index = np.searchsorted(cumulative, u, side="right")
        return values[np.minimum(index, values.size - 1)]

    @property
    def mean(self) -> float:
        """Expected value."""
        values, cumulative = self._cumulative()
        return float(np.dot(values, np.diff(cumulative, prepend=0.0)))


Distribution = Annotated[
    Fixed | Exponential | Uniform | Triangular | TruncNormal | LogNormal | Gamma | Empirical,
    Field(discriminator="dist"),
]


def _no_atom_at_zero(spec: _Spec) -> _Spec:
    """Reject distributions that give exactly 0 with positive probability.

    A zero parcel or a zero multiplier would make a visit take no time at all; zero-time visits make the order
    of same-instant decisions ambiguous, so scenarios cannot produce them (continuous distributions starting
    at 0, such as ``uniform`` with ``low: 0``, are fine: they give 0 with probability 0).
    """
    if isinstance(spec, Fixed) and spec.value == 0:
        raise ValueError("a positive value (a zero parcel or multiplier would take no time)")
    if isinstance(spec, Empirical):
        weights = spec.weights or [1.0] * len(spec.values)
        if any(v == 0 and w > 0 for v, w in zip(spec.values, weights, strict=True)):
            raise ValueError("positive values (a zero parcel or multiplier would take no time)")
    _finite_draws(spec)
    return spec


EXTREME_QUANTILES = np.array([2.0**-53, 0.5, 1.0 - 2.0**-53])
"""The smallest and largest uniform draws a Plan inverts (and the median)."""


def _finite_draws(spec: _Spec) -> None:
    """Reject parameters whose extreme draws are 0, infinite, NaN or outside :data:`DRAW_RANGE`.

    Checked at the 2⁻⁵³ and 1 − 2⁻⁵³ quantiles, which bound every draw (the ppf is monotone), so that a
    lognormal ``cv`` of 1e-300 (σ = 0) or a gamma ``cv`` of 100 (draws that underflow to 0) is refused here,
    naming the field, rather than making work of NaN or 0 hours in the engine.
    """
    with np.errstate(all="ignore"):
        draws = np.asarray(spec.ppf(EXTREME_QUANTILES), dtype=np.float64)
        mean = float(spec.mean)
    low, high = DRAW_RANGE
    if not (np.isfinite(draws).all() and draws.min() >= low and draws.max() <= high and np.isfinite(mean)):
        shown = ", ".join(f"{d:.3g}" for d in draws)
        raise ValueError(
            f"parameters whose draws lie between {low:g} and {high:g} (these give draws {shown}"
            " at the lowest, middle and highest quantile: a smaller spread or more moderate values)"
        )


PositiveDistribution = Annotated[Distribution, AfterValidator(_no_atom_at_zero)]
"""A distribution that is positive with probability 1 (parcels and variability multipliers)."""

ONE = Fixed(dist="fixed", value=1.0)
"""The default variability: no variability (a multiplier of exactly 1)."""
