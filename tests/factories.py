"""Small scenarios built in memory, for stories, properties and queueing checks."""

from __future__ import annotations

from typing import Any

from sim.scenario import Scenario, scenario_from_data


def one_port(
    berths: int,
    arrivals_per_day: float,
    service_h: float,
    service: dict[str, Any] | None = None,
    days: float = 365.0,
    warmup_days: float = 30.0,
    replications: int = 1,
    seed: int = 1,
    arrivals: str = "poisson",
) -> Scenario:
    """A single berth pool fed by one flow: an M/·/c queue (parcel 1 t, rate 1/service_h t/h).

    ``service`` is the variability distribution of the service time (mean 1), e.g. ``{"dist": "exponential",
    "mean": 1.0}`` for M/M/c; fixed by default (M/D/c).
    """
    variability = service if service is not None else {"dist": "fixed", "value": 1.0}
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
            "nodes": {
                "XXPRT": {
                    "name": "Port",
                    "kind": "port",
                    "berths": {
                        "bulk": {
                            "count": berths,
                            "rate": 1.0 / service_h,
                            "rate_unit": "t/h",
                            "variability": variability,
                        }
                    },
                }
            },
            "flows": {
                "f": {
                    "commodity": "cargo",
                    "origin": "XXPRT",
                    "destination": "XXPRT",
                    "route": ["XXPRT"],
                    "annual_volume": arrivals_per_day * 365.0,
                    "volume_unit": "t",
                    "parcel": {"dist": "fixed", "value": 1.0},
                    "parcel_unit": "t",
                    "arrivals": arrivals,
                }
            },
        }
    )


def base_data(days: float = 30.0, seed: int = 3) -> dict[str, Any]:
    """A skeleton scenario dict with one bulk and one container commodity and no nodes yet."""
    return {
        "schema": 1,
        "name": "story",
        "start": "2024-01-01",
        "horizon_days": days,
        "replications": 1,
        "seed": seed,
        "commodities": {
            "bulk": {"kind": "bulk", "cargo_class": "bulk"},
            "box": {"kind": "container", "cargo_class": "box", "tonnes_per_teu": 10.0},
        },
        "nodes": {},
        "flows": {},
    }
