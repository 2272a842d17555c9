"""The sweep file: a base scenario, the parameters to vary (by field path), a design and the replications.

A sweep file is read like a scenario file (YAML 1.2, TOML or JSON, with line numbers) and validated by a
strict pydantic model; every problem is reported at once, naming file, line, field, bad value and what was
expected. Example::

    base: ../scenarios/demo_two_ports.yaml     # relative to this file
    design: lhs                                # grid | lhs | sobol
    points: 16                                 # lhs and sobol only
    replications: 4                            # per point (default: the scenario's)
    block_size: 2                              # replications per task (default: by the expected shipments)
    points_per_task: 8                         # points simulated together in one engine run (default 1)
    seed: 2024                                 # root seed (default: the scenario's)
    engine: vector                             # reference | vector (default: as corridor run)
    visits: none                               # all: also keep every visit, one file per task

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

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.engines import check_engine
from sim.errors import InputError, Problem
from sim.experiments.sweep.parameters import Design, Parameter, Range, Scalar, parse_parameter
from sim.runner import DEFAULT_ENGINE
from sim.scenario.documents import Document, read_document
from sim.scenario.limits import MAX_REPLICATIONS, MAX_SEED
from sim.scenario.located import locate, located_problems

__all__ = ["MAX_POINTS", "Parameter", "Range", "Scalar", "Sweep", "SweepSpec", "load_sweep"]

MAX_POINTS = 100_000
"""Most points any design may have (a grid's levels multiplied, or ``points``), even with --allow-large."""

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-.]*$", max_length=80)]


class SweepSpec(BaseModel):
    """The fields of a sweep file (see the module docstring)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

    name: Name | None = None
    description: str | None = None
    base: str
    design: Design = "grid"
    points: Annotated[int, Field(ge=1, le=MAX_POINTS)] | None = None
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] | None = None
    block_size: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] | None = None
    """Replications per task (default: the planner's, :func:`sim.experiments.sweep.plan.block_size`)."""
    points_per_task: Annotated[int, Field(ge=1, le=MAX_POINTS)] = 1
    """Points whose tasks of one block run together, stacked into one engine run (results unchanged)."""
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | None = None
    engine: str = DEFAULT_ENGINE
    """The simulation engine of every task (default: the one ``corridor run`` uses)."""
    visits: Literal["all", "none"] = "none"
    """``all`` writes each task's visits (``visits/point=…/block=….parquet``); ``none``, KPIs only."""
    common_random_numbers: bool = True
    """Every point uses the root seed (variants share random numbers); false gives each point its own seed."""
    parameters: Annotated[dict[str, Any], Field(min_length=1)]


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
    (:func:`sim.experiments.sweep.plan.plan_sweep`).

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
        raise InputError(located_problems(document, error.errors(), SweepSpec)) from None
    problems = _check_spec(document, spec)
    parameters = []
    for name, raw in spec.parameters.items():
        parameter = parse_parameter(document, spec.design, name, raw, problems)
        if parameter is not None:
            parameters.append(parameter)
    if problems:
        raise InputError(problems)
    return Sweep(spec, document.path, document.path.parent / spec.base, tuple(parameters))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long, a NUL character
        return False


def _check_spec(document: Document, spec: SweepSpec) -> list[Problem]:
    problems = check_engine(spec.engine, str(document.path), ("engine",), document.lines.get(("engine",)))
    if not _is_file(document.path.parent / spec.base):
        problems.append(
            locate(
                document,
                ("base",),
                repr(spec.base),
                "an existing scenario file (the path is relative to the sweep file)",
            )
        )
    if spec.design == "grid" and spec.points is not None:
        problems.append(
            locate(
                document,
                ("points",),
                str(spec.points),
                "no 'points' for a grid design (a grid has one point per combination of levels)",
            )
        )
    if spec.design != "grid" and spec.points is None:
        problems.append(
            locate(
                document,
                ("design",),
                repr(spec.design),
                f"a 'points' field giving how many points the {spec.design} design draws",
            )
        )
    if spec.design == "sobol" and spec.points is not None and spec.points & (spec.points - 1):
        problems.append(
            locate(
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
                locate(
                    document,
                    ("parameters", name),
                    repr(name),
                    f"a field path that no other parameter lies inside (clashes with {clash[0]!r})",
                )
            )
    return problems
