"""``corridor run``, ``corridor validate`` and ``corridor schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.engines import DEFAULT_ENGINE, ENGINES, check_engine
from sim.errors import InputError, Problem
from sim.results.files import VISITS, claim_output
from sim.scenario.library import resolve_scenario

__all__ = ["register"]


def _check_arguments(
    engine: str, replications: int | None, seed: int | None, visits: str, max_shipments: float | None
) -> None:
    problems = check_engine(engine, "<command line>", ("--engine",))
    if max_shipments is not None and not max_shipments >= 1:
        problems.append(
            Problem("<command line>", None, ("--max-shipments",), str(max_shipments), "at least 1")
        )
    if visits not in VISITS:
        problems.append(Problem("<command line>", None, ("--visits",), visits, " or ".join(VISITS)))
    if replications is not None and replications < 1:
        problems.append(Problem("<command line>", None, ("--replications",), str(replications), "at least 1"))
    if seed is not None and seed < 0:
        problems.append(Problem("<command line>", None, ("--seed",), str(seed), "a non-negative integer"))
    if problems:
        raise InputError(problems)


def run_command(
    scenario: Annotated[
        Path,
        typer.Argument(help="Scenario file (.yaml, .toml, .json) or a library name (corridor scenarios)."),
    ],
    engine: Annotated[
        str, typer.Option(help="Simulation engine: " + ", ".join(ENGINES) + ".")
    ] = DEFAULT_ENGINE,
    replications: Annotated[int | None, typer.Option(help="Replications (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: results/<scenario name>).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    visits: Annotated[
        str,
        typer.Option(
            help="Keep every visit in visits.parquet (all) or only KPIs, shipments and stations (none)."
        ),
    ] = "all",
    max_shipments: Annotated[
        float | None,
        typer.Option(
            help="Refuse the run (exit 2, before drawing) if it would draw more shipments than this over all "
            "replications: a limit for shared machines."
        ),
    ] = None,
    max_memory: Annotated[
        float | None,
        typer.Option(
            help="Memory the run may use (GB) on a shared machine: blocks of replications are sized to fit, "
            "and a run that cannot fit is refused (exit 2, before drawing). Default: what is available."
        ),
    ] = None,
) -> None:
    """Run a scenario, print a summary and write results (Parquet, JSON, resolved scenario).

    Replications are drawn, simulated, reduced and written a block at a time, so memory is bounded by one
    block; a run that cannot fit even one replication at a time is refused before anything is drawn.
    """
    console = Console(quiet=quiet)
    _check_arguments(engine, replications, seed, visits, max_shipments)
    if max_memory is not None and not max_memory > 0:
        raise InputError([Problem("<command line>", None, ("--max-memory",), str(max_memory), "more than 0")])
    from sim.cli.progress import LazyProgress  # the simulation stack loads once the arguments are checked
    from sim.cli.summary import RunSummary, print_run_summary
    from sim.scenario.loader import load_scenario
    from sim.streaming import run_streamed

    loaded = load_scenario(resolve_scenario(scenario))
    target = out if out is not None else Path("results") / loaded.name
    with (
        claim_output(
            target, "run", inputs=[resolve_scenario(scenario)]
        ),  # refused before simulating, not after
        LazyProgress(f"simulating and writing {loaded.name}", console, enabled=not quiet) as progress,
    ):
        result = run_streamed(
            loaded,
            target,
            engine=engine,
            replications=replications,
            seed=seed,
            visits=visits,
            progress=progress,
            max_shipments=max_shipments,
            max_memory_gb=max_memory,
            where="<command line>",
        )
    summary = RunSummary(
        loaded, result.kpis, len(result.replications), engine, result.seed, result.wall_time_s
    )
    print_run_summary(summary, console)
    console.print(f"results written to [bold]{target}[/]")


def validate_command(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenario files; print every problem (exit 2) or one line per valid file."""
    from sim.scenario.loader import load_scenario, scenario_hash

    console = Console()
    problems: list[Problem] = []
    for path in files:
        try:
            loaded = load_scenario(resolve_scenario(path))
        except InputError as error:
            problems.extend(error.problems)
            continue
        console.print(
            f"ok  {path}  ({loaded.name}, {len(loaded.flows)} flows, hash {scenario_hash(loaded)[:12]})"
        )
    if problems:
        raise InputError(problems)


def schema_command(
    out: Annotated[
        Path | None, typer.Option(help="Write the schema to this file instead of printing it.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from sim.scenario.loader import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, sort_keys=True) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add these commands to the ``corridor`` app."""
    app.command("run")(run_command)
    app.command("validate")(validate_command)
    app.command("schema")(schema_command)
