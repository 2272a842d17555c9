"""``corridor show RUN`` and ``corridor export DIR``: a finished run's summary again, its tables as CSV.

``show`` prints the same tables as ``corridor run`` from the run directory's files (:mod:`sim.cli.summary`).
``export`` writes CSV copies of every Parquet table under DIR (a run, a comparison with its ``runs/``, a
bottleneck ranking) and of every ``kpis.json`` (as ``kpis.csv``: one row per KPI with mean, std, interval),
into ``DIR/csv/`` keeping the folder layout; the originals are left as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from sim.errors import InputError, Problem

if TYPE_CHECKING:  # pandas loads when a table is read
    import pandas as pd

__all__ = ["export_tables", "register"]

WHERE = "<command line>"
FORMATS = ("csv",)


def show_command(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", help="A run directory written by corridor run.")],
    top: Annotated[int, typer.Option(help="Stations listed.")] = 8,
) -> None:
    """Print a finished run's summary from its files (the tables corridor run printed)."""
    from sim.cli.summary import print_run_summary, summary_of_directory

    try:
        summary = summary_of_directory(run_dir)
    except FileNotFoundError as missing:
        raise InputError(
            [Problem(str(run_dir), None, ("RUN",), f"{missing} missing", "a directory of corridor run")]
        ) from None
    print_run_summary(summary, Console(), top)


def _kpi_frame(path: Path) -> pd.DataFrame:
    import pandas as pd

    kpis = json.loads(path.read_text(encoding="utf-8"))
    rows = [{"table": table, **row} for table, records in kpis.get("tables", {}).items() for row in records]
    first = ["table", "key", "period", "metric", "mean", "std", "ci_low", "ci_high", "n"]
    frame = pd.DataFrame(rows)
    return frame[[c for c in first if c in frame.columns] + [c for c in frame.columns if c not in first]]


def export_tables(directory: Path, out: Path) -> list[Path]:
    """Write a CSV of every Parquet table and ``kpis.json`` under ``directory`` into ``out``; return them."""
    import pandas as pd

    written: list[Path] = []
    sources = sorted(
        p
        for p in directory.rglob("*")
        if (p.suffix == ".parquet" or p.name == "kpis.json") and out not in p.parents
    )
    for source in sources:
        target = out / source.relative_to(directory).with_suffix(".csv")
        target.parent.mkdir(parents=True, exist_ok=True)
        frame = _kpi_frame(source) if source.suffix == ".json" else pd.read_parquet(source)
        frame.to_csv(target, index=False)
        written.append(target)
    return written


def export_command(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="A run, comparison or bottleneck directory.")
    ],
    output_format: Annotated[str, typer.Option("--format", help="Output format: csv.")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Where the files go (default: DIR/csv).")] = None,
) -> None:
    """Export a result directory's tables (Parquet) and KPIs (kpis.json) as CSV files."""
    problems = []
    if output_format not in FORMATS:
        problems.append(Problem(WHERE, None, ("--format",), output_format, "one of: " + ", ".join(FORMATS)))
    if not directory.is_dir():
        problems.append(Problem(WHERE, None, ("DIR",), str(directory), "an existing result directory"))
    if problems:
        raise InputError(problems)
    target = out if out is not None else directory / "csv"
    written = export_tables(directory, target)
    if not written:
        raise InputError(
            [Problem(WHERE, None, ("DIR",), str(directory), "a directory with .parquet tables or kpis.json")]
        )
    Console().print(f"{len(written)} CSV files written to [bold]{target}[/]")


def register(app: typer.Typer) -> None:
    """Add ``show`` and ``export`` to the ``corridor`` app."""
    app.command("show")(show_command)
    app.command("export")(export_command)
