"""Self-contained HTML report of a run directory or a comparison directory.

``build_report(DIR)`` writes ``DIR/report.html`` and the figures as ``DIR/figures/*.png``. The HTML embeds
every figure as a base64 ``data:`` URI and carries its CSS inline: it references no external resource (no
scripts, fonts, stylesheets or remote images), so it opens offline, can be mailed as one file and archived
next to the results it describes.

A *run directory* is what ``corridor run`` writes; a *comparison directory* is what ``corridor compare``
writes (``comparison.json`` plus ``runs/<scenario>/``). Nothing is simulated here.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sim.analysis.report.comparison import comparison_sections
from sim.analysis.report.embedded_figures import Figure, run_figures
from sim.analysis.report.html import data_table, fmt, page
from sim.analysis.report.placement import FIGURES_META, check_report_place, write_report
from sim.analysis.tables import tidy as tables
from sim.analysis.tables.run_data import RunData, RunDirError, load_run
from sim.version import __version__

__all__ = ["build_report", "is_comparison_dir"]


def is_comparison_dir(directory: Path) -> bool:
    """True when ``directory`` holds a comparison written by ``corridor compare``."""
    return (directory / "comparison.json").is_file()


def _meta_rows(run: RunData) -> list[list[str]]:
    p = run.provenance
    reps = p.get("replications")
    count = len(reps) if isinstance(reps, list) else reps
    return [
        ["scenario", run.name],
        ["scenario hash", str(p.get("scenario_hash", "–"))[:16]],
        ["start", str(run.start.date())],
        ["horizon", f"{run.horizon_h / 24:g} days"],
        ["warm-up (excluded from statistics)", f"{run.warmup_h / 24:g} days"],
        ["replications", str(count)],
        ["seed", str(p.get("seed", "–"))],
        ["engine", str(p.get("engine", "–"))],
    ]


def _run_tables(run: RunData) -> str:
    flow_rows = [
        [
            r["flow"],
            str(r["commodity"]).replace("_", " "),
            fmt.interval(r["tonnes_per_year"] / 1e3, r["tonnes_low"] / 1e3, r["tonnes_high"] / 1e3, 0),
            fmt.interval(r["transit_mean_d"], r["transit_low_d"], r["transit_high_d"], 1),
            fmt.number(r["transit_p95_d"], 1),
        ]
        for r in tables.flow_summary(run).to_dict(orient="records")
    ]
    station_rows = [
        [
            r["station"],
            r["kind"],
            fmt.interval(r["wait_mean_h"], r["wait_low_h"], r["wait_high_h"], 1),
            fmt.number(r["wait_p95_h"], 1),
            fmt.number(r["visits_per_rep"], 0),
            fmt.number(r["waiting_at_horizon"], 1),
        ]
        for r in tables.station_waiting(run).head(12).to_dict(orient="records")
    ]
    return (
        "<h3>Flows</h3>"
        + data_table(["flow", "commodity", "kt/yr delivered", "transit (days)", "p95 (days)"], flow_rows)
        + "<h3>Stations with the longest waits</h3>"
        + data_table(
            [
                "station",
                "kind",
                "mean wait (h)",
                "p95 wait (h)",
                "visits per replication",
                "still waiting at horizon",
            ],
            station_rows,
        )
        + '<p class="note">Mean [95 % confidence interval] across replications; statistics exclude the '
        "warm-up. Waits are those of the visits that arrived after the warm-up and started by the horizon; "
        "visits still waiting at the horizon (per replication) are not in them, so where there are many the "
        "mean wait is biased low.</p>"
    )


BUSIEST = 4
"""Stations (longest mean wait first) in the monthly-waits table and the queue-length figure."""


def _monthly_waits(run: RunData) -> str:
    """The monthly waits of the stations with the longest mean waits (empty for runs without the KPI)."""
    busiest = tables.station_waiting(run)["station"].head(BUSIEST).tolist()
    monthly = tables.station_monthly_waits(run, busiest)
    if monthly.empty:
        return ""
    rows = [
        [
            r["station"],
            r["month"],
            fmt.interval(r["wait_mean_h"], r["wait_low_h"], r["wait_high_h"], 1),
            fmt.number(r["wait_p95_h"], 1),
            fmt.number(r["wait_max_h"], 1),
            fmt.number(r["visits"], 1),
            fmt.number(r["waiting_at_month_end"], 1),
        ]
        for r in monthly.to_dict(orient="records")
    ]
    return (
        "<h3>Monthly waits at the busiest stations</h3>"
        + data_table(
            [
                "station",
                "month of arrival",
                "mean wait (h)",
                "p95 wait (h)",
                "max wait (h)",
                "visits per replication",
                "waiting at month end",
            ],
            rows,
        )
        + '<p class="note">The stations with the longest mean waits. Waits of the visits that arrived in the '
        "month (after the warm-up) and started by the horizon: mean [95 % confidence interval] across "
        "replications, and the means across replications of each replication's 95th percentile and maximum. "
        "Waiting at month end: visits arrived and not yet in service at the month's last instant (the "
        "horizon for the last month), per replication.</p>"
    )


def _run_body(run: RunData, figures: list[Figure]) -> str:
    meta = data_table(["", ""], _meta_rows(run), header=False, css="meta")
    pictures = "".join(f.html() for f in figures)
    return (
        f"<section><h2>Run summary</h2>{meta}{_run_tables(run)}{_monthly_waits(run)}</section>"
        f"<section><h2>Figures</h2>{pictures}</section>"
    )


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
        if is_comparison_dir(root):
            title, body, _ = comparison_sections(root, scratch, scenario_figures, background)
        else:
            run = load_run(root)
            run = run if background else run.without_background()
            title = f"Run report — {run.name}"
            body = _run_body(run, run_figures(run, scratch))
        figures = " ".join(sorted(p.name for p in scratch.glob("*.png")))
        return write_report(root, page(title, body, footer, meta={FIGURES_META: figures}), scratch)
