"""The scenario: a typed, frozen description of a network, its demand and its disruptions.

A scenario file (YAML, TOML or JSON) is validated into :class:`Scenario` by :mod:`sim.scenario.loader`.
Entities are keyed by id in mappings (not lists) so that a variant can change one of them with ``extends:``.

Units: times in hours (``_h``) or days (``_days``), distances in nautical miles (``_nm``) or km (``_km``),
speeds in knots (``_kn``) or km/h (``_kmh``), quantities in tonnes (``t``) or twenty-foot units (``TEU``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.scenario.distributions import ONE, PositiveDistribution
from sim.scenario.ledger import Costs, Emissions

__all__ = [
    "BerthPool",
    "Chokepoint",
    "Commodity",
    "Disruption",
    "Flow",
    "Leg",
    "Node",
    "Scenario",
    "Service",
]

NodeId = Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z0-9]{3}$")]
"""A UN/LOCODE such as ``BRPNG`` (pseudo-codes of the same shape are allowed for chokepoints)."""
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=80)]
"""An id for a leg, service, flow, commodity, cargo class or disruption."""
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]
Unit = Literal["t", "TEU"]


def _parse_iso(value: object) -> object:
    """Accept ISO 8601 text for dates (JSON has no date type); leave anything else to strict validation."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


Date = Annotated[dt.date, BeforeValidator(_parse_iso)]
Instant = Annotated[dt.datetime | dt.date, BeforeValidator(_parse_iso)]


class _Frozen(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=False)


class _Sourced(_Frozen):
    source: str | None = None
    """Where the figures of this entity come from (citation, or how they were derived)."""
    year: int | str | None = None
    """The year the figures describe."""
    notes: str | None = None


class Commodity(_Sourced):
    """A good that moves: bulk (tonnes) or containerised (TEU, with tonnes per TEU)."""

    kind: Literal["bulk", "container"]
    cargo_class: Name
    """Which berth pools handle it, e.g. ``dry_bulk`` or ``container``."""
    tonnes_per_teu: Positive | None = None

    @model_validator(mode="after")
    def _teu_for_containers(self) -> Commodity:
        if self.kind == "container" and self.tonnes_per_teu is None:
            raise ValueError("tonnes_per_teu for a containerised commodity")
        return self


class BerthPool(_Sourced):
    """``count`` identical berths of one cargo class at a node, served FIFO.

    Service time (h) = (parcel / rate + overhead_h) × a draw from ``variability`` (mean 1).
    """

    count: Annotated[int, Field(ge=1)]
    rate: Positive
    rate_unit: Literal["t/h", "TEU/h"]
    overhead_h: NonNegative = 0.0
    variability: PositiveDistribution = ONE


class Chokepoint(_Sourced):
    """A canal or strait: transits start at most ``slots_per_day`` a day, evenly spaced, FIFO."""

    slots_per_day: Positive
    transit_h: Positive
    variability: PositiveDistribution = ONE


class Node(_Sourced):
    """A sea port, an inland hub (dry port, rail terminal) or a chokepoint."""

    name: str
    kind: Literal["port", "hub", "chokepoint"]
    country: str | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    berths: dict[Name, BerthPool] = Field(default_factory=dict)
    chokepoint: Chokepoint | None = None

    @model_validator(mode="after")
    def _kind_fits(self) -> Node:
        if self.kind == "chokepoint" and self.chokepoint is None:
            raise ValueError(
                "a 'chokepoint' block (slots_per_day, transit_h) for a node of kind 'chokepoint'"
            )
        if self.kind != "chokepoint" and self.chokepoint is not None:
            raise ValueError(f"no 'chokepoint' block on a node of kind {self.kind!r}")
        return self


