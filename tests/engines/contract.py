"""The engine contract: every engine returns the reference engine's Trace for a Plan, to 1e-9 relative."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sim.engines import get_engine
from sim.engines.vector import windows as vector_window
from sim.plan import Plan
from sim.trace import Trace, first_difference


def describe(plan: Plan, visit: int) -> str:
    """Where a visit is: replication, shipment, route position and station."""
    row = int(plan.visit_shipment[visit])
    station = plan.network.stations[int(plan.visit_station[visit])]
    return (
        f"replication {plan.shipment_rep[row]}, shipment {plan.shipment_id[row]} (created "
        f"{plan.created[row]!r} h), step {plan.visit_seq[visit]} at {station.name} ({station.kind})"
    )


def assert_same_trace(plan: Plan, reference: Trace, other: Trace, engine: str) -> None:
    """Fail with the first differing visit, described."""
    found = first_difference(reference, other)
    if found is not None:
        visit, field, want, got = found
        where = describe(plan, visit) if visit >= 0 else "the trace shape"
        raise AssertionError(
            f"{engine} differs from reference at visit {visit} ({where}): {field} {got!r} != {want!r}"
        )


def check_engine(plan: Plan, engine: str) -> None:
    """Run ``engine`` and the reference on ``plan`` and compare."""
    assert_same_trace(plan, get_engine("reference")(plan), get_engine(engine)(plan), engine)


@contextmanager
def windows_always() -> Iterator[None]:
    """Make the vector engine settle every cycle in time windows (normally kept for large runs)."""
    saved = vector_window.WINDOW_COST_VISITS
    vector_window.WINDOW_COST_VISITS = 0
    try:
        yield
    finally:
        vector_window.WINDOW_COST_VISITS = saved
