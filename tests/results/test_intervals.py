"""The t quantile of the confidence intervals: the floats of ``scipy.stats.t.ppf``, without importing it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from scipy import stats

from sim.results.intervals import half_width, t_quantile


def test_t_quantile_is_bit_identical_to_scipy_stats() -> None:
    dofs = np.concatenate([np.arange(1.0, 1001.0), np.linspace(0.01, 50.0, 997), [1e6, 1e12, np.inf]])
    for confidence in (0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999):
        expected = stats.t.ppf(0.5 + confidence / 2.0, dofs)
        assert np.array_equal(t_quantile(confidence, dofs), expected)
        assert float(t_quantile(confidence, 7.5)) == float(stats.t.ppf(0.5 + confidence / 2.0, 7.5))


def test_undefined_degrees_of_freedom_give_nan() -> None:
    assert np.isnan(t_quantile(0.95, np.array([0.0, -1.0, np.nan]))).all()


def test_half_width_of_a_known_sample() -> None:
    # n = 4, s = 2: t(0.975, 3) = 3.182446305284263 (tables), half width t * 2 / 2
    assert half_width([2.0], [4])[0] == float(stats.t.ppf(0.975, 3)) * 2.0 / 2.0
    assert abs(half_width([2.0], [4])[0] - 3.182446305284263) < 1e-12
    assert np.isnan(half_width([2.0], [1])[0])


def test_intervals_do_not_import_scipy_stats() -> None:
    code = "import sys, sim.results.intervals; print('scipy.stats' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
