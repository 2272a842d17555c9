"""The ``corridor`` console script's entry point, which loads the command line only when it is called.

The script installed for ``corridor`` imports its entry point's module at the top and calls it under
``if __name__ == "__main__"``. A sweep's local workers are started with the ``spawn`` method, which re-runs
the parent's main script in each worker (as ``__mp_main__``, not calling the entry point): with the entry
point in :mod:`sim.cli`, every worker imported typer, rich and every command module it never uses (~0.07 s
of a worker's start on an idle machine). This module imports nothing but :mod:`sim`'s light face and
:mod:`sim.collector`. ``python -m sim`` comes here too.
"""

from __future__ import annotations

from sim.collector import start_up

__all__ = ["entry"]


def entry() -> None:  # pragma: no cover - console script wrapper
    """Run ``corridor`` (:func:`sim.cli.entry`), the collector off while it starts (:mod:`sim.collector`)."""
    start_up()
    from sim.cli import entry as run_command_line

    run_command_line()
