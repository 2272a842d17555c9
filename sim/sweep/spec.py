"""The sweep file: a base scenario, the parameters to vary (by field path), a design and the replications.

A sweep file is read like a scenario file (YAML 1.2, TOML or JSON, with line numbers) and validated by a
strict pydantic model; every problem is reported at once, naming file, line, field, bad value and what was
expected. Example::

    base: ../scenarios/demo_two_ports.yaml     # relative to this file
    design: lhs                                # grid | lhs | sobol
    points: 16                                 # lhs and sobol only
    replications: 4                            # per point (default: the scenario's)
    block_size: 2                              # replications per task
    seed: 2024                                 # root seed (default: the scenario's)

Parameters
----------
      flows.soy_png_tao.annual_volume: {low: 4.0e6, high: 1.2e7}
      nodes.BRPNG.berths.dry_bulk.count: [1, 2, 3]
      nodes.BRPNG.berths.dry_bulk.rate: {low: 1000, high: 3000, scale: log}

Values are a list of levels, or a range: ``low``/``high`` with ``step`` or ``num`` for a grid,
``low``/``high`` alone for sampled designs; ``scale: log`` spaces or samples geometrically; ``integer: true``
rounds to whole numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from sim.engines import ENGINES
from sim.errors import InputError, Problem, show_value
from sim.scenario.documents import Document, FieldPath, read_document
from sim.scenario.layers import parse_field_path

__all__ = ["Parameter", "Range", "Scalar", "Sweep", "SweepSpec", "load_sweep"]

Scalar = bool | int | float | str
Design = Literal["grid", "lhs", "sobol"]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-.]*$", max_length=80)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Range(_Strict):
    """A numeric range of a parameter (same units as the scenario field it sets)."""

    low: int | float
    high: int | float
    step: Annotated[int | float, Field(gt=0)] | None = None
    """Grid spacing (grid designs only)."""
    num: Annotated[int, Field(ge=2)] | None = None
    """Number of grid levels from low to high inclusive (grid designs only)."""
    scale: Literal["linear", "log"] = "linear"
    integer: bool = False
    """Round values to integers (for counts such as berths)."""


class SweepSpec(_Strict):
    """The fields of a sweep file (see the module docstring)."""

    name: Name | None = None
    description: str | None = None
    base: str
    design: Design = "grid"
    points: Annotated[int, Field(ge=1)] | None = None
    replications: Annotated[int, Field(ge=1)] | None = None
    block_size: Annotated[int, Field(ge=1)] = 1
    seed: Annotated[int, Field(ge=0)] | None = None
    engine: str = "reference"
    common_random_numbers: bool = True
    """Every point uses the root seed (variants share random numbers); false gives each point its own seed."""
    parameters: Annotated[dict[str, Any], Field(min_length=1)]


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


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file: its spec, where it lives, its base scenario and its parameters."""

    spec: SweepSpec
    path: Path
    base: Path
    parameters: tuple[Parameter, ...]

    @property
    def name(self) -> str:
        """The sweep's name (the file's stem unless set)."""
        return self.spec.name or self.path.stem


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file.

    The parameter paths are checked against the scenario later, when the points are built
    (:func:`sim.sweep.plan.plan_sweep`).

    Raises
    ------
    InputError
        With one :class:`~sim.errors.Problem` per thing wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), None, (), "no such file", "an existing sweep file")])
    document = read_document(path)
    try:
        spec = SweepSpec.model_validate(document.data)
    except ValidationError as error:
        raise InputError(_problems(document, error.errors())) from None
    problems = _check_spec(document, spec)
    parameters = []
    for name, raw in spec.parameters.items():
        parameter = _parameter(document, spec.design, name, raw, problems)
        if parameter is not None:
            parameters.append(parameter)
    if problems:
        raise InputError(problems)
    return Sweep(spec, document.path, document.path.parent / spec.base, tuple(parameters))


def _where(document: Document, path: FieldPath, value: str, expected: str) -> Problem:
    for length in range(len(path), 0, -1):
        if path[:length] in document.lines:
            return Problem(str(document.path), document.lines[path[:length]], path, value, expected)
    return Problem(str(document.path), None, path, value, expected)


_TAGS = frozenset({"bool", "int", "float", "str", "Range"})


def _problems(document: Document, errors: list[ErrorDetails], prefix: FieldPath = ()) -> list[Problem]:
    """One problem per field: the alternatives of a union (``int | float``) become one expectation."""
    merged: dict[FieldPath, list[Problem]] = {}
    for error in errors:
        problem = _problem(document, error, prefix)
        merged.setdefault(problem.path, []).append(problem)
    problems = []
    for group in merged.values():
        expected = " or ".join(dict.fromkeys(p.expected for p in group))
        first = group[0]
        problems.append(Problem(first.file, first.line, first.path, first.value, expected))
    return problems


