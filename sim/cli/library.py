"""``corridor scenarios`` and ``corridor init``: the scenario library that ships with corridor-sim.

``scenarios`` lists the library (:mod:`sim.scenario.library`) with the question each file asks; a listed name
runs from any directory (``corridor run baseline_2024``). ``init DIR`` copies the library's ``scenarios/`` and
``seeds/`` into DIR for editing; it refuses a DIR that holds anything (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.errors import InputError, Problem
from sim.scenario.library import copy_library, library_dir, library_entries

__all__ = ["register"]

WHERE = "<command line>"


def scenarios_command() -> None:
    """List the scenario library with the question each file answers."""
    from sim.cli.units import narrow_table  # rich's tables load when one is printed

    console = Console()
    root = library_dir()
    entries = library_entries(root)
    if root is None or not entries:
        raise InputError([Problem(WHERE, None, ("scenarios",), "none", "an installed scenario library")])
    table = narrow_table(f"Scenario library ({root / 'scenarios'}); run one with `corridor run NAME`")
    table.add_column("name", no_wrap=True)
    table.add_column("question", overflow="fold")
    for entry in entries:
        table.add_row(entry.name, entry.question)
    console.print(table)


def init_command(
    directory: Annotated[Path, typer.Argument(help="New (or empty) directory to copy the library into.")],
) -> None:
    """Copy the scenario library (scenarios/ and seeds/) into DIRECTORY for editing."""
    try:
        written = copy_library(directory)
    except FileExistsError:
        raise InputError(
            [Problem(WHERE, None, ("DIRECTORY",), str(directory), "a new or empty directory")]
        ) from None
    except FileNotFoundError:
        raise InputError([Problem(WHERE, None, ("init",), "none", "an installed scenario library")]) from None
    Console().print(
        f"copied {len(written)} files into [bold]{directory}[/] (scenarios/, seeds/); try "
        f"`corridor run {directory / 'scenarios' / 'baseline_2024.yaml'}`"
    )


def register(app: typer.Typer) -> None:
    """Add ``scenarios`` and ``init`` to the ``corridor`` app."""
    app.command("scenarios")(scenarios_command)
    app.command("init")(init_command)
