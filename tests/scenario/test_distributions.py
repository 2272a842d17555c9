"""Distributions sample by inversion: right mean, monotone in the uniform draw, valid parameters only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from sim.scenario.distributions import Distribution

SPECS: list[dict[str, Any]] = [
    {"dist": "fixed", "value": 3.0},
    {"dist": "exponential", "mean": 2.0},
    {"dist": "uniform", "low": 1.0, "high": 5.0},
    {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0},
    {"dist": "truncnormal", "mean": 1.0, "sd": 1.0},
    {"dist": "lognormal", "mean": 60000.0, "cv": 0.2},
    {"dist": "gamma", "mean": 1.0, "cv": 0.5},
    {"dist": "empirical", "values": [1.0, 4.0, 12.0], "weights": [3.0, 2.0, 1.0]},
]
ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)


@pytest.mark.parametrize("spec", SPECS, ids=[s["dist"] for s in SPECS])
def test_sample_mean_matches_the_stated_mean(spec: dict[str, Any]) -> None:
    distribution = ADAPTER.validate_python(spec)
    draws = distribution.ppf(np.random.default_rng(5).random(200_000))
    mean, sem = draws.mean(), stats.sem(draws)
    half = stats.t.ppf(0.9995, draws.size - 1) * sem  # 99.9% interval
    assert mean - half - 1e-12 <= distribution.mean <= mean + half + 1e-12
    assert (draws >= 0).all()


@pytest.mark.parametrize("spec", SPECS, ids=[s["dist"] for s in SPECS])
def test_inversion_is_monotone_so_variants_share_random_numbers(spec: dict[str, Any]) -> None:
    distribution = ADAPTER.validate_python(spec)
    u = np.linspace(0.0, 0.999999, 1001)
    assert (np.diff(distribution.ppf(u)) >= 0).all()


def test_truncated_normal_mean_accounts_for_the_truncation() -> None:
    distribution = ADAPTER.validate_python({"dist": "truncnormal", "mean": 0.0, "sd": 1.0})
    assert distribution.mean == pytest.approx(np.sqrt(2.0 / np.pi))  # half-normal


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "exponential", "mean": 0.0},
        {"dist": "uniform", "low": 5.0, "high": 1.0},
        {"dist": "triangular", "low": 1.0, "mode": 7.0, "high": 6.0},
        {"dist": "lognormal", "mean": 1.0, "cv": -1.0},
        {"dist": "empirical", "values": [1.0, 2.0], "weights": [1.0]},
        {"dist": "empirical", "values": []},
        {"dist": "fixed", "value": 1.0, "sd": 2.0},
    ],
)
def test_invalid_parameters_are_rejected(spec: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(spec)
