"""Which priority class each shipment is in at each station with classes: drawn into the Plan.

A flow is in one class at a station, or a share of its shipments is in each (``Flow.classes``, else the
station's ``default_share``, else its last class: :func:`sim.scenario.class_checks.membership`). A share
is drawn per shipment by inversion of one uniform from the stream ``("class", flow, node)``: the classes'
shares are laid end to end in the station's order (highest priority first) and the uniform picks the one it
falls in. So both engines see the same classes, a variant that keeps a flow keeps its draws (common random
numbers), and a flow visiting a node twice is in the same class both times.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.arrays import FloatArray
from sim.network import FlowRoute
from sim.scenario.class_checks import membership
from sim.scenario.model import Scenario

__all__ = ["ClassArray", "by_shares", "class_steps", "has_classes"]

ClassArray = NDArray[np.int8]
"""Class of each visit: an index into its station's ``classes`` (0 = highest priority; 0 where none)."""


def class_steps(scenario: Scenario, route: FlowRoute) -> list[tuple[int, str, tuple[float, ...]]]:
    """The route's steps whose class is drawn: (step number, node, shares) at stations of two classes or more.

    A flow visiting a node twice takes the same draws both times (the stream is ``("class", flow, node)``).
    """
    found = []
    for row, step in enumerate(route.steps):
        shares = membership(scenario, route.flow, step)
        if len(shares) >= 2:
            found.append((row, step.ref, shares))
    return found


def has_classes(scenario: Scenario, route: FlowRoute) -> bool:
    """Some shipment of the route's flow is in a class other than 0 at some step (else all are 0)."""
    return any(any(share > 0 for share in membership(scenario, route.flow, step)[1:]) for step in route.steps)


def whole_class(shares: tuple[float, ...]) -> int | None:
    """The class every shipment is in (a share of 1), or None: then each shipment's class is drawn."""
    return next((k for k, share in enumerate(shares) if share >= 1.0), None)


def by_shares(shares: tuple[float, ...], uniforms: FloatArray) -> ClassArray:
    """Classes by inversion of uniforms on [0, 1): ``u`` falls in class ``k`` when ``F[k-1] <= u < F[k]``.

    ``F`` are the cumulative shares (none of them 1: :func:`whole_class`).
    """
    last = max(k for k, share in enumerate(shares) if share > 0)  # shares summing to 1 - ulp: never past it
    picked = np.zeros(uniforms.size, dtype=np.int8)
    for bound in np.cumsum(shares)[:last].tolist():  # the bounds at or below u: searchsorted(..., "right")
        picked += uniforms >= bound
    return picked
