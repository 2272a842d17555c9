"""Which priority class each shipment is in at each station with classes: drawn into the Plan.

A flow is in one class at a station, or a share of its shipments is in each (``Flow.classes``, else the
station's ``default_share``, else its last class: :func:`sim.scenario.class_checks.membership`). A share
is drawn per shipment by inversion of one uniform from the stream ``("class", flow, node)``: the classes'
shares are laid end to end in the station's order (highest priority first) and the uniform picks the one it
falls in. So both engines see the same classes, a variant that keeps a flow keeps its draws (common random
numbers), and a flow visiting a node twice is in the same class both times.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from sim.network import FlowRoute
from sim.seeding import streams
from sim.scenario.class_checks import membership
from sim.scenario.model import Scenario

__all__ = ["ClassArray", "draw_classes", "has_classes"]

ClassArray = NDArray[np.int8]
"""Class of each visit: an index into its station's ``classes`` (0 = highest priority; 0 where none)."""


def draw_classes(
    scenario: Scenario, route: FlowRoute, reps: Sequence[int], seed: int, counts: Sequence[int]
) -> list[ClassArray]:
    """The class of each of ``counts[k]`` shipments of a flow in replication ``reps[k]`` at each step.

    Each array has shape (steps, count): a row per step of the route. ``counts[k]`` is every arrival of the
    flow (the Plan keeps those that take ``route`` when the flow has route choices), so a shipment's class
    does not depend on the route it takes.
    """
    classes = [np.zeros((len(route.steps), count), dtype=np.int8) for count in counts]
    drawn: dict[str, list[ClassArray]] = {}
    for row, step in enumerate(route.steps):
        shares = membership(scenario, route.flow, step)
        if len(shares) < 2:
            continue
        if step.ref not in drawn:
            generators = streams(seed, reps, "class", route.flow, step.ref)
            drawn[step.ref] = [
                _by_shares(shares, generator, count) for generator, count in zip(generators, counts, strict=True)
            ]
        for own, picked in zip(classes, drawn[step.ref], strict=True):
            own[row] = picked
    return classes


def has_classes(scenario: Scenario, route: FlowRoute) -> bool:
    """Some shipment of the route's flow is in a class other than 0 at some step (else all are 0)."""
    return any(any(share > 0 for share in membership(scenario, route.flow, step)[1:]) for step in route.steps)


def _by_shares(shares: tuple[float, ...], generator: np.random.Generator, count: int) -> ClassArray:
    """Classes by inversion: uniform ``u`` falls in class ``k`` when ``F[k-1] <= u < F[k]``.

    ``F`` are the cumulative shares; a class with every shipment takes no draw.
    """
    whole = [k for k, share in enumerate(shares) if share >= 1.0]
    if whole:
        return np.full(count, whole[0], dtype=np.int8)
    uniforms = generator.random(count)
    last = max(k for k, share in enumerate(shares) if share > 0)  # shares summing to 1 - ulp: never past it
    picked = np.zeros(count, dtype=np.int8)
    for bound in np.cumsum(shares)[:last].tolist():  # the bounds at or below u: searchsorted(..., "right")
        picked += uniforms >= bound
    return picked
