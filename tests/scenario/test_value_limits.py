"""Every number is finite and inside its documented range, so what validates also runs.

The values are those that passed validation and then failed at run time (or never ended) before the limits
of :mod:`sim.scenario.limits`: each is now refused by ``corridor validate`` naming file, line and field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import InputError
from sim.scenario import load_scenario
from sim.scenario.checks import expected_shipments
from sim.scenario.limits import MAX_HORIZON_DAYS, MAX_SHIPMENTS_PER_YEAR

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "demo_two_ports.yaml"

BERTH = "nodes:\n  CNTAO:\n    berths:\n      dry_bulk:\n"
CASES = {
    "set_inf": ("disruptions:\n  tao_strike: {set: .inf}\n", "disruptions.tao_strike.set", "a finite number"),
    "volume_inf": (
        "flows:\n  soy_png_tao: {annual_volume: .inf}\n",
        "flows.soy_png_tao.annual_volume",
        "a finite number",
    ),
    "volume_nan": ("flows:\n  soy_png_tao: {annual_volume: .nan}\n", "annual_volume", "a finite number"),
    "volume_huge": (
        "flows:\n  boxes_ssz_tao: {annual_volume: 1.0e18}\n",
        "annual_volume",
        "less than or equal",
    ),
    "volume_1e400": ("flows:\n  soy_png_tao: {annual_volume: 1e400}\n", "annual_volume", "a finite number"),
    "parcel_tiny": (
        "flows:\n  soy_png_tao:\n    parcel: {dist: fixed, value: 1.0e-300}\n",
        "flows.soy_png_tao.parcel",
        "draws lie between",
    ),
    "too_many_shipments": (
        "flows:\n  soy_png_tao:\n    parcel: {dist: fixed, value: 1.0}\n",
        "flows.soy_png_tao",
        "shipments a year per flow",
    ),
    "berths_huge": (
        BERTH + "        count: 1000000000000\n",
        "dry_bulk.count",
        "less than or equal to 10000",
    ),
    "cv_tiny": (
        BERTH + "        variability: {dist: lognormal, mean: 1.0, cv: 1.0e-300}\n",
        "variability.cv",
        "at least 1e-06",
    ),
    "cv_huge": (
        BERTH + "        variability: {dist: lognormal, mean: 1.0, cv: 1.0e300}\n",
        "variability.cv",
        "less than or equal",
    ),
    "gamma_underflow": (
        BERTH + "        variability: {dist: gamma, mean: 1.0, cv: 100.0}\n",
        "dry_bulk.variability",
        "draws lie between",
    ),
    "uniform_zero": (
        "flows:\n  soy_png_tao:\n    parcel: {dist: uniform, low: 0, high: 0}\n",
        "flows.soy_png_tao.parcel",
        "draws lie between",
    ),
    "truncnormal_far_tail": (
        BERTH + "        variability: {dist: truncnormal, mean: -1.0e9, sd: 1.0e-3}\n",
        "dry_bulk.variability",
        "draws lie between",
    ),
    "speed_inf": ("legs:\n  BRPNG-CNTAO: {speed_kn: .inf}\n", "legs.BRPNG-CNTAO.speed_kn", "a finite number"),
    "speed_denormal": ("legs:\n  BRPNG-CNTAO: {speed_kn: 1.0e-320}\n", "speed_kn", "at least 1e-06"),
    "horizon_huge": ("horizon_days: 1.0e9\n", "horizon_days", f"less than or equal to {MAX_HORIZON_DAYS:g}"),
    "start_9999": ("start: 9999-01-01\n", "start", "a date from 1900-01-01 to 2200-12-31"),
    "start_1066": ("start: 1066-10-14\n", "start", "a date from 1900-01-01 to 2200-12-31"),
    "window_date": ("disruptions:\n  tao_strike: {end: 9999-03-04}\n", "tao_strike.end", "a date from"),
    "seed_huge": ("seed: 99999999999999999999999\n", "seed", "less than or equal to 9223372036854775807"),
    "replications_inf": ("replications: .inf\n", "replications", "a valid integer"),
    "headway_tiny": (
        "services:\n  ecsa_asia_loop: {headway_h: 1.0e-5, offset_h: 0}\n",
        "services.ecsa_asia_loop.headway_h",
        "departures over the horizon",
    ),
    "parcel_limit_tiny": (
        "disruptions:\n  draft:\n    {kind: parcel_limit, target: BRPNG, start_h: 0, end_h: 9, set: 1.e-6}\n",
        "flows.soy_png_tao",
        "parcel limits included",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_extreme_value_is_refused_at_validation_with_its_place(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, field, expected = CASES[case]
    variant = tmp_path / "variant.yaml"
    variant.write_text(f"extends: {DEMO}\n{edit}", encoding="utf-8")
    assert main(["validate", str(variant)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "internal error" not in err
    assert field in err, err
    assert expected in err, err
    assert ("variant.yaml:" if case != "parcel_limit_tiny" else "demo_two_ports.yaml:") in err, err


def test_the_documented_infinity_is_accepted() -> None:
    """``truncnormal``'s ``high`` defaults to infinity and may be written as ``.inf``."""
    variability = {"dist": "truncnormal", "mean": 1.0, "sd": 0.2, "high": float("inf")}
    scenario = load_scenario(DEMO, {"nodes.CNTAO.berths.dry_bulk.variability": variability})
    assert scenario.nodes["CNTAO"].berths["dry_bulk"].variability.ppf  # loaded


def test_values_at_the_limits_are_accepted() -> None:
    scenario = load_scenario(
        DEMO,
        {
            "start": "2200-12-31",
            "horizon_days": 1.0,
            "warmup_days": 0.0,
            "seed": 2**63 - 1,
            "nodes.CNTAO.berths.dry_bulk.count": 10_000,
            "nodes.BRPNG.berths.dry_bulk.variability": {"dist": "gamma", "mean": 1.0, "cv": 3.0},
            "disruptions.tao_strike.start": None,
            "disruptions.tao_strike.end": None,
            "disruptions.tao_strike.start_h": 1.0,
            "disruptions.tao_strike.end_h": 2.0,
        },
    )
    assert scenario.start.year == 2200


def test_the_shipment_limit_counts_shipments_a_year() -> None:
    scenario = load_scenario(DEMO)
    per_year = expected_shipments(scenario) * 365.25 / scenario.horizon_days
    assert 0 < per_year < MAX_SHIPMENTS_PER_YEAR
    limit_volume = MAX_SHIPMENTS_PER_YEAR * 62_500 * 1.01  # uniform 55-70 kt parcels: mean 62.5 kt
    with pytest.raises(InputError, match="shipments a year per flow"):
        load_scenario(DEMO, {"flows.soy_png_tao.annual_volume": limit_volume})
    load_scenario(DEMO, {"flows.soy_png_tao.annual_volume": limit_volume / 1.02})
