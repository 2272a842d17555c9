"""The package version: one home, so modules inside the package never import the package face :mod:`sim`."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
"""corridor-sim's version (as in ``pyproject.toml``); recorded in every result file's provenance."""
