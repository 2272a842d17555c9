"""``corridor sweep`` and ``corridor sweep-report``: parameter sweeps on a process pool or a Dask cluster."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from sim.cli.signals import EXIT_TERMINATED, terminated
from sim.errors import InputError, Problem

if TYPE_CHECKING:  # the sweep machinery (pandas, dask) loads when a sweep runs, not for --help
    from sim.analysis.report.sweep import SweepReport
    from sim.experiments.sweep.driver import SweepOutcome
    from sim.experiments.sweep.executors import ExecutorKind
    from sim.experiments.sweep.plan import SweepSize

__all__ = ["register"]

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
SHOWN_POINTS = 30


@contextmanager
def _worker_logs(console: Console, verbose: bool) -> Iterator[int]:
    """Show ``sim`` log records (the workers' included) above the bar; yield the level to forward."""
    from rich.logging import RichHandler

    logger = logging.getLogger("sim")
    handler = RichHandler(console=console, show_path=False, markup=False, rich_tracebacks=False)
    level = logging.INFO if verbose else logging.WARNING
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    try:
        yield level
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _executor_kind(
    executor: str | None, scheduler: str | None, slurm: bool, workers: int | None
) -> ExecutorKind:
    problems = []
    kind = executor or ("dask" if scheduler or slurm else "local")
    if kind not in ("local", "dask"):
        problems.append(Problem("<command line>", None, ("--executor",), repr(kind), "local or dask"))
    if kind == "local" and (scheduler or slurm):
        problems.append(
            Problem(
                "<command line>",
                None,
                ("--executor",),
                "local",
                "dask (or no --executor) with --scheduler or --slurm",
            )
        )
    if scheduler and slurm:
        problems.append(
            Problem(
                "<command line>",
                None,
                ("--scheduler",),
                scheduler,
                "either --scheduler (join a running cluster) or --slurm (start one), not both",
            )
        )
    if workers is not None and workers < 1:
        problems.append(Problem("<command line>", None, ("--workers",), str(workers), "at least 1"))
    if problems:
        raise InputError(problems)
    return "dask" if kind == "dask" else "local"


def sweep_command(
    spec: Annotated[Path, typer.Argument(help="Sweep file (.yaml, .toml or .json).")],
    executor: Annotated[
        str | None,
        typer.Option(help="local (process pool) or dask (default: local, dask with --scheduler/--slurm)."),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Join a running Dask scheduler at this address.")
    ] = None,
    slurm: Annotated[
        bool, typer.Option("--slurm", help="Start a SLURM cluster from ~/.config/dask/jobqueue.yaml.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: CPU count; SLURM: 1 job).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Sweep directory (default: results/<sweep name>).")] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the sweep in --out, skipping finished tasks.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every task's log line.")] = False,
    allow_large: Annotated[
        bool,
        typer.Option(
            "--allow-large",
            help="Run a sweep of more than 1,000 points, 10,000 tasks or 24 estimated worker-hours "
            "(up to the hard limits).",
        ),
    ] = False,
) -> None:
    """Run a parameter sweep: one Parquet file per (point, block of replications), resumable."""
    from sim.cli.sweep_events import BarEvents, progress_bar
    from sim.experiments.sweep import plan as sweep_plan
    from sim.experiments.sweep.driver import SweepError, run_sweep
    from sim.experiments.sweep.estimate import check_work, estimate_sweep
    from sim.experiments.sweep.executors import make_executor
    from sim.experiments.sweep.space import DiskFullError
    from sim.experiments.sweep.spec import load_sweep

    console = Console()
    kind = _executor_kind(executor, scheduler, slurm, workers)
    sweep = load_sweep(spec)
    target = out if out is not None else Path("results") / sweep.name

    def announce(size: SweepSize) -> None:
        console.print(f"sweep [bold]{sweep.name}[/]: {size} ({sweep.spec.design}) → {target}")

    plan = sweep_plan.plan_sweep(sweep, allow_large=allow_large, announce=announce)
    console.print(f"every point valid; seed {plan.seed}, engine {plan.engine}")
    estimate = estimate_sweep(plan)
    check_work(plan, estimate, allow_large)
    local = not (scheduler or slurm)
    console.print(f"estimated time: {estimate.describe(workers or (os.cpu_count() or 1 if local else None))}")
    with _worker_logs(console, verbose) as level, progress_bar(console) as progress:
        events = BarEvents(progress, console)
        pool = make_executor(kind, workers, scheduler, slurm, level)
        try:
            outcome = run_sweep(plan, target, pool, resume, events)
        except DiskFullError as error:
            raise TasksFailedError(str(error)) from None
        except SweepError as error:
            raise TasksFailedError(
                f"{error}; the finished tasks are kept: fix the cause and run again with --resume"
            ) from None
        except KeyboardInterrupt:
            stopped = SweepTerminatedError if terminated() else SweepInterruptedError
            raise stopped(
                f"{stopped.verb}: the finished tasks are kept; run again with --resume to continue"
            ) from None
    _print_outcome(console, outcome)


class SweepStoppedError(Exception):
    """A sweep that ends with a message on stderr and an exit code, without a traceback.

    :func:`sim.cli.main` calls :meth:`show` and returns :attr:`exit_code`, as for click usage errors.
    """

    exit_code = EXIT_FAILED

    def show(self) -> None:
        """Print the message on stderr."""
        print(f"Error: {self}", file=sys.stderr)


class TasksFailedError(SweepStoppedError):
    """Some tasks failed (exit 1)."""

    exit_code = EXIT_FAILED


class SweepInterruptedError(SweepStoppedError):
    """The driver was interrupted (exit 130); finished tasks are kept."""

    exit_code = EXIT_INTERRUPTED
    verb = "interrupted"


class SweepTerminatedError(SweepInterruptedError):
    """The driver received SIGTERM (exit 143); finished tasks are kept."""

    exit_code = EXIT_TERMINATED
    verb = "terminated"


def _print_outcome(console: Console, outcome: SweepOutcome) -> None:
    console.print(
        f"{outcome.total} tasks done: {outcome.written} run, "
        f"{outcome.skipped + outcome.already} already finished, "
        f"{outcome.retried} retried, in {outcome.wall_time_s:.1f} s → [bold]{outcome.out}[/]"
    )
    console.print(f"report: corridor sweep-report {outcome.out}")


def sweep_report_command(
    directory: Annotated[Path, typer.Argument(help="A sweep directory written by `corridor sweep`.")],
    out: Annotated[Path | None, typer.Option(help="Report directory (default: DIRECTORY/report).")] = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option(
            help="Headline KPI as table/key/metric, wildcards allowed (repeatable); "
            "default: throughput_by_commodity/*/tonnes_per_year and transit_by_flow/*/delay_mean_h."
        ),
    ] = None,
) -> None:
    """Summarise a sweep: KPIs per point (CSV and table), response plots, sensitivity ranking."""
    from sim.analysis.report.sweep import sweep_report

    console = Console()
    report = sweep_report(directory, out, tuple(kpi or ()))
    data = report.data
    if data.finished < data.total:
        console.print(
            f"[yellow]note:[/] {data.finished} of {data.total} tasks finished; the report covers those"
        )
    _print_points(console, report)
    _print_ranking(console, report)
    console.print(f"report written to [bold]{report.out}[/] ({len(report.plots)} response plots)")


