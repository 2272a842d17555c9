"""Building blocks shared by the scenario's models: strict frozen base classes and the id types.

Every scenario entity is a frozen pydantic model that refuses unknown keys and coerces nothing
(:class:`Frozen`); entities whose figures come from somewhere carry ``source``, ``year`` and ``notes``
(:class:`Sourced`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Frozen", "Name", "NodeId", "Sourced", "Unit"]

NodeId = Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z0-9]{3}$")]
"""A UN/LOCODE such as ``BRPNG`` (pseudo-codes of the same shape are allowed for chokepoints)."""
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=80)]
"""An id for a leg, service, flow, commodity, cargo class or disruption."""
Unit = Literal["t", "TEU"]


class Frozen(BaseModel):
    """A scenario entity: strict types, unknown keys refused, immutable, no NaN or infinity."""

    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, populate_by_name=False, allow_inf_nan=False
    )


class Sourced(Frozen):
    """An entity whose figures come from somewhere: ``source``, ``year`` and ``notes``."""

    source: str | None = None
    """Where the figures of this entity come from (citation, or how they were derived)."""
    year: int | str | None = None
    """The year the figures describe."""
    notes: str | None = None
