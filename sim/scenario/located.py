"""Problems located in input files: file, line, field path, bad value and what was expected.

The one home of how an input problem finds its place and how a pydantic validation error becomes a
:class:`~sim.errors.Problem`:

* :func:`locate` puts a problem on the line of the nearest enclosing field one document sets (a sweep file,
  see :func:`sim.scenario.documents.read_document`); :func:`locate_layered` does the same across the files a
  scenario is layered from (``extends``, ``seeds``, overrides — :mod:`sim.scenario.layers`).
* :func:`describe` words one pydantic error as the value found and the value expected; :func:`allowed_fields`
  lists the fields a mapping accepts, for an unknown field.
* :func:`located_problems` turns the errors of validating one document into problems, one per field (the
  scenario loader, which also knows its model's own tags and patterns, builds on the pieces above).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Container, Sequence
from functools import partial
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from sim.errors import Problem, show_value
from sim.scenario.documents import Document, FieldPath
from sim.scenario.seeds import Located

__all__ = ["allowed_fields", "describe", "locate", "locate_layered", "located_problems"]

_TAGS = frozenset({"bool", "int", "float", "str", "Range"})
"""Union and model tags pydantic adds to error locations; they are not fields of the document."""


def _nearest(path: FieldPath, known: Container[FieldPath]) -> FieldPath | None:
    """The longest prefix of ``path`` (the field itself, else an enclosing one) found in ``known``."""
    for length in range(len(path), 0, -1):
        if path[:length] in known:
            return path[:length]
    return None


def locate(document: Document, path: FieldPath, value: str, expected: str) -> Problem:
    """A problem at ``path``, on the line of the nearest enclosing field the document sets."""
    found = _nearest(path, document.lines)
    line = None if found is None else document.lines[found]
    return Problem(str(document.path), line, path, value, expected)


def locate_layered(located: Located, origin: str, path: FieldPath, value: str, expected: str) -> Problem:
    """A problem at ``path`` of layered data, in the file and on the line of the nearest enclosing field set.

    Parameters
    ----------
    located : dict
        File and line (None where unknown) of each field path the layers set.
    origin : str
        The file named when no enclosing field is located (the top file, or ``"<data>"``).
    path : tuple
        Field path of the problem.
    value, expected : str
        The bad value, shown, and what would have been accepted.
    """
    found = _nearest(path, located)
    file, line = (origin, None) if found is None else located[found]
    return Problem(file, line, path, value, expected)


def describe(error: ErrorDetails, path: FieldPath, fields: Callable[[], Sequence[str]]) -> tuple[str, str]:
    """The value found and the value expected, worded for one pydantic error at ``path``.

    Parameters
    ----------
    error : ErrorDetails
        One item of ``ValidationError.errors()``.
    path : tuple
        The error's field path in the document (pydantic's tags removed).
    fields : callable
        Returns the fields the enclosing mapping accepts; called for an unknown field only.

    Returns
    -------
    tuple of str
        ``(value, expected)`` for a :class:`~sim.errors.Problem`.
    """
    if error["type"] == "missing":
        return "nothing", f"a value for the required field {path[-1]!r}"
    if error["type"] == "extra_forbidden":
        known = fields()
        expected = f"one of the fields: {', '.join(known)}" if known else "no such field"
        return f"an unknown field {path[-1]!r}", expected
    message = error["msg"].removeprefix("Value error, ")
    expected = message.removeprefix("Input should be ").removeprefix("input should be ")
    return show_value(error.get("input")), expected[:1].lower() + expected[1:]


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
        loc = _document_loc(error)
        path = (*prefix, *loc)
        value, expected = describe(error, path, partial(allowed_fields, model, loc[:-1]))
        problem = locate(document, path, value, expected)
        merged.setdefault(problem.path, []).append(problem)
    problems = []
    for group in merged.values():
        expected = " or ".join(dict.fromkeys(p.expected for p in group))
        first = group[0]
        problems.append(Problem(first.file, first.line, first.path, first.value, expected))
    return problems


def _document_loc(error: ErrorDetails) -> FieldPath:
    """The error's location in the document: pydantic's tags removed, but never the key a user wrote.

    The last item of an unknown or missing field's location is a key of the document, whatever it looks
    like (a key ``[`` is not a tag such as ``list[int]``).
    """
    raw = error["loc"]
    keyed = error["type"] in ("extra_forbidden", "missing") and len(raw) > 0
    body = raw[:-1] if keyed else raw
    loc = tuple(p for p in body if isinstance(p, int) or not (p in _TAGS or "[" in p))
    return (*loc, raw[-1]) if keyed else loc


def allowed_fields(model: type[BaseModel], path: FieldPath) -> list[str]:
    """The field names (aliases where set) a mapping at ``path`` inside ``model`` accepts, by its types.

    Empty when ``path`` leads to no model (a scalar, an unknown field, an ambiguous union).
    """
    annotation: Any = model
    for part in path:
        annotation = _step_type(annotation, part)
        if annotation is None:
            return []
    found = _as_model(annotation)
    if found is None:
        return []
    return [info.alias or name for name, info in found.model_fields.items()]


def _step_type(annotation: Any, part: str | int) -> Any:
    model = _as_model(annotation)
    if model is not None:
        for name, info in model.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _step_type(args[0], part)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        return _step_type(non_none[0], part) if len(non_none) == 1 else None
    if origin is dict:
        return args[1]
    if origin is list:
        return args[0]
    return None


def _as_model(annotation: Any) -> type[BaseModel] | None:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        non_none = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = non_none[0] if len(non_none) == 1 else None
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
