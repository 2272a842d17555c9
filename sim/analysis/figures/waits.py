"""Monthly waits at the busiest stations: mean and 95th-percentile wait by month of arrival, with intervals.

Drawn from :func:`sim.analysis.tables.tidy.station_monthly_waits` (the KPI table ``stations_by_month``): one
panel per station, the months of the KPI window along the bottom. The mean wait is a line with its 95 %
confidence interval across replications as a band; the p95 wait (each replication's 95th percentile, averaged)
is a dashed line with its own band. Months where no visit arrived (or none started) have no point.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.figures.names import Names
from sim.analysis.figures.style import month_axis, new_figure, note, styled

__all__ = ["plot_monthly_waits"]

MEAN_COLOUR = "#0072B2"
P95_COLOUR = "#D55E00"


def _hours_or_days(largest_h: float) -> tuple[float, str]:
    """Divisor and axis unit: days when the largest value passes two days, else hours."""
    return (24.0, "days") if largest_h > 48.0 else (1.0, "hours")


@styled
def plot_monthly_waits(
    table: pd.DataFrame, title: str = "Monthly waits where the worst months are", names: Names | None = None
) -> Any:
    """Mean and p95 wait by month of arrival, one panel per station, with 95 % intervals over replications.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.analysis.tables.tidy.station_monthly_waits` (columns station, month, wait_mean_h,
        wait_low_h, wait_high_h, wait_p95_h, wait_p95_low_h, wait_p95_high_h; hours).
    title : str
        Figure title.
    names : Names, optional
        Station names for the panel titles (ids without).
    """
    stations = list(dict.fromkeys(table["station"]))
    cols = min(2, max(1, len(stations)))
    rows = -(-max(1, len(stations)) // cols)
    figure = new_figure(6.0 * cols, 2.5 * rows + 0.8, layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False, sharex=True).ravel().tolist()
    for ax in axes[len(stations) :]:
        ax.set_visible(False)
    months = sorted(table["month"].unique())
    dates = pd.to_datetime(pd.Series(months)) + pd.Timedelta(days=14)  # mid-month
    position = dict(zip(months, dates, strict=True))
    for ax, station in zip(axes, stations, strict=False):
        mine = table.loc[table["station"] == station].sort_values("month")
        x = mine["month"].map(position)
        scale, unit = _hours_or_days(float(np.nanmax(mine[["wait_p95_h", "wait_p95_high_h"]].to_numpy())))
        for column, low, high, colour, style, label in (
            ("wait_mean_h", "wait_low_h", "wait_high_h", MEAN_COLOUR, "-", "mean wait"),
            ("wait_p95_h", "wait_p95_low_h", "wait_p95_high_h", P95_COLOUR, "--", "95th-percentile wait"),
        ):
            values = mine[column].to_numpy(np.float64) / scale
            lower = np.clip(mine[low].to_numpy(np.float64) / scale, 0.0, None)
            upper = mine[high].to_numpy(np.float64) / scale
            ax.fill_between(x, lower, upper, color=colour, alpha=0.18, linewidth=0, label=f"{label}: 95 % CI")
            ax.plot(x, values, style, color=colour, marker="o", markersize=3, linewidth=1.3, label=label)
        ax.set_title((names or Names()).station(str(station)), loc="left")
        ax.set_ylabel(f"wait ({unit})")
        ax.set_ylim(bottom=0)
        month_axis(ax)
    figure.suptitle(title)
    note(
        figure,
        "Waits of the visits that arrived in the month (after the warm-up) and started by the horizon; "
        "bands: 95 % intervals across replications.",
        axes[0].get_legend_handles_labels()[0] if stations else (),
    )
    return figure
