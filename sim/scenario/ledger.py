"""The money and carbon a scenario charges: the optional ``costs:`` and ``emissions:`` sections.

Both are tables of rates keyed by a free name. A rate *selects* the visits it applies to by any of ``mode``,
``link`` (a leg or service id), ``node``, ``cargo_class`` and ``commodity``; a selector left out matches
everything. When several rates of one table match a visit, the most specific wins (``link`` 8, ``node`` 4,
``commodity`` 2, ``cargo_class`` 1 — summed), ties going to the first name in sorted order. A rate in TEU
applies only to containerised commodities; a rate in tonnes applies to every commodity.

Units: US dollars (``usd_``), grams (``g_``) or kilograms (``kg_``) of CO₂e, per tonne (``t``) or TEU (the
entry's ``unit``), per km of the link (sea distances in nm are converted at 1.852 km/nm), per call or transit.
What is charged for and what is left out is documented in docs/design.md ("Costs and emissions").
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CanalToll",
    "CargoValue",
    "Costs",
    "Emissions",
    "FreightRate",
    "HubIntensity",
    "LinkDistance",
    "PortCharge",
    "TransportIntensity",
]

NodeId = Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z0-9]{3}$")]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=80)]
NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Mode = Literal["sea", "rail", "river", "road"]
Unit = Literal["t", "TEU"]


class _Entry(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=False)

    source: str | None = None
    """Where the figure comes from (citation, ``derived: …`` or ``ASSUMPTION: …``)."""
    year: int | str | None = None
    """The year the figure describes."""
    notes: str | None = None


class FreightRate(_Entry):
    """Line-haul money for a visit to a leg or service: per unit carried, and per unit and km."""

    mode: Mode | None = None
    link: Name | None = None
    """A leg or service id."""
    cargo_class: Name | None = None
    commodity: Name | None = None
    unit: Unit
    usd_per_unit: NonNegative = 0.0
    """US$ per tonne or TEU for the whole link (a published lane rate)."""
    usd_per_unit_km: NonNegative = 0.0
    """US$ per tonne-km or TEU-km of the link."""


class PortCharge(_Entry):
    """Port dues and handling for a visit to a berth pool: per call (the shipment's visit) and per unit."""

    node: NodeId | None = None
    cargo_class: Name | None = None
    commodity: Name | None = None
    unit: Unit
    usd_per_call: NonNegative = 0.0
    """US$ per visit; for bulk a shipment is a ship, so this is where vessel dues belong."""
    usd_per_unit: NonNegative = 0.0
    """US$ per tonne or TEU handled (cargo dues, terminal handling)."""


class CanalToll(_Entry):
    """Toll for a transit of a chokepoint: per transit (a bulk parcel is a ship) and per unit."""

    node: NodeId | None = None
    cargo_class: Name | None = None
    commodity: Name | None = None
    unit: Unit
    usd_per_transit: NonNegative = 0.0
    usd_per_unit: NonNegative = 0.0


class CargoValue(_Entry):
    """What a tonne of a commodity is worth and what holding it costs: the cost of time."""

    usd_per_t: Positive
    holding_rate_per_year: NonNegative
    """Fraction of the value a year (capital, insurance, depreciation) charged for every hour in the chain."""


class Costs(BaseModel):
    """The ``costs:`` section: every table optional; names are free (seeds use descriptive ids)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    freight: dict[Name, FreightRate] = Field(default_factory=dict)
    ports: dict[Name, PortCharge] = Field(default_factory=dict)
    canals: dict[Name, CanalToll] = Field(default_factory=dict)
    cargo_values: dict[Name, CargoValue] = Field(default_factory=dict)
    """Keyed by commodity id."""
    carbon_price_usd_per_t: NonNegative = 0.0
    """US$ per tonne of well-to-wheel CO₂e, charged as the ``carbon`` component (needs ``emissions:``)."""


class TransportIntensity(_Entry):
    """Emission intensity of a link visit, grams CO₂e per tonne-km or TEU-km (GLEC default factors)."""

    mode: Mode | None = None
    link: Name | None = None
    cargo_class: Name | None = None
    commodity: Name | None = None
    unit: Unit
    wtw_g_per_unit_km: NonNegative
    """Well-to-wheel (fuel production and combustion)."""
    ttw_g_per_unit_km: NonNegative | None = None
    """Tank-to-wheel (combustion only); left out: not reported for this entry."""

    @model_validator(mode="after")
    def _ttw_within_wtw(self) -> TransportIntensity:
        if self.ttw_g_per_unit_km is not None and self.ttw_g_per_unit_km > self.wtw_g_per_unit_km:
            raise ValueError(
                "ttw_g_per_unit_km at most wtw_g_per_unit_km (well-to-wheel includes tank-to-wheel)"
            )
        return self


class HubIntensity(_Entry):
    """Emissions of handling at a berth pool (a hub operation), kilograms CO₂e per tonne or TEU handled."""

    node: NodeId | None = None
    cargo_class: Name | None = None
    commodity: Name | None = None
    unit: Unit
    wtw_kg_per_unit: NonNegative
    ttw_kg_per_unit: NonNegative | None = None

    @model_validator(mode="after")
    def _ttw_within_wtw(self) -> HubIntensity:
        if self.ttw_kg_per_unit is not None and self.ttw_kg_per_unit > self.wtw_kg_per_unit:
            raise ValueError("ttw_kg_per_unit at most wtw_kg_per_unit (well-to-wheel includes tank-to-wheel)")
        return self


class LinkDistance(_Entry):
    """The distance a service (or a leg given only by ``transit_h``) runs, for per-km rates and factors."""

    distance_km: Positive | None = None
    distance_nm: Positive | None = None

    @model_validator(mode="after")
    def _one_distance(self) -> LinkDistance:
        if (self.distance_km is None) == (self.distance_nm is None):
            raise ValueError("exactly one of distance_km or distance_nm")
        return self

    @property
    def km(self) -> float:
        """The distance in km."""
        return (
            self.distance_km if self.distance_km is not None else float(self.distance_nm or 0.0) * KM_PER_NM
        )


KM_PER_NM = 1.852


class Emissions(BaseModel):
    """The ``emissions:`` section: link intensities, hub intensities and the distances of services."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    transport: dict[Name, TransportIntensity] = Field(default_factory=dict)
    hubs: dict[Name, HubIntensity] = Field(default_factory=dict)
    distances: dict[Name, LinkDistance] = Field(default_factory=dict)
    """Keyed by service or leg id; a service without an entry runs the distance of a leg of its mode
    between the same two nodes."""
