"""Self-contained HTML report of a run directory or a comparison directory.

``build_report(DIR)`` writes ``DIR/report.html`` and the figures as ``DIR/figures/*.png``. The HTML embeds
every figure as a base64 ``data:`` URI and carries its CSS and its few lines of script inline: it references
no external resource (no script files, fonts, stylesheets or remote images), so it opens offline, can be
mailed as one file and archived next to the results it describes. The page opens with a summary; its
sections are lists (:mod:`sim.analysis.report.sections`) that new sections join.

A *run directory* is what ``corridor run`` writes; a *comparison directory* is what ``corridor compare``
writes (``comparison.json`` plus ``runs/<scenario>/``). Nothing is simulated here.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sim.analysis.figures.names import names_of_runs
from sim.analysis.report.comparison import comparison_report
from sim.analysis.report.embedded_figures import run_figure_specs
from sim.analysis.report.html import page
from sim.analysis.report.placement import FIGURES_META, check_report_place, write_report
from sim.analysis.report.run import BUSIEST, RUN_SECTIONS, RunContext
from sim.analysis.report.sections import Figures, render_sections
from sim.analysis.tables.run_data import RunData, RunDirError, load_run
from sim.version import __version__

__all__ = ["build_report", "is_comparison_dir", "run_report"]


def is_comparison_dir(directory: Path) -> bool:
    """True when ``directory`` holds a comparison written by ``corridor compare``."""
    return (directory / "comparison.json").is_file()


def run_report(run: RunData, figures: Figures) -> tuple[str, str]:
    """Title and HTML body of a run's report (:data:`~sim.analysis.report.run.RUN_SECTIONS`)."""
    names = names_of_runs([run])
    context = RunContext(run, names, figures, run_figure_specs(run, names, BUSIEST))
    return f"Run report — {run.name}", render_sections(RUN_SECTIONS, context)


def build_report(directory: str | Path, scenario_figures: bool = True, background: bool = True) -> Path:
    """Write ``report.html`` and ``figures/*.png`` into a run or comparison directory.

    Parameters
    ----------
    directory : str or Path
        A run directory (``corridor run``) or a comparison directory (``corridor compare``).
    scenario_figures : bool
        For a comparison, also draw every scenario's run figures (the slow part).
    background : bool
        Show background traffic (flows marked ``background``); ``False`` leaves its shipments, visits and
        KPI rows out of every table and figure (:meth:`RunData.without_background`).

    Returns
    -------
    Path
        The HTML file.

    Raises
    ------
    RunDirError
        If the directory is neither, or its files are unreadable.
    OutputError
        If a ``report.html`` or a file in ``figures/`` is in the way that no corridor-sim report wrote
        (:mod:`sim.analysis.report.placement`), or another process is writing into the directory.
    """
    root = Path(directory)
    if not root.is_dir():
        raise RunDirError(f"{root}: not a directory")
    check_report_place(root)  # before the slow part; again, under the lock, before writing
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    footer = f"corridor-sim {__version__} · report generated {stamp} · basemap: Natural Earth (public domain)"
    with tempfile.TemporaryDirectory(prefix="corridor-report-") as tmp:
        scratch = Path(tmp)
        figures = Figures(scratch)
        if is_comparison_dir(root):
            title, body = comparison_report(root, figures, scenario_figures, background)
        else:
            run = load_run(root)
            title, body = run_report(run if background else run.without_background(), figures)
        listed = " ".join(sorted(p.name for p in scratch.glob("*.png")))
        return write_report(root, page(title, body, footer, meta={FIGURES_META: listed}), scratch)
