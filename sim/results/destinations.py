"""Where a command may write its result directory — checked before anything is simulated.

Rules (every command that writes a directory: ``corridor run``, ``compare``, ``bottlenecks``, ``sweep``,
``sweep-report``, and the Python API behind them):

- a new path is fine, its missing parents are created;
- an existing path is replaced only when it is a corridor-sim result *of the same kind* — known by its
  provenance file (:func:`result_kind`) — or an empty directory; anything else (a file, a folder of the
  user's, another kind of result) is refused with an :class:`OutputError` (exit 2 on the command line);
- never the current directory or one that contains it, never a directory that contains an input file (a
  sweep, written file by file into its directory and never replaced, is exempt), never a symbolic link (a
  rename would replace the link, not what it points to);
- the nearest existing ancestor must be a writable directory (the scratch directory, the lock file and the
  rename all happen beside the target).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.errors import InputError, Problem

__all__ = ["COMMANDS", "OutputError", "check_destination", "output_error", "result_kind"]

COMMANDS = {
    "run": "corridor run",
    "comparison": "corridor compare",
    "bottlenecks": "corridor bottlenecks",
    "sweep": "corridor sweep",
    "sweep report": "corridor sweep-report",
}
"""Every kind of result directory and the command that writes it."""

WRITTEN_INTO = frozenset({"sweep"})
"""Kinds written file by file into their directory (resumable), never replaced as a whole."""
PROVENANCE = "provenance.json"
SHOWN_ENTRIES = 3


class OutputError(InputError):
    """An output path that would lose files that corridor-sim did not write, or that cannot be written.

    A subclass of :class:`~sim.errors.InputError`, so the command line reports it with exit code 2.
    """


def output_error(target: Path, option: str, value: str, expected: str) -> OutputError:
    """An :class:`OutputError` naming the path, what is wrong with it, and what to do instead."""
    return OutputError([Problem(str(target), None, (option,), value, expected)])


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def result_kind(directory: Path) -> str | None:
    """The kind of corridor-sim result in ``directory`` (a key of :data:`COMMANDS`), or None.

    Known by the provenance file each command writes: ``provenance.json`` (with a ``kind`` entry, or a
    scenario hash and engine for a run), ``comparison.json`` for a comparison, ``manifest.json`` for a sweep.
    """
    stamp = _read_json(directory / PROVENANCE)
    if stamp is not None:
        kind = stamp.get("kind")
        if isinstance(kind, str) and kind in COMMANDS:
            return kind
        if "scenario_hash" in stamp and "engine" in stamp:
            return "run"
    comparison = _read_json(directory / "comparison.json")
    if comparison is not None and "scenario_hashes" in comparison:
        return "comparison"
    manifest = _read_json(directory / "manifest.json")
    if manifest is not None and str(manifest.get("format", "")).startswith("corridor-sim sweep manifest"):
        return "sweep"
    return None


def check_destination(
    target: str | Path, kind: str, inputs: Sequence[str | Path] = (), option: str = "--out"
) -> Path:
    """Check that a ``kind`` result may be written at ``target``; return its absolute path.

    Parameters
    ----------
    target : str or Path
        The output directory asked for.
    kind : str
        What will be written there (a key of :data:`COMMANDS`).
    inputs : sequence of path
        Files the command reads (scenario, sweep file): the output must not contain them.
    option : str
        How the user named the target (``--out`` on the command line, ``out`` in the Python API).

    Raises
    ------
    OutputError
        When writing there could delete what corridor-sim did not write, or cannot succeed.
    """
    path = Path(os.path.abspath(target))
    problem = (
        _shape_problem(path, Path(target))
        or (None if kind in WRITTEN_INTO else _container_problem(path, inputs))
        or _existing_problem(path, kind)
        or _parent_problem(path)
    )
    if problem is not None:
        raise output_error(Path(target), option, *problem)
    return path


def _shape_problem(path: Path, given: Path) -> tuple[str, str] | None:
    if path.parent == path:
        return "the root directory", "a directory to create, such as results/NAME"
    if given.is_symlink():
        return (
            f"a symbolic link to {os.readlink(given)}",
            "the path itself (a result replaces what is at the path, which would be the link)",
        )
    return None


def _container_problem(path: Path, inputs: Sequence[str | Path]) -> tuple[str, str] | None:
    cwd = Path.cwd()
    if path == cwd or path in cwd.parents:
        return (
            "the current directory, or a directory that contains it (it would be replaced as a whole)",
            "a new directory below it, such as results/NAME",
        )
    for each in inputs:
        source = Path(os.path.abspath(each))
        if path in source.parents:
            return (
                f"a directory that holds the input {each} (it would be replaced as a whole)",
                "an output directory apart from the inputs, such as results/NAME",
            )
    return None


def _existing_problem(path: Path, kind: str) -> tuple[str, str] | None:
    if not path.exists():
        return None
    replace = f"a new path, or a directory written by {COMMANDS[kind]} (which is then replaced)"
    if not path.is_dir():
        return "an existing file, not a result directory; it is kept", f"{replace}; or move the file away"
    found = result_kind(path)
    if found == kind:
        return None
    if found is not None:
        return (
            f"a {found} written by {COMMANDS[found]}, not a {kind}; it is kept",
            f"{replace}; delete the {found} yourself if you no longer need it",
        )
    entries = sorted(p.name for p in path.iterdir())
    if not entries:
        return None
    shown = ", ".join(entries[:SHOWN_ENTRIES]) + (
        f" and {len(entries) - SHOWN_ENTRIES} more" if len(entries) > SHOWN_ENTRIES else ""
    )
    found_here = f"it holds {shown}; no {PROVENANCE}"
    return (
        f"an existing directory that is not a corridor-sim result ({found_here}); nothing in it is touched",
        f"{replace}; or move the directory away",
    )


def _parent_problem(path: Path) -> tuple[str, str] | None:
    ancestor = path.parent
    while not ancestor.exists():
        if ancestor.is_symlink():  # a dangling link
            return f"a path below the broken symbolic link {ancestor}", "a path whose parents can be created"
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"a path below {ancestor}, which is a file", "a path whose parents are directories"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return (
            f"a path in {ancestor}, which this user cannot write to",
            "a path in a writable directory",
        )
    return None
