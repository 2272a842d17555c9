"""``corridor run``, ``corridor validate`` and ``corridor schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from sim.collector import started
from sim.engines import DEFAULT_ENGINE, ENGINES, check_engine
from sim.errors import InputError, Problem
from sim.results.files import VISITS, claim_output
from sim.scenario.library import resolve_scenario

if TYPE_CHECKING:
    from sim.scenario.model import Scenario

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
    equilibrium: Annotated[
        bool,
        typer.Option(
            "--equilibrium",
            help="Put the logit route choices in equilibrium with the simulated times (method of "
            "successive averages) and write the run at the final shares, with equilibrium.json.",
        ),
    ] = False,
    tolerance: Annotated[
        float,
        typer.Option(
            help="--equilibrium: stop when the logit response moves no route share by more than this (0-1)."
        ),
    ] = 0.01,
    max_iterations: Annotated[int, typer.Option(help="--equilibrium: simulations at most.")] = 40,
) -> None:
    """Run a scenario, print a summary and write results (Parquet, JSON, resolved scenario).

    Replications are drawn, simulated, reduced and written a block at a time, so memory is bounded by one
    block; a run that cannot fit even one replication at a time is refused before anything is drawn.
    """
    console = Console(quiet=quiet)
    _check_arguments(engine, replications, seed, visits, max_shipments)
    if max_memory is not None and not max_memory > 0:
        raise InputError([Problem("<command line>", None, ("--max-memory",), str(max_memory), "more than 0")])
    _check_equilibrium(tolerance, max_iterations)
    from sim.cli.progress import LazyProgress  # the simulation stack loads once the arguments are checked
    from sim.scenario.loader import load_scenario
    from sim.streaming import run_streamed

    loaded = load_scenario(resolve_scenario(scenario))
    started()  # the libraries and the scenario are loaded: out of the collector's way (sim.collector)
    target = out if out is not None else Path("results") / loaded.name
    if equilibrium:
        _needs_logit(loaded, scenario)
    with (
        claim_output(
            target, "run", inputs=[resolve_scenario(scenario)]
        ),  # refused before simulating, not after
        LazyProgress(f"simulating and writing {loaded.name}", console, enabled=not quiet) as progress,
    ):
        if equilibrium:  # several runs held in memory, as the method of successive averages needs
            from sim.cli.summary import summary_of_result
            from sim.experiments.equilibrium import solve_equilibrium
            from sim.runner import write_run

            solved = solve_equilibrium(
                loaded,
                engine,
                replications,
                seed,
                tolerance,
                max_iterations,
                lambda step: progress.stage(f"equilibrium: iteration {step.number}, gap {step.gap:.3f}"),
            )
            progress.stage("writing results")
            write_run(solved.result, target, visits=visits, extra_json={"equilibrium.json": solved.record()})
            summary = summary_of_result(solved.result)
        else:
            streamed = run_streamed(
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
    if quiet:  # the summary's tables cost ~0.1-0.3 s to lay out, even for a console that prints nothing
        return
    from sim.cli.summary import RunSummary, print_run_summary  # rich's tables: only to print them

    if equilibrium:
        from sim.cli.choice_summary import print_equilibrium

        print_equilibrium(solved, console)
    else:
        summary = RunSummary(
            loaded, streamed.kpis, len(streamed.replications), engine, streamed.seed, streamed.wall_time_s
        )
    print_run_summary(summary, console)
    console.print(f"results written to [bold]{target}[/]")


def _check_equilibrium(tolerance: float, max_iterations: int) -> None:
    problems = []
    if not 0 < tolerance < 1:
        problems.append(
            Problem("<command line>", None, ("--tolerance",), str(tolerance), "a share in (0, 1)")
        )
    if max_iterations < 1:
        problems.append(
            Problem("<command line>", None, ("--max-iterations",), str(max_iterations), "at least 1")
        )
    if problems:
        raise InputError(problems)


def _needs_logit(loaded: Scenario, given: Path) -> None:
    if not any(f.choice is not None and f.choice.mode == "logit" for f in loaded.flows.values()):
        raise InputError(
            [
                Problem(
                    str(given),
                    None,
                    ("flows",),
                    "(no flow with choice: mode logit)",
                    "a scenario with a logit route choice for --equilibrium",
                )
            ]
        )


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
