"""Figures of one run (or several, side by side) from the tidy tables of :mod:`sim.analysis.tables.tidy`.

Every function takes DataFrames and returns a :class:`matplotlib.figure.Figure`; saving is the caller's
business (:func:`sim.analysis.figures.style.save_png`). Units are in the axis labels; warm-up periods are
shaded.
The network map lives in :mod:`sim.analysis.figures.network_map` and the comparison forest plot in
:mod:`sim.analysis.figures.forest`.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.figures.names import Names
from sim.analysis.figures.style import (
    NOT_SIGNIFICANT,
    WARMUP_SHADE,
    colour_map,
    commodity_colour,
    month_axis,
    new_figure,
    note,
    pretty,
    styled,
    tonnes_formatter,
)

__all__ = [
    "plot_monthly_throughput",
    "plot_queue_length",
    "plot_station_waiting",
    "plot_transit_ecdf",
    "plot_utilisation_heatmap",
]

HUE_COLOURS = ("#333333", "#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
KIND_COLOURS = {"berth": "#0072B2", "service": "#E69F00", "chokepoint": "#D55E00"}
TITLE_CHARACTERS = 44
"""Longest line of a panel title of the transit figure (a 4-inch panel); longer names wrap."""


def _grid(n_panels: int, max_cols: int, panel_w: float, panel_h: float, **kw: Any) -> tuple[Any, list[Any]]:
    cols = min(max_cols, max(1, n_panels))
    rows = math.ceil(n_panels / cols)
    figure = new_figure(panel_w * cols, panel_h * rows + 0.7, layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False, **kw).ravel().tolist()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return figure, axes[:n_panels]


@styled
def plot_monthly_throughput(table: pd.DataFrame, title: str = "Monthly throughput by commodity") -> Any:
    """Bars of tonnes delivered per month, one panel per commodity, with 95 % intervals across replications.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.analysis.tables.tidy.monthly_throughput` (columns month, commodity, tonnes,
        tonnes_low, tonnes_high, month_hours, in_warmup).
    title : str
        Figure title.
    """
    commodities = sorted(table["commodity"].unique())
    colours = colour_map(commodities)
    figure, axes = _grid(len(commodities), 2, 6.2, 2.6, sharex=True)
    full_month = table["month_hours"].max()
    for ax, commodity in zip(axes, commodities, strict=True):
        rows = table.loc[table["commodity"] == commodity].sort_values("month")
        x = np.arange(len(rows))
        partial = (rows["month_hours"] < 0.9 * full_month).to_numpy()
        err = np.vstack(
            [
                (rows["tonnes"] - rows["tonnes_low"].clip(lower=0)).fillna(0),
                (rows["tonnes_high"] - rows["tonnes"]).fillna(0),
            ]
        )
        ax.bar(x, rows["tonnes"], color=[_rgba(colours[commodity], 0.4 if p else 0.9) for p in partial])
        ax.errorbar(x, rows["tonnes"], yerr=err, fmt="none", ecolor="#333333", elinewidth=0.8, capsize=2)
        warm = np.flatnonzero(rows["in_warmup"].to_numpy())
        if warm.size:
            ax.axvspan(-0.5, warm.max() + 0.5, color=WARMUP_SHADE, zorder=0, label="warm-up")
        ax.set_title(pretty(commodity), loc="left")
        ax.yaxis.set_major_formatter(tonnes_formatter)
        ax.set_ylabel("tonnes delivered per month")
        ax.set_xticks(x, [_month_label(m, i) for i, m in enumerate(rows["month"])])
        ax.grid(axis="x", visible=False)
    figure.suptitle(title)
    note(
        figure,
        "Bars: mean over replications; whiskers: 95 % CI; pale bars: months cut by the "
        "horizon; grey: warm-up.",
    )
    return figure


def _month_label(month: pd.Timestamp, position: int) -> str:
    """``Jan 2024`` on two lines for the first tick and every January, the month's short name otherwise."""
    return month.strftime("%b\n%Y") if month.month == 1 or position == 0 else month.strftime("%b")


def _starred(label: str) -> str:
    """The first line of a month label marked with ``*`` (a warm-up month)."""
    first, newline, rest = label.partition("\n")
    return f"{first}*{newline}{rest}"


def _rgba(colour: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    red, green, blue, _ = to_rgba(colour)
    return (red, green, blue, alpha)


def _ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.sort(values)
    return x, np.arange(1, x.size + 1) / x.size


@styled
def plot_transit_ecdf(
    table: pd.DataFrame,
    by: str = "flow",
    hue: str | None = None,
    title: str = "Transit time by flow",
    hue_order: list[str] | None = None,
    names: Names | None = None,
) -> Any:
    """Empirical CDF of door-to-door transit time, one panel per flow (pooled over replications).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.analysis.tables.tidy.transit_times` (needs ``transit_days`` and the ``by`` column).
    by : str
        Column that makes the panels.
    hue : str or None
        Optional column drawn as separate curves in each panel (e.g. ``scenario`` in a comparison).
    hue_order : list of str, optional
        Order of the curves; the first (the base of a comparison) is drawn in dark grey.
    title : str
        Figure title.
    names : Names, optional
        Flow names for the panel titles (ids without).

    With ``hue``, the first curve (the base) is drawn wide and solid under the others (narrower, dashed), so
    curves that coincide stay visible; one legend for the whole figure names them.
    """
    label = (names or Names()).flow if by == "flow" else str
    groups = sorted(table[by].unique(), key=lambda g: (label(str(g)), str(g)))
    figure, axes = _grid(len(groups), 3, 4.0, 2.7)
    hues: list[Any] = (hue_order or sorted(table[hue].astype(str).unique())) if hue else [None]
    colours = {str(h): c for h, c in zip(hues, HUE_COLOURS, strict=False)} if hue else {}
    named = by == "flow" and names is not None and bool(names.flows)
    for ax, group in zip(axes, groups, strict=True):
        mine = table.loc[table[by] == group]
        commodity = (
            pretty(str(mine["commodity"].iloc[0])) + "\n"
            if "commodity" in mine and by == "flow" and not named
            else ""
        )
        for rank, h in enumerate(hues):
            values = (mine if h is None else mine.loc[mine[hue] == h])["transit_days"].to_numpy()
            if values.size == 0:
                continue
            x, y = _ecdf(values)
            own = commodity_colour(str(mine["commodity"].iloc[0])) if "commodity" in mine else "#0072B2"
            colour = colours.get(str(h), own)
            wide = h is None or rank == 0
            ax.step(
                x,
                y,
                where="post",
                color=colour,
                linewidth=2.6 if wide and h is not None else 1.6,
                linestyle=_style(wide),
                zorder=2 + rank,
            )
            p50, p95 = np.quantile(values, [0.5, 0.95])
            ax.axvline(p95, color=colour, linestyle=":", linewidth=1)
            if h is None:
                ax.text(
                    0.98,
                    0.05,
                    f"{commodity}median {p50:.1f} d\np95 {p95:.1f} d\nn = {values.size}",
                    transform=ax.transAxes,
                    ha="right",
                    va="bottom",
                    fontsize=8,
                    color="#333333",
                )
        ax.set_title(textwrap.fill(label(str(group)), TITLE_CHARACTERS), loc="left", fontsize=9.5)
        ax.set_xlabel("transit time (days)")
        ax.set_ylabel("share of shipments")
        ax.set_ylim(0, 1.02)
    figure.suptitle(title)
    handles = [_line(colours[str(h)], str(h), rank == 0) for rank, h in enumerate(hues)] if hue else []
    note(
        figure,
        "Shipments created after the warm-up and delivered by the horizon; dotted line: 95th percentile.",
        handles,
    )
    return figure


def _line(colour: str, label: str, wide: bool) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([], [], color=colour, linewidth=2.6 if wide else 1.6, linestyle=_style(wide), label=label)


def _style(wide: bool) -> Any:
    """Solid for the base (or a lone curve), dashed for the variants drawn over it."""
    return "-" if wide else (0, (4, 1.5))


@styled
def plot_station_waiting(
    table: pd.DataFrame, top: int = 20, title: str = "Waiting time by station", names: Names | None = None
) -> Any:
    """Mean wait before service per station with 95 % intervals, longest first.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.analysis.tables.tidy.station_waiting`.
    top : int
        Show at most this many stations.
    title : str
        Figure title.
    names : Names, optional
        Station names (ids without).
    """
    rows = table.sort_values("wait_mean_h", ascending=False).head(top).iloc[::-1]
    figure = new_figure(7.5, 0.32 * len(rows) + 1.4, layout="constrained")
    ax = figure.subplots()
    y = np.arange(len(rows))
    colours = [KIND_COLOURS.get(k, NOT_SIGNIFICANT) for k in rows["kind"]]
    low = (rows["wait_mean_h"] - rows["wait_low_h"].clip(lower=0)).fillna(0)
    high = (rows["wait_high_h"] - rows["wait_mean_h"]).fillna(0)
    ax.barh(y, rows["wait_mean_h"], color=colours, alpha=0.85, height=0.6)
    ax.errorbar(
        rows["wait_mean_h"],
        y,
        xerr=np.vstack([low, high]),
        fmt="none",
        ecolor="#222222",
        elinewidth=0.9,
        capsize=2.5,
    )
    ax.scatter(rows["wait_p95_h"], y, marker="|", s=90, color="#222222", zorder=3, label="95th percentile")
    ax.set_yticks(y, [_waiting_label(r, names or Names()) for r in rows.to_dict(orient="records")])
    ax.set_xlabel("waiting time before service (hours)")
    ax.grid(axis="y", visible=False)
    handles = [_patch(c, k) for k, c in KIND_COLOURS.items() if k in set(rows["kind"])]
    ax.legend(handles=[*handles, *ax.get_legend_handles_labels()[0]], loc="lower right")
    ax.set_title(title, loc="left")
    note(
        figure,
        "Bars: mean over replications of each replication's mean wait; whiskers: 95 % CI.\n"
        "(+n waiting): visits per replication still waiting at the horizon, not in the bars.",
    )
    return figure


def _waiting_label(row: dict[Any, Any], names: Names) -> str:
    """The station's name, with the visits still waiting at the horizon when there are any."""
    waiting = float(row.get("waiting_at_horizon", 0.0))
    name = names.station(str(row["station"]))
    if not waiting > 0:
        return name
    count = f"{waiting:,.0f}" if waiting >= 10 else f"{waiting:.2g}"
    return f"{name} (+{count} waiting)"


def _patch(colour: str, label: str) -> Any:
    from matplotlib.patches import Patch

    return Patch(color=colour, label=label)


@styled
def plot_utilisation_heatmap(
    table: pd.DataFrame, title: str = "Berth utilisation by month", names: Names | None = None
) -> Any:
    """Heat map of berth utilisation, stations by calendar month, with the value in each cell.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.analysis.tables.occupancy.monthly_utilisation`.
    title : str
        Figure title.
    names : Names, optional
        Station names (ids without).
    """
    grid = table.pivot_table(index="station", columns="month", values="utilisation", aggfunc="mean")
    grid = grid.loc[grid.mean(axis=1).sort_values(ascending=False).index]
    months = list(grid.columns)
    figure = new_figure(max(6.0, 0.55 * len(months) + 2.6), 0.36 * len(grid) + 1.6, layout="constrained")
    ax = figure.subplots()
    image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="YlOrRd", vmin=0.0, vmax=1.0)
    for (i, j), value in np.ndenumerate(grid.to_numpy()):
        if np.isfinite(value):
            ax.text(
                j,
                i,
                f"{value:.0%}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > 0.6 else "#222222",
            )
    ax.set_yticks(range(len(grid)), [(names or Names()).station(str(s)) for s in grid.index])
    warm = table.drop_duplicates("month").set_index("month")["in_warmup"].reindex(months).fillna(False)
    labels = [
        _starred(_month_label(pd.Timestamp(m), i)) if w else _month_label(pd.Timestamp(m), i)
        for i, (m, w) in enumerate(zip(months, warm, strict=True))
    ]
    ax.set_xticks(range(len(months)), labels)
    ax.grid(False)
    ax.tick_params(length=0)
    colourbar = figure.colorbar(image, ax=ax, shrink=0.9, pad=0.01)
    colourbar.set_label("utilisation: busy berth-hours / nominal berth-hours (%)")
    colourbar.ax.yaxis.set_major_formatter(lambda v, _p: f"{v:.0%}")
    ax.set_title(title, loc="left")
    if warm.any():
        note(figure, "*: warm-up month (not in the KPIs).")
    return figure


@styled
def plot_queue_length(
    table: pd.DataFrame, title: str = "Queue length at the busiest stations", names: Names | None = None
) -> Any:
    """Daily time-average number of shipments waiting, one panel per station, with the replication spread.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.analysis.tables.occupancy.queue_length` (columns station, date, queue_mean, queue_p10,
        queue_p90), optionally with a ``warmup_end`` attribute in ``table.attrs`` (a timestamp).
    title : str
        Figure title.
    names : Names, optional
        Station names (ids without).
    """
    stations = list(dict.fromkeys(table["station"]))
    figure, axes = _grid(len(stations), 2, 6.0, 2.3, sharex=True)
    warmup_end = table.attrs.get("warmup_end")
    for ax, station in zip(axes, stations, strict=True):
        rows = table.loc[table["station"] == station]
        ax.fill_between(
            rows["date"],
            rows["queue_p10"],
            rows["queue_p90"],
            color="#0072B2",
            alpha=0.18,
            linewidth=0,
            step="post",
            label="10–90 % of replications",
        )
        ax.step(
            rows["date"],
            rows["queue_mean"],
            where="post",
            color="#0072B2",
            linewidth=1.2,
            label="mean over replications",
        )
        if warmup_end is not None:
            ax.axvspan(rows["date"].min(), warmup_end, color=WARMUP_SHADE, zorder=0)
        ax.set_title((names or Names()).station(str(station)), loc="left")
        ax.set_ylabel("shipments waiting")
        ax.set_ylim(bottom=0)
        month_axis(ax)
    figure.suptitle(title)
    bin_h = float(table.attrs.get("bin_h", 24.0))
    period = {24.0: "day", 168.0: "week"}.get(bin_h, f"{bin_h:g} h")
    note(
        figure,
        f"Time-average per {period} of shipments arrived and not yet in service; grey: warm-up.",
        axes[0].get_legend_handles_labels()[0],
    )
    return figure
