"""``corridor sweep-report``: KPIs per point, response plots per parameter, and the sensitivity ranking.

Written into ``DIR/report/`` (or another directory), atomically:

- ``provenance.json`` — what made it (a ``sweep report`` of which sweep): a later report may replace it;
- ``kpis_by_point.csv`` — every KPI at every point: parameter values, mean, std, n and 95% interval;
- ``sensitivity.csv`` — index of every (headline KPI, parameter) pair, with the method (see
  :mod:`sim.analysis.stats.sensitivity`), and ``ranking.csv`` — parameters ranked by their mean index;
- ``response_<parameter>.png`` — each headline KPI against that parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.figures.sweep import plot_response, response_file
from sim.analysis.stats.sensitivity import ranking, sensitivity
from sim.analysis.tables.sweep import SweepData, point_summary, read_sweep, select_kpis
from sim.results.destinations import check_destination
from sim.results.files import atomic_directory, write_json
from sim.version import __version__

__all__ = ["SweepReport", "sweep_report"]


@dataclass(frozen=True)
class SweepReport:
    """What :func:`sweep_report` made.

    Attributes
    ----------
    data : SweepData
        The sweep's results.
    summary : DataFrame
        KPIs per point (all KPIs).
    kpis : list of str
        The headline KPIs of the tables and plots.
    sensitivity, ranking : DataFrame
        Per (KPI, parameter) indices, and parameters ranked over the headline KPIs.
    out : Path
        The report directory.
    plots : list of Path
        The response plots.
    """

    data: SweepData
    summary: pd.DataFrame
    kpis: list[str]
    sensitivity: pd.DataFrame
    ranking: pd.DataFrame
    out: Path
    plots: list[Path]

    def headline(self) -> pd.DataFrame:
        """One row per point: parameter values and the mean of each headline KPI."""
        names = self.data.parameter_names
        chosen = self.summary[self.summary["kpi"].isin(self.kpis)]
        wide = chosen.pivot_table(index=["point", *names], columns="kpi", values="mean", sort=False)
        return wide[[k for k in self.kpis if k in wide.columns]].reset_index()


def sweep_report(directory: Path, out: Path | None = None, kpis: tuple[str, ...] = ()) -> SweepReport:
    """Read the sweep in ``directory`` and write its report into ``out`` (default ``directory/report``).

    Parameters
    ----------
    directory : Path
        A sweep directory (with ``manifest.json``).
    out : Path, optional
        Where to write the report.
    kpis : tuple of str
        Headline KPI patterns ``table/key/metric`` with shell wildcards (default: annual tonnes by commodity
        and mean delay by flow).

    Raises
    ------
    InputError
        When ``directory`` holds no finished sweep task, or a KPI pattern matches nothing.
    OutputError
        When ``out`` holds something else than a sweep report, or another process is writing it.
    """
    target = out if out is not None else directory / "report"
    check_destination(target, "sweep report", option="--out")  # before the work; again when writing
    data = read_sweep(directory)
    summary = point_summary(data)
    chosen = select_kpis(summary, kpis)
    design = data.manifest["design"]
    indices = sensitivity(summary, data.parameters, design, chosen)
    ranked = ranking(indices)
    plots = []
    with atomic_directory(target, "sweep report", option="--out") as scratch:
        write_json(
            {
                "kind": "sweep report",
                "sweep": data.manifest.get("sweep"),
                "sweep_dir": str(Path(directory).resolve()),
                "package_version": __version__,
            },
            scratch / "provenance.json",
        )
        summary.to_csv(scratch / "kpis_by_point.csv", index=False)
        indices.to_csv(scratch / "sensitivity.csv", index=False)
        ranked.to_csv(scratch / "ranking.csv", index=False)
        for parameter in data.parameters if chosen else []:
            name = response_file(parameter["name"])
            plot_response(summary, parameter, chosen, design, data.manifest["replications"], scratch / name)
            plots.append(target / name)
    return SweepReport(data, summary, chosen, indices, ranked, target, plots)
