"""When a ``corridor`` process collects garbage: not while it starts, and never its libraries once loaded.

Importing the libraries a run needs (numpy, pydantic and the scenario models, scipy, pandas, pyarrow, numba)
creates about a million objects that live as long as the process. Python's cyclic collector scans them again
and again while they load — ~430 young and 3 full collections, ~0.2 s of CPU of a one-replication
``corridor run`` of ``baseline_2024``, more than its engine. So the command starts with the collector off
(:func:`start_up`, called by :func:`sim.command.entry`); once a command has loaded what it needs,
:func:`started` freezes every object alive (:func:`gc.freeze`: never scanned again, never freed — they are
the modules' own) and turns the collector back on with a young generation of :data:`YOUNG` objects, which
collects the run's own cycles (pandas objects hold some) block by block. Results do not depend on when
garbage is collected.

Both act only in a process :func:`start_up` set up: ``corridor``, ``python -m sim``. The Python API and tests
that call :func:`sim.cli.main` keep their interpreter's collector as it is. A sweep's local worker freezes
its libraries the same way once they are imported (:func:`freeze_loaded`), so its ~100 tasks' collections
never scan them.
"""

from __future__ import annotations

import gc

__all__ = ["YOUNG", "freeze_loaded", "start_up", "started"]

YOUNG = 10_000
"""Allocations (net) between young collections once a command has started (Python's default: 700)."""

_deferred = [False]
"""True while this process's collector is off until the command starts (:func:`start_up`)."""


def start_up() -> None:
    """Turn the collector off until :func:`started` (the command line, then a command, load meanwhile)."""
    _deferred[0] = True
    gc.disable()


def started() -> None:
    """The command has loaded its libraries: freeze what is alive and collect from here on (after start_up).

    Called when a command's set-up is done (``run``: the scenario loaded, the simulation stack imported) and
    before any other command's work (the command line's callback), so no command runs with the collector
    off; calling it again freezes what was loaded since. Does nothing in a process :func:`start_up` did not
    set up.
    """
    if _deferred[0]:
        freeze_loaded()


def freeze_loaded() -> None:
    """Freeze every object alive out of the collector's scans; collect young cycles every :data:`YOUNG`.

    For a process of ours that has loaded its libraries: the command line (:func:`started`), a sweep's local
    worker once it has imported what its tasks run. Garbage cycles alive at this moment are frozen too
    (never freed): call it when what is alive is the libraries, not a run's tables.
    """
    gc.freeze()
    gc.set_threshold(YOUNG, 10, 10)
    gc.enable()
