"""MSER-5 warm-up detection on series with and without a start-up transient."""

from __future__ import annotations

import numpy as np

from sim.analysis.stats.warmup import binned_series, mser, mser_warmup_hours


def test_mser5_cuts_an_exponential_transient():
    rng = np.random.default_rng(1)
    t = np.arange(2000)
    series = 20.0 * np.exp(-t / 40.0) + rng.normal(0.0, 1.0, t.size)
    result = mser(series)
    # The transient falls below a tenth of the noise SD after about 40 * ln(200) = 212 observations.
    assert 80 <= result.truncate <= 400
    assert result.truncate % 5 == 0
    assert not result.at_limit


def test_mser5_keeps_a_stationary_series():
    rng = np.random.default_rng(2)
    result = mser(rng.normal(5.0, 1.0, 2000))
    assert result.truncate < 200


def test_mser_flags_a_series_that_never_settles():
    result = mser(np.arange(500, dtype=float)[::-1])  # still falling at the end: no steady state
    assert result.at_limit


def test_mser_short_series():
    assert mser([1.0, 2.0, 3.0]).truncate == 0


def test_binned_series_means_and_gaps():
    series = binned_series([0.5, 1.0, 25.0, 70.0, 80.0], [2.0, 4.0, 6.0, np.nan, 1.0], 24.0, 96.0)
    np.testing.assert_allclose(series, [3.0, 6.0, np.nan, 1.0])


def test_mser_warmup_hours_from_time_stamped_observations():
    rng = np.random.default_rng(3)
    times = rng.uniform(0.0, 24.0 * 400, 40_000)
    waits = 30.0 * np.exp(-times / (24.0 * 15)) + rng.exponential(2.0, times.size)
    hours, result = mser_warmup_hours(times, waits, horizon_h=24.0 * 400)
    assert 24.0 * 20 <= hours <= 24.0 * 150
    assert hours == result.truncate * 24.0
