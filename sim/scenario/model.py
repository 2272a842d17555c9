"""The scenario: a typed, frozen description of a network, its demand and its disruptions.

A scenario file (YAML, TOML or JSON) is validated into :class:`Scenario` by :mod:`sim.scenario.loader`.
Entities are keyed by id in mappings (not lists) so that a variant can change one of them with ``extends:``.

Units: times in hours (``_h``) or days (``_days``), distances in nautical miles (``_nm``) or km (``_km``),
speeds in knots (``_kn``) or km/h (``_kmh``), quantities in tonnes (``t``) or twenty-foot units (``TEU``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.scenario.choice import Choice
from sim.scenario.classes import Share, share_problem, station_shares, unique_classes
from sim.scenario.distributions import ONE, Distribution, Exponential, PositiveDistribution
from sim.scenario.ledger import Costs, Emissions
from sim.scenario.limits import (
    MAX_DATE,
    MAX_HORIZON_DAYS,
    MAX_REPLICATIONS,
    MAX_ROUTE_STEPS,
    MAX_SEED,
    MIN_DATE,
    Count,
    Multiplier,
    NonNegative,
    Positive,
    in_calendar,
)

__all__ = [
    "BatchArrivals",
    "BerthPool",
    "Chokepoint",
    "Commodity",
    "Disruption",
    "Diversion",
    "Dwell",
    "Flow",
    "Leg",
    "Node",
    "RandomSpells",
    "RenewalArrivals",
    "Scenario",
    "Service",
]

NodeId = Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z0-9]{3}$")]
"""A UN/LOCODE such as ``BRPNG`` (pseudo-codes of the same shape are allowed for chokepoints)."""
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=80)]
"""An id for a leg, service, flow, commodity, cargo class or disruption."""
Unit = Literal["t", "TEU"]


def _parse_iso(value: object) -> object:
    """Accept ISO 8601 text for dates (JSON has no date type); leave anything else to strict validation."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


_CALENDAR = Field(
    description=f"A date from {MIN_DATE} to {MAX_DATE}.",
    json_schema_extra={"formatMinimum": str(MIN_DATE), "formatMaximum": str(MAX_DATE)},
)
Date = Annotated[dt.date, BeforeValidator(_parse_iso), AfterValidator(in_calendar), _CALENDAR]
Instant = Annotated[
    dt.datetime | dt.date, BeforeValidator(_parse_iso), AfterValidator(in_calendar), _CALENDAR
]


class _Frozen(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, populate_by_name=False, allow_inf_nan=False
    )


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


class Dwell(_Sourced):
    """Yard (dwell) time at a port, in hours, by direction: a pure delay, no queue.

    ``export``: cargo leaving from this port waits in the yard before its berth visit; ``import``: cargo
    arriving here waits after its berth visit; ``transshipment``: cargo passing through waits before its
    berth visit (after unloading from the first ship). A direction left out has no dwell.
    """

    export: PositiveDistribution | None = None
    import_: PositiveDistribution | None = Field(default=None, alias="import")
    transshipment: PositiveDistribution | None = None

    def of(self, direction: str) -> Distribution | None:
        """The dwell distribution (h) of ``export``, ``import`` or ``transshipment`` cargo, if any."""
        by_direction = {"export": self.export, "import": self.import_, "transshipment": self.transshipment}
        return by_direction[direction]


ClassList = Annotated[list[Name], Field(min_length=1), AfterValidator(unique_classes)]
"""Priority classes of a station, highest priority first (:mod:`sim.scenario.classes`)."""


class BerthPool(_Sourced):
    """``count`` identical berths of one cargo class at a node, served FIFO.

    Service time (h) = (parcel / rate + overhead_h) × a draw from ``variability`` (mean 1). ``dwell_h``
    adds yard time before (export, transshipment) or after (import) the berth visit. With ``classes``
    (highest priority first) a free berth takes the waiting ship of the highest class, FIFO within a class;
    ``default_share`` draws the shipments of flows that name no class here (default: the last class).
    """

    count: Count
    rate: Positive
    rate_unit: Literal["t/h", "TEU/h"]
    overhead_h: NonNegative = 0.0
    variability: PositiveDistribution = ONE
    dwell_h: Dwell | None = None
    classes: ClassList | None = None
    default_share: dict[Name, Share] | None = None

    @field_validator("default_share")
    @classmethod
    def _default_fits(cls, shares: dict[str, float] | None, info: ValidationInfo) -> dict[str, float] | None:
        station_shares(shares, info.data.get("classes"), whole=True)
        return shares


