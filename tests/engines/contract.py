"""The engine contract: every engine returns the reference engine's Trace for a Plan, bit for bit."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sim.engines import get_engine
from sim.engines.vector import simulate as vector_simulate
from sim.plan import Plan
from sim.trace import Trace, first_difference

WINDOWS_ALWAYS = "vector (windows always)"
"""A name for the contract tests only: the vector engine settling every cycle in time windows whenever the
lags allow (normally kept for large runs, where windows are cheaper than sweeping), so that path is held to
the reference too."""


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


def engine_under_test(engine: str) -> Callable[[Plan], Trace]:
    """The engine called ``engine``: a registered one (:func:`sim.engines.get_engine`) or
    :data:`WINDOWS_ALWAYS`."""
    if engine == WINDOWS_ALWAYS:
        return partial(vector_simulate, window_cost_visits=0)
    return get_engine(engine)


def assert_matches_reference(plan: Plan, engine: str) -> None:
    """Run ``engine`` (see :func:`engine_under_test`) and the reference on ``plan`` and compare."""
    assert_same_trace(plan, get_engine("reference")(plan), engine_under_test(engine)(plan), engine)
