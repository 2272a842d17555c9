"""An M/M/1 berth that breaks down and is repaired (exponential up and down spells) against exact results.

Which result applies. The engine's closure is *non-preemptive*: a down spell lets the ship at berth finish
and stops new starts until the spell ends (docs/design.md). The textbook completion-time result for
unreliable servers (Gaver 1962; Avi-Itzhak & Naor 1963: E[C] = E[S] + ... for preemptive-resume) is for
breakdowns that interrupt the service in progress, and the classical M/G/1-with-breakdowns waiting-time
formulas follow from it; the engine does not model pre-emption, so comparing with them would test another
model. With exponential arrivals, services and spells, though, the engine's semantics is itself a
continuous-time Markov chain whose states are (ships present, server up / down-and-finishing /
down-and-idle); its stationary distribution, solved here on a truncated state space (the mass beyond the
truncation is below 1e-12), gives the exact mean wait in queue through Little's law. So the checks are:

- the mean wait (arrival to start of service) of each replication against the chain's ``L_q / lambda``;
- the long-run fraction of time the berth is down, from the Plan's drawn windows, against
  ``E[down] / (E[up] + E[down])``;
- throughput: every ship is served (the availability-scaled capacity exceeds the load), so the deliveries
  per hour match the arrival rate.

Tolerances come from 99% Student-t intervals over independent seeded replications.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse, stats
from scipy.sparse import linalg as sparse_linalg

import sim
from sim.examples import one_port

ARRIVALS_PER_H = 0.5
SERVICE_H = 1.0
MEAN_UP_H = 50.0
MEAN_DOWN_H = 10.0
REPLICATIONS = 10
CONFIDENCE = 0.99
TRUNCATION = 400


def breakdown_queue_wait(
    lam: float, mu: float, fail: float, repair: float, levels: int = TRUNCATION
) -> float:
    """Mean wait in queue (h) of an M/M/1 whose server goes down at rate ``fail`` and up at rate ``repair``,
    non-preemptively: a service in progress when the server goes down finishes; no service starts while down.

    States per number present ``n``: up (``U``); down with the last service still running (``B``, n >= 1);
    down and idle (``I``). Solved as ``pi Q = 0``, ``sum pi = 1`` on ``n < levels``.
    """
    up = {n: n for n in range(levels)}
    busy = {n: levels + n - 1 for n in range(1, levels)}
    idle = {n: 2 * levels - 1 + n for n in range(levels)}
    size = 3 * levels - 1
    q = sparse.lil_matrix((size, size))

    def rate(a: int, b: int, r: float) -> None:
        q[a, b] += r

    for n in range(levels):
        if n + 1 < levels:  # arrivals
            rate(up[n], up[n + 1], lam)
            rate(idle[n], idle[n + 1], lam)
            if n >= 1:
                rate(busy[n], busy[n + 1], lam)
        if n >= 1:
            rate(up[n], up[n - 1], mu)  # a service ends
            rate(up[n], busy[n], fail)  # down while serving: the service goes on
            rate(busy[n], idle[n - 1], mu)  # the last service ends, the berth stays idle
            rate(busy[n], up[n], repair)
        else:
            rate(up[0], idle[0], fail)
        rate(idle[n], up[n], repair)
    q.setdiag(-np.asarray(q.sum(axis=1)).ravel())
    system = q.T.tolil()
    system[size - 1, :] = 1.0  # one balance equation is redundant: replace it by sum(pi) = 1
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    pi = sparse_linalg.spsolve(system.tocsc(), rhs)
    tail = sum(pi[s[levels - 1]] for s in (up, busy, idle) if levels - 1 in s)
    assert tail < 1e-12, "truncation too small"
    waiting = sum(pi[up[n]] * (n - 1) for n in range(1, levels))
    waiting += sum(pi[busy[n]] * (n - 1) for n in range(1, levels))
    waiting += sum(pi[idle[n]] * n for n in range(levels))
    return float(waiting / lam)


def _interval(values: np.ndarray) -> tuple[float, float]:
    mean, sem = float(values.mean()), float(stats.sem(values))
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, values.size - 1) * sem
    return mean - half, mean + half


def _run() -> sim.RunResult:
    breakdown = {
        "kind": "berths",
        "target": "XXPRT",
        "set": 0,
        "random": {
            "up": {"dist": "exponential", "mean": MEAN_UP_H},
            "down": {"dist": "exponential", "mean": MEAN_DOWN_H},
        },
    }
    scenario = one_port(
        1,
        ARRIVALS_PER_H * 24,
        SERVICE_H,
        service={"dist": "exponential", "mean": 1.0},
        days=400,
        warmup_days=20,
        replications=REPLICATIONS,
        seed=2026,
        disruptions={"breakdown": breakdown},
    )
    return sim.run(scenario)


def test_breakdown_queue_waits_match_the_markov_chain() -> None:
    result = _run()
    kpis = result.kpis_by_replication
    waits = kpis[(kpis["table"] == "stations") & (kpis["metric"] == "wait_mean_h")]["value"].to_numpy()
    expected = breakdown_queue_wait(ARRIVALS_PER_H, 1 / SERVICE_H, 1 / MEAN_UP_H, 1 / MEAN_DOWN_H)
    low, high = _interval(waits)
    assert low <= expected <= high, (low, expected, high)


def test_breakdown_fraction_down_and_throughput() -> None:
    result = _run()
    plan = result.plan
    window = (result.scenario.warmup_h, result.scenario.horizon_h)
    down = []
    for stored in range(len(plan.replications)):
        schedule = plan.capacity(stored, 0)
        down.append(1.0 - schedule.integral(*window) / (window[1] - window[0]))
    low, high = _interval(np.asarray(down))
    assert low <= MEAN_DOWN_H / (MEAN_UP_H + MEAN_DOWN_H) <= high
    kpis = result.kpis_by_replication
    per_h = kpis[(kpis["table"] == "stations") & (kpis["metric"] == "arrivals_per_h")]["value"].to_numpy()
    low, high = _interval(per_h)
    assert low <= ARRIVALS_PER_H <= high


def test_markov_chain_without_breakdowns_is_the_mm1() -> None:
    # rare, short spells: the chain reduces to M/M/1, W_q = rho / (mu - lambda)
    assert abs(breakdown_queue_wait(0.5, 1.0, 1e-9, 1e3) - 1.0) < 1e-4
