"""Input errors: every problem names its file, line, field path, bad value and what was expected.

The CLI turns an :class:`InputError` into one message per problem and exit code 2, with no traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["InputError", "Problem", "format_path"]


def format_path(path: Sequence[str | int]) -> str:
    """Render a field path such as ``("flows", "soy", "seasonality", 3)`` as ``flows.soy.seasonality[3]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "<document>"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Attributes
    ----------
    file : str
        The file the value came from.
    line : int or None
        1-based line number where known.
    path : tuple
        Field path inside the document.
    value : str
        The offending value, shortened for display.
    expected : str
        What would have been accepted.
    """

    file: str
    line: int | None
    path: tuple[str | int, ...]
    value: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {format_path(self.path)}: got {self.value}; expected {self.expected}"


class InputError(Exception):
    """Bad user input (scenario file, sweep spec, CLI value): one or more :class:`Problem`."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def show_value(value: object, limit: int = 60) -> str:
    """Return a short ``repr`` of a bad value for error messages (a mapping by its field names)."""
    if isinstance(value, dict):
        return "a mapping with fields " + ", ".join(str(key) for key in value)
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
