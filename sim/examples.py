"""Small example scenarios built in memory, with known queueing-theory answers.

The one-port scenario is an M/·/c queue: Poisson arrivals of 1-tonne parcels at one pool of ``c`` berths that
work at ``1 / service_h`` t/h, so a ship's service time is ``service_h`` hours times a draw of the service
variability (mean 1). The statistical tests check it against Erlang C and Pollaczek–Khinchine; the benchmarks
run it as their M/M/4 workload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from sim.demand import MEAN_MONTH_DAYS
from sim.scenario import Scenario, scenario_from_data

__all__ = ["one_port"]


def one_port(
    berths: int,
    arrivals_per_day: float,
    service_h: float,
    *,
    service: Mapping[str, object] | None = None,
    days: float = 365.0,
    warmup_days: float = 30.0,
    replications: int = 1,
    seed: int = 1,
    arrivals: Literal["poisson", "regular"] | Mapping[str, object] = "poisson",
    disruptions: Mapping[str, object] | None = None,
) -> Scenario:
    """A single berth pool ``XXPRT/bulk`` fed by one flow ``f``: an M/·/c queue.

    Parameters
    ----------
    berths : int
        Number of berths ``c`` in the pool.
    arrivals_per_day : float
        Mean arrival rate (ships/day); each ship carries a 1-tonne parcel.
    service_h : float
        Mean service time of one ship (h); the berths work at ``1 / service_h`` t/h.
    service : mapping, optional
        The service-time variability distribution (mean 1), e.g. ``{"dist": "exponential", "mean": 1.0}``
        for M/M/c; fixed (M/D/c) when omitted.
    days : float
        Horizon (days).
    warmup_days : float
        Warm-up discarded from the statistics (days).
    replications : int
        Number of replications.
    seed : int
        The scenario's root seed.
    arrivals : {"poisson", "regular"} or mapping
        The arrival process, e.g. ``{"process": "renewal", "cv": 2.0}`` for gamma gaps (GI/·/c).
    disruptions : mapping, optional
        Disruptions by name, as in a scenario file (target ``XXPRT``), e.g. a random breakdown of the pool.

    Returns
    -------
    Scenario
        The validated scenario, named ``one_port``.
    """
    variability = dict(service) if service is not None else {"dist": "fixed", "value": 1.0}
    pool = {"count": berths, "rate": 1.0 / service_h, "rate_unit": "t/h", "variability": variability}
    flow = {
        "commodity": "cargo",
        "origin": "XXPRT",
        "destination": "XXPRT",
        "route": ["XXPRT"],
        "annual_volume": arrivals_per_day * float(MEAN_MONTH_DAYS.sum()),  # a constant rate (no seasonality)
        "volume_unit": "t",
        "parcel": {"dist": "fixed", "value": 1.0},
        "parcel_unit": "t",
        "arrivals": arrivals if isinstance(arrivals, str) else dict(arrivals),
    }
    return scenario_from_data(
        {
            "schema": 1,
            "name": "one_port",
            "start": "2024-01-01",
            "horizon_days": days,
            "warmup_days": warmup_days,
            "replications": replications,
            "seed": seed,
            "commodities": {"cargo": {"kind": "bulk", "cargo_class": "bulk"}},
            "nodes": {"XXPRT": {"name": "Port", "kind": "port", "berths": {"bulk": pool}}},
            "flows": {"f": flow},
            "disruptions": dict(disruptions or {}),
        }
    )
