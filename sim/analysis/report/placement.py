"""Putting ``report.html`` and ``figures/`` into a result directory without deleting what the user put there.

A report replaces only what an earlier report wrote: a ``report.html`` that carries corridor-sim's generator
mark, and the figure files that report listed (``<meta name="corridor-sim-figures">``; a report from before
that list owns any PNG in ``figures/``). Any other file in the way — a ``report.html`` of the user's, a
drawing of theirs in ``figures/`` — is refused with an :class:`~sim.results.destinations.OutputError`
(exit 2) naming it, before any figure is drawn and again before anything is written. The writing holds the
directory's lock (:mod:`sim.results.locks`), sweeps up what a killed report left, and happens by renames from
scratch copies, so the directory holds the old report or the new one, never a mix.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sim.analysis.report.html import GENERATOR
from sim.results.destinations import output_error
from sim.results.locks import output_lock
from sim.results.scratch import make_scratch, replace_directory, sweep_leftovers

__all__ = ["FIGURES_META", "check_report_place", "write_report"]

FIGURES_META = "corridor-sim-figures"
REPORT = "report.html"
FIGURES = "figures"
OPTION = "DIR"


def _owned_figures(report: Path) -> set[str] | None:
    """Figure names listed by an earlier corridor-sim report; None if ``report`` is not one (or absent)."""
    try:
        text = report.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    listed = re.search(rf'<meta name="{FIGURES_META}" content="([^"]*)">', text)
    if listed is not None:
        return set(listed.group(1).split())
    ours = f'<meta name="generator" content="{GENERATOR}">' in text or (
        "corridor-sim" in text and "report generated" in text  # reports from before the generator mark
    )
    return {"*.png"} if ours else None


def _foreign(directory: Path) -> list[Path]:
    """Files in the way of a report in ``directory`` that no corridor-sim report wrote."""
    report, figures = directory / REPORT, directory / FIGURES
    owned = _owned_figures(report) if report.exists() else set()
    if owned is None:
        return [report]
    if not figures.exists():
        return []
    if not figures.is_dir() or figures.is_symlink():
        return [figures]
    return [
        entry
        for entry in sorted(figures.iterdir())
        if not entry.is_file() or not (entry.name in owned or ("*.png" in owned and entry.suffix == ".png"))
    ]


def check_report_place(directory: Path) -> None:
    """Refuse to write a report into ``directory`` when that would delete a file no report wrote.

    Raises
    ------
    OutputError
        Naming the first such file and what to do.
    """
    found = _foreign(directory)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise output_error(
            found[0],
            OPTION,
            f"a file that corridor report did not write{more}; a report would replace it, so it is kept",
            f"no {REPORT} or {FIGURES}/ of your own in the directory: move or rename them, then run again",
        )


def write_report(directory: Path, text: str, scratch: Path) -> Path:
    """Replace ``figures/`` (PNGs from ``scratch``) and ``report.html`` in ``directory``; return the page."""
    with output_lock(directory, OPTION):
        check_report_place(directory)
        for name in (FIGURES, REPORT, "report"):  # "report": scratch files of versions before the lock
            sweep_leftovers(directory / name)
        staged = make_scratch(directory / FIGURES)
        page = make_scratch(directory / REPORT)
        try:
            for png in sorted(scratch.glob("*.png")):
                shutil.copy2(png, staged / png.name)
            (page / REPORT).write_text(text, encoding="utf-8")
            replace_directory(staged, directory / FIGURES)
            (page / REPORT).replace(directory / REPORT)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
            shutil.rmtree(page, ignore_errors=True)
    return directory / REPORT
