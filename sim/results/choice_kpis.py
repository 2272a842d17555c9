"""Route-choice KPIs per replication (table ``route_choice``), in the long form of :mod:`sim.results.kpis`.

One key per alternative route of a choice flow (``FLOW/ALTERNATIVE``), counted over the flow's shipments
*created* in the window [warm-up, horizon) — the choices made there, whether or not delivered yet:

- ``probability``: the Plan's probability of the route (logit or fixed share; the same in every replication);
- ``share``: the route's fraction of the flow's shipments created in the window;
- ``share_tonnes``: its fraction of their tonnes;
- ``shipments``: how many took it;
- ``time_mean_h``: mean door-to-door hours (creation to delivery) of those of them delivered by the
  horizon — what the congestion equilibrium (:mod:`sim.experiments.equilibrium`) feeds back as the expected
  time (shipments created late in the window and not yet delivered are left out, as in ``transit_by_flow``).

Cost and emissions by route are in the ledger KPIs (``cost_by_flow``, ``emissions_by_flow``: a choice flow's
routes are flows ``FLOW/ALTERNATIVE`` there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.choice import route_shares
from sim.plan import Plan
from sim.results.delivery import delivered_times
from sim.scenario.model import Scenario
from sim.trace import Trace

__all__ = ["choice_kpis_by_replication", "has_choice"]

TABLE = "route_choice"
METRICS = ("probability", "share", "share_tonnes", "shipments", "time_mean_h")


def has_choice(scenario: Scenario) -> bool:
    """Whether any flow of the scenario chooses among alternative routes."""
    return any(flow.choice is not None for flow in scenario.flows.values())


def choice_kpis_by_replication(scenario: Scenario, plan: Plan, trace: Trace) -> pd.DataFrame:
    """One row per (table, key, period, metric, replication); empty when no flow has a choice."""
    columns = ["table", "key", "period", "metric", "replication", "value"]
    routes = [r for r in plan.network.flows if r.alternative]
    if not routes:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "value" else object) for c in columns})
    probability = route_shares(scenario, plan.network)
    n_routes = len(plan.network.flows)
    reps = len(plan.replications)
    rep = np.repeat(np.arange(reps, dtype=np.int64), np.diff(plan.rep_first))
    created = plan.created
    inside = (created >= scenario.warmup_h) & (created < scenario.horizon_h)
    delivered = delivered_times(plan, trace)
    done = inside & ~np.isnan(delivered)
    group = plan.shipment_flow * reps + rep
    size = n_routes * reps

    def sums(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        chosen = None if weights is None else weights[mask]
        total = np.bincount(group[mask], weights=chosen, minlength=size)
        return np.asarray(total, dtype=np.float64).reshape(n_routes, reps)

    count = sums(inside)
    tonnes = sums(inside, plan.tonnes)
    hours = sums(done, delivered - created)
    delivered_count = sums(done)
    rows = []
    for route in routes:
        same = np.array([r.index for r in plan.network.flows if r.flow == route.flow])
        flow_count = count[same].sum(axis=0)
        flow_tonnes = tonnes[same].sum(axis=0)
        i = route.index
        values = {
            "probability": np.full(reps, probability[i]),
            "share": np.divide(count[i], flow_count, out=np.full(reps, np.nan), where=flow_count > 0),
            "share_tonnes": np.divide(
                tonnes[i], flow_tonnes, out=np.full(reps, np.nan), where=flow_tonnes > 0
            ),
            "shipments": count[i],
            "time_mean_h": np.divide(
                hours[i], delivered_count[i], out=np.full(reps, np.nan), where=delivered_count[i] > 0
            ),
        }
        for metric in METRICS:
            for r, number in enumerate(plan.replications):
                rows.append((TABLE, route.name, "", metric, int(number), float(values[metric][r])))
    return pd.DataFrame(rows, columns=columns)
