"""``python -m sim`` runs the ``corridor`` command line."""

from sim.command import entry

entry()