class Chokepoint(_Sourced):
    """A canal or strait: transits start at most ``slots_per_day`` a day, evenly spaced, FIFO.

    With ``classes`` (highest priority first) a slot goes to the waiting ship of the highest class, FIFO
    within a class; ``reserved_share`` reserves a share of the transits for a class (docs/design.md,
    "Priority classes"); ``default_share`` draws the shipments of flows that name no class here (default:
    the last class). ``booking_slots`` (booking slots a day at ``slots_per_day``) makes the first class a
    booking: a shipment drawn in it is booked only while the booking slots of its planned day last, else it
    is in the last class (:mod:`sim.booking`).
    """

    slots_per_day: Positive
    transit_h: Positive
    variability: PositiveDistribution = ONE
    classes: ClassList | None = None
    reserved_share: dict[Name, Share] | None = None
    default_share: dict[Name, Share] | None = None
    booking_slots: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _booking_has_classes(self) -> Chokepoint:
        if self.booking_slots is not None and len(self.classes or ()) < 2:
            raise ValueError(
                f"booking_slots {self.booking_slots} needs two or more classes (the first is the booked"
                " class, the last the one a shipment without a booking slot takes)"
            )
        return self

    @field_validator("reserved_share", "default_share")
    @classmethod
    def _shares_fit(cls, shares: dict[str, float] | None, info: ValidationInfo) -> dict[str, float] | None:
        station_shares(shares, info.data.get("classes"), whole=info.field_name == "default_share")
        return shares


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


class RenewalArrivals(_Frozen):
    """A renewal arrival process: gamma gaps of mean 1 in expected shipments (``Lambda``), given ``cv``.

    ``cv`` above 1 bunches arrivals (more variable than Poisson, which is ``cv = 1``); below 1 smooths them
    (``regular`` is the limit ``cv → 0``). The process starts in equilibrium (the first gap is a forward
    recurrence time), so counts have no start-up transient.
    """

    process: Literal["renewal"]
    cv: Positive


class BatchArrivals(_Frozen):
    """Batch arrivals: batches at Poisson epochs, each of ``size`` shipments arriving at the same instant.

    ``size`` is a distribution of whole numbers ≥ 1 (``fixed`` or ``empirical``); epochs come at rate
    ``1 / E[size]`` in expected shipments, so the flow keeps its volume.
    """

    process: Literal["batch"]
    size: Distribution

    @field_validator("size")
    @classmethod
    def _whole_sizes(cls, size: Distribution) -> Distribution:
        grid = size.ppf((np.arange(1024, dtype=np.float64) + 0.5) / 1024)
        if not ((grid >= 1) & (grid == np.round(grid))).all():
            raise ValueError("a batch size distribution of whole numbers >= 1 (fixed or empirical)")
        return size


def _arrival_tag(value: object) -> str:
    """Which arrival process a value names: a bare name, or a mapping's ``process`` (one error per file)."""
    if isinstance(value, str):
        return "process[name]"
    process = value.get("process") if isinstance(value, dict) else getattr(value, "process", None)
    return f"process[{process}]"


ArrivalProcess = Annotated[
    Annotated[Literal["poisson", "regular"], Tag("process[name]")]
    | Annotated[RenewalArrivals, Tag("process[renewal]")]
    | Annotated[BatchArrivals, Tag("process[batch]")],
    Discriminator(
        _arrival_tag,
        custom_error_type="arrival_process",
        custom_error_message="poisson, regular, {process: renewal, cv} or {process: batch, size}",
    ),
]
"""A flow's arrival process (:mod:`sim.arrivals`)."""


