"""Layering of scenario documents: ``seeds:`` tables at the bottom, then ``extends:`` bases, then the file.

Mappings merge key by key (except a distribution of another ``dist``, which replaces the old one), lists and
scalars are replaced, and ``null`` deletes a key. Every field keeps the
file and line of the layer that last set it, so errors point at the right file. Overrides (used by sweeps)
are applied last, by dotted field path.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.errors import InputError, Problem, show_value
from sim.scenario.documents import FieldPath, read_document
from sim.scenario.seeds import Located, read_seeds

__all__ = ["MAX_EXTENDS", "Layered", "apply_overrides", "layer_files", "parse_field_path"]

Layered = tuple[dict[str, Any], Located]

MAX_EXTENDS = 8
"""Longest ``extends:`` chain: a file and at most this many bases under it."""


def layer_files(path: Path, _chain: tuple[Path, ...] = ()) -> Layered:
    """Read ``path`` with everything it ``extends`` and the ``seeds`` it names, merged into one document."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as error:
        problem = Problem(str(path), None, (), f"a path that cannot be resolved ({error})", "a file")
        raise InputError([problem]) from None
    if resolved in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, resolved))
        raise InputError([Problem(str(path), None, ("extends",), cycle, "extends chains without a cycle")])
    document = read_document(path)
    data = dict(document.data)
    located: Located = {key: (str(path), line) for key, line in document.lines.items()}
    for key in data:
        located.setdefault((key,), (str(path), None))
    base_data: dict[str, Any] = {}
    base_located: Located = {}
    base = data.pop("extends", None)
    if base is not None:
        if not isinstance(base, str):
            raise InputError([_here(located, path, ("extends",), base, "the path of a base scenario file")])
        if len(_chain) >= MAX_EXTENDS:
            raise InputError(
                [_here(located, path, ("extends",), base, f"extends chains of at most {MAX_EXTENDS} bases")]
            )
        base_path = path.parent / base
        if not _usable(base_path, "file"):
            raise InputError(
                [_here(located, path, ("extends",), base, "an existing file (relative to this one)")]
            )
        base_data, base_located = layer_files(base_path, (*_chain, resolved))
    seeds = data.pop("seeds", None)
    if seeds is not None:
        if not isinstance(seeds, str) or not _usable(path.parent / seeds, "directory"):
            raise InputError(
                [_here(located, path, ("seeds",), seeds, "a seeds/ directory (relative to this file)")]
            )
        seed_data, seed_located = read_seeds(path.parent / seeds)
        base_data, base_located = merge((seed_data, seed_located), (base_data, base_located))
    return merge((base_data, base_located), (data, located))


def _usable(path: Path, kind: str) -> bool:
    """True when ``path`` is an existing file or directory; False too when the system refuses the path."""
    try:
        return path.is_file() if kind == "file" else path.is_dir()
    except (OSError, ValueError):  # too long a name, a NUL character
        return False


def merge(base: Layered, top: Layered) -> Layered:
    """Layer ``top`` over ``base``: mappings merge, other values replace, ``None`` deletes."""
    data = copy.deepcopy(base[0])
    located = dict(base[1])
    _merge_into(data, top[0], (), located, top[1])
    return data, located


def _merge_into(
    target: dict[str, Any], top: dict[str, Any], path: FieldPath, located: Located, top_located: Located
) -> None:
    for key, value in top.items():
        child = (*path, key)
        if value is None:
            for old in _paths(target.pop(key, None), child):
                located.pop(old, None)
        elif (
            isinstance(value, dict)
            and isinstance(target.get(key), dict)
            and not _other_kind(target[key], value)
        ):
            if child in top_located:
                located[child] = top_located[child]
            _merge_into(target[key], value, child, located, top_located)
        else:
            if key in target:
                for old in _paths(target[key], child):
                    located.pop(old, None)
            target[key] = copy.deepcopy(value)
            for new in _paths(value, child):
                if new in top_located:
                    located[new] = top_located[new]


def _other_kind(base: dict[str, Any], top: dict[str, Any]) -> bool:
    """True when ``top`` is a distribution of another kind than ``base`` (it replaces it, not merges)."""
    return "dist" in top and top["dist"] != base.get("dist")


def _paths(value: Any, prefix: FieldPath) -> Iterator[FieldPath]:
    """``prefix`` and the path of every field and item inside ``value`` (time linear in its size)."""
    stack = [(value, prefix)]
    while stack:
        node, path = stack.pop()
        yield path
        if isinstance(node, dict):
            stack.extend((child, (*path, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(node))


def _forget(located: Located, prefix: FieldPath) -> None:
    for key in [p for p in located if p[: len(prefix)] == prefix]:
        del located[key]


def _here(located: Located, path: Path, field: FieldPath, value: object, expected: str) -> Problem:
    _, line = located.get(field, (str(path), None))
    return Problem(str(path), line, field, show_value(value), expected)


def parse_field_path(text: str) -> FieldPath:
    """Parse ``flows.soy.seasonality[3]`` into ``("flows", "soy", "seasonality", 3)``."""
    parts: list[str | int] = []
    for piece in text.split("."):
        name, *indices = piece.split("[")
        if not name and not parts:
            raise ValueError(f"bad field path {text!r}")
        if name:
            parts.append(name)
        for index in indices:
            if not index.endswith("]") or not index[:-1].isdigit():
                raise ValueError(f"bad index in field path {text!r}")
            parts.append(int(index[:-1]))
    return tuple(parts)


def apply_overrides(layered: Layered, overrides: dict[str, Any], origin: str) -> Layered:
    """Set fields by dotted path (``flows.soy.annual_volume``), creating intermediate mappings.

    Raises
    ------
    InputError
        When a path is malformed or walks through something that is not a mapping or list.
    """
    data = copy.deepcopy(layered[0])
    located = dict(layered[1])
    problems = []
    for text, value in overrides.items():
        try:
            path = parse_field_path(text)
            _set(data, path, copy.deepcopy(value))
            _forget(located, path)
            located[path] = (origin, None)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            problems.append(
                Problem(origin, None, (text,), show_value(value), f"a settable field path ({error})")
            )
    if problems:
        raise InputError(problems)
    return data, located


def _set(data: Any, path: FieldPath, value: Any) -> None:
    node = data
    for part in path[:-1]:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.setdefault(part, {})
        elif isinstance(node, list) and isinstance(part, int):
            node = node[part]
        else:
            raise TypeError(f"cannot step into {type(node).__name__} with {part!r}")
    last = path[-1]
    keyed = isinstance(node, dict) and isinstance(last, str)
    if not keyed and not (isinstance(node, list) and isinstance(last, int)):
        raise TypeError(f"cannot set {last!r} on {type(node).__name__}")
    node[last] = value
