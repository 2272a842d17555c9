"""A flow's ``choice:`` section: alternative routes (ports, corridors, modes) and how shipments pick one.

Each alternative is a route of its own (node, leg and service ids, as a flow's ``route``), optionally from
another origin or to another destination than the flow's (port choice at either end). Two modes:

- ``logit`` (default): each shipment picks alternative ``k`` with the multinomial-logit probability
  ``exp(−GC_k / scale) / Σ_j exp(−GC_j / scale)`` on the generalised cost per unit of the flow's volume
  (``volume_unit``: t or TEU), ``GC_k = money_k + value_of_time × time_k`` (:mod:`sim.choice`);
- ``fixed``: each alternative's ``share`` is its probability (the shares sum to 1). The congestion
  equilibrium (:mod:`sim.experiments.equilibrium`) runs the flow in this mode with the shares it iterates.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Frozen, Name, NodeId
from sim.scenario.limits import MAX_ROUTE_STEPS, NonNegative, Positive

__all__ = ["Alternative", "Choice"]

SHARE_TOLERANCE = 1e-6
"""How far fixed shares may sum from 1."""


class Alternative(Frozen):
    """One way a flow's shipments may go."""

    route: Annotated[list[str], Field(min_length=1, max_length=MAX_ROUTE_STEPS)]
    """Node ids and, optionally, leg or service ids between them (as a flow's ``route``)."""
    origin: NodeId | None = None
    """Where this alternative starts (default: the flow's origin)."""
    destination: NodeId | None = None
    """Where this alternative ends (default: the flow's destination)."""
    share: Annotated[float, Field(ge=0, le=1)] | None = None
    """Probability of this alternative in ``fixed`` mode."""
    expected_time_h: Positive | None = None
    """Door-to-door hours the logit expects (default: the route's free-flow hours, no waiting)."""
    extra_usd_per_unit: Annotated[float, Field(ge=-1e9, le=1e9)] = 0.0
    """Money per unit (t or TEU, the flow's ``volume_unit``) not in the ``costs:`` tables: a surcharge, or a
    subsidy when negative. Counts in the generalised cost only, not in the ledger."""
    source: str | None = None
    notes: str | None = None


class Choice(Frozen):
    """How a flow's shipments are shared among alternative routes."""

    alternatives: Annotated[dict[Name, Alternative], Field(min_length=2)]
    mode: Literal["logit", "fixed"] = "logit"
    scale_usd_per_unit: Positive | None = None
    """Logit scale ``μ`` (US$ per t or TEU): a difference of ``μ`` in generalised cost multiplies the odds by
    e. Required in ``logit`` mode; small values make the choice near all-or-nothing."""
    value_of_time_usd_per_unit_h: NonNegative | None = None
    """US$ per unit and hour of expected door-to-door time (default: the commodity's ``costs.cargo_values``
    value × holding rate / 8,760 h, per tonne, times tonnes per unit)."""
    source: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _mode_inputs(self) -> Choice:
        if self.mode == "logit" and self.scale_usd_per_unit is None:
            raise ValueError("scale_usd_per_unit (the logit scale, US$ per unit) in logit mode")
        if self.mode == "fixed":
            missing = [name for name, alt in self.alternatives.items() if alt.share is None]
            if missing:
                raise ValueError(
                    f"a share for every alternative in fixed mode (missing: {', '.join(missing)})"
                )
            total = sum(alt.share or 0.0 for alt in self.alternatives.values())
            if abs(total - 1.0) > SHARE_TOLERANCE:
                raise ValueError(f"shares that sum to 1 in fixed mode (they sum to {total:.6g})")
        return self
