"""Small scenarios built in memory, for stories, properties and queueing checks.

The one-port M/·/c queue lives in the package (:func:`sim.examples.one_port`, shared with the benchmarks).
"""

from __future__ import annotations

from typing import Any

from sim.examples import one_port

__all__ = ["base_data", "one_port"]


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
