"""Swept parameters: a field path and its values — a list of levels, or a range — as a sweep file gives them.

A range is expanded to grid levels (``step`` or ``num``, linear or geometric) or kept as bounds that a sampled
design maps its unit-cube coordinates onto (:meth:`Parameter.at`). Each parameter has one column type
(``int``, ``float``, ``str`` or ``bool``) so that every task file of a sweep has the same schema.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from sim.errors import Problem, show_value
from sim.scenario.documents import Document, FieldPath
from sim.scenario.layers import parse_field_path
from sim.scenario.limits import MAX_NUMBER
from sim.scenario.located import locate, located_problems

__all__ = ["MAX_LEVELS", "Design", "Parameter", "Range", "Scalar", "parse_parameter"]

MAX_LEVELS = 10_000
"""Most levels one parameter of a grid may have (a list, or a range's ``step`` or ``num``)."""

Scalar = bool | int | float | str
Design = Literal["grid", "lhs", "sobol"]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)


class Range(_Strict):
    """A numeric range of a parameter (same units as the scenario field it sets)."""

    low: Annotated[int | float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER)]
    high: Annotated[int | float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER)]
    step: Annotated[int | float, Field(gt=0, le=MAX_NUMBER)] | None = None
    """Grid spacing (grid designs only)."""
    num: Annotated[int, Field(ge=2, le=MAX_LEVELS)] | None = None
    """Number of grid levels from low to high inclusive (grid designs only)."""
    scale: Literal["linear", "log"] = "linear"
    integer: bool = False
    """Round values to integers (for counts such as berths)."""


@dataclass(frozen=True)
class Parameter:
    """One swept field.

    Attributes
    ----------
    name : str
        The field path as written (``flows.soy.annual_volume``); also the column name in results.
    path : tuple
        The parsed field path.
    levels : tuple or None
        Discrete values (a list, or a grid range expanded); None for a continuous range.
    low, high : float or None
        Bounds of a continuous range (sampled designs).
    scale : str
        ``linear`` or ``log``.
    kind : str
        Column type: ``int``, ``float``, ``str`` or ``bool``.
    line : int or None
        Line of the parameter in the sweep file.
    """

    name: str
    path: FieldPath
    levels: tuple[Scalar, ...] | None
    low: float | None
    high: float | None
    scale: str
    kind: str
    line: int | None

    def at(self, u: float) -> Scalar:
        """The value at quantile ``u`` in [0, 1) of this parameter's range (sampled designs)."""
        if self.levels is not None:
            return self.levels[min(int(u * len(self.levels)), len(self.levels) - 1)]
        assert self.low is not None
        assert self.high is not None
        if self.kind == "int":
            top = self.high + 1
            value = (
                self.low * (top / self.low) ** u if self.scale == "log" else self.low + u * (top - self.low)
            )
            return int(min(math.floor(value), self.high))
        if self.scale == "log":
            return _tidy(self.low * (self.high / self.low) ** u)
        return _tidy(self.low + u * (self.high - self.low))


def parse_parameter(
    document: Document, design: Design, name: str, raw: object, problems: list[Problem]
) -> Parameter | None:
    """The parameter ``name: raw`` of a sweep file, or None after adding what is wrong to ``problems``."""
    where = ("parameters", name)
    try:
        path = parse_field_path(name)
    except ValueError:
        problems.append(locate(document, where, repr(name), "a field path such as flows.soy.annual_volume"))
        return None
    line = document.lines.get(where)
    if isinstance(raw, list):
        return _levels(document, name, path, raw, line, problems)
    if isinstance(raw, dict):
        try:
            bounds = Range.model_validate(raw)
        except ValidationError as error:
            problems.extend(located_problems(document, error.errors(), Range, where))
            return None
        return _range(document, design, name, path, bounds, line, problems)
    problems.append(
        locate(document, where, show_value(raw), "a list of values, or a range such as {low: 1.0, high: 2.0}")
    )
    return None


_LEVELS = TypeAdapter(
    Annotated[list[Scalar], Field(max_length=MAX_LEVELS)], config=ConfigDict(strict=True, allow_inf_nan=False)
)


