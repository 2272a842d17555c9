"""The ``corridor`` command line: run, validate and describe scenarios (more commands register here).

Exit codes: 0 success; 2 invalid input (one message per problem, no traceback); 1 internal error;
130 interrupted (Ctrl-C); 143 terminated (SIGTERM, :mod:`sim.cli.signals`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from sim.cli import compare as compare_commands
from sim.cli import library as library_commands
from sim.cli import report as report_commands
from sim.cli import run as run_commands
from sim.cli import show as show_commands
from sim.cli import sweep as sweep_commands
from sim.cli.signals import EXIT_TERMINATED, sigterm_raises, terminated
from sim.collector import started
from sim.engines.memory import keep_freed_memory
from sim.errors import InputError
from sim.version import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="corridor",
    help="Simulate trade corridors: run scenarios, compare them, sweep parameters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
run_commands.register(app)
compare_commands.register(app)
report_commands.register(app)
sweep_commands.register(app)
show_commands.register(app)
library_commands.register(app)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"corridor-sim {__version__}")
        raise typer.Exit()


def _options(
    _version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
    ),
) -> None:
    """Simulate trade corridors: run scenarios, compare them, sweep parameters."""
    started()  # the collector, off while the command line loaded, is on for every command (sim.collector)


app.callback()(_options)


EXIT_INPUT = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``corridor`` command; returns the exit code."""
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        with sigterm_raises():
            result = app(args=argv, standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        return _stopped(errors)
    except InputError as error:
        for problem in error.problems:
            errors.print(f"[bold red]error:[/] {escape(str(problem))}", markup=True)  # a key may hold "[x]"
        return EXIT_INPUT
    except typer.Exit as done:
        return int(done.exit_code)
    except Exception as error:  # click usage errors carry their own exit code
        code = getattr(error, "exit_code", None)
        if code is not None and hasattr(error, "show"):
            error.show()
            return int(code)
        if os.environ.get("CORRIDOR_DEBUG"):
            raise
        errors.print(
            f"internal error: {error.__class__.__name__}: {error} (set CORRIDOR_DEBUG=1 for a traceback)"
        )
        return EXIT_INTERNAL
    code = result if isinstance(result, int) else 0  # click returns a command's typer.Exit code here
    return _stopped(errors) if code == EXIT_INTERRUPTED else code  # typer's code for an interrupt


def _stopped(errors: Console) -> int:
    """Say why the command stopped early; return 143 after SIGTERM, else 130."""
    if terminated():
        errors.print("terminated")
        return EXIT_TERMINATED
    errors.print("interrupted")
    return EXIT_INTERRUPTED


def entry() -> None:  # pragma: no cover - console script wrapper
    """Keep freed memory for the vector engine, run :func:`main`, exit with its code.

    ``corridor`` and ``python -m sim`` call it through :func:`sim.command.entry`.
    """
    keep_freed_memory()
    _exit_now(main())


def _exit_now(code: int) -> NoReturn:
    """End the process with ``code``, skipping the interpreter's teardown when nothing else is running.

    Freeing every loaded module's objects one by one takes 0.1-0.3 s once pandas, pyarrow, pydantic and
    scipy are in — more than a one-replication run's KPIs. Every file a command writes is closed (and a run
    directory renamed into place) before it returns, so only the teardown is skipped: the exit handlers
    still run (logging, dask's clean-up) and the standard streams are flushed. A process with another
    thread still alive exits the usual way, which waits for it, and so does one being profiled or traced
    (``python -m cProfile -m sim …``, coverage), whose report is written after the program ends.
    """
    if threading.active_count() > 1 or sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`corridor --help | head`)
            stream.flush()
    os._exit(code)
