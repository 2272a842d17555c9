"""One unit per quantity: every command and the HTML report format numbers here.

* durations (transit, waits, delay): days when a value is a day or more, hours below (``39.0 d``, ``5.2 h``);
* masses: ``Mt`` from a million tonnes, ``kt`` from a thousand, else ``t``; per-year flows say ``/yr`` in the
  column or section heading, not in every cell;
* containers: ``TEU`` with thousands separators (``12,345 TEU``); shares: ``%`` (differences: ``pp``);
* money and emissions per tonne or TEU (``US$/t``, ``kg CO₂e/TEU``): two decimals below 100, whole above;
* counts: thousands separators. Never scientific notation.

The unit of a difference's interval is the unit of the difference, chosen from the largest of the three
numbers, so ``+3.56 Mt [+3.39, +3.74]`` reads in one unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "DASH",
    "SIGNIFICANT",
    "Unit",
    "interval",
    "kind_of",
    "number",
    "pick_unit",
    "plain",
    "quantity",
    "with_half_width",
]

SIGNIFICANT = "*"
"""Mark of a difference whose 95 % interval excludes zero (shown with colour too, and without it)."""

DASH = "–"


@dataclass(frozen=True)
class Unit:
    """A display unit: ``value * scale`` printed with ``digits`` decimals and ``symbol`` after it."""

    symbol: str
    scale: float
    digits: int


_KINDS = {
    "h": "duration",
    "t/yr": "mass",
    "t": "mass",
    "TEU/yr": "teu",
    "TEU": "teu",
    "share": "share",
    "US$/t": "usd_per_t",
    "US$/TEU": "usd_per_teu",
    "kg CO2e/t": "co2e_per_t",
    "kg CO2e/TEU": "co2e_per_teu",
}
PER_UNIT = {
    "usd_per_t": "US$/t",
    "usd_per_teu": "US$/TEU",
    "co2e_per_t": "kg CO₂e/t",
    "co2e_per_teu": "kg CO₂e/TEU",
}
"""Money and emissions per tonne or TEU (cost and emission KPIs): two decimals below 100, whole above."""


def kind_of(unit: str) -> str:
    """The quantity kind of a KPI unit (:func:`sim.analysis.stats.kpi_differences.kpi_unit`)."""
    return _KINDS.get(unit, "count")


def pick_unit(kind: str, magnitude: float, difference: bool = False) -> Unit:
    """The unit for values of ``kind`` around ``magnitude`` (the largest absolute value shown together)."""
    size = abs(magnitude) if math.isfinite(magnitude) else 0.0
    if kind == "duration":
        return Unit("d", 1 / 24, 1) if size >= 24 else Unit("h", 1.0, 1)
    if kind == "mass":
        if size >= 1e6:
            return Unit("Mt", 1e-6, 2 if size < 1e8 else 1)
        if size >= 1e3:
            return Unit("kt", 1e-3, 1 if size < 1e5 else 0)
        return Unit("t", 1.0, 0)
    if kind == "teu":
        return Unit("TEU", 1.0, 0)
    if kind == "share":
        return Unit("pp" if difference else "%", 100.0, 1)
    if kind in PER_UNIT:
        return Unit(PER_UNIT[kind], 1.0, 2 if size < 100 else 0)
    return Unit("", 1.0, 0 if size >= 100 else 1)


def plain(value: float, unit: Unit, signed: bool = False) -> str:
    """The number alone in ``unit`` (no symbol), with thousands separators; ``–`` when not finite."""
    if not math.isfinite(value):
        return DASH
    return f"{value * unit.scale:{'+' if signed else ''},.{unit.digits}f}"


def _join(number: str, unit: Unit) -> str:
    if number == DASH or not unit.symbol:
        return number
    return f"{number} {unit.symbol}" if unit.symbol != "%" else f"{number} %"


def quantity(value: float, kind: str, signed: bool = False) -> str:
    """One value with its unit, e.g. ``28.84 Mt``, ``39.0 d``, ``5.2 h``, ``12,345 TEU``, ``62.8 %``."""
    unit = pick_unit(kind, value)
    return _join(plain(value, unit, signed), unit)


def interval(diff: float, low: float, high: float, kind: str) -> str:
    """A difference and its interval in one unit, e.g. ``+3.56 Mt [+3.39, +3.74]`` (no interval if NaN)."""
    finite = [abs(v) for v in (diff, low, high) if math.isfinite(v)]
    unit = pick_unit(kind, max(finite, default=0.0), difference=True)
    text = _join(plain(diff, unit, True), unit)
    if math.isfinite(low) and math.isfinite(high):
        text += f" [{plain(low, unit, True)}, {plain(high, unit, True)}]"
    return text


def with_half_width(mean: float, low: float, high: float, kind: str) -> str:
    """A mean ± its interval's half-width in the mean's unit, e.g. ``39.0 ±0.3 d`` (no ± if NaN)."""
    if not math.isfinite(mean):
        return DASH
    unit = pick_unit(kind, mean)
    text = plain(mean, unit)
    if math.isfinite(low) and math.isfinite(high):
        text += f" ±{plain((high - low) / 2, unit)}"
    return _join(text, unit)


def number(value: float) -> str:
    """A bare number (a parameter value) without scientific notation: ``3,200,000``, ``0.25``, ``12.5``."""
    if not math.isfinite(value):
        return DASH
    if value == int(value) or abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{value:,.4g}" if abs(value) >= 1e-3 else f"{value:.2e}"
