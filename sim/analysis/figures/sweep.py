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

from sim.analysis.figures.style import (
    PALETTE,
    metric_label,
    new_figure,
    note,
    pretty,
    save_png,
    styled,
    tonnes_formatter,
)

__all__ = ["parameter_label", "plot_response", "response_file"]

PARAMETER_UNITS = {
    "annual_volume": "annual volume (t or TEU per year)",
    "count": "berths",
    "rate": "handling rate per berth (t/h or TEU/h)",
    "overhead_h": "overhead per call (h)",
    "speed_kn": "speed (kn)",
    "speed_kmh": "speed (km/h)",
    "distance_nm": "distance (nm)",
    "distance_km": "distance (km)",
    "transit_h": "transit time (h)",
    "slots_per_day": "transit slots per day",
    "capacity": "capacity per departure",
    "headway_h": "headway (h)",
    "usd_per_unit_km": "freight rate (US$ per t-km or TEU-km)",
    "usd_per_unit": "rate (US$ per t or TEU)",
    "usd_per_transit": "toll per transit (US$)",
    "usd_per_call": "charge per call (US$)",
    "carbon_price_usd_per_t": "carbon price (US$ per t CO₂e)",
    "scale_usd_per_unit": "logit scale (US$ per t or TEU)",
    "extra_usd_per_unit": "surcharge (US$ per t or TEU)",
    "value_of_time_usd_per_unit_h": "value of time (US$ per t or TEU and hour)",
}
"""Readable name and unit of a sweep parameter, by the last field of its path."""

MAX_BINS = 8
MIN_POINTS_PER_BIN = 4
LINES = {
    "level": "mean at each level over the other parameters",
    "bins": "mean over equal-count bins of the parameter",
    "fit": "least-squares trend (too few points for bins)",
}


def _line_mode(design: str, parameter: dict[str, Any], points: int) -> str:
    """``level`` for grids and discrete levels, ``bins`` for well-sampled ranges, else a fitted ``fit``."""
    if design == "grid" or parameter.get("levels") is not None or parameter["kind"] in ("str", "bool"):
        return "level"
    return "bins" if points >= 4 * MIN_POINTS_PER_BIN else "fit"


def parameter_label(name: str, log: bool = False) -> str:
    """Axis label of a sweep parameter: its meaning and unit (when known), the scale, then its path."""
    field = name.rsplit(".", 1)[-1].split("[", 1)[0]
    meaning = PARAMETER_UNITS.get(field, field.replace("_", " "))
    return f"{meaning}{', log scale' if log else ''}\n{name}"


def _kpi_title(kpi: str) -> str:
    """``throughput_by_commodity/soybeans/…`` → ``Soybeans``; ``transit_by_flow/soy/…`` → ``flow soy``.

    A key may hold ``/`` itself (a choice flow's route ``FLOW/ALTERNATIVE``): it is all but the metric.
    """
    table, _, rest = kpi.partition("/")
    key = rest.rsplit("/", 1)[0] if "/" in rest else rest
    if table.endswith("_by_commodity"):
        return pretty(key)
    if table.endswith("_by_flow"):
        return f"flow {key}"
    if table == "route_choice":
        return f"route {key}"
    return key


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
        From :func:`sim.analysis.tables.sweep.point_summary`.
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
    mode = _line_mode(design, parameter, summary["point"].nunique())
    for index, (axis, kpi) in enumerate(zip(axes, kpis, strict=False)):
        rows_of_kpi = summary[summary["kpi"] == kpi]
        _panel(axis, rows_of_kpi, name, categorical, mode, parameter["scale"], PALETTE[index % len(PALETTE)])
        axis.set_title(_kpi_title(kpi), loc="left", fontsize=9)
        axis.set_ylabel(metric_label(kpi.split("/")[-1]))
        axis.set_xlabel(parameter_label(name, log=parameter["scale"] == "log"))
        if parameter["scale"] == "log":
            axis.set_xscale("log")
        _compact_ticks(axis, kpi, categorical, parameter["scale"] == "log")
        if parameter["kind"] == "int":
            from matplotlib.ticker import MaxNLocator

            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    for axis in axes[len(kpis) :]:
        axis.set_visible(False)
    figure.suptitle(f"Response to {name}")
    line = LINES[mode]
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


def _panel(
    axis: Any, rows: pd.DataFrame, name: str, categorical: bool, mode: str, scale: str, colour: str
) -> None:
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
    line_x, line_y = _trend(x, mean, mode, log=scale == "log")
    axis.plot(line_x, line_y, "-", color=colour, lw=2, zorder=3)


def _focus(axis: Any, mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
    """Keep the means in view when a few wide intervals (few replications) would flatten them."""
    spread = float(np.nanmax(mean) - np.nanmin(mean)) if np.isfinite(mean).any() else 0.0
    reach = float(np.nanmax(high) - np.nanmin(low)) if np.isfinite(high).any() else 0.0
    if spread > 0 and reach > 4 * spread:
        axis.set_ylim(float(np.nanmin(mean)) - 0.6 * spread, float(np.nanmax(mean)) + 0.6 * spread)


def _trend(x: np.ndarray, y: np.ndarray, mode: str, log: bool) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``y`` at each distinct ``x``, in equal-count bins of ``x``, or a least-squares line."""
    frame = pd.DataFrame({"x": x, "y": y}).dropna().sort_values("x")
    if mode == "level" or len(frame) < 2:
        grouped = frame.groupby("x")["y"].mean()
        return grouped.index.to_numpy(dtype=float), grouped.to_numpy(dtype=float)
    if mode == "fit":
        u = np.log10(frame["x"].to_numpy()) if log else frame["x"].to_numpy()
        slope, intercept = np.polyfit(u, frame["y"].to_numpy(), 1)
        ends = np.array([u.min(), u.max()])
        return (10**ends if log else ends), slope * ends + intercept
    bins = min(MAX_BINS, len(frame) // MIN_POINTS_PER_BIN)
    frame["bin"] = np.arange(len(frame)) * bins // len(frame)
    binned = frame.groupby("bin")[["x", "y"]].mean()
    return binned["x"].to_numpy(dtype=float), binned["y"].to_numpy(dtype=float)
