"""Shipments with no visit (one that left before its first station) go through the KPIs and the ledger.

A shipment's visits are cut from a real run's Plan and Trace: it is delivered never (NaN), counted in no
throughput, transit or station KPI, costs nothing on its route and has no waiting time; every other
shipment's ledger and the station KPIs of the other visits are as before.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.plan import Plan
from sim.results.kpis import kpis_by_replication
from sim.results.ledger import ledger_columns
from sim.runner import run
from sim.scenario.loader import load_scenario
from sim.trace import Trace

DATA = Path(__file__).resolve().parents[1] / "data"


def _without_visits(plan: Plan, trace: Trace, row: int) -> tuple[Plan, Trace]:
    """``plan`` and ``trace`` with the visits of shipment ``row`` removed."""
    v0, v1 = int(plan.first_visit[row]), int(plan.first_visit[row + 1])
    keep = np.r_[0:v0, v1 : plan.n_visits]
    first = plan.first_visit.copy()
    first[row + 1 :] -= v1 - v0
    cut = dataclasses.replace(
        plan,
        first_visit=first,
        visit_station=plan.visit_station[keep],
        visit_work=plan.visit_work[keep],
        visit_size=plan.visit_size[keep],
        visit_class=None if plan.visit_class is None else plan.visit_class[keep],
    )
    return cut, Trace(trace.arrive[keep], trace.start[keep], trace.end[keep])


def test_a_shipment_without_visits_is_counted_nowhere() -> None:
    result = run(load_scenario(DATA / "ledger_one_ship.yaml"), engine="reference")
    row = 1
    plan, trace = _without_visits(result.plan, result.trace, row)
    before = ledger_columns(result.scenario, result.plan, result.trace)
    after = ledger_columns(result.scenario, plan, trace)
    others = np.arange(plan.n_shipments) != row
    pd.testing.assert_frame_equal(after[others], before[others], check_exact=True)
    route = [c for c in after.columns if c.startswith("cost_") and "time" not in c and c != "cost_total_usd"]
    assert (after.loc[row, route] == 0.0).all()
    assert np.isnan(after.loc[row, "waiting_h"])
    assert after.loc[row, "co2e_wtw_kg"] == 0.0

    def value(kpis: pd.DataFrame, table: str, metric: str) -> float:
        rows = kpis[(kpis["table"] == table) & (kpis["metric"] == metric)]
        return float(rows["value"].sum())

    old = kpis_by_replication(result.scenario, result.plan, result.trace)
    new = kpis_by_replication(result.scenario, plan, trace)
    done = result.shipments["delivered"].between(result.scenario.warmup_h, result.scenario.horizon_h)
    lost = 1.0 if done[row] else 0.0
    assert (
        value(new, "throughput_by_flow", "shipments") == value(old, "throughput_by_flow", "shipments") - lost
    )
    lo, hi = result.scenario.warmup_h, result.scenario.horizon_h
    cut = result.trace.arrive[result.plan.first_visit[row] : result.plan.first_visit[row + 1]]
    arrived = int(((cut >= lo) & (cut < hi)).sum())
    assert arrived > 0
    change = (value(old, "stations", "arrivals_per_h") - value(new, "stations", "arrivals_per_h")) * (hi - lo)
    assert change == pytest.approx(arrived)
