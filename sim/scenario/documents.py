"""Read one input document (YAML 1.2, TOML or JSON) into plain Python data, remembering line numbers.

The result is a :class:`Document`: the data as dicts, lists and scalars, and a map from each field path to
the line it was written on, so that later errors can say ``file:line``.

Whatever a file holds, reading it either succeeds or raises :class:`~sim.errors.InputError` naming the file,
the line where known and the reason — never another exception, and never after unbounded work. The limits
(documented in docs/scenario-format.md):

- a file is at most :data:`MAX_FILE_BYTES` long, UTF-8 text without NUL bytes or other control characters
  (tab, line feed and carriage return aside);
- mappings and lists nest at most :data:`MAX_DEPTH` levels deep;
- a YAML document expands to at most :data:`MAX_NODES` values once its aliases (``*anchor``) are expanded —
  counted while parsing, before anything is expanded, so an "alias bomb" is refused in milliseconds;
- no YAML tags (``!!python/object``, ``!!str``, ``!custom``): scenario files are plain data;
- no duplicate keys in a mapping (YAML, TOML and JSON alike).
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
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent

from sim.errors import InputError, Problem, show_value

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "Document",
    "FieldPath",
    "path_problem",
    "read_document",
    "read_text",
]

FieldPath = tuple[str | int, ...]
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}

MAX_FILE_BYTES = 1 << 20
"""Largest input file read (1 MiB; the largest library scenario is a few kB)."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists (a scenario needs 6)."""
MAX_NODES = 200_000
"""Most values (keys, scalars, mappings, lists) a YAML document may expand to, aliases expanded."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        When the file is missing, unreadable, too large, not UTF-8 text, of an unknown type, not well-formed,
        nested too deeply, holds a YAML tag or too many aliases, or is not a mapping.
    """
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise _problem(
            path, None, f"a file named {show_value(path.name)}", "a .yaml, .yml, .toml or .json file"
        )
    text = read_text(path, "an existing file")
    if kind == "yaml":
        document = _read_yaml(path, text)
    elif kind == "toml":
        document = _read_toml(path, text)
    else:
        document = _read_json(path, text)
    if not isinstance(document.data, dict):
        raise _problem(path, 1, f"a {type(document.data).__name__}", "a mapping of fields at the top level")
    if kind != "yaml":
        _check_depth(path, document.data)
    return document


def read_text(path: Path, expected: str) -> str:
    """The text of a small UTF-8 file without control characters, or an :class:`InputError` saying why not.

    Parameters
    ----------
    path : Path
        The file.
    expected : str
        What the file should have been, for the message when it does not exist (``"an existing file"``).
    """
    try:
        if not path.is_file():
            what = "a directory or device, not a file" if path.exists() else "no such file"
            raise _problem(path, None, what, expected)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _problem(
                path, None, f"a file of {size:,} bytes", f"at most {MAX_FILE_BYTES:,} bytes (1 MiB)"
            )
        raw = path.read_bytes()
    except OSError as error:
        raise path_problem(path, error) from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise _problem(path, line, "a binary file (a NUL byte)", "a UTF-8 text file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start : error.start + 1].hex()
        raise _problem(path, line, f"the byte 0x{byte}, which is not UTF-8", "a UTF-8 text file") from None
    control = _CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        raise _problem(
            path, line, f"the control character {control.group()!r}", "text without control characters"
        )
    return text.removeprefix("\ufeff")


def path_problem(path: Path, error: OSError) -> InputError:
    """An :class:`InputError` for a path the system refused (too long, no permission, not a directory)."""
    reason = error.strerror or error.__class__.__name__
    return _problem(path, None, f"a path the system cannot open ({reason})", "a readable file")


def _problem(path: Path, line: int | None, value: str, expected: str) -> InputError:
    return InputError([Problem(_shown(path), line, (), value, expected)])


def _shown(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 200 else text[:120] + "..." + text[-60:]


class _RefusedError(Exception):
    """A YAML document refused while it is composed: its line, what was found and what was expected."""

    def __init__(self, line: int, value: str, expected: str):
        super().__init__(value)
        self.line, self.value, self.expected = line, value, expected


class _GuardedComposer(Composer):
    """ruamel's composer that refuses tags and deep nesting, and counts values with aliases expanded.

    A node's expanded size is known when it is composed; an alias adds the size of the node it names, so
    the count is exact and takes time linear in the text, however many times the aliases would multiply.
    """

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader=loader)
        self.expanded = 0
        self.levels = 0
        self.sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            self._count(self.sizes.get(id(node), 1), line)
            return node
        tag = getattr(event, "ctag", None)
        if tag is not None:
            shown = str(tag).replace("tag:yaml.org,2002:", "!!")
            raise _RefusedError(line, f"the YAML tag {show_value(shown)}", "plain data without tags")
        self.levels += 1
        if self.levels > MAX_DEPTH:
            raise _RefusedError(
                line, f"mappings or lists nested {self.levels} deep", f"at most {MAX_DEPTH} levels"
            )
        before = self.expanded
        node = super().compose_node(parent, index)
        self.levels -= 1
        self._count(1, line)
        self.sizes[id(node)] = self.expanded - before
        return node

    def _count(self, size: int, line: int) -> None:
        self.expanded += size
        if self.expanded > MAX_NODES:
            raise _RefusedError(
                line,
                f"more than {MAX_NODES:,} values once its aliases are expanded",
                f"at most {MAX_NODES:,} (write the values out, or use fewer nested aliases)",
            )


def _read_yaml(path: Path, text: str) -> Document:
    yaml = YAML(typ="rt", pure=True)
    yaml.Composer = _GuardedComposer
    try:
        raw = yaml.load(text)
    except _RefusedError as refused:
        raise _problem(path, refused.line, refused.value, refused.expected) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        raise _problem(path, line, f"YAML syntax error ({error.problem})", "well-formed YAML 1.2") from None
    except (YAMLError, ValueError, TypeError, OverflowError) as error:
        message = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        raise _problem(path, None, f"YAML it cannot read ({message})", "well-formed YAML 1.2") from None
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


def _check_depth(path: Path, data: Any) -> None:
    """Refuse data nested more than :data:`MAX_DEPTH` levels (TOML, JSON; YAML is checked as it is read)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _problem(
                path, None, f"mappings or lists nested {depth} deep", f"at most {MAX_DEPTH} levels"
            )
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def _read_toml(path: Path, text: str) -> Document:
    try:
        return Document(path, tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = int(found.group(1)) if found else None
        raise _problem(path, line, f"TOML syntax error ({error})", "well-formed TOML") from None
    except RecursionError:
        raise _problem(
            path, None, "tables or arrays nested too deeply", f"at most {MAX_DEPTH} levels"
        ) from None


class _DuplicateKeyError(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _read_json(path: Path, text: str) -> Document:
    try:
        return Document(path, json.loads(text, object_pairs_hook=_unique_keys))
    except json.JSONDecodeError as error:
        raise _problem(path, error.lineno, f"JSON syntax error ({error.msg})", "well-formed JSON") from None
    except _DuplicateKeyError as duplicate:
        key = str(duplicate.args[0])
        spots = [m.start() for m in re.finditer(re.escape(json.dumps(key)) + r"\s*:", text)]
        line = text.count("\n", 0, spots[1]) + 1 if len(spots) > 1 else None
        raise _problem(
            path, line, f"the key {show_value(key)} twice in one object", "each key once per object"
        ) from None
    except RecursionError:
        raise _problem(
            path, None, "objects or arrays nested too deeply", f"at most {MAX_DEPTH} levels"
        ) from None
