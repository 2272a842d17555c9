"""Seasonality: weights are relative rates by default (no weights = a constant rate), or monthly volumes."""

from __future__ import annotations

import calendar

import pytest

from sim.demand import MEAN_MONTH_DAYS, volume_rate_h

MONTHS = [(year, month) for year in (2023, 2024) for month in range(1, 13)]


def test_the_mean_gregorian_year_has_365_2425_days() -> None:
    assert float(MEAN_MONTH_DAYS.sum()) == pytest.approx(365.2425, abs=1e-12)


def test_flat_weights_are_one_constant_rate_in_every_month_and_year() -> None:
    rates = [volume_rate_h(1e6, [1.0] * 12, "rate", y, m) for y, m in MONTHS]
    assert max(rates) - min(rates) <= 1e-12 * max(rates)
    assert rates[0] == pytest.approx(1e6 / (365.2425 * 24))


def test_rate_weights_scale_each_month_by_its_days() -> None:
    weights = [2.0] + [1.0] * 11
    january, february = (volume_rate_h(1e6, weights, "rate", 2024, m) for m in (1, 2))
    assert january == pytest.approx(2 * february)
    # a mean year carries the annual volume
    year = sum(
        volume_rate_h(1e6, weights, "rate", 2023, m) * 24 * MEAN_MONTH_DAYS[m - 1] for m in range(1, 13)
    )
    assert year == pytest.approx(1e6)


def test_monthly_volume_weights_give_each_month_its_share_whatever_its_length() -> None:
    for year, month in MONTHS:
        hours = calendar.monthrange(year, month)[1] * 24
        volume = volume_rate_h(1.2e6, [1.0] * 12, "monthly_volume", year, month) * hours
        assert volume == pytest.approx(1e5)
    # so February runs hotter than January at equal weights: the old meaning of "flat"
    ratio = volume_rate_h(1.0, [1.0] * 12, "monthly_volume", 2023, 2) / volume_rate_h(
        1.0, [1.0] * 12, "monthly_volume", 2023, 1
    )
    assert ratio == pytest.approx(31 / 28)
