"""Congestion feedback: route shares in equilibrium with the times the simulation itself produces.

The method of successive averages (MSA) on the choice flows' shares ``x`` (one vector per flow):

1. ``x_1``: the scenario's own probabilities (logit on ``expected_time_h`` or free-flow hours, or its fixed
   shares);
2. iteration ``n``: simulate with the flows in ``fixed`` mode at ``x_n`` (common random numbers: the same
   seed, so the same arrivals, parcels and choice uniforms every time), measure each alternative's mean
   door-to-door time ``T_n`` (KPI ``route_choice/time_mean_h``, the mean over replications), and take the
   logit shares ``y_n = P(T_n)`` of the generalised costs with those times (:func:`sim.choice.route_costs`);
3. stop when the shares no longer move: the *gap* ``max |y_n − x_n|`` (how far the logit response to the
   simulated times moves the shares that were simulated) is below ``tolerance``, or after
   ``max_iterations``; else ``x_{n+1} = x_n + (y_n − x_n) / n`` (the classic MSA step: the first is a full
   step, then ever shorter, which averages out the simulation's noise in the measured times).

The result is the run at the last ``x_n``, with the iterations and the final gap (0 at an exact equilibrium;
the simulation's noise keeps it above 0: a tolerance below the noise is not reached, and ``converged`` says
so). Why the gap and not the step ``|x_{n+1} − x_n|``: with steps 1/n the step shrinks whatever the shares
are, so a rule on the step stops early (a gap of n × tolerance) when the response is far from the shares.
An alternative nobody took in an iteration has no measured time: its expected time from the scenario (given
or free-flow) stands in. A flow in ``fixed`` mode keeps its shares (it is not a logit flow): only ``logit``
flows are iterated, which is how the fixed-share mode stays available beside the equilibrium.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.arrays import FloatArray
from sim.choice import alternatives_of, logit_shares, route_costs, route_shares
from sim.network import Network, build_network
from sim.runner import DEFAULT_ENGINE, RunResult, run
from sim.scenario.model import Scenario

__all__ = ["Equilibrium", "Iteration", "solve_equilibrium", "with_shares"]

TOLERANCE = 0.01
"""Default: stop when the logit response moves no share by more than one percentage point."""
MAX_ITERATIONS = 40


@dataclass(frozen=True)
class Iteration:
    """One MSA iteration: the shares simulated, the times measured, the logit response, the gap and the step.

    ``moved`` is ``max |x_{n+1} − x_n|`` of the step taken after it (0 for the last, which takes none).
    """

    number: int
    shares: dict[str, float]
    times_h: dict[str, float]
    response: dict[str, float]
    gap: float
    moved: float


@dataclass(frozen=True)
class Equilibrium:
    """The iterations and the run at the final shares (its scenario has the flows in ``fixed`` mode)."""

    iterations: tuple[Iteration, ...]
    result: RunResult
    converged: bool
    tolerance: float

    @property
    def gap(self) -> float:
        """``max |P(T(x)) − x|`` at the final shares."""
        return self.iterations[-1].gap

    @property
    def shares(self) -> dict[str, float]:
        """The final shares by route (``FLOW/ALTERNATIVE``)."""
        return self.iterations[-1].shares

    def record(self) -> dict[str, Any]:
        """``equilibrium.json``: settings, convergence and every iteration."""
        return {
            "method": "msa",
            "tolerance": self.tolerance,
            "converged": self.converged,
            "iterations": len(self.iterations),
            "gap": self.gap,
            "shares": self.shares,
            "history": [vars(step) for step in self.iterations],
        }


def logit_routes(scenario: Scenario, network: Network) -> list[str]:
    """Names of the routes of the scenario's ``logit`` choice flows (the ones the equilibrium iterates)."""
    return [
        route.name
        for name, flow in scenario.flows.items()
        if flow.choice is not None and flow.choice.mode == "logit"
        for route in alternatives_of(network, name)
    ]


