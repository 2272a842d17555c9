"""Read one scenario document (YAML 1.2, TOML or JSON) into plain Python data, remembering line numbers.

The result is a :class:`Document`: the data as dicts, lists and scalars, and a map from each field path to
the line it was written on, so that later errors can say ``file:line``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from sim.errors import InputError, Problem

__all__ = ["Document", "FieldPath", "read_document"]

FieldPath = tuple[str | int, ...]
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}


@dataclass
class Document:
    """A parsed input file.

    Attributes
    ----------
    path : Path
        Where it was read from.
    data : dict
        The content as plain Python data.
    lines : dict
        1-based line of each field path that the file sets (YAML only; empty for TOML and JSON).
    """

    path: Path
    data: dict[str, Any]
    lines: dict[FieldPath, int] = field(default_factory=dict)


def read_document(path: Path) -> Document:
    """Parse ``path`` by its suffix (.yaml/.yml, .toml, .json).

    Raises
    ------
    InputError
        When the file is missing, unreadable, of an unknown type, not well-formed, or not a mapping.
    """
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise _problem(path, None, f"a file named {path.name!r}", "a .yaml, .yml, .toml or .json file")
    if not path.is_file():
        raise _problem(path, None, "no such file", "an existing file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _problem(
            path, None, f"an unreadable file ({error.__class__.__name__}: {error})", "a readable UTF-8 file"
        ) from None
    if kind == "yaml":
        document = _read_yaml(path, text)
    elif kind == "toml":
        document = _read_toml(path, text)
    else:
        document = _read_json(path, text)
    if not isinstance(document.data, dict):
        raise _problem(path, 1, f"a {type(document.data).__name__}", "a mapping of fields at the top level")
    return document


def _problem(path: Path, line: int | None, value: str, expected: str) -> InputError:
    return InputError([Problem(str(path), line, (), value, expected)])


def _read_yaml(path: Path, text: str) -> Document:
    try:
        raw = YAML(typ="rt", pure=True).load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        raise _problem(path, line, f"YAML syntax error ({error.problem})", "well-formed YAML 1.2") from None
    lines: dict[FieldPath, int] = {}
    data = _plain(raw, (), lines)
    return Document(path, data if raw is not None else {}, lines)


def _plain(node: Any, path: FieldPath, lines: dict[FieldPath, int]) -> Any:
    """Convert ruamel's round-trip nodes to plain data, recording the line of every key and item."""
    if isinstance(node, CommentedMap):
        result = {}
        for key, value in node.items():
            child = (*path, str(key))
            lines[child] = _key_line(node, key)
            result[str(key)] = _plain(value, child, lines)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*path, index)
            lines[child] = node.lc.item(index)[0] + 1
            items.append(_plain(value, child, lines))
        return items
    if isinstance(node, bool) or node is None or isinstance(node, str):
        return node if not isinstance(node, str) else str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, dt.datetime):
        return dt.datetime(*node.timetuple()[:6])
    return node


def _key_line(node: CommentedMap, key: Any) -> int:
    """1-based line of a mapping key; keys merged in with ``<<: *anchor`` report the mapping's own line."""
    try:
        return int(node.lc.key(key)[0]) + 1
    except KeyError:
        return int(node.lc.line) + 1


def _read_toml(path: Path, text: str) -> Document:
    try:
        return Document(path, tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = int(found.group(1)) if found else None
        raise _problem(path, line, f"TOML syntax error ({error})", "well-formed TOML") from None


def _read_json(path: Path, text: str) -> Document:
    try:
        return Document(path, json.loads(text))
    except json.JSONDecodeError as error:
        raise _problem(path, error.lineno, f"JSON syntax error ({error.msg})", "well-formed JSON") from None
