"""Load a scenario file into a validated, frozen :class:`~sim.scenario.model.Scenario`.

``load_scenario`` reads the file with its ``extends`` chain and ``seeds``, applies overrides, validates the
fields (pydantic, strict, no unknown keys) and then the cross-references (routes, targets, units). Every
problem found is reported at once, each with file, line where known, field path, bad value and expectation
(:mod:`sim.scenario.located` finds the place and words pydantic's errors).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from functools import cache, partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from sim.errors import InputError, Problem, show_value
from sim.scenario.checks import check_scenario
from sim.scenario.documents import FieldPath
from sim.scenario.layers import Layered, apply_overrides, layer_files
from sim.scenario.located import allowed_fields, describe, locate_layered
from sim.scenario.model import Scenario
from sim.scenario.seeds import Located

__all__ = ["dump_scenario", "load_scenario", "scenario_from_data", "scenario_hash", "scenario_json_schema"]


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read, layer and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A .yaml/.yml, .toml or .json scenario file.
    overrides : dict, optional
        Field values to set after layering, by dotted path (``"flows.soy.annual_volume": 2.0e6``).

    Raises
    ------
    InputError
        With one :class:`~sim.errors.Problem` per thing wrong.
    """
    path = Path(path)
    layered = layer_files(path)
    if overrides:
        layered = apply_overrides(layered, overrides, origin="overrides")
    return validate_layered(layered, str(path))


def scenario_from_data(data: dict[str, Any], origin: str = "<data>") -> Scenario:
    """Validate scenario data already in memory (a dict shaped like a scenario file)."""
    return validate_layered((data, {}), origin)


def validate_layered(layered: Layered, origin: str) -> Scenario:
    """Validate layered data; raise :class:`InputError` naming where each problem was written."""
    data, located = layered
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise InputError(_field_problem(e, data, located, origin) for e in error.errors()) from None
    problems = [
        locate_layered(located, origin, problem.path, problem.value, problem.expected)
        for problem in check_scenario(scenario)
    ]
    if problems:
        raise InputError(problems)
    return scenario


def _field_problem(error: ErrorDetails, data: dict[str, Any], located: Located, origin: str) -> Problem:
    path = _data_path(error["loc"], data)
    if error["type"] in ("too_short", "too_long"):
        context = error.get("ctx", {})
        bound = "at least" if error["type"] == "too_short" else "at most"
        size = context.get("min_length" if error["type"] == "too_short" else "max_length")
        return locate_layered(located, origin, path, show_value(error.get("input")), f"{bound} {size} items")
    if error["type"] == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        expected = PATTERNS.get(pattern, f"text matching {pattern}")
        return locate_layered(located, origin, path, show_value(error.get("input")), expected)
    value, expected = describe(error, path, partial(allowed_fields, Scenario, path[:-1]))
    return locate_layered(located, origin, path, value, expected)


PATTERNS = {
    r"^[A-Z]{2}[A-Z0-9]{3}$": "a UN/LOCODE-shaped node id: 2 capitals then 3 capitals or digits (e.g. CNTAO)",
    r"^[A-Za-z0-9][A-Za-z0-9_\-]*$": "an id of letters, digits, '_' and '-' (no spaces or dots)",
}


def _data_path(loc: tuple[int | str, ...], data: Any) -> FieldPath:
    """Drop the tags pydantic adds for discriminated unions and strictness, keeping the document's path."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        if in_dict or (isinstance(node, list) and isinstance(part, int) and part < len(node)):
            node = node[part]
            path.append(part)
        elif isinstance(part, str) and (_is_union_tag(part) or not part.isidentifier()):
            continue  # a type tag such as 'uniform' or 'function-after[...]': not part of the document
        else:
            path.append(part)
            node = None
    return tuple(path)


def _is_union_tag(part: str) -> bool:
    return part in {
        "fixed",
        "exponential",
        "uniform",
        "triangular",
        "truncnormal",
        "lognormal",
        "gamma",
        "empirical",
    }


def _canonical(scenario: Scenario) -> dict[str, Any]:
    data: dict[str, Any] = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def scenario_hash(scenario: Scenario) -> str:
    """A stable SHA-256 of the resolved scenario content (independent of file layout and key order)."""
    text = json.dumps(_canonical(scenario), sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario as YAML that loads back to an equal scenario.

    Emitted by PyYAML with libyaml's C emitter where the PyYAML wheel has it (``baseline_2024``: 0.06 s, the
    pure-Python emitters 0.3–0.75 s — a third of a short run's fixed cost), else by PyYAML's pure-Python
    emitter, which writes the same text.
    """
    import yaml  # here: only runs write a scenario

    data = scenario.model_dump(mode="python", by_alias=True, exclude_none=True)
    return yaml.dump(
        _plain_dates(data), Dumper=_dumper(), default_flow_style=False, sort_keys=False, allow_unicode=True
    )


@cache
def _dumper() -> type[Any]:
    """PyYAML's safe dumper (libyaml's C emitter if present), quoting every string YAML 1.2 reads otherwise.

    PyYAML writes YAML 1.1 and quotes the strings a 1.1 reader would take for something else (``yes``,
    ``NO``, ``1_000``); scenario files are read as YAML 1.2 (:mod:`sim.scenario.documents`), whose numbers
    also include ``1e3`` and ``0o17``: those are taught to the dumper's resolver so that it quotes them too.
    """
    import yaml

    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
        """The safe dumper, resolving YAML 1.2's numbers as well as 1.1's."""

    for tag, pattern, first in _YAML_12_NUMBERS:
        Dumper.add_implicit_resolver(tag, re.compile(pattern), list(first))
    return Dumper


_YAML_12_NUMBERS = (
    ("tag:yaml.org,2002:float", r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", "-+.0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$", "-+."),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$", "-+0123456789"),
)
"""YAML 1.2 core schema numbers (tag, pattern, first characters) for :func:`_dumper`."""


def _plain_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain_dates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_dates(v) for v in value]
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (for editors)."""
    schema: dict[str, Any] = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("properties", {})["extends"] = {
        "type": "string",
        "description": "A base scenario file.",
    }
    schema["properties"]["seeds"] = {"type": "string", "description": "A seeds/ directory of CSV tables."}
    return schema