def _levels(
    document: Document, name: str, path: FieldPath, raw: list[Any], line: int | None, problems: list[Problem]
) -> Parameter | None:
    where = ("parameters", name)
    try:
        values = tuple(_LEVELS.validate_python(raw))
    except ValidationError as error:
        problems.extend(located_problems(document, error.errors(), Range, where))
        return None
    kinds = {_kind(v) for v in values}
    if (
        not values
        or len(set(values)) < len(values)
        or len(kinds - {"int"} if "float" in kinds else kinds) > 1
    ):
        problems.append(
            locate(
                document,
                where,
                show_value(raw),
                "a non-empty list of distinct values of one type (numbers, text or booleans)",
            )
        )
        return None
    kind = "float" if "float" in kinds else kinds.pop()
    levels = tuple(float(v) for v in values) if kind == "float" else values
    return Parameter(name, path, levels, None, None, "linear", kind, line)


def _kind(value: Scalar) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str"}[type(value)]


def _range(
    document: Document,
    design: Design,
    name: str,
    path: FieldPath,
    bounds: Range,
    line: int | None,
    problems: list[Problem],
) -> Parameter | None:
    where = ("parameters", name)
    before = len(problems)
    if bounds.high <= bounds.low:
        problems.append(locate(document, (*where, "high"), str(bounds.high), f"more than low ({bounds.low})"))
    if bounds.scale == "log" and bounds.low <= 0:
        problems.append(locate(document, (*where, "low"), str(bounds.low), "a positive low for scale: log"))
    if bounds.integer and not (isinstance(bounds.low, int) and isinstance(bounds.high, int)):
        problems.append(
            locate(
                document,
                where,
                f"low {bounds.low}, high {bounds.high}",
                "whole-number low and high for integer: true",
            )
        )
    spacing = [f for f in ("step", "num") if getattr(bounds, f) is not None]
    if design == "grid" and len(spacing) != 1:
        problems.append(
            locate(
                document,
                where,
                "a range with " + (" and ".join(spacing) or "neither step nor num"),
                "exactly one of step (spacing) or num (number of levels) for a grid design",
            )
        )
    if design != "grid" and spacing:
        problems.append(
            locate(
                document,
                (*where, spacing[0]),
                str(getattr(bounds, spacing[0])),
                f"no {spacing[0]} for a {design} design (it samples between low and high)",
            )
        )
    if bounds.step is not None and bounds.scale == "log":
        problems.append(
            locate(document, (*where, "step"), str(bounds.step), "num rather than step with scale: log")
        )
    if bounds.step is not None and (bounds.high - bounds.low) / bounds.step >= MAX_LEVELS:
        problems.append(
            locate(
                document,
                (*where, "step"),
                str(bounds.step),
                f"a step that gives at most {MAX_LEVELS:,} levels from low to high",
            )
        )
    if len(problems) > before:
        return None
    whole_steps = bounds.step is not None and all(
        isinstance(v, int) for v in (bounds.low, bounds.high, bounds.step)
    )
    kind = "int" if bounds.integer or (design == "grid" and whole_steps) else "float"
    if design != "grid":
        return Parameter(name, path, None, float(bounds.low), float(bounds.high), bounds.scale, kind, line)
    levels = _grid_levels(bounds, kind)
    if len(set(levels)) < len(levels):
        problems.append(locate(document, where, show_value(list(levels)), "distinct levels once rounded"))
        return None
    return Parameter(name, path, levels, None, None, bounds.scale, kind, line)


def _grid_levels(bounds: Range, kind: str) -> tuple[Scalar, ...]:
    low, high = float(bounds.low), float(bounds.high)
    if bounds.step is not None:
        count = math.floor((high - low) / bounds.step * (1 + 1e-12)) + 1
        values = [low + i * bounds.step for i in range(count)]
    else:
        assert bounds.num is not None
        if bounds.scale == "log":
            values = [low * (high / low) ** (i / (bounds.num - 1)) for i in range(bounds.num)]
        else:
            values = [low + (high - low) * i / (bounds.num - 1) for i in range(bounds.num)]
    if kind == "int":
        return tuple(round(v) for v in values)
    return tuple(_tidy(v) for v in values)


def _tidy(value: float) -> float:
    """Round away binary noise (0.30000000000000004 → 0.3): 12 significant digits."""
    return float(f"{value:.12g}")
