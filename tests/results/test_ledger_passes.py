"""The ledger's compiled passes equal plain computations of the same definitions, float for float.

- ``ledger_table``: every column of every shipment against per-visit charges summed in route order and the
  derived columns as array expressions (the ledger before its compiled pass);
- ``station_co2e``: the (flow, length) groups of one pass against the route groups of ``route_groups``
  (the path it takes when a flow's shipments of one length visit different stations);
- ``ledger_kpis._key_sums``: against ``np.bincount`` of each grouping.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from sim.drawing import draw_plan
from sim.network import build_network
from sim.rates import station_rates
from sim.results.ledger_kpis import _key_sums
from sim.results.ledger_sums import COLUMNS, ledger_table
from sim.results.route_groups import route_groups
from sim.results.station_co2e import _loads, station_co2e
from sim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def _charge(fixed: float, per_t: float, t: float, per_teu: float, e: float) -> float:
    """``fixed + per_t × t + per_teu × e`` left to right, its zero terms left out."""
    terms = [x for c, x in ((fixed, fixed), (per_t, per_t * t), (per_teu, per_teu * e)) if c != 0.0]
    value = terms[0]
    for term in terms[1:]:
        value = value + term
    return value


def test_ledger_table_equals_visit_by_visit_sums() -> None:
    rng = np.random.default_rng(11)
    stations, flows, n = 7, 3, 300
    lengths = rng.integers(0, 5, n)
    first_visit = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    visits = int(first_visit[-1])
    station = rng.integers(0, stations, visits)
    flow = rng.integers(0, flows, n)
    tonnes, teu = rng.uniform(1, 1e4, n), np.where(rng.random(n) < 0.5, 0.0, rng.uniform(1, 100, n))
    created = rng.uniform(0, 100, n)
    left = rng.random(n) < 0.1
    arrive = created[np.repeat(np.arange(n), lengths)] + rng.uniform(0, 50, visits)
    start = arrive + np.where(rng.random(visits) < 0.3, 0.0, rng.uniform(0, 9, visits))
    end = start + rng.uniform(1, 9, visits)
    start[rng.random(visits) < 0.05] = np.nan
    end[np.isnan(start) | (rng.random(visits) < 0.05)] = np.nan
    sparse = lambda *shape: np.where(rng.random(shape) < 0.4, 0.0, rng.uniform(0.1, 50, shape))  # noqa: E731
    usd, wtw, ttw = sparse(3, stations, flows), sparse(2, stations, flows), sparse(2, stations, flows)
    component = rng.integers(0, 5, (stations, flows))
    queueing, hub = rng.random(stations) < 0.5, rng.random(stations) < 0.3
    hourly, price = rng.uniform(0, 2, flows), 85.0
    names = list(COLUMNS)
    table, ended = np.empty((len(names), n)), np.empty(n)
    ledger_table(
        first_visit, station, flow, tonnes, teu, created, left, arrive, start, end, component, usd, wtw, ttw,
        queueing, hub, hourly, price, np.arange(len(names), dtype=np.int64), table, ended,
    )  # fmt: skip

    sums = np.zeros((10, n))  # waiting, wtw, ttw, -, hub, money by component
    for row in range(n):
        f, t, e = flow[row], tonnes[row], teu[row]
        for v in range(first_visit[row], first_visit[row + 1]):
            s = station[v]
            if usd[:, s, f].any():
                sums[5 + component[s, f], row] += _charge(usd[0, s, f], usd[1, s, f], t, usd[2, s, f], e)
            if wtw[:, s, f].any():
                sums[1, row] += _charge(0.0, wtw[0, s, f], t, wtw[1, s, f], e)
                if hub[s]:
                    sums[4, row] += _charge(0.0, wtw[0, s, f], t, wtw[1, s, f], e)
            if ttw[:, s, f].any():
                sums[2, row] += _charge(0.0, ttw[0, s, f], t, ttw[1, s, f], e)
            if queueing[s]:
                sums[0, row] += start[v] - arrive[v]
    made = lengths > 0
    want_ended = np.where(made, end[np.maximum(first_visit[1:] - 1, 0)], np.where(left, created, np.nan))
    hours = want_ended - created
    waiting = np.where(np.isnan(hours), np.nan, sums[0])
    holding = hourly[flow] * tonnes
    money = [sums[5 + k] for k in range(5)]
    costs = [*money, holding * (hours - waiting), holding * waiting, sums[1] / 1000.0 * price]
    total = np.zeros(n)
    for cost in costs:
        total += cost
    want = np.stack([waiting, sums[1], sums[2], sums[1] - sums[4], sums[4], *costs, total])
    np.testing.assert_array_equal(ended, want_ended)
    np.testing.assert_array_equal(table, want)


def _route_group_co2e(plan, rates, done):  # type: ignore[no-untyped-def]
    """The per-station CO₂e as summed before the one-pass groups: by ``route_groups``."""
    reps = len(plan.replications)
    station_t = np.zeros((2, len(plan.network.stations), reps))
    rep = np.repeat(np.arange(reps, dtype=np.int64), np.diff(plan.rep_first))
    for group in route_groups(plan):
        counted = group.rows[done[group.rows]]
        present = np.flatnonzero(np.bincount(rep[counted], minlength=reps))
        tonnes = np.bincount(rep[counted], weights=plan.tonnes[counted], minlength=reps)[present]
        teu = np.bincount(rep[counted], weights=plan.teu[counted], minlength=reps)[present]
        for station in group.stations.tolist():
            for which, factors in enumerate((rates.wtw_kg, rates.ttw_kg)):
                per_t, per_teu = factors[:, station, group.flow]
                if per_t or per_teu:
                    station_t[which, station, present] += (per_t * tonnes + per_teu * teu) / 1000.0
    return station_t


def test_station_co2e_equals_the_route_group_sums() -> None:
    scenario = load_scenario(SCENARIOS / "baseline_2024.yaml")
    network = build_network(scenario)
    plan = draw_plan(scenario, network, [0, 1], scenario.seed)
    rates = station_rates(scenario, network)
    done = np.random.default_rng(2).random(plan.n_shipments) < 0.8
    np.testing.assert_array_equal(station_co2e(plan, rates, done), _route_group_co2e(plan, rates, done))
    # a shipment visiting other stations than its flow's others of its length: the route-group path
    lengths = np.diff(plan.first_visit)
    row = int(np.flatnonzero(lengths >= 2)[5])
    stations = plan.visit_station.copy()
    at = plan.first_visit[row]
    stations[at], stations[at + 1] = stations[at + 1], stations[at]
    other = dataclasses.replace(plan, visit_station=stations)
    assert not _group_loads_are_uniform(other, done)
    np.testing.assert_array_equal(station_co2e(other, rates, done), _route_group_co2e(other, rates, done))


def _group_loads_are_uniform(plan, done) -> bool:  # type: ignore[no-untyped-def]
    counts = np.diff(plan.first_visit)
    flows = len(plan.network.flows)
    arrays = (plan.rep_first, plan.first_visit, plan.visit_station, plan.shipment_flow, plan.tonnes, plan.teu)
    return bool(_loads(*arrays, done, flows, int(counts.max()))[-1])


def test_key_sums_equal_bincounts() -> None:
    rng = np.random.default_rng(4)
    reps, n, flows = 3, 2000, 4
    rep_first = np.array([0, 600, 1300, n], dtype=np.int64)
    flow = rng.integers(0, flows, n)
    done, delivers = rng.random(n) < 0.8, rng.random(n) < 0.9
    tonnes, teu = rng.uniform(1, 100, n), rng.uniform(0, 10, n)
    table = rng.normal(size=(5, n)) * 1e3
    rows = np.array([3, 0, 4], dtype=np.int64)
    keys = np.array([[0, 1, 2, 3], [1, -1, 1, 0], [-1, -1, -1, -1]], dtype=np.int64)
    sizes = np.array([4, 2, 0]) * reps
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    got = _key_sums(rep_first, flow, done, delivers, tonnes, teu, table, rows, 1, keys, bounds)
    rep = np.repeat(np.arange(reps), np.diff(rep_first))
    values = [
        np.where(delivers, tonnes, 0.0),
        np.where(delivers, teu, 0.0),
        table[3],
        table[0],
        table[4] / 1000.0,
    ]
    for g in range(3):
        key = keys[g, flow]
        kept = done & (key >= 0)
        for k, value in enumerate(values):
            want = np.bincount((key * reps + rep)[kept], weights=value[kept], minlength=int(sizes[g]))
            np.testing.assert_array_equal(got[k, bounds[g] : bounds[g + 1]], want)
