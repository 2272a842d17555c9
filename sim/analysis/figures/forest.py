"""Forest plot of a comparison: each KPI's difference (variant − base) with its 95 % interval.

One panel per KPI family, each in the unit that reads best: throughput as relative change (%), transit
time in days, waiting in hours, utilisation in percentage points. Differences whose interval excludes zero
are drawn as filled red discs, the others as hollow grey circles (the shape tells them apart without colour);
the zero line marks "no change".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.figures.names import Names
from sim.analysis.figures.style import (
    NOT_SIGNIFICANT,
    SIGNIFICANT,
    new_figure,
    note,
    styled,
    tonnes_formatter,
)

__all__ = ["PANELS", "Panel", "plot_bottlenecks", "plot_differences"]


@dataclass(frozen=True)
class Panel:
    """One KPI family in the forest plot.

    Attributes
    ----------
    table, metric : str
        Which KPI rows (from :func:`sim.analysis.stats.kpi_differences.compare_kpis`).
    title : str
        Panel title.
    axis : str
        x-axis label with unit.
    columns : tuple of str
        Names of the (estimate, low, high) columns to plot.
    scale : float
        Multiplier from the table's unit to the axis unit.
    symbol : str
        The axis unit's symbol, written after each difference printed beside the panel.
    """

    table: str
    metric: str
    title: str
    axis: str
    columns: tuple[str, str, str]
    scale: float
    symbol: str


RELATIVE = ("relative", "relative_low", "relative_high")
ABSOLUTE = ("diff", "diff_low", "diff_high")
PANELS = (
    Panel(
        "throughput_by_commodity",
        "tonnes_per_year",
        "Throughput by commodity",
        "change (%)",
        RELATIVE,
        100,
        "%",
    ),
    Panel("throughput_by_flow", "tonnes_per_year", "Throughput by flow", "change (%)", RELATIVE, 100, "%"),
    Panel(
        "transit_by_flow",
        "transit_mean_h",
        "Mean transit time by flow",
        "change (days)",
        ABSOLUTE,
        1 / 24,
        "d",
    ),
    Panel("stations", "wait_mean_h", "Mean wait by station", "change (hours)", ABSOLUTE, 1.0, "h"),
    Panel(
        "stations", "utilisation", "Utilisation by station", "change (percentage points)", ABSOLUTE, 100, "pp"
    ),
    Panel("route_choice", "share", "Route shares", "change (percentage points)", ABSOLUTE, 100, "pp"),
    Panel(
        "cost_by_commodity",
        "cost_usd_per_t",
        "Cost per tonne delivered",
        "change (US$/t)",
        ABSOLUTE,
        1.0,
        "US$/t",
    ),
    Panel(
        "emissions_by_commodity",
        "co2e_kg_per_t",
        "CO₂e (WTW) per tonne delivered",
        "change (kg CO₂e/t)",
        ABSOLUTE,
        1.0,
        "kg CO₂e/t",
    ),
)


def _labeller(table: str, names: Names) -> Callable[[str], str]:
    """How the rows of a KPI table are named: stations, flows and commodities by name, others by key."""
    by_table: dict[str, Callable[[str], str]] = {
        "stations": names.station,
        "throughput_by_commodity": names.commodity,
        "throughput_by_flow": names.flow,
        "transit_by_flow": names.flow,
        "cost_by_commodity": names.commodity,
        "emissions_by_commodity": names.commodity,
    }
    return by_table.get(table, str)


def _rows(table: pd.DataFrame, panel: Panel, limit: int) -> tuple[pd.DataFrame, int, int]:
    """The panel's rows to draw, how many were cut by ``limit``, and how many were identical.

    Significant rows first, then the largest changes; rows identical in every replication (no change at
    all) are left out and counted.
    """
    mine = table.loc[(table["table"] == panel.table) & (table["metric"] == panel.metric)].copy()
    mine = mine.loc[mine[panel.columns[0]].notna()]
    identical = (mine["diff"] == 0) & (mine["diff_low"] == 0) & (mine["diff_high"] == 0)
    mine = mine.loc[~identical]
    mine["_size"] = mine[panel.columns[0]].abs()
    mine = mine.sort_values(["significant", "_size"], ascending=[False, False])
    return mine.head(limit).iloc[::-1], max(0, len(mine) - limit), int(identical.sum())


def _draw_panel(
    ax: Any, rows: pd.DataFrame, panel: Panel, hidden: tuple[int, int], label: Callable[[str], str]
) -> None:
    estimate, low, high = (rows[c].to_numpy(np.float64) * panel.scale for c in panel.columns)
    y = np.arange(len(rows))
    colours = [SIGNIFICANT if s else NOT_SIGNIFICANT for s in rows["significant"]]
    finite = np.isfinite(low) & np.isfinite(high)
    err = np.vstack([np.where(finite, estimate - low, 0.0), np.where(finite, high - estimate, 0.0)])
    for yi, xi, e0, e1, colour in zip(y, estimate, err[0], err[1], colours, strict=True):
        ax.errorbar(
            xi,
            yi,
            xerr=[[e0], [e1]],
            fmt="o",
            color=colour,
            ecolor=colour,
            markerfacecolor=colour if colour == SIGNIFICANT else "white",
            markeredgewidth=1.4,
            elinewidth=1.6,
            capsize=3,
            markersize=6,
            zorder=3,
        )
    for yi, xi, lo, hi in zip(y, estimate, low, high, strict=True):
        if xi == 0.0 and lo == 0.0 and hi == 0.0:
            text = "0  (identical in every replication)"
        else:
            text = f"{xi:+.3g} {panel.symbol}" + (f"  [{lo:+.3g}, {hi:+.3g}]" if np.isfinite(lo) else "")
        ax.text(
            1.02,
            yi,
            text,
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left",
            fontsize=8,
            color="#333333",
        )
    ax.axvline(0.0, color="#333333", linewidth=0.9)
    ax.set_yticks(y, [label(str(k)) for k in rows["key"]])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(panel.axis)
    ax.grid(axis="y", visible=False)
    more, same = hidden
    extra = [f"+{more} more in comparison.csv"] if more else []
    extra += [f"{same} identical not shown"] if same else []
    ax.set_title(panel.title, loc="left", pad=15 if extra else 6)
    if extra:  # between the title and the panel, in small type: a long title line stays within the figure
        ax.text(0.0, 1.01, "; ".join(extra), transform=ax.transAxes, ha="left", va="bottom", fontsize=7.5)
    span = np.nanmax(np.abs(np.concatenate([low[finite], high[finite], estimate]))) if len(rows) else 0.0
    if not np.isfinite(span) or span == 0.0:
        ax.set_xlim(-1.0, 1.0)


@styled
def plot_differences(
    table: pd.DataFrame,
    variant: str,
    base: str = "base",
    limit: int = 12,
    panels: tuple[Panel, ...] = PANELS,
    names: Names | None = None,
) -> Any:
    """Forest plot of one variant's differences from the base.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.analysis.stats.kpi_differences.compare_kpis` (may hold several variants).
    variant : str
        Which variant to draw.
    base : str
        Base scenario name, for the title.
    limit : int
        At most this many rows per panel (significant and largest changes first).
    panels : tuple of Panel
        KPI families to draw, in order; empty ones are skipped.
    names : Names, optional
        Names of the flows and stations (:func:`sim.analysis.figures.names.names_of_runs`); ids without.
    """
    mine = table.loc[table["variant"] == variant]
    chosen = []
    for panel in panels:
        rows, more, same = _rows(mine, panel, limit)
        if len(rows):
            chosen.append((panel, rows, (more, same)))
    heights = [max(1.2, 0.3 * len(rows) + 0.8) for _, rows, _ in chosen] or [1.0]
    figure = new_figure(9.5, sum(heights) + 1.2, layout="constrained")
    axes = figure.subplots(len(heights), 1, squeeze=False, height_ratios=heights).ravel()
    for ax, (panel, rows, hidden) in zip(axes, chosen, strict=False):
        _draw_panel(ax, rows, panel, hidden, _labeller(panel.table, names or Names()))
    if not chosen:
        axes[0].text(0.5, 0.5, "no KPI to compare", ha="center", va="center", transform=axes[0].transAxes)
        axes[0].set_axis_off()
    figure.suptitle(f"{variant} vs {base}: differences with 95 % intervals")
    note(
        figure,
        "Filled red disc: the interval excludes zero (a real difference at the 95 % level); "
        "hollow grey circle: not distinguishable from noise.\n"
        "Paired over replications with common random numbers.",
        _significance_handles() if chosen else (),
    )
    return figure


def _significance_handles() -> list[Any]:
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], marker="o", color=SIGNIFICANT, markersize=6, label="significant (95 %)"),
        Line2D(
            [],
            [],
            marker="o",
            color=NOT_SIGNIFICANT,
            markerfacecolor="white",
            markeredgewidth=1.4,
            markersize=6,
            label="not significant",
        ),
    ]


@styled
def plot_bottlenecks(
    table: pd.DataFrame,
    top: int = 15,
    title: str = "Where the corridor is fragile",
    names: Names | None = None,
) -> Any:
    """Two panels for the most harmful stations: throughput change (t/yr) and transit time added (h).

    Significant changes are solid red bars, the others hollow grey bars (hatched), so the difference survives
    printing in black and white. Background traffic is not in the KPIs (see
    :func:`sim.experiments.bottlenecks.rank_bottlenecks`).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.experiments.bottlenecks.rank_bottlenecks`.
    top : int
        Stations shown (by rank).
    title : str
        Figure title.
    names : Names, optional
        Station names (ids without).
    """
    rows = table.sort_values("rank").head(top).iloc[::-1]
    figure = new_figure(11.0, 0.32 * len(rows) + 1.8, layout="constrained")
    left, right = figure.subplots(1, 2, sharey=True)
    y = np.arange(len(rows))
    specs = (
        (left, "throughput", 1.0, "corridor throughput change (t/yr)", "throughput_significant"),
        (right, "transit", 1.0, "tonne-weighted transit time change (hours)", "transit_significant"),
    )
    for ax, name, scale, label, flag in specs:
        columns = ("throughput_change", "throughput_low", "throughput_high")
        if name == "transit":
            columns = ("transit_change_h", "transit_low_h", "transit_high_h")
        mid, low, high = (rows[c].to_numpy(np.float64) * scale for c in columns)
        significant = rows[flag].fillna(False).astype(bool).to_numpy()
        ax.barh(y[significant], mid[significant], color=SIGNIFICANT, alpha=0.85, height=0.6)
        ax.barh(
            y[~significant],
            mid[~significant],
            facecolor="white",
            edgecolor=NOT_SIGNIFICANT,
            hatch="////",
            linewidth=1.0,
            height=0.6,
        )
        finite = np.isfinite(low) & np.isfinite(high)
        err = np.vstack([np.where(finite, mid - low, 0.0), np.where(finite, high - mid, 0.0)])
        ax.errorbar(mid, y, xerr=err, fmt="none", ecolor="#222222", elinewidth=0.9, capsize=2)
        ax.axvline(0.0, color="#333333", linewidth=0.9)
        ax.set_xlabel(label)
        ax.grid(axis="y", visible=False)
    left.xaxis.set_major_formatter(tonnes_formatter)
    left.xaxis.set_major_locator(_few_ticks())
    left.set_yticks(y, [(names or Names()).station(str(r)) for r in rows["station"]])
    figure.suptitle(title)
    note(
        figure,
        "Each station in turn loses part of its capacity for the whole horizon (see the table for what "
        "changed); bars: paired difference from the base, whiskers: 95 % CI.\nSolid red: the interval "
        "excludes zero; hatched grey: not significant. Background traffic (flows that only queue at one "
        "node: other canal transits, other soybeans) is not counted.",
        _bar_handles(),
    )
    return figure


def _bar_handles() -> list[Any]:
    from matplotlib.patches import Patch

    return [
        Patch(facecolor=SIGNIFICANT, alpha=0.85, label="significant (95 %)"),
        Patch(facecolor="white", edgecolor=NOT_SIGNIFICANT, hatch="////", label="not significant"),
    ]


def _few_ticks() -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=5)
