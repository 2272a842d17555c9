"""``corridor compare`` and ``corridor bottlenecks``: scenarios run with common random numbers, KPIs paired.

``compare BASE VARIANT…`` compares given scenario files; ``bottlenecks SCENARIO`` is a built-in comparison
sweep that degrades each station in turn (:mod:`sim.experiments.bottlenecks`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from sim.cli.progress import LazyProgress
from sim.engines import DEFAULT_ENGINE, ENGINES, check_engine
from sim.errors import InputError, Problem
from sim.results.files import claim_output
from sim.scenario.library import resolve_scenario

if TYPE_CHECKING:  # pandas, matplotlib, the scenario models and the experiments load when a command runs
    from sim.scenario.model import Scenario

__all__ = ["compare_command", "register"]

WHERE = "<command line>"


def _check(
    replications: int | None,
    seed: int | None,
    precision: float | None,
    cap: int,
    engine: str,
) -> None:
    problems = check_engine(engine, WHERE, ("--engine",))
    if replications is not None and replications < 2:
        problems.append(
            Problem(WHERE, None, ("--replications",), str(replications), "at least 2 (intervals need two)")
        )
    if seed is not None and seed < 0:
        problems.append(Problem(WHERE, None, ("--seed",), str(seed), "a non-negative integer"))
    if precision is not None and not 0 < precision < 1:
        problems.append(
            Problem(
                WHERE, None, ("--precision",), str(precision), "a relative half-width in (0, 1), e.g. 0.05"
            )
        )
    if cap < 2 or (replications is not None and cap < replications):
        problems.append(
            Problem(WHERE, None, ("--max-replications",), str(cap), "at least 2 and at least --replications")
        )
    if problems:
        raise InputError(problems)


def _load_all(base: Path, variants: list[Path]) -> list[Scenario]:
    """Load every scenario, gathering all problems of all files before failing."""
    from sim.scenario.loader import load_scenario

    loaded: list[Scenario] = []
    problems: list[Problem] = []
    for path in [base, *variants]:
        try:
            loaded.append(load_scenario(resolve_scenario(path)))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return loaded


def compare_command(
    base: Annotated[Path, typer.Argument(help="Base scenario file.")],
    variants: Annotated[list[Path], typer.Argument(help="One or more variant scenario files.")],
    replications: Annotated[
        int | None,
        typer.Option(help="Replications per scenario (default: the base's); first block with --precision."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Root seed shared by all scenarios (default: the base's).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: results/compare_<base>).")
    ] = None,
    precision: Annotated[
        float | None,
        typer.Option(
            help="Add replications until throughput and transit differences are within ±P of the base."
        ),
    ] = None,
    max_replications: Annotated[int, typer.Option(help="Cap on replications with --precision.")] = 50,
    engine: Annotated[
        str, typer.Option(help="Simulation engine: " + ", ".join(ENGINES) + ".")
    ] = DEFAULT_ENGINE,
    changed_only: Annotated[
        bool, typer.Option("--changed-only", help="Show only differences whose 95 % interval excludes zero.")
    ] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Show every KPI, also those identical in every replication.")
    ] = False,
    background: Annotated[
        bool,
        typer.Option(
            "--background/--no-background",
            help="Compare the KPIs of background traffic (flows marked background) too, or leave them out.",
        ),
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Compare variants with a base scenario: paired differences per KPI with 95 % intervals.

    By default KPIs identical in every replication (untouched by the change) are hidden; --all shows them.
    """
    console = Console(quiet=quiet)
    _check(replications, seed, precision, max_replications, engine)
    if changed_only and show_all:
        raise InputError([Problem(WHERE, None, ("--changed-only",), "--all", "one of --changed-only, --all")])
    scenarios = _load_all(base, variants)
    from sim.cli.comparison_view import print_comparison, print_footer
    from sim.experiments.compare import run_comparison, write_comparison

    target = out if out is not None else Path("results") / f"compare_{scenarios[0].name}"
    with (
        claim_output(
            target, "comparison", inputs=[resolve_scenario(p) for p in (base, *variants)]
        ),  # refused before simulating
        LazyProgress("simulating", console, total=len(scenarios)) as progress,
    ):
        done = [0]

        def notify(message: str) -> None:
            progress.stage(f"simulating {message}", done=done[0] % len(scenarios))
            done[0] += 1

        result = run_comparison(
            scenarios[0],
            scenarios[1:],
            replications=replications,
            seed=seed,
            engine=engine,
            precision=precision,
            max_replications=max_replications,
            notify=notify,
            background=background,
        )
        progress.stage("writing the comparison", done=len(scenarios))
        write_comparison(result, target)
    print_comparison(result, console, "changed" if changed_only else "all" if show_all else "default")
    print_footer(result, console)
    console.print(f"comparison written to [bold]{target}[/] (report: corridor report {target})")


def bottlenecks_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file.")],
    fraction: Annotated[float, typer.Option(help="Share of capacity each station loses, in (0, 1).")] = 0.25,
    replications: Annotated[
        int | None, typer.Option(help="Replications per run (default: the scenario's).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Root seed shared by every run (default: the scenario's).")
    ] = None,
    engine: Annotated[
        str, typer.Option(help="Simulation engine (vector: the sweep is many runs).")
    ] = "vector",
    legs: Annotated[bool, typer.Option(help="Also slow each leg down by the same fraction.")] = True,
    top: Annotated[int, typer.Option(help="Rows printed.")] = 15,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: results/bottlenecks_<name>).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Rank stations and legs by the throughput lost and delay added when each loses part of its capacity."""
    console = Console(quiet=quiet)
    problems: list[Problem] = []
    if not 0 < fraction < 1:
        problems.append(Problem(WHERE, None, ("--fraction",), str(fraction), "a share in (0, 1), e.g. 0.25"))
    if replications is not None and replications < 2:
        problems.append(Problem(WHERE, None, ("--replications",), str(replications), "at least 2"))
    problems += check_engine(engine, WHERE, ("--engine",))
    if problems:
        raise InputError(problems)
    from sim.cli.comparison_view import print_bottlenecks
    from sim.experiments.bottlenecks import rank_bottlenecks, write_bottlenecks
    from sim.scenario.loader import load_scenario

    loaded = load_scenario(resolve_scenario(scenario))
    target = out if out is not None else Path("results") / f"bottlenecks_{loaded.name}"
    with (
        claim_output(target, "bottlenecks", inputs=[resolve_scenario(scenario)]),  # refused before simulating
        LazyProgress("simulating the base", console) as progress,
    ):
        done = [0]

        def notify(message: str) -> None:
            progress.stage(f"simulating {message}", done=done[0])
            done[0] += 1

        table = rank_bottlenecks(
            loaded,
            fraction,
            replications=replications,
            seed=seed,
            engine=engine,
            notify=notify,
            include_legs=legs,
        )
        progress.stage("writing the ranking")
        write_bottlenecks(
            table,
            loaded,
            target,
            fraction=fraction,
            replications=replications,
            seed=seed,
            engine=engine,
            top=top,
        )
    print_bottlenecks(table, console, top, fraction)
    console.print(f"ranking written to [bold]{target}[/] (bottlenecks.csv, .parquet, .png)")


def register(app: typer.Typer) -> None:
    """Add ``compare`` and ``bottlenecks`` (a built-in comparison sweep) to the ``corridor`` app."""
    app.command("compare")(compare_command)
    app.command("bottlenecks")(bottlenecks_command)