def _print_points(console: Console, report: SweepReport) -> None:
    from rich.table import Table

    from sim.analysis.stats.kpi_differences import kpi_unit
    from sim.cli.units import kind_of

    frame = report.headline()
    table = Table(
        title=f"Headline KPIs by point (means over {report.data.manifest['replications']} replications)"
    )
    for column in frame.columns:
        table.add_column(_short(str(column)), justify="right")
    kinds = [kind_of(kpi_unit(str(c).rsplit("/", 1)[-1])) if "/" in str(c) else None for c in frame.columns]
    for row in frame.head(SHOWN_POINTS).itertuples(index=False):
        table.add_row(*(_fmt(v, kind) for v, kind in zip(row, kinds, strict=True)))
    console.print(table)
    if len(frame) > SHOWN_POINTS:
        console.print(f"… {len(frame) - SHOWN_POINTS} more points in {report.out / 'kpis_by_point.csv'}")


def _print_ranking(console: Console, report: SweepReport) -> None:
    from rich.table import Table

    methods = ", ".join(sorted(set(report.sensitivity["method"]) - {""}))
    table = Table(title=f"Sensitivity ranking ({methods}; 0 = no effect, 1 = all the variance)")
    for column in report.ranking.columns:
        table.add_column(_short(str(column)), justify="right" if column != "parameter" else "left")
    for row in report.ranking.itertuples(index=False):
        table.add_row(*(_short(v) if isinstance(v, str) else _fmt(v) for v in row))
    console.print(table)
    fits = report.sensitivity.dropna(subset=["r2"]).groupby("kpi", sort=False)["r2"].first()
    if len(fits):
        shown = ", ".join(f"{_short(str(kpi))} {r2:.2f}" for kpi, r2 in fits.items())
        console.print(f"R² of the regressions: {shown} (trust an SRC ranking when R² ≥ 0.7)")
    noisy = report.sensitivity.groupby("kpi")["noise_share"].first()
    for kpi, share in noisy[noisy > 0.3].items():
        console.print(
            f"[yellow]note:[/] replication noise is {share:.0%} of the spread of {kpi} between points; "
            "more replications would sharpen its ranking"
        )


def _short(label: str) -> str:
    """Column header: ``dry_bulk.count`` for a parameter path, ``soybeans tonnes_per_year`` for a KPI."""
    if "/" in label:
        _, key, metric = label.split("/", 2)
        return f"{key} {metric}"
    return ".".join(label.split(".")[-2:])


def _fmt(value: object, kind: str | None = None) -> str:
    """A KPI mean with its unit (:mod:`sim.cli.units`), a parameter value or an index as a plain number."""
    from sim.cli.units import number, quantity

    if isinstance(value, float | int) and not isinstance(value, bool):
        return quantity(float(value), kind) if kind is not None else number(float(value))
    return str(value)


def register(app: typer.Typer) -> None:
    """Add these commands to the ``corridor`` app."""
    app.command("sweep")(sweep_command)
    app.command("sweep-report")(sweep_report_command)