class Leg(_Sourced):
    """A pure delay between two nodes (no queue); usable in both directions.

    Give the distance and speed (``distance_nm`` + ``speed_kn`` at sea, ``distance_km`` + ``speed_kmh``
    on land and rivers) or the transit time ``transit_h`` directly.
    """

    from_: NodeId = Field(alias="from")
    to: NodeId
    mode: Literal["sea", "rail", "road", "river"]
    distance_nm: Positive | None = None
    speed_kn: Positive | None = None
    distance_km: Positive | None = None
    speed_kmh: Positive | None = None
    transit_h: Positive | None = None
    variability: PositiveDistribution = ONE

    @model_validator(mode="after")
    def _one_way_to_time(self) -> Leg:
        nautical = self.distance_nm is not None and self.speed_kn is not None
        metric = self.distance_km is not None and self.speed_kmh is not None
        given = [nautical, metric, self.transit_h is not None]
        if sum(given) != 1:
            raise ValueError(
                "exactly one of: distance_nm with speed_kn, distance_km with speed_kmh, or transit_h"
            )
        return self

    @property
    def free_flow_h(self) -> float:
        """Travel time at nominal speed (h)."""
        if self.transit_h is not None:
            return self.transit_h
        if self.distance_nm is not None and self.speed_kn is not None:
            return self.distance_nm / self.speed_kn
        assert self.distance_km is not None
        assert self.speed_kmh is not None
        return self.distance_km / self.speed_kmh


class Timetable(_Frozen):
    """Departures at ``departures_h`` (hours into each cycle), repeating every ``cycle_h``."""

    cycle_h: Positive
    departures_h: Annotated[list[NonNegative], Field(min_length=1)]

    @model_validator(mode="after")
    def _inside_cycle(self) -> Timetable:
        if any(d >= self.cycle_h for d in self.departures_h):
            raise ValueError(f"every departure < cycle_h ({self.cycle_h:g})")
        if list(self.departures_h) != sorted(set(self.departures_h)):
            raise ValueError("strictly increasing departures_h")
        return self


class Service(_Sourced):
    """A scheduled service (trains, liner or feeder sailings) from one node to another.

    Shipments wait FIFO for the next departure with room; a departure carries at most ``capacity`` (in
    ``capacity_unit``); the head of the queue is never overtaken. Give ``headway_h`` (with ``offset_h``) or a
    ``timetable``.
    """

    from_: NodeId = Field(alias="from")
    to: NodeId
    mode: Literal["rail", "sea", "river", "road"]
    headway_h: Positive | None = None
    offset_h: NonNegative = 0.0
    timetable: Timetable | None = None
    capacity: Positive
    capacity_unit: Unit
    transit_h: Positive
    variability: PositiveDistribution = ONE

    @model_validator(mode="after")
    def _one_schedule(self) -> Service:
        if (self.headway_h is None) == (self.timetable is None):
            raise ValueError("exactly one of headway_h or timetable")
        if self.headway_h is not None and self.offset_h >= self.headway_h:
            raise ValueError(f"offset_h ({self.offset_h:g}) < headway_h ({self.headway_h:g})")
        return self

    @property
    def cycle(self) -> tuple[float, tuple[float, ...]]:
        """The cycle length (h) and the departure offsets within it (h)."""
        if self.timetable is not None:
            return self.timetable.cycle_h, tuple(self.timetable.departures_h)
        assert self.headway_h is not None
        return self.headway_h, (self.offset_h,)


class Flow(_Sourced):
    """Demand for one commodity from an origin to a destination, shipped in parcels.

    ``route`` lists node ids and, optionally, leg or service ids between them; consecutive nodes without a
    named link use the one leg or service that joins them. Without ``route`` the fastest path is used.
    """

    commodity: Name
    origin: NodeId
    destination: NodeId
    route: list[str] | None = None
    annual_volume: Positive
    volume_unit: Unit
    parcel: PositiveDistribution
    parcel_unit: Unit
    seasonality: Annotated[list[NonNegative], Field(min_length=12, max_length=12)] = Field(
        default_factory=lambda: [1.0] * 12
    )
    """Relative weight of each calendar month, January first."""
    arrivals: Literal["poisson", "regular"] = "poisson"

    @field_validator("seasonality")
    @classmethod
    def _seasonality_positive(cls, weights: list[float]) -> list[float]:
        if sum(weights) <= 0:
            raise ValueError("at least one positive weight")
        return weights


