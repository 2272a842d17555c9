"""The bounds of every number, date and size a scenario may hold — the one home of the documented limits.

Each limit keeps a value that passes validation from failing later, at run time: no infinity or NaN reaches
an engine, no date leaves the calendar, no count asks for more memory than a machine has, and every draw of a
distribution is a positive, finite amount of work. docs/scenario-format.md lists them; the JSON Schema carries
the field bounds.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field

__all__ = [
    "DRAW_RANGE",
    "MAX_BERTHS",
    "MAX_DATE",
    "MAX_DEPARTURES",
    "MAX_EMPIRICAL_VALUES",
    "MAX_HORIZON_DAYS",
    "MAX_NUMBER",
    "MAX_REPLICATIONS",
    "MAX_ROUTE_STEPS",
    "MAX_SEED",
    "MAX_SHIPMENTS_PER_YEAR",
    "MIN_DATE",
    "MIN_POSITIVE",
    "Count",
    "Multiplier",
    "NonNegative",
    "Positive",
    "in_calendar",
]

MIN_POSITIVE = 1e-6
"""Smallest positive number a field accepts (a time, distance, speed, rate, volume or parcel)."""
MAX_NUMBER = 1e12
"""Largest number any field accepts."""
MAX_BERTHS = 10_000
"""Most berths in one pool."""
MAX_REPLICATIONS = 100_000
"""Most replications of a run (and of each sweep point)."""
MAX_SEED = 2**63 - 1
"""Largest root seed (it is stored as a 64-bit integer)."""
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
"""Dates (the start, disruption windows) lie in [MIN_DATE, MAX_DATE]."""
MAX_HORIZON_DAYS = 36_525.0
"""Longest horizon: 100 years."""
MAX_ROUTE_STEPS = 200
"""Most entries (nodes and links) in a flow's ``route``."""
MAX_EMPIRICAL_VALUES = 100_000
"""Most values of an ``empirical`` distribution."""
MAX_SHIPMENTS_PER_YEAR = 1_000_000.0
"""Most shipments a flow may create in a year: annual volume over the mean parcel (parcel limits included)."""
MAX_DEPARTURES = 10_000_000
"""Most departures a service may schedule over the horizon."""
DRAW_RANGE = (1e-150, 1e150)
"""Every draw of a distribution, from the 2⁻⁵³ to the 1 − 2⁻⁵³ quantile, lies in this range."""


def _not_tiny(value: float) -> float:
    if 0 < value < MIN_POSITIVE:
        raise ValueError(f"0 or at least {MIN_POSITIVE:g} (a smaller positive number is not meaningful here)")
    return value


def _at_least_tiny(value: float) -> float:
    if value < MIN_POSITIVE:
        raise ValueError(f"at least {MIN_POSITIVE:g} (a smaller positive number is not meaningful here)")
    return value


Positive = Annotated[
    float,
    Field(gt=0, le=MAX_NUMBER, json_schema_extra={"minimum": MIN_POSITIVE}),
    AfterValidator(_at_least_tiny),
]
"""A finite number in [MIN_POSITIVE, MAX_NUMBER]."""
NonNegative = Annotated[float, Field(ge=0, le=MAX_NUMBER)]
"""0, or a finite number up to MAX_NUMBER."""
Multiplier = Annotated[float, Field(ge=0, le=MAX_NUMBER), AfterValidator(_not_tiny)]
"""0, or a finite number in [MIN_POSITIVE, MAX_NUMBER] (a new capacity or a scale factor)."""
Count = Annotated[int, Field(ge=1, le=MAX_BERTHS)]
"""A whole number of berths."""


def in_calendar(value: dt.date) -> dt.date:
    """Refuse a date (or datetime) outside [MIN_DATE, MAX_DATE]."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"a date from {MIN_DATE} to {MAX_DATE}")
    return value
