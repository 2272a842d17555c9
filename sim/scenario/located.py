"""Problems located in an input document: file, line, field path, bad value and what was expected.

Turns pydantic validation errors into :class:`~sim.errors.Problem` objects that carry the line each field was
written on (see :func:`sim.scenario.documents.read_document`).
"""

from __future__ import annotations

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from sim.errors import Problem, show_value
from sim.scenario.documents import Document, FieldPath

__all__ = ["locate", "located_problems"]

_TAGS = frozenset({"bool", "int", "float", "str", "Range"})
"""Union and model tags pydantic adds to error locations; they are not fields of the document."""


def locate(document: Document, path: FieldPath, value: str, expected: str) -> Problem:
    """A problem at ``path``, on the line of the nearest enclosing field the document sets."""
    for length in range(len(path), 0, -1):
        if path[:length] in document.lines:
            return Problem(str(document.path), document.lines[path[:length]], path, value, expected)
    return Problem(str(document.path), None, path, value, expected)


def located_problems(
    document: Document, errors: list[ErrorDetails], model: type[BaseModel], prefix: FieldPath = ()
) -> list[Problem]:
    """One problem per field: the alternatives of a union (``int | float``) become one expectation.

    Parameters
    ----------
    document : Document
        The document validated.
    errors : list
        ``ValidationError.errors()``.
    model : type
        The model validated (to list its fields when one is unknown).
    prefix : tuple
        Where in the document the validated data sits.
    """
    merged: dict[FieldPath, list[Problem]] = {}
    for error in errors:
        problem = _problem(document, error, model, prefix)
        merged.setdefault(problem.path, []).append(problem)
    problems = []
    for group in merged.values():
        expected = " or ".join(dict.fromkeys(p.expected for p in group))
        first = group[0]
        problems.append(Problem(first.file, first.line, first.path, first.value, expected))
    return problems


def _problem(document: Document, error: ErrorDetails, model: type[BaseModel], prefix: FieldPath) -> Problem:
    loc = tuple(p for p in error["loc"] if isinstance(p, int) or not (p in _TAGS or "[" in p))
    path = (*prefix, *loc)
    if error["type"] == "missing":
        return locate(document, path, "nothing", f"a value for the required field {path[-1]!r}")
    if error["type"] == "extra_forbidden":
        fields = ", ".join(model.model_fields)
        return locate(document, path, f"an unknown field {path[-1]!r}", f"one of the fields: {fields}")
    message = error["msg"].removeprefix("Value error, ").removeprefix("Input should be ")
    return locate(document, path, show_value(error.get("input")), message[:1].lower() + message[1:])