def _problem(document: Document, error: ErrorDetails, prefix: FieldPath) -> Problem:
    loc = tuple(p for p in error["loc"] if isinstance(p, int) or not (p in _TAGS or "[" in p))
    path = (*prefix, *loc)
    if error["type"] == "missing":
        return _where(document, path, "nothing", f"a value for the required field {path[-1]!r}")
    if error["type"] == "extra_forbidden":
        model = Range if prefix else SweepSpec
        return _where(
            document,
            path,
            f"an unknown field {path[-1]!r}",
            f"one of the fields: {', '.join(model.model_fields)}",
        )
    message = error["msg"].removeprefix("Value error, ").removeprefix("Input should be ")
    return _where(document, path, show_value(error.get("input")), message[:1].lower() + message[1:])


def _check_spec(document: Document, spec: SweepSpec) -> list[Problem]:
    problems = []
    if spec.engine not in ENGINES:
        problems.append(_where(document, ("engine",), repr(spec.engine), f"one of {', '.join(ENGINES)}"))
    if not (document.path.parent / spec.base).is_file():
        problems.append(
            _where(
                document,
                ("base",),
                repr(spec.base),
                "an existing scenario file (the path is relative to the sweep file)",
            )
        )
    if spec.design == "grid" and spec.points is not None:
        problems.append(
            _where(
                document,
                ("points",),
                str(spec.points),
                "no 'points' for a grid design (a grid has one point per combination of levels)",
            )
        )
    if spec.design != "grid" and spec.points is None:
        problems.append(
            _where(
                document,
                ("design",),
                repr(spec.design),
                f"a 'points' field giving how many points the {spec.design} design draws",
            )
        )
    if spec.design == "sobol" and spec.points is not None and spec.points & (spec.points - 1):
        problems.append(
            _where(
                document,
                ("points",),
                str(spec.points),
                "a power of 2 for a Sobol design (e.g. 16, 32, 64), which keeps its balance",
            )
        )
    names = list(spec.parameters)
    for name in names:
        clash = [other for other in names if other != name and other.startswith((f"{name}.", f"{name}["))]
        if clash:
            problems.append(
                _where(
                    document,
                    ("parameters", name),
                    repr(name),
                    f"a field path that no other parameter lies inside (clashes with {clash[0]!r})",
                )
            )
    return problems


def _parameter(
    document: Document, design: Design, name: str, raw: object, problems: list[Problem]
) -> Parameter | None:
    where = ("parameters", name)
    try:
        path = parse_field_path(name)
    except ValueError:
        problems.append(_where(document, where, repr(name), "a field path such as flows.soy.annual_volume"))
        return None
    line = document.lines.get(where)
    if isinstance(raw, list):
        return _levels(document, name, path, raw, line, problems)
    if isinstance(raw, dict):
        try:
            bounds = Range.model_validate(raw)
        except ValidationError as error:
            problems.extend(_problems(document, error.errors(), where))
            return None
        return _range(document, design, name, path, bounds, line, problems)
    problems.append(
        _where(document, where, show_value(raw), "a list of values, or a range such as {low: 1.0, high: 2.0}")
    )
    return None


_LEVELS = TypeAdapter(list[Scalar], config=ConfigDict(strict=True))


def _levels(
    document: Document, name: str, path: FieldPath, raw: list[Any], line: int | None, problems: list[Problem]
) -> Parameter | None:
    where = ("parameters", name)
    try:
        values = tuple(_LEVELS.validate_python(raw))
    except ValidationError as error:
        problems.extend(_problems(document, error.errors(), where))
        return None
    kinds = {_kind(v) for v in values}
    if (
        not values
        or len(set(values)) < len(values)
        or len(kinds - {"int"} if "float" in kinds else kinds) > 1
    ):
        problems.append(
            _where(
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
        problems.append(_where(document, (*where, "high"), str(bounds.high), f"more than low ({bounds.low})"))
    if bounds.scale == "log" and bounds.low <= 0:
        problems.append(_where(document, (*where, "low"), str(bounds.low), "a positive low for scale: log"))
    if bounds.integer and not (isinstance(bounds.low, int) and isinstance(bounds.high, int)):
        problems.append(
            _where(
                document,
                where,
                f"low {bounds.low}, high {bounds.high}",
                "whole-number low and high for integer: true",
            )
        )
    spacing = [f for f in ("step", "num") if getattr(bounds, f) is not None]
    if design == "grid" and len(spacing) != 1:
        problems.append(
            _where(
                document,
                where,
                "a range with " + (" and ".join(spacing) or "neither step nor num"),
                "exactly one of step (spacing) or num (number of levels) for a grid design",
            )
        )
    if design != "grid" and spacing:
        problems.append(
            _where(
                document,
                (*where, spacing[0]),
                str(getattr(bounds, spacing[0])),
                f"no {spacing[0]} for a {design} design (it samples between low and high)",
            )
        )
    if bounds.step is not None and bounds.scale == "log":
        problems.append(
            _where(document, (*where, "step"), str(bounds.step), "num rather than step with scale: log")
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
        problems.append(_where(document, where, show_value(list(levels)), "distinct levels once rounded"))
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
