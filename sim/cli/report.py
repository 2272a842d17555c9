"""``corridor report DIR``: a self-contained HTML report (and PNG figures) of a run or a comparison."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.cli.progress import LazyProgress
from sim.errors import InputError, Problem

__all__ = ["register", "report_command"]


def report_command(
    directory: Annotated[
        Path, typer.Argument(help="A run directory (corridor run) or comparison (corridor compare).")
    ],
    background: Annotated[
        bool,
        typer.Option(
            "--background/--no-background",
            help="Show background traffic (flows marked background), or leave it out of tables and figures.",
        ),
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Write DIR/report.html (figures embedded, no external resources) and DIR/figures/*.png."""
    from sim.analysis.report.build import build_report  # matplotlib: only when a report is drawn
    from sim.analysis.tables.run_data import RunDirError

    console = Console(quiet=quiet)
    try:
        with LazyProgress("drawing figures and writing the report", console):
            target = build_report(directory, background=background)
    except RunDirError as error:
        raise InputError(
            [
                Problem(
                    str(directory),
                    None,
                    ("DIR",),
                    str(error),
                    "a directory written by corridor run or compare",
                )
            ]
        ) from error
    console.print(f"report written to [bold]{target}[/] (figures in {target.parent / 'figures'})")


def register(app: typer.Typer) -> None:
    """Add ``report`` to the ``corridor`` app."""
    app.command("report")(report_command)
