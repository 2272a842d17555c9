"""Scenario files: schema, loading with ``extends:`` and ``seeds:``, validation, hashing.

The names below load on first use (the scenario models take ~0.1-0.3 s to build), so a module that needs
only :mod:`sim.scenario.library` — ``corridor --help`` — does not build them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario.loader import (
        dump_scenario,
        load_scenario,
        scenario_from_data,
        scenario_hash,
        scenario_json_schema,
    )
    from sim.scenario.model import Scenario

__all__ = [
    "Scenario",
    "dump_scenario",
    "load_scenario",
    "scenario_from_data",
    "scenario_hash",
    "scenario_json_schema",
]

_LAZY = {
    "Scenario": "sim.scenario.model",
    "dump_scenario": "sim.scenario.loader",
    "load_scenario": "sim.scenario.loader",
    "scenario_from_data": "sim.scenario.loader",
    "scenario_hash": "sim.scenario.loader",
    "scenario_json_schema": "sim.scenario.loader",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim.scenario' has no attribute {name!r}")
