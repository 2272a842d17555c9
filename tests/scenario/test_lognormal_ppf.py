"""The log-normal's inversion: the floats of ``scipy.stats.lognorm.ppf``, without importing scipy.stats."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from scipy import stats

from sim.scenario.distributions import EXTREME_QUANTILES, LogNormal


def _spec(mean: float, cv: float) -> LogNormal:
    """Any parameters, even those validation refuses (it inverts them to refuse them)."""
    return LogNormal.model_construct(dist="lognormal", mean_=mean, cv=cv)


def _scipy(spec: LogNormal, u: np.ndarray) -> np.ndarray:
    sigma = np.sqrt(np.log1p(spec.cv**2))
    mu = np.log(spec.mean_) - 0.5 * sigma**2
    return np.asarray(stats.lognorm.ppf(u, sigma, scale=np.exp(mu)), dtype=np.float64)


def test_lognormal_ppf_is_bit_identical_to_scipy_stats() -> None:
    generator = np.random.default_rng(12)
    u = np.concatenate(
        [generator.random(20_000), EXTREME_QUANTILES, [0.0, 1.0, np.nan, -0.5, 1.5, 2.0**-1074, 0.5]]
    )
    for mean in (1e-6, 0.37, 1.0, 3.0, 55_000.0, 1e9):
        for cv in (1e-300, 1e-9, 0.05, 0.25, 1.0, 3.0, 40.0):
            spec = _spec(mean, cv)
            found, expected = spec.ppf(u), _scipy(spec, u)
            assert found.dtype == np.float64
            assert np.array_equal(found, expected, equal_nan=True), (mean, cv)
            assert np.array_equal(np.signbit(found), np.signbit(expected))
            one = spec.ppf(np.float64(0.3))
            assert one.shape == ()
            assert np.array_equal(one, _scipy(spec, np.float64(0.3)), equal_nan=True)


def test_the_edges_of_the_lognormal_ppf() -> None:
    spec = LogNormal(dist="lognormal", mean=2.0, cv=0.5)
    assert spec.ppf(np.array([0.0, 1.0])).tolist() == [0.0, np.inf]
    assert np.isnan(spec.ppf(np.array([-0.1, 1.1, np.nan]))).all()
    assert np.isnan(_spec(2.0, 1e-300).ppf(np.array([0.5]))).all()  # σ = 0: what validation refuses


def test_inverting_a_lognormal_does_not_import_scipy_stats() -> None:
    code = (
        "import sys, numpy as np\n"
        "from sim.scenario.distributions import LogNormal\n"
        "LogNormal(dist='lognormal', mean=1.0, cv=0.25).ppf(np.array([0.5]))\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
