"""``python -m sim`` runs the ``corridor`` command line."""

from sim.cli import entry

entry()
