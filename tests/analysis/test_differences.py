"""Known-answer checks for the replication statistics."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from sim.analysis.stats.differences import (
    mean_interval,
    paired_difference,
    relative_half_width,
    sequential_replications,
    welch_difference,
)


def test_mean_interval_matches_scipy_t_interval():
    x = np.array([3.1, 2.7, 3.6, 2.9, 3.3, 3.0])
    interval = mean_interval(x, 0.95)
    low, high = stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert interval.estimate == pytest.approx(x.mean())
    assert (interval.low, interval.high) == pytest.approx((low, high))
    assert interval.n == 6


def test_mean_interval_degenerate_inputs():
    assert math.isnan(mean_interval([]).estimate)
    single = mean_interval([4.0])
    assert single.estimate == 4.0
    assert math.isnan(single.low)
    constant = mean_interval([2.0, 2.0, 2.0])
    assert (constant.low, constant.high) == (2.0, 2.0)
    assert mean_interval([1.0, np.nan, 3.0]).n == 2


def test_paired_difference_matches_scipy_ttest_rel():
    rng = np.random.default_rng(11)
    base = rng.normal(100.0, 10.0, 12)
    variant = base + 5.0 + rng.normal(0.0, 1.0, 12)
    result = paired_difference(base, variant)
    expected = stats.ttest_rel(variant, base).confidence_interval(0.95)
    assert (result.diff.low, result.diff.high) == pytest.approx((expected.low, expected.high))
    assert result.diff.low < 5.0 < result.diff.high
    assert result.significant
    assert result.method == "paired"
    assert result.relative.estimate == pytest.approx(variant.mean() / base.mean() - 1.0)
    assert result.relative.low < 0.05 < result.relative.high


def test_welch_difference_matches_scipy_ttest_ind():
    rng = np.random.default_rng(12)
    base = rng.normal(50.0, 4.0, 10)
    variant = rng.normal(53.0, 9.0, 15)
    result = welch_difference(base, variant)
    expected = stats.ttest_ind(variant, base, equal_var=False).confidence_interval(0.95)
    assert (result.diff.low, result.diff.high) == pytest.approx((expected.low, expected.high))
    assert result.method == "welch"


def test_identical_scenarios_give_zero_difference_not_significant():
    values = np.array([4.0, 5.5, 3.2, 6.1])
    result = paired_difference(values, values.copy())
    assert (result.diff.estimate, result.diff.low, result.diff.high) == (0.0, 0.0, 0.0)
    assert not result.significant
    assert result.relative.estimate == 0.0


def test_paired_difference_drops_incomplete_pairs_and_rejects_unpaired():
    result = paired_difference([1.0, np.nan, 3.0, 4.0], [2.0, 5.0, np.nan, 6.0])
    assert result.diff.n == 2
    with pytest.raises(ValueError, match="equal lengths"):
        paired_difference([1.0, 2.0], [1.0, 2.0, 3.0])


def test_paired_and_relative_intervals_reach_nominal_coverage():
    # 600 synthetic experiments with a known +8 % effect; coverage must sit within ±3 binomial SE of 0.95.
    rng = np.random.default_rng(2024)
    experiments, n, mu, effect = 600, 10, 200.0, 16.0
    shared = rng.normal(mu, 30.0, (experiments, n))
    base = shared + rng.normal(0.0, 5.0, (experiments, n))
    variant = shared + effect + rng.normal(0.0, 5.0, (experiments, n))
    hits_diff = hits_rel = 0
    for b, v in zip(base, variant, strict=True):
        result = paired_difference(b, v)
        hits_diff += result.diff.low <= effect <= result.diff.high
        hits_rel += result.relative.low <= effect / mu <= result.relative.high
    tolerance = 3.0 * math.sqrt(0.95 * 0.05 / experiments)
    assert abs(hits_diff / experiments - 0.95) < tolerance
    assert abs(hits_rel / experiments - 0.95) < tolerance


def _mm1_mean_waits(u_arrival, u_service, arrival_rate, service_rate, warmup):
    """Mean waiting time per replication of an M/M/1 queue, by Lindley's recursion on given uniforms."""
    inter = -np.log1p(-u_arrival) / arrival_rate
    service = -np.log1p(-u_service) / service_rate
    wait = np.zeros(u_arrival.shape[0])
    total = np.zeros(u_arrival.shape[0])
    for i in range(1, u_arrival.shape[1]):
        wait = np.maximum(0.0, wait + service[:, i - 1] - inter[:, i])
        if i >= warmup:
            total += wait
    return total / (u_arrival.shape[1] - warmup)


