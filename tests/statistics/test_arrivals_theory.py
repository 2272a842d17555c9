"""Arrival processes and scheduled services against exact results, through scenarios built in memory.

- The constant-rate train: a service with a fixed headway ``H`` fed by Poisson arrivals. Every shipment leaves
  on a departure given by the Lindley chain at departures (``Q_k = max(Q_{k-1} + A_k - C, 0)`` shipments left
  behind by departure k): checked exactly, visit by visit, with and without capacity binding. With ample
  capacity the chain never binds and the mean wait is ``H / 2`` (arrivals are uniform over the headway).
- Renewal arrivals (gamma gaps of coefficient of variation ``c``, started in equilibrium): over ``Lambda``
  expected arrivals the count has mean ``Lambda`` exactly and variance ``c² Lambda + O(1)``.
- Batch arrivals (compound Poisson, batch size K): over ``Lambda`` expected arrivals the count has mean
  ``Lambda`` and variance ``Lambda E[K²] / E[K]`` exactly.
- GI/M/1 with gamma interarrival times: the exact mean wait ``sigma / (mu (1 - sigma))`` with ``sigma`` the
  root in (0, 1) of ``sigma = A*(mu (1 - sigma))``, ``A*`` the Laplace transform of the interarrival time.

Statistical checks use fixed seeds and assert that the exact value lies in the 99% confidence interval
(Student-t for means, chi-square for a variance) of independent replications.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

import sim
from sim.drawing import draw_plan
from sim.examples import one_port
from sim.network import build_network
from sim.scenario import Scenario, scenario_from_data

CONFIDENCE = 0.99
REPLICATIONS = 8


def _interval(values: np.ndarray) -> tuple[float, float]:
    mean, sem = float(values.mean()), float(stats.sem(values))
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, values.size - 1) * sem
    return mean - half, mean + half


def _train(headway_h: float, capacity: float, per_day: float, days: float, seed: int) -> Scenario:
    """Unit parcels from hub A to hub B on a train every ``headway_h`` h (offset 1 h), Poisson arrivals."""
    return scenario_from_data(
        {
            "schema": 1,
            "name": "train",
            "start": "2024-01-01",
            "horizon_days": days,
            "warmup_days": 5.0,
            "replications": REPLICATIONS,
            "seed": seed,
            "commodities": {"box": {"kind": "container", "cargo_class": "box", "tonnes_per_teu": 10.0}},
            "nodes": {"XXAAA": {"name": "A", "kind": "hub"}, "XXBBB": {"name": "B", "kind": "hub"}},
            "services": {
                "train": {
                    "from": "XXAAA",
                    "to": "XXBBB",
                    "mode": "rail",
                    "headway_h": headway_h,
                    "offset_h": 1.0,
                    "capacity": capacity,
                    "capacity_unit": "TEU",
                    "transit_h": 10.0,
                }
            },
            "flows": {
                "f": {
                    "commodity": "box",
                    "origin": "XXAAA",
                    "destination": "XXBBB",
                    "annual_volume": per_day * 365.2425,
                    "volume_unit": "TEU",
                    "parcel": {"dist": "fixed", "value": 1.0},
                    "parcel_unit": "TEU",
                }
            },
        }
    )


def _lindley_departures(arrive: np.ndarray, departures: np.ndarray, capacity: int) -> np.ndarray:
    """The departure each shipment (in arrival order) leaves on, from the Lindley chain at departures."""
    arrived = np.searchsorted(arrive, departures, side="right")  # N(d_k): arrivals at or before d_k
    served = np.empty(departures.size, dtype=np.int64)
    backlog, before = 0, 0
    for k, total in enumerate(arrived):
        backlog = max(backlog + (int(total) - before) - capacity, 0)  # Q_k
        before = int(total)
        served[k] = int(total) - backlog
    leaves = np.searchsorted(served, np.arange(1, arrive.size + 1), side="left")
    return np.where(leaves < departures.size, departures[np.minimum(leaves, departures.size - 1)], np.nan)


@pytest.mark.parametrize(("capacity", "per_day"), [(1000.0, 20.0), (4.0, 20.0), (2.0, 20.0)])
def test_train_departures_follow_the_lindley_chain(capacity: float, per_day: float) -> None:
    """Ample (never binds), near-critical (binds sometimes) and overloaded (the backlog grows) trains."""
    scenario = _train(4.0, capacity, per_day, 40.0, seed=3)
    result = sim.run(scenario)
    visits = result.visits
    station = build_network(scenario).station("svc:train")
    departures = station.departures_between(0.0, scenario.horizon_h)
    for _, replication in visits.groupby("replication"):
        rows = replication.sort_values(["arrive", "shipment"])
        expected = _lindley_departures(rows["arrive"].to_numpy(), departures, int(capacity))
        np.testing.assert_array_equal(rows["start"].to_numpy(), expected)


def test_constant_rate_train_mean_wait_is_half_the_headway() -> None:
    headway = 6.0
    scenario = _train(headway, 1000.0, 20.0, 200.0, seed=17)
    kpis = sim.run(scenario).kpis_by_replication
    waits = kpis[(kpis["table"] == "stations") & (kpis["metric"] == "wait_mean_h")]["value"].to_numpy()
    low, high = _interval(waits)
    assert low <= headway / 2 <= high


@pytest.mark.parametrize("cv", [0.5, 2.0])
def test_renewal_arrival_counts_have_variance_cv_squared_per_expected_arrival(cv: float) -> None:
    replications = 300
    scenario = one_port(
        1, 5.0, 1.0, days=2000.0, warmup_days=0.0, seed=29, arrivals={"process": "renewal", "cv": cv}
    )
    plan = draw_plan(scenario, build_network(scenario), range(replications), scenario.seed)
    counts = np.diff(plan.rep_first).astype(np.float64)
    expected = 5.0 * 2000.0  # Lambda(horizon): a constant rate of 5 a day
    low, high = _interval(counts)
    assert low <= expected <= high
    dof = replications - 1
    variance = float(counts.var(ddof=1))
    lower = dof * variance / stats.chi2.ppf(0.5 + CONFIDENCE / 2, dof)
    upper = dof * variance / stats.chi2.ppf(0.5 - CONFIDENCE / 2, dof)
    assert lower <= cv**2 * expected <= upper


def test_batch_arrival_counts_are_compound_poisson() -> None:
    replications = 300
    sizes = {"dist": "empirical", "values": [1.0, 2.0, 5.0], "weights": [0.5, 0.3, 0.2]}
    scenario = one_port(
        1, 5.0, 1.0, days=2000.0, warmup_days=0.0, seed=31, arrivals={"process": "batch", "size": sizes}
    )
    plan = draw_plan(scenario, build_network(scenario), range(replications), scenario.seed)
    counts = np.diff(plan.rep_first).astype(np.float64)
    expected = 5.0 * 2000.0
    low, high = _interval(counts)
    assert low <= expected <= high
    mean_k = 0.5 * 1 + 0.3 * 2 + 0.2 * 5
    mean_k2 = 0.5 * 1 + 0.3 * 4 + 0.2 * 25
    dof = replications - 1
    variance = float(counts.var(ddof=1))
    lower = dof * variance / stats.chi2.ppf(0.5 + CONFIDENCE / 2, dof)
    upper = dof * variance / stats.chi2.ppf(0.5 - CONFIDENCE / 2, dof)
    assert lower <= expected * mean_k2 / mean_k <= upper
    # a batch arrives at one instant: equal creation times within a replication
    assert np.unique(plan.created[: plan.rep_first[1]]).size < plan.rep_first[1]


def gi_m_1_wait(arrival_rate: float, service_rate: float, cv: float) -> float:
    """Exact mean wait in queue (h) of GI/M/1 with gamma interarrival times of coefficient of variation cv."""
    shape, scale = 1.0 / cv**2, cv**2 / arrival_rate

    def fixed_point(sigma: float) -> float:
        return float((1.0 + service_rate * (1.0 - sigma) * scale) ** -shape - sigma)

    sigma = optimize.brentq(fixed_point, 1e-12, 1.0 - 1e-12)
    return sigma / (service_rate * (1.0 - sigma))


@pytest.mark.parametrize(("cv", "days"), [(0.5, 200.0), (2.0, 600.0)])
def test_gamma_renewal_single_berth_matches_gi_m_1(cv: float, days: float) -> None:
    scenario = one_port(
        1,
        0.7 * 24,
        1.0,
        service={"dist": "exponential", "mean": 1.0},
        days=days,
        warmup_days=20.0,
        replications=REPLICATIONS,
        seed=41,
        arrivals={"process": "renewal", "cv": cv},
    )
    kpis = sim.run(scenario).kpis_by_replication
    waits = kpis[(kpis["table"] == "stations") & (kpis["metric"] == "wait_mean_h")]["value"].to_numpy()
    low, high = _interval(waits)
    exact = gi_m_1_wait(0.7, 1.0, cv)
    assert low <= exact <= high
    # the bunched process waits longer than M/M/1 (rho / (mu - lambda) = 2.33 h), the smooth one shorter
    assert (exact > 0.7 / 0.3) == (cv > 1.0)
    assert math.isfinite(exact)