class Disruption(_Sourced):
    """A time window that changes one thing.

    ``kind`` and ``target``: ``berths`` (a node id: all its pools, or ``NODE/cargo_class``: one pool),
    ``capacity`` (a service id: capacity per departure), ``slots`` (a chokepoint node: slots per day),
    ``speed`` (a leg id: speed multiplier), ``parcel_limit`` (a node: parcels of flows through it, capped by
    ``set`` in the parcel's unit or multiplied by ``scale``). Give ``start``/``end`` (dates) or
    ``start_h``/``end_h`` (hours from the scenario start); the window is [start, end).
    """

    kind: Literal["berths", "capacity", "slots", "speed", "parcel_limit"]
    target: str
    start: Instant | None = None
    end: Instant | None = None
    start_h: NonNegative | None = None
    end_h: NonNegative | None = None
    set: NonNegative | None = None
    scale: NonNegative | None = None

    @model_validator(mode="after")
    def _window_and_value(self) -> Disruption:
        dates = self.start is not None and self.end is not None
        hours = self.start_h is not None and self.end_h is not None
        partial = [self.start, self.end, self.start_h, self.end_h].count(None) not in (2,)
        if partial or dates == hours:
            raise ValueError("the window as start and end (dates) or as start_h and end_h (hours)")
        if (self.set is None) == (self.scale is None):
            raise ValueError("exactly one of set (a new value) or scale (a multiplier)")
        if self.kind == "speed" and (self.set is not None or not self.scale):
            raise ValueError(
                "a positive scale (a multiplier of the leg's speed) for a speed disruption;"
                " to stop traffic, close the berths or the service instead"
            )
        return self


class Scenario(_Frozen):
    """A whole what-if: network, demand, disruptions and run settings."""

    schema_: Literal[1] = Field(alias="schema")
    name: Name
    description: str = ""
    start: Date
    horizon_days: Positive
    warmup_days: NonNegative = 0.0
    replications: Annotated[int, Field(ge=1)] = 1
    seed: Annotated[int, Field(ge=0)] = 0
    commodities: dict[Name, Commodity]
    nodes: dict[NodeId, Node]
    legs: dict[Name, Leg] = Field(default_factory=dict)
    services: dict[Name, Service] = Field(default_factory=dict)
    flows: Annotated[dict[Name, Flow], Field(min_length=1)]
    disruptions: dict[Name, Disruption] = Field(default_factory=dict)
    costs: Costs | None = None
    """Money per shipment (:mod:`sim.scenario.ledger`); left out: no cost columns or KPIs."""
    emissions: Emissions | None = None
    """CO₂e per shipment (:mod:`sim.scenario.ledger`); left out: no emission columns or KPIs."""

    @field_validator("warmup_days")
    @classmethod
    def _warmup_inside(cls, warmup: float, info: ValidationInfo) -> float:
        horizon = info.data.get("horizon_days")
        if horizon is not None and warmup >= horizon:
            raise ValueError(f"less than horizon_days ({horizon:g})")
        return warmup

    @property
    def horizon_h(self) -> float:
        """Simulated time (h)."""
        return self.horizon_days * 24.0

    @property
    def warmup_h(self) -> float:
        """Initial period excluded from KPIs (h)."""
        return self.warmup_days * 24.0

    def hours_from_start(self, when: Instant) -> float:
        """Hours from the scenario start to a date or datetime."""
        origin = dt.datetime.combine(self.start, dt.time())
        moment = when if isinstance(when, dt.datetime) else dt.datetime.combine(when, dt.time())
        return (moment.replace(tzinfo=None) - origin).total_seconds() / 3600.0