def with_shares(scenario: Scenario, shares: dict[str, float]) -> Scenario:
    """The scenario with each flow whose routes ``shares`` names in ``fixed`` mode at those shares."""
    flows = dict(scenario.flows)
    for name, flow in scenario.flows.items():
        if flow.choice is None or not any(key.partition("/")[0] == name for key in shares):
            continue
        values = {alt: shares[f"{name}/{alt}"] for alt in flow.choice.alternatives}
        total = sum(values.values())
        alternatives = {
            alt: spec.model_copy(update={"share": values[alt] / total})
            for alt, spec in flow.choice.alternatives.items()
        }
        choice = flow.choice.model_copy(update={"mode": "fixed", "alternatives": alternatives})
        flows[name] = flow.model_copy(update={"choice": choice})
    return scenario.model_copy(update={"flows": flows})


def solve_equilibrium(
    scenario: Scenario,
    engine: str = DEFAULT_ENGINE,
    replications: int | None = None,
    seed: int | None = None,
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
    on_iteration: Callable[[Iteration], None] | None = None,
) -> Equilibrium:
    """Iterate simulate → measure → logit → average until the shares settle (see the module docstring).

    Parameters
    ----------
    tolerance : float
        Stop when the gap ``max |P(T(x)) − x|`` (a share, 0–1) is below it.
    max_iterations : int
        Simulations at most; ``converged`` is False when they run out.
    on_iteration : callable, optional
        Called with each :class:`Iteration` (progress output).

    Raises
    ------
    ValueError
        When no flow of the scenario has a ``logit`` choice.
    """
    network = build_network(scenario)
    names = logit_routes(scenario, network)
    if not names:
        raise ValueError(f"scenario {scenario.name} has no flow with a logit choice to put in equilibrium")
    index = {route.name: route.index for route in network.flows}
    x = _pick(route_shares(scenario, network), names, index)
    iterations: list[Iteration] = []
    for number in range(1, max_iterations + 1):
        result = run(with_shares(scenario, x), engine=engine, replications=replications, seed=seed)
        times = measured_times(result, names)
        response = _response(scenario, network, times)
        gap = max(abs(response[k] - x[k]) for k in names)
        settled = gap < tolerance
        following = x if settled else {k: x[k] + (response[k] - x[k]) / number for k in names}
        moved = max(abs(following[k] - x[k]) for k in names)
        step = Iteration(number, x, times, response, gap, moved)
        iterations.append(step)
        if on_iteration is not None:
            on_iteration(step)
        if settled:
            return Equilibrium(tuple(iterations), result, True, tolerance)
        x = following
    return Equilibrium(tuple(iterations), result, False, tolerance)


def measured_times(result: RunResult, names: list[str]) -> dict[str, float]:
    """Mean over replications of each route's ``route_choice/time_mean_h`` (NaN: nobody delivered)."""
    table = result.kpis
    rows = table[(table["table"] == "route_choice") & (table["metric"] == "time_mean_h")]
    means = dict(zip(rows["key"], rows["mean"], strict=True))
    return {name: float(means.get(name, np.nan)) for name in names}


def _response(scenario: Scenario, network: Network, times: dict[str, float]) -> dict[str, float]:
    """Logit shares of every iterated flow with the measured times (a route without one keeps its input)."""
    known = {k: v for k, v in times.items() if np.isfinite(v)}
    response: dict[str, float] = {}
    for name, flow in scenario.flows.items():
        if flow.choice is None or flow.choice.mode != "logit":
            continue
        assert flow.choice.scale_usd_per_unit is not None
        costs = route_costs(scenario, network, name, known)
        shares = logit_shares(np.array([c.generalised_usd for c in costs]), flow.choice.scale_usd_per_unit)
        response |= {c.route: float(s) for c, s in zip(costs, shares, strict=True)}
    return response


def _pick(shares: FloatArray, names: list[str], index: dict[str, int]) -> dict[str, float]:
    return {name: float(shares[index[name]]) for name in names}
