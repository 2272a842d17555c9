"""Simulated queues against closed forms: Erlang C (M/M/c), Pollaczek–Khinchine (M/G/1), Little's law.

Each check runs independent seeded replications and asserts that the theoretical value lies inside the 99%
Student-t confidence interval of the replication means (the interval, not a hand-picked tolerance, sets how
close is close enough). Warm-up from an empty system is cut by the scenario's warm-up.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.examples import one_port
from sim.runner import RunResult

REPLICATIONS = 8
CONFIDENCE = 0.99


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of M/M/c (h)."""
    load = arrival_rate / service_rate
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    bottom = sum(load**k / math.factorial(k) for k in range(servers)) + top
    return (top / bottom) / (servers * service_rate - arrival_rate)


def pollaczek_khinchine_wait(arrival_rate: float, mean_service: float, cv: float) -> float:
    """Mean wait in queue of M/G/1 (h): lambda E[S^2] / (2 (1 - rho))."""
    second_moment = (1.0 + cv**2) * mean_service**2
    return arrival_rate * second_moment / (2.0 * (1.0 - arrival_rate * mean_service))


def _interval(values: np.ndarray) -> tuple[float, float]:
    mean, sem = float(values.mean()), float(stats.sem(values))
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, values.size - 1) * sem
    return mean - half, mean + half


def _mean_waits(result: RunResult) -> np.ndarray:
    kpis = result.kpis_by_replication
    waits = kpis[(kpis["table"] == "stations") & (kpis["metric"] == "wait_mean_h")]
    return waits["value"].to_numpy()


@pytest.mark.parametrize(
    ("servers", "arrivals_per_h", "service", "cv"),
    [
        (1, 0.7, {"dist": "exponential", "mean": 1.0}, 1.0),  # M/M/1
        (2, 1.5, {"dist": "exponential", "mean": 1.0}, 1.0),  # M/M/2
        (3, 2.4, {"dist": "exponential", "mean": 1.0}, 1.0),  # M/M/3
    ],
)
def test_mmc_waits_match_erlang_c(
    servers: int, arrivals_per_h: float, service: dict[str, object], cv: float
) -> None:
    scenario = one_port(
        servers,
        arrivals_per_h * 24,
        1.0,
        service=service,
        days=200,
        warmup_days=10,
        replications=REPLICATIONS,
        seed=101 + servers,
    )
    low, high = _interval(_mean_waits(sim.run(scenario)))
    assert low <= erlang_c_wait(arrivals_per_h, 1.0, servers) <= high


@pytest.mark.parametrize(
    ("service", "cv"),
    [
        ({"dist": "fixed", "value": 1.0}, 0.0),  # M/D/1
        ({"dist": "lognormal", "mean": 1.0, "cv": 0.5}, 0.5),  # M/G/1
        ({"dist": "gamma", "mean": 1.0, "cv": 1.5}, 1.5),  # M/G/1, more variable than exponential
    ],
)
def test_mg1_waits_match_pollaczek_khinchine(service: dict[str, object], cv: float) -> None:
    scenario = one_port(
        1, 0.7 * 24, 1.0, service=service, days=200, warmup_days=10, replications=REPLICATIONS, seed=7
    )
    low, high = _interval(_mean_waits(sim.run(scenario)))
    assert low <= pollaczek_khinchine_wait(0.7, 1.0, cv) <= high


def _little_terms(visits: pd.DataFrame, window: tuple[float, float]) -> pd.DataFrame:
    """Per station and replication: time-average number present L, arrival rate lambda, mean time W."""
    lo, hi = window
    inside = visits[(visits["arrive"] >= lo) & (visits["arrive"] < hi)].copy()
    assert inside["end"].notna().all()
    inside["stay"] = inside["end"] - inside["arrive"]
    grouped = inside.groupby(["station", "replication"], observed=True)
    terms = pd.DataFrame({"arrivals": grouped.size() / (hi - lo), "stay": grouped["stay"].mean()})
    present = visits.assign(
        overlap=np.clip(
            np.minimum(visits["end"].fillna(hi), hi) - np.maximum(visits["arrive"], lo), 0.0, None
        )
    )
    terms["present"] = present.groupby(["station", "replication"], observed=True)["overlap"].sum() / (hi - lo)
    return terms


def test_littles_law_holds_at_every_station() -> None:
    # stationary demand (flat seasonality) over two years, so the window's edge effects are small
    # and a warm-up longer than the longest stay, so the network is full when the window opens
    flat = {
        "horizon_days": 730.0,
        "warmup_days": 60.0,
        "replications": REPLICATIONS,
        "flows.soy_png_tao.seasonality": [1.0] * 12,
    }
    scenario = sim.load_scenario("scenarios/demo_two_ports.yaml", overrides=flat)
    result = sim.run(scenario)
    # every visit arriving in the window ends before the horizon (the longest stay, a 38-day sea leg, fits in
    # the 60 days after it), so no stay is censored; what remains are the window's edge effects
    terms = _little_terms(result.visits, (scenario.warmup_h, scenario.horizon_h - 60 * 24.0))
    terms["gap"] = terms["present"] - terms["arrivals"] * terms["stay"]
    for station, rows in terms.groupby(level="station"):
        low, high = _interval(rows["gap"].to_numpy())
        scale = float(rows["present"].mean())
        # L = lambda W up to edge effects at the window's ends: the interval of L - lambda W contains 0, or
        # what separates them is below 1% of L
        assert low <= 0.0 <= high or max(abs(low), abs(high)) < 0.01 * scale, station


def test_kpi_queue_length_obeys_littles_law_for_the_queue() -> None:
    scenario = one_port(
        2,
        1.5 * 24,
        1.0,
        service={"dist": "exponential", "mean": 1.0},
        days=200,
        warmup_days=10,
        replications=REPLICATIONS,
        seed=5,
    )
    kpis = sim.run(scenario).kpis_by_replication
    stations = kpis[kpis["table"] == "stations"].pivot_table(
        index="replication", columns="metric", values="value"
    )
    gap = stations["queue_mean"] - stations["arrivals_per_h"] * stations["wait_mean_h"]
    low, high = _interval(gap.to_numpy())
    assert low <= 0.0 <= high or max(abs(low), abs(high)) < 0.01 * float(stations["queue_mean"].mean())
