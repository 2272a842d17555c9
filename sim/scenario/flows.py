"""A flow: demand for one commodity from an origin to a destination, and how its shipments arrive.

:class:`Flow` is the scenario's ``flows:`` entry; its arrival process (Poisson, regular, a renewal process or
batches: :mod:`sim.arrivals`), its alternative route on diversion (:class:`Diversion`), its priority classes
at stations (:mod:`sim.scenario.classes`) and its route choice (:mod:`sim.scenario.choice`) belong to it.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from sim.scenario.base import Frozen, Name, NodeId, Sourced, Unit
from sim.scenario.choice import Choice
from sim.scenario.classes import Share, share_problem
from sim.scenario.distributions import Distribution, PositiveDistribution
from sim.scenario.limits import MAX_ROUTE_STEPS, NonNegative, Positive

__all__ = ["BatchArrivals", "Diversion", "Flow", "RenewalArrivals"]


class RenewalArrivals(Frozen):
    """A renewal arrival process: gamma gaps of mean 1 in expected shipments (``Lambda``), given ``cv``.

    ``cv`` above 1 bunches arrivals (more variable than Poisson, which is ``cv = 1``); below 1 smooths them
    (``regular`` is the limit ``cv → 0``). The process starts in equilibrium (the first gap is a forward
    recurrence time), so counts have no start-up transient.
    """

    process: Literal["renewal"]
    cv: Positive


class BatchArrivals(Frozen):
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


class Diversion(Sourced):
    """Where a flow's shipments leave their route when a chokepoint's queue is too long, and how they go on.

    A shipment arriving at the chokepoint ``at`` diverts when the ships ahead of it in the queue (with
    priority classes: of its class and the higher ones) exceed ``threshold_days`` times the chokepoint's
    daily slots at that moment (the queue would take more than ``threshold_days`` to clear at the current
    slot rate); it then sails ``route`` instead of transiting, or, with ``leaves: true``, leaves: it goes
    elsewhere and is never delivered (see docs/design.md, "Diversion" and "Leaving").
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


class Flow(Sourced):
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
