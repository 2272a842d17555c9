"""Mutants of real input files for the fuzz tests: Hypothesis strategies that break scenario and sweep files.

A mutant starts from a library file's data and applies a few random edits: a value replaced by one of another
type or an extreme one (NaN, ±infinity, huge, tiny, negative, long or odd unicode text, dates at the edges of
the calendar, paths), a key deleted or renamed; then it is written as YAML or JSON and may be damaged as text:
a YAML tag, an anchor with an alias bomb, a duplicate key, a control character, a byte that is not UTF-8.

``FUZZ_EXAMPLES`` (environment) sets how many examples each fuzz test draws: a few hundred in ``make test``,
thousands in ``make fuzz``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # capsys: read (and so emptied) after every command
    ],
)

BOMB = "\n".join(
    ['bomb0: &b0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    + [f"bomb{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]" for i in range(1, 9)]
)
"""9 levels of 9 aliases (9⁹ values once expanded)."""

NUMBERS = (
    st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            0,
            0.0,
            -1,
            -0.5,
            1e-300,
            5e-324,
            1e-7,
            1e300,
            1e18,
            2**63,
            10**30,
            -(10**30),
            1,
            2,
            0.5,
            3.0,
            1e6,
        ]
    )
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(2**70), max_value=2**70)
)
TEXT = (
    st.text(max_size=20)
    | st.sampled_from(
        ["", " ", "x" * 5000, "Ünïcødé ☃ 中文", "../" * 50 + "etc/passwd", "a\u202eb", "NO", "~"]
    )
    | st.sampled_from(["/dev/null", "/", ".", "scenarios", "a" * 4000 + ".yaml", "nowhere.yaml", "../seeds"])
)
DATES = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str) | st.sampled_from(
    [
        "1899-12-31",
        "1900-01-01",
        "2200-12-31",
        "2201-01-01",
        "2024-02-30",
        "9999-12-31T23:59:59",
        "0001-01-01",
    ]
)
LEAVES = NUMBERS | TEXT | DATES | st.booleans() | st.none()
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every field and item path of ``data`` (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found.append((*prefix, key))
        found.extend(paths(value, (*prefix, key)))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def mutated_data(draw: st.DrawFn, original: dict[str, Any]) -> dict[str, Any]:
    """``original`` (deep-copied) with one to three structural edits."""
    data = json.loads(json.dumps(original, default=str))
    for _ in range(draw(st.integers(1, 3))):
        candidates = paths(data)
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent, last = _parent(data, path), path[-1]
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "rename", "wrap"]))
        if action == "replace":
            parent[last] = draw(VALUES)
        elif action == "delete":
            del parent[last]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = parent.pop(last)
        elif action == "wrap":
            parent[last] = [parent[last]] if draw(st.booleans()) else {"value": parent[last]}
    return data


def dump(data: dict[str, Any], kind: str) -> str:
    """Write ``data`` as YAML (block style) or JSON (with NaN/Infinity tokens, as Python writes them)."""
    if kind == "json":
        return json.dumps(data, default=str)
    import io

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 10_000
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


@st.composite
def damaged_text(draw: st.DrawFn, text: str, kind: str) -> bytes:
    """``text`` with zero or one damage that data cannot express: in its bytes, or in its YAML or JSON."""
    damage = draw(
        st.sampled_from(
            ["none", "none", "tag", "bomb", "anchor", "duplicate", "control", "byte", "truncate", "nesting"]
        )
    )
    if damage in ("control", "byte", "truncate"):
        raw = text.encode()
        where = draw(st.integers(0, len(raw)))
        if damage == "truncate":
            return raw[:where]
        if damage == "byte":
            return raw[:where] + draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\x80"])) + raw[where:]
        inserted = draw(st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\ufeff"])).encode()
        return raw[:where] + inserted + raw[where:]
    if kind == "json":
        if damage == "duplicate":
            return text.replace("{", '{"schema": 1, ', 1).encode()
        if damage == "nesting":
            depth = draw(st.sampled_from([30, 40, 2000]))
            return text.replace("{", '{"deep": ' + "[" * depth + "]" * depth + ", ", 1).encode()
        return text.encode()
    lines = text.splitlines()
    return ("\n".join(draw(_damaged_yaml_lines(lines, damage))) + "\n").encode()


@st.composite
def _damaged_yaml_lines(draw: st.DrawFn, lines: list[str], damage: str) -> list[str]:
    lines = list(lines)
    at = draw(st.integers(0, max(len(lines) - 1, 0)))
    if damage == "tag":
        tag = draw(
            st.sampled_from(["!!python/object:os.system", "!!python/name:sys.exit", "!!str", "!x", "!!set"])
        )
        key, colon, value = lines[at].partition(": ") if lines else ("", "", "")
        lines[at : at + 1] = (
            [f"{key}: {tag} {value}"] if colon else ["tagged: " + tag + " value", *lines[at : at + 1]]
        )
    elif damage == "bomb":
        lines = [*BOMB.splitlines(), *lines]
    elif damage == "anchor" and lines and ": " in lines[0] and not lines[0].startswith(" "):
        key, _, value = lines[0].partition(": ")
        lines = [f"{key}: &first {value}", *lines[1:], "again: *first"]
    elif damage == "duplicate":
        top = [line for line in lines if line and not line.startswith((" ", "-"))]
        if top:
            lines.append(draw(st.sampled_from(top)))
    elif damage == "nesting":
        depth = draw(st.sampled_from([30, 40, 2000]))
        lines.append("deep: " + "[" * depth + "]" * depth)
    return lines


def absolute_references(data: dict[str, Any], directory: Path, keys: tuple[str, ...]) -> dict[str, Any]:
    """``data`` with the relative file references under ``keys`` (extends, seeds, base) made absolute."""
    fixed = dict(data)
    for key in keys:
        if isinstance(fixed.get(key), str):
            fixed[key] = str((directory / fixed[key]).resolve())
    return fixed
