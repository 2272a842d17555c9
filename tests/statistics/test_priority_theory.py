"""Non-preemptive priority queues against Cobham's formula, through scenario files.

Two classes share one server, non-preemptive priority, FIFO within a class, Poisson arrivals of rate
``lambda_k``, service ``S_k``. Cobham (1954): the mean wait in queue of class ``k`` is

    W_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k)),   W0 = sum_j lambda_j E[S_j^2] / 2,

with ``sigma_k`` the load of classes 1..k (``sigma_0 = 0``). Two scenario files check it:

- ``tests/data/priority_mm1.yaml``: one berth with exponential service (M/M/1), a flow per class;
- ``tests/data/priority_md1_canal.yaml``: a canal whose slot spacing is the service (M/D/1), each flow's
  ships drawn into booked and unbooked by shares (a flow's own, and the canal's default share), so the
  classes' arrival streams are Poisson thinnings.

Each class's mean wait (``stations_by_class``) must hold the closed form inside the 99% Student-t interval
of independent seeded replications (fixed seeds in the files). The share of booked ships drawn is checked
against its binomial 99.9% interval.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import sim
from sim.results.kpis_by_group import class_key

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIDENCE = 0.99


def cobham_waits(rates: list[float], first: list[float], second: list[float]) -> list[float]:
    """Mean waits in queue (h) of the classes of a non-preemptive priority M/G/1, highest class first.

    Parameters
    ----------
    rates : list of float
        Arrival rate of each class (1/h).
    first, second : list of float
        ``E[S]`` (h) and ``E[S^2]`` (h²) of each class's service.
    """
    w0 = sum(rate * moment / 2.0 for rate, moment in zip(rates, second, strict=True))
    loads = np.cumsum([rate * mean for rate, mean in zip(rates, first, strict=True)])
    above = np.concatenate([[0.0], loads[:-1]])
    return [float(w0 / ((1.0 - a) * (1.0 - b))) for a, b in zip(above, loads, strict=True)]


def _interval(values: np.ndarray) -> tuple[float, float]:
    mean, sem = float(values.mean()), float(stats.sem(values))
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, values.size - 1) * sem
    return mean - half, mean + half


def _class_waits(result: sim.RunResult, station: str, klass: str) -> np.ndarray:
    kpis = result.kpis_by_replication
    chosen = kpis[
        (kpis["table"] == "stations_by_class")
        & (kpis["key"] == class_key(station, klass))
        & (kpis["metric"] == "wait_mean_h")
    ]
    assert len(chosen) == result.scenario.replications
    return chosen["value"].to_numpy()


@pytest.mark.parametrize(
    ("file", "station", "classes", "expected"),
    [
        ("priority_mm1.yaml", "XXPRT/bulk", ("high", "low"), cobham_waits([0.3, 0.4], [1, 1], [2, 2])),
        (
            "priority_md1_canal.yaml",
            "chk:XXCNL",
            ("booked", "unbooked"),
            cobham_waits([0.09, 0.21], [2, 2], [4, 4]),
        ),
    ],
)
def test_class_waits_match_cobham(
    file: str, station: str, classes: tuple[str, str], expected: list[float]
) -> None:
    result = sim.run(sim.load_scenario(DATA / file))
    for klass, wait in zip(classes, expected, strict=True):
        low, high = _interval(_class_waits(result, station, klass))
        assert low <= wait <= high, (klass, low, wait, high)


def test_cobham_formula_reduces_to_pollaczek_khinchine() -> None:
    # one class: W = lambda E[S^2] / (2 (1 - rho)); M/M/1 at load 0.7: 0.7 / 0.3 h
    assert cobham_waits([0.7], [1.0], [2.0]) == pytest.approx([0.7 / 0.3])
    # the classes' waits average (weighted by load) to the FIFO M/M/1 wait (Kleinrock's conservation law)
    waits = cobham_waits([0.3, 0.4], [1.0, 1.0], [2.0, 2.0])
    assert (0.3 * waits[0] + 0.4 * waits[1]) / 0.7 == pytest.approx(0.7 / 0.3)


def test_booked_shares_are_drawn_per_shipment() -> None:
    result = sim.run(sim.load_scenario(DATA / "priority_md1_canal.yaml"), replications=2)
    plan = result.plan
    canal = plan.network.station("chk:XXCNL").index
    assert plan.visit_class is not None
    at_canal = plan.visit_station == canal
    flows = plan.shipment_flow[plan.visit_shipment[at_canal]]
    booked = plan.visit_class[at_canal] == 0
    for flow, share in ((0, 0.4), (1, 0.2)):
        mine = booked[flows == flow]
        half = stats.norm.ppf(0.9995) * np.sqrt(share * (1 - share) / mine.size)
        assert abs(mine.mean() - share) < half, (flow, mine.mean(), share)
