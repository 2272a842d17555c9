"""Build hook: the wheel carries the scenario library (``scenarios/``, ``seeds/``) as ``sim/data/library/``.

The folders stay at the top of the checkout (they are the user's to edit); a built package gets copies, so
``corridor run baseline_2024`` works from any directory after ``pip install .``. The relative paths in the
files (``extends: baseline_2024.yaml``, ``seeds: ../seeds``) hold in both places. Editable installs read the
checkout's folders directly (:func:`sim.scenario.library.library_dir`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
LIBRARY = {"scenarios": ("*.yaml", "*.md", "*.json"), "seeds": ("*.csv", "*.md")}


class BuildWithLibrary(build_py):
    """``build_py`` that also copies the scenario library into the built package."""

    def run(self) -> None:
        """Build the package, then copy the library files beside it."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "sim" / "data" / "library"
        for folder, patterns in LIBRARY.items():
            destination = target / folder
            destination.mkdir(parents=True, exist_ok=True)
            for pattern in patterns:
                for file in sorted((ROOT / folder).glob(pattern)):
                    shutil.copy2(file, destination / file.name)


setup(cmdclass={"build_py": BuildWithLibrary})