def test_common_random_numbers_shrink_the_variance_of_the_difference():
    # M/M/1 with lambda = 0.7: Wq = rho / (mu - lambda) is 2.333 h at mu = 1 and 0.7 h at mu = 1.2.
    reps, customers, warmup = 40, 6000, 500
    true_diff = 0.7 / 1.2 / (1.2 - 0.7) - 0.7 / (1.0 - 0.7)
    rng = np.random.default_rng(5)
    u_a, u_s = rng.random((reps, customers)), rng.random((reps, customers))
    base = _mm1_mean_waits(u_a, u_s, 0.7, 1.0, warmup)
    crn = _mm1_mean_waits(u_a, u_s, 0.7, 1.2, warmup)
    indep = _mm1_mean_waits(rng.random((reps, customers)), rng.random((reps, customers)), 0.7, 1.2, warmup)

    var_crn, var_indep = np.var(crn - base, ddof=1), np.var(indep - base, ddof=1)
    # One-sided F test: the variance ratio is far beyond what chance gives.
    assert stats.f.sf(var_indep / var_crn, reps - 1, reps - 1) < 1e-3
    paired = paired_difference(base, crn)
    welch = welch_difference(base, indep)
    assert paired.diff.half_width < 0.75 * welch.diff.half_width
    assert paired.relative.half_width < 0.5 * welch.relative.half_width
    for result in (paired, welch):
        se = result.diff.half_width / stats.t.ppf(0.975, reps - 1)
        assert abs(result.diff.estimate - true_diff) < 4.0 * se + 0.05  # 0.05 h: finite-run bias allowance


def test_relative_half_width_edge_cases():
    values = np.array([[1.0, 0.0, 0.0], [3.0, 0.0, 1.0], [2.0, 0.0, -1.0]])
    out = relative_half_width(values)
    assert out[0] == pytest.approx(mean_interval(values[:, 0]).half_width / 2.0)
    assert out[1] == 0.0
    assert out[2] == math.inf


def test_sequential_replications_reaches_the_target_near_the_textbook_size():
    rng = np.random.default_rng(3)
    calls = []

    def sample(start, stop):
        calls.append((start, stop))
        return rng.normal(100.0, 20.0, (stop - start, 1))

    result = sequential_replications(sample, 0.02, initial=10, cap=2000)
    needed = (1.96 * 20.0 / (0.02 * 100.0)) ** 2  # about 384
    assert result.reached
    assert result.precision[0] < 0.02
    assert 0.7 * needed < result.replications < 1.5 * needed
    assert result.values.shape == (result.replications, 1)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(calls))
    assert calls[0] == (0, 10)


def test_sequential_replications_stops_at_the_cap():
    rng = np.random.default_rng(4)
    result = sequential_replications(lambda a, b: rng.normal(1.0, 1.0, (b - a, 2)), 1e-4, initial=5, cap=20)
    assert not result.reached
    assert result.replications == 20
    with pytest.raises(ValueError, match="initial"):
        sequential_replications(lambda a, b: np.ones((b - a, 1)), 0.1, initial=1)
    with pytest.raises(ValueError, match="target"):
        sequential_replications(lambda a, b: np.ones((b - a, 1)), 0.0)


@pytest.mark.parametrize("compare", [paired_difference, welch_difference])
def test_relative_interval_agrees_with_the_difference_on_significance(compare):
    # Fieller's interval for the ratio contains 1 exactly when the difference's interval contains 0.
    rng = np.random.default_rng(8)
    checked = 0
    for _ in range(300):
        base = rng.normal(10.0, rng.uniform(0.5, 4.0), 6)
        variant = base * rng.uniform(0.7, 1.3) + rng.normal(0.0, rng.uniform(0.1, 3.0), 6)
        result = compare(base, variant)
        if np.isfinite(result.relative.low):
            checked += 1
            assert result.relative.excludes_zero == result.diff.excludes_zero
            assert result.relative.low <= result.relative.estimate <= result.relative.high
    assert checked > 250


def test_no_relative_change_when_the_base_mean_is_noise():
    """Fieller's set is unbounded (the base cannot be told from zero): no ratio, not a ratio to noise."""
    result = paired_difference([-1.0, 2.0, -0.5, 0.2], [1.0, 3.0, 0.5, 1.0])
    assert math.isnan(result.relative.low)
    assert math.isnan(result.relative.estimate)
    assert math.isfinite(result.diff.estimate)
    assert result.diff.low > 0  # the absolute difference still says the variant is higher
