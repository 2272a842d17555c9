"""Response plots: each headline KPI against one parameter, one PNG per parameter.

Grey dots are the points (mean over replications, with the 95% interval); the coloured line is the KPI's
mean at each level of the parameter over all other parameters (grid: the main effect) or, for sampled
designs, over equal-count bins of the parameter.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.plotstyle import PALETTE, new_figure, note, save_png, styled, tonnes_formatter

__all__ = ["plot_response", "response_file"]

MAX_BINS = 8


def response_file(parameter: str) -> str:
    """``response_flows.soy.annual_volume.png`` → a file name safe on every filesystem."""
    return "response_" + re.sub(r"[^A-Za-z0-9_.\-]+", "_", parameter) + ".png"


@styled
def plot_response(
    summary: pd.DataFrame,
    parameter: dict[str, Any],
    kpis: list[str],
    design: str,
    replications: int,
    path: Path,
) -> Path:
    """Draw the response of ``kpis`` to ``parameter`` and save it as PNG at ``path``.

    Parameters
    ----------
    summary : DataFrame
        From :func:`sim.sweep.results.point_summary`.
    parameter : dict
        The manifest's entry of the parameter (name, kind, scale).
    kpis : list of str
        KPI labels, one panel each.
    design : str
        The sweep's design (decides the line: level means or bin means).
    replications : int
        Replications per point (for the note).
    """
    name = parameter["name"]
    columns = min(3, len(kpis))
    rows = math.ceil(len(kpis) / columns)
    figure = new_figure(4.2 * columns, 3.1 * rows + 0.5, layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    categorical = parameter["kind"] in ("str", "bool")
    for index, (axis, kpi) in enumerate(zip(axes, kpis, strict=False)):
        _panel(axis, summary[summary["kpi"] == kpi], name, categorical, design, PALETTE[index % len(PALETTE)])
        axis.set_title(kpi.split("/", 1)[1].replace("/", " · "), loc="left", fontsize=9)
        axis.set_ylabel(kpi.split("/")[-1])
        axis.set_xlabel(name)
        if parameter["scale"] == "log":
            axis.set_xscale("log")
        _compact_ticks(axis, kpi, categorical, parameter["scale"] == "log")
        if parameter["kind"] == "int":
            from matplotlib.ticker import MaxNLocator

            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    for axis in axes[len(kpis) :]:
        axis.set_visible(False)
    figure.suptitle(f"Response to {name}")
    by_level = design == "grid" or categorical
    line = "mean at each level over the other parameters" if by_level else "mean over equal-count bins"
    note(
        figure, f"Dots: one sweep point, mean of {replications} replications with 95% interval. Line: {line}."
    )
    return save_png(figure, path)


def _compact_ticks(axis: Any, kpi: str, categorical: bool, log: bool) -> None:
    """Tick labels such as ``8 Mt`` or ``12 k`` rather than an offset ``1e7`` above the axis."""
    from matplotlib.ticker import EngFormatter, FuncFormatter, LogLocator, NullFormatter

    if "tonnes" in kpi.rsplit("/", 1)[-1]:
        axis.yaxis.set_major_formatter(FuncFormatter(tonnes_formatter))
    elif max(abs(v) for v in axis.get_ylim()) >= 1e4:
        axis.yaxis.set_major_formatter(EngFormatter(sep=" "))
    if log:
        axis.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        axis.xaxis.set_minor_formatter(NullFormatter())
    if not categorical and (log or max(abs(v) for v in axis.get_xlim()) >= 1e4):
        axis.xaxis.set_major_formatter(EngFormatter(sep=" "))


def _panel(axis: Any, rows: pd.DataFrame, name: str, categorical: bool, design: str, colour: str) -> None:
    if categorical:
        levels = sorted(rows[name].astype(str).unique())
        x = rows[name].astype(str).map({level: i for i, level in enumerate(levels)}).to_numpy(dtype=float)
        axis.set_xticks(range(len(levels)), levels)
    else:
        x = rows[name].to_numpy(dtype=float)
    mean = rows["mean"].to_numpy(dtype=float)
    low = mean - rows["ci_low"].to_numpy(dtype=float)
    high = rows["ci_high"].to_numpy(dtype=float) - mean
    errors = np.nan_to_num(np.vstack([low, high]))
    axis.errorbar(
        x,
        mean,
        yerr=errors,
        fmt="o",
        ms=3.5,
        color="#8c8c8c",
        ecolor="#c8c8c8",
        elinewidth=1,
        capsize=0,
        zorder=2,
    )
    _focus(axis, mean, rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float))
    line_x, line_y = _trend(x, mean, by_level=design == "grid" or categorical)
    axis.plot(line_x, line_y, "-", color=colour, lw=2, zorder=3)


def _focus(axis: Any, mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
    """Keep the means in view when a few wide intervals (few replications) would flatten them."""
    spread = float(np.nanmax(mean) - np.nanmin(mean)) if np.isfinite(mean).any() else 0.0
    reach = float(np.nanmax(high) - np.nanmin(low)) if np.isfinite(high).any() else 0.0
    if spread > 0 and reach > 4 * spread:
        axis.set_ylim(float(np.nanmin(mean)) - 0.6 * spread, float(np.nanmax(mean)) + 0.6 * spread)


def _trend(x: np.ndarray, y: np.ndarray, by_level: bool) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``y`` at each distinct ``x`` (grid) or in equal-count bins of ``x`` (sampled designs)."""
    frame = pd.DataFrame({"x": x, "y": y}).dropna().sort_values("x")
    if by_level or frame["x"].nunique() <= MAX_BINS:
        grouped = frame.groupby("x")["y"].mean()
        return grouped.index.to_numpy(dtype=float), grouped.to_numpy(dtype=float)
    bins = min(MAX_BINS, max(2, len(frame) // 4))
    frame["bin"] = np.arange(len(frame)) * bins // len(frame)
    binned = frame.groupby("bin")[["x", "y"]].mean()
    return binned["x"].to_numpy(dtype=float), binned["y"].to_numpy(dtype=float)
