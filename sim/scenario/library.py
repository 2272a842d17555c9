"""The scenario library: the scenario files and seed tables that ship with corridor-sim.

In a checkout the library is the top-level ``scenarios/`` and ``seeds/`` folders. A wheel (``pip install .``)
carries copies of them as package data under ``sim/data/library/{scenarios,seeds}`` (``setup.py`` copies
them at build time), so the relative paths inside the files — ``extends: baseline_2024.yaml`` and
``seeds: ../seeds`` — resolve the same way in both places.

``corridor run baseline_2024`` (a bare name that is not a file in the current directory) resolves to the
library's ``baseline_2024.yaml``; ``corridor scenarios`` lists the library with the question each file asks;
``corridor init DIR`` copies it into DIR for editing.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = [
    "LibraryEntry",
    "copy_library",
    "library_dir",
    "library_entries",
    "question_of",
    "resolve_scenario",
]

SUFFIXES = (".yaml", ".yml", ".toml", ".json")
_FOLDERS = ("scenarios", "seeds")


def library_dir() -> Path | None:
    """The folder holding ``scenarios/`` and ``seeds/``: the installed copy, else the checkout's (or None)."""
    packaged = Path(str(resources.files("sim").joinpath("data", "library")))
    checkout = Path(__file__).resolve().parents[2]
    for root in (packaged, checkout):
        if all((root / folder).is_dir() for folder in _FOLDERS):
            return root
    return None


def resolve_scenario(argument: str | Path) -> Path:
    """A scenario argument as a file: itself when it exists or names a folder, else the library's file.

    ``baseline_2024`` and ``baseline_2024.yaml`` resolve to the library's ``baseline_2024.yaml`` when no such
    file is in the current directory; anything else is returned unchanged (the loader reports a missing file).
    """
    path = Path(argument)
    root = library_dir()
    try:
        exists = path.exists()
    except OSError:  # a name the system refuses (too long): the loader reports it with the reason
        return path
    if exists or len(path.parts) != 1 or root is None:
        return path
    names = [path.name] if path.suffix in SUFFIXES else [path.name + suffix for suffix in SUFFIXES]
    for name in names:
        candidate = root / "scenarios" / name
        try:
            if candidate.is_file():
                return candidate
        except OSError:
            return path
    return path


def question_of(path: Path) -> str:
    """The ``# Question:`` paragraph of a scenario file's opening comment (empty if there is none)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    collected: list[str] = []
    for line in lines:
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if collected and not text:
            break
        if collected or text.startswith("Question"):
            collected.append(re.sub(r"^Question[^:]*:\s*", "", text) if not collected else text)
    return " ".join(collected)


def _first_comment(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if text:
            return text
    return ""


@dataclass(frozen=True)
class LibraryEntry:
    """One scenario file of the library.

    Attributes
    ----------
    name : str
        File name without its suffix (what ``corridor run NAME`` accepts).
    path : Path
        The file.
    question : str
        The question it answers (its ``# Question:`` paragraph, else its first comment line).
    """

    name: str
    path: Path
    question: str


def library_entries(root: Path | None = None) -> list[LibraryEntry]:
    """Every scenario file of the library (``root``, default :func:`library_dir`), sorted by name."""
    root = library_dir() if root is None else root
    if root is None:
        return []
    files = sorted(p for p in (root / "scenarios").iterdir() if p.suffix in SUFFIXES and p.is_file())
    files = [p for p in files if not p.name.endswith(".schema.json")]
    return [LibraryEntry(p.stem, p, question_of(p) or _first_comment(p)) for p in files]


def copy_library(target: Path, root: Path | None = None) -> list[Path]:
    """Copy the library's ``scenarios/`` and ``seeds/`` into ``target`` (which must be empty or absent).

    Returns the files written. Raises :class:`FileExistsError` when ``target`` holds anything, and
    :class:`FileNotFoundError` when there is no library to copy.
    """
    source = library_dir() if root is None else root
    if source is None:
        raise FileNotFoundError("no scenario library found in this installation")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(str(target))
    written: list[Path] = []
    for folder in _FOLDERS:
        destination = target / folder
        destination.mkdir(parents=True, exist_ok=True)
        for file in sorted((source / folder).iterdir()):
            if file.is_file() and not file.name.startswith("."):
                written.append(Path(shutil.copy2(file, destination / file.name)))
    return written
