"""Priority classes at a chokepoint or berth pool, as a scenario declares them, and which flow is in which.

A queueing station may serve *classes* (``classes: [booked, unbooked]``, highest priority first): when a
berth or a transit slot comes free, the waiting ship of the highest class goes first (non-preemptive
priority), FIFO within a class. A chokepoint may reserve a share of its transits for a class
(``reserved_share``); flows name their class at a station (``Flow.classes``), or a share of their shipments
in each class, and flows that name none are drawn by the station's ``default_share`` (else they are in its
last class). The engines' rules are in docs/design.md ("Priority classes").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import Field

__all__ = ["SHARE_TOLERANCE", "Share", "share_problem", "station_shares", "unique_classes"]

Share = Annotated[float, Field(gt=0, le=1)]
"""A share of transits or shipments: above 0, at most 1."""

SHARE_TOLERANCE = 1e-9
"""How far shares that must sum to 1 may miss it (rounding in written decimals)."""


def share_problem(shares: Mapping[str, float], classes: Sequence[str], whole: bool) -> str | None:
    """What is wrong with shares by class, or ``None``.

    Parameters
    ----------
    shares : mapping of str to float
        Share of each named class (each in (0, 1], checked by the field type).
    classes : sequence of str
        The station's classes.
    whole : bool
        The shares must sum to 1 (a membership draw); else to at most 1 (reserved transits).
    """
    unknown = [name for name in shares if name not in classes]
    if unknown:
        return f"class {unknown[0]!r} is not one of the classes ({', '.join(classes)})"
    total = sum(shares.values())
    if whole and abs(total - 1.0) > SHARE_TOLERANCE:
        return f"shares that sum to 1 (these sum to {total:g})"
    if not whole and total > 1.0 + SHARE_TOLERANCE:
        return f"shares that sum to at most 1 (these sum to {total:g})"
    return None


def unique_classes(classes: list[str] | None) -> list[str] | None:
    """A station's ``classes``, refused when a name repeats."""
    if classes is not None and len(set(classes)) != len(classes):
        raise ValueError("classes without repeats (highest priority first)")
    return classes


def station_shares(shares: dict[str, float] | None, classes: list[str] | None, whole: bool) -> None:
    """Refuse shares that do not fit the station's ``classes``.

    ``reserved_share`` (``whole`` False) or ``default_share`` (``whole`` True).
    """
    if shares is None:
        return
    if classes is None:
        raise ValueError("classes (highest priority first) on the same station")
    problem = share_problem(shares, classes, whole)
    if problem is not None:
        raise ValueError(problem)