class Diversion(_Sourced):
    """Where a flow's shipments leave their route when a chokepoint's queue is too long, and how they go on.

    A shipment arriving at the chokepoint ``at`` diverts when the ships ahead of it in the queue exceed
    ``threshold_days`` times the chokepoint's daily slots at that moment (the queue would take more than
    ``threshold_days`` to clear at the current slot rate); it then sails ``route`` instead of transiting,
    or, with ``leaves: true``, leaves: it goes elsewhere and is never delivered (see docs/design.md,
    "Diversion" and "Leaving").
    """

    at: NodeId
    """The chokepoint node (on the flow's route) where the decision is taken."""
    threshold_days: NonNegative
    """The longest queue the shipment accepts, in days of slots (d)."""
    route: Annotated[list[str], Field(min_length=2, max_length=MAX_ROUTE_STEPS)] | None = None
    """The alternative route: node ids (and optional leg ids between them) from ``at`` to the destination."""
    leaves: bool = False
    """The shipment leaves instead of taking an alternative route (it goes round or its cargo goes
    elsewhere, out of the model): exactly one of ``route`` and ``leaves: true``."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["route"],
                    "properties": {"route": {"type": "array"}, "leaves": {"const": False}},
                },
                {
                    "required": ["leaves"],
                    "properties": {"leaves": {"const": True}},
                    "not": {"required": ["route"]},
                },
            ]
        }
    )

    @model_validator(mode="after")
    def _route_or_leaves(self) -> Diversion:
        if self.leaves and self.route is not None:
            raise ValueError(
                "either route (the way round) or leaves: true (the ship goes elsewhere), not both"
            )
        if not self.leaves and self.route is None:
            raise ValueError("route (the way round) or leaves: true (the ship goes elsewhere)")
        return self


class Flow(_Sourced):
    """Demand for one commodity from an origin to a destination, shipped in parcels.

    ``route`` lists node ids and, optionally, leg or service ids between them; consecutive nodes without a
    named link use the one leg or service that joins them. Without ``route`` the fastest path is used.
    """

    commodity: Name
    origin: NodeId
    destination: NodeId
    route: Annotated[list[str], Field(max_length=MAX_ROUTE_STEPS)] | None = None
    annual_volume: Positive
    volume_unit: Unit
    parcel: PositiveDistribution
    parcel_unit: Unit
    seasonality: Annotated[list[NonNegative], Field(min_length=12, max_length=12)] = Field(
        default_factory=lambda: [1.0] * 12
    )
    """Relative weight of each calendar month, January first (see ``seasonality_basis``)."""
    seasonality_basis: Literal["rate", "monthly_volume"] = "rate"
    """``rate``: weights are relative shipment rates (a month's volume is its weight times its days; equal
    weights are a constant rate). ``monthly_volume``: weights are relative volumes of the calendar months."""
    arrivals: ArrivalProcess = "poisson"
    """``poisson``, ``regular`` (evenly spaced in ``Lambda``, random phase), a renewal process or batches."""
    classes: dict[NodeId, Name | dict[Name, Share]] | None = None
    """Priority class at a node's chokepoint or berth pool on the route: a class name, or the share of the
    shipments in each class (drawn per shipment in the Plan)."""

    @field_validator("classes")
    @classmethod
    def _shares_whole(
        cls, classes: dict[str, str | dict[str, float]] | None
    ) -> dict[str, str | dict[str, float]] | None:
        for node, member in (classes or {}).items():
            if isinstance(member, dict):
                problem = share_problem(member, list(member), whole=True)
                if problem is not None:
                    raise ValueError(f"at {node}: {problem}")
        return classes

    diversion: Diversion | None = None
    """An alternative route taken when the queue at a chokepoint on the route is too long."""
    background: bool = False
    """A port's or canal's *other* traffic, modelled only so that it queues with the corridor's flows (its
    published total minus the modelled flows). KPIs report it apart from the modelled flows
    (``throughput_by_traffic``, ``waits_by_traffic``) and analyses can leave it out."""
    choice: Choice | None = None
    """Alternative routes and how shipments pick one (:mod:`sim.scenario.choice`); replaces ``route``."""

    @model_validator(mode="after")
    def _route_or_choice(self) -> Flow:
        if self.choice is not None and self.route is not None:
            raise ValueError("either route or choice (each alternative has its own route), not both")
        if self.choice is not None and self.diversion is not None:
            raise ValueError(
                "either choice or diversion: a diversion belongs to a flow with one route (give the "
                "diversion's way as one more alternative of the choice instead)"
            )
        return self

    @field_validator("seasonality")
    @classmethod
    def _seasonality_positive(cls, weights: list[float]) -> list[float]:
        if sum(weights) <= 0:
            raise ValueError("at least one positive weight")
        return weights


HOURS_PER_YEAR = 8760.0
"""Hours in a (non-leap) year: ``rate_per_year`` of random strikes is per 8,760 up-hours."""


class RandomSpells(_Frozen):
    """A disruption as a random process: alternating up (normal) and down (disrupted) spells.

    Give one of three forms: ``up`` and ``down`` (spell-length distributions, h); ``fraction_down`` and
    ``mean_down_h`` (exponential spells with those long-run fraction and mean down spell); or
    ``rate_per_year`` and ``down`` (random strikes: down spells start at that rate per year of up time and
    last ``down``). ``monthly_weights`` (January first) make the rate of down spells *starting* follow the
    calendar month (a rainy season): up spells are measured in weighted hours, where an hour of month ``m``
    counts ``w_m / w̄`` and ``w̄`` is the days-weighted mean weight, so the expected number of spells a year
    is kept. Down spells are in plain hours.
    """

    up: PositiveDistribution | None = None
    down: PositiveDistribution | None = None
    fraction_down: Annotated[float, Field(gt=0, lt=1)] | None = None
    mean_down_h: Positive | None = None
    rate_per_year: Positive | None = None
    monthly_weights: Annotated[list[NonNegative], Field(min_length=12, max_length=12)] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> RandomSpells:
        forms = [
            self.up is not None and self.down is not None and self.rate_per_year is None,
            self.fraction_down is not None and self.mean_down_h is not None,
            self.rate_per_year is not None and self.down is not None and self.up is None,
        ]
        given = [self.up, self.down, self.fraction_down, self.mean_down_h, self.rate_per_year]
        used = 2 if any(forms) else -1
        if forms.count(True) != 1 or sum(v is not None for v in given) != used:
            raise ValueError(
                "one of: up and down (distributions), fraction_down and mean_down_h,"
                " or rate_per_year and down (random strikes)"
            )
        if self.monthly_weights is not None and sum(self.monthly_weights) <= 0:
            raise ValueError("at least one positive monthly weight")
        return self

    @property
    def up_spell(self) -> PositiveDistribution:
        """The distribution of up-spell lengths (weighted hours when there are monthly weights)."""
        if self.up is not None:
            return self.up
        if self.rate_per_year is not None:
            return Exponential.model_validate(
                {"dist": "exponential", "mean": HOURS_PER_YEAR / self.rate_per_year}
            )
        assert self.fraction_down is not None
        assert self.mean_down_h is not None
        mean_up = self.mean_down_h * (1.0 - self.fraction_down) / self.fraction_down
        return Exponential.model_validate({"dist": "exponential", "mean": mean_up})

    @property
    def down_spell(self) -> PositiveDistribution:
        """The distribution of down-spell lengths (h)."""
        if self.down is not None:
            return self.down
        assert self.mean_down_h is not None
        return Exponential.model_validate({"dist": "exponential", "mean": self.mean_down_h})


class Disruption(_Sourced):
    """A time window, or a random process of windows, that changes one thing.

    ``kind`` and ``target``: ``berths`` (a node id: all its pools, or ``NODE/cargo_class``: one pool),
    ``capacity`` (a service id: capacity per departure), ``slots`` (a chokepoint node: slots per day),
    ``speed`` (a leg id: speed multiplier), ``parcel_limit`` (a node: parcels of flows through it, capped by
    ``set`` in the parcel's unit or multiplied by ``scale``). Give ``start``/``end`` (dates) or
    ``start_h``/``end_h`` (hours from the scenario start); the window is [start, end). With ``random`` the
    change holds in the down spells of a random process (:class:`RandomSpells`), drawn per replication; a
    window is then optional and bounds the process (default: the whole horizon).
    """

    kind: Literal["berths", "capacity", "slots", "speed", "parcel_limit"]
    target: str
    start: Instant | None = None
    end: Instant | None = None
    start_h: NonNegative | None = None
    end_h: NonNegative | None = None
    set: Multiplier | None = None
    scale: Multiplier | None = None
    random: RandomSpells | None = None

    @model_validator(mode="after")
    def _window_and_value(self) -> Disruption:
        dates = self.start is not None and self.end is not None
        hours = self.start_h is not None and self.end_h is not None
        missing = [self.start, self.end, self.start_h, self.end_h].count(None)
        partial = missing not in (2,) and not (missing == 4 and self.random is not None)
        if partial or (dates == hours and missing != 4):
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
    horizon_days: Annotated[float, Field(gt=0, le=MAX_HORIZON_DAYS)]
    warmup_days: NonNegative = 0.0
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] = 1
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = 0
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
