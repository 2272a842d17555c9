"""Scenario files: schema, loading with ``extends:`` and ``seeds:``, validation, hashing."""

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
