"""Figures of route choice, cost and emissions of one run, from :mod:`sim.analysis.tables.choice`.

Each function takes a DataFrame and returns a :class:`matplotlib.figure.Figure`: route shares (realised share
with its 95 % interval beside the Plan's probability), the cost per tonne by component, and CO₂e per tonne
from transport and from hubs. Bars are labelled with the flow (or ``FLOW/ALTERNATIVE`` route) they describe.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.figures.names import Names
from sim.analysis.figures.style import new_figure, note, styled

__all__ = ["plot_cost_breakdown", "plot_emissions", "plot_route_shares"]

COMPONENT_COLOURS = {
    "sea": "#0072B2",
    "rail": "#D55E00",
    "inland": "#E69F00",
    "port": "#009E73",
    "canal": "#CC79A7",
    "transit_time": "#56B4E9",
    "waiting_time": "#999933",
    "carbon": "#333333",
}
"""Okabe–Ito colours per cost component (fixed, so figures of different runs read alike)."""
HATCHES = {"transit_time": "//", "waiting_time": "xx", "carbon": ".."}
"""Components that are not route charges (time, carbon) are hatched too: not told apart by colour alone."""
ERROR_BAR = {"fmt": "none", "ecolor": "#222222", "elinewidth": 0.9, "capsize": 2.5}


def _errors(rows: pd.DataFrame, mean: str, low: str, high: str) -> np.ndarray:
    below = (rows[mean] - rows[low]).clip(lower=0).fillna(0)
    above = (rows[high] - rows[mean]).clip(lower=0).fillna(0)
    return np.vstack([below.to_numpy(float), above.to_numpy(float)])


@styled
def _label(key: str, names: Names) -> str:
    """A flow's name, or ``name — alternative`` for a route of a choice flow (key ``FLOW/ALTERNATIVE``)."""
    if key in names.flows:
        return names.flows[key]
    flow, _, alternative = key.partition("/")
    return f"{names.flow(flow)} — {alternative.replace('_', ' ')}" if alternative else names.flow(flow)


def plot_route_shares(table: pd.DataFrame, title: str = "Route choice", names: Names | None = None) -> Any:
    """Share of each choice flow's shipments per route (bars, 95 % CI) and the Plan's probability (◆).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.analysis.tables.choice.route_shares`.
    title : str
        Figure title.
    names : Names, optional
        Route names (``FLOW/ALTERNATIVE`` keys) for the rows (ids without).
    """
    rows = table.iloc[::-1].reset_index(drop=True)
    figure = new_figure(7.5, 0.42 * len(rows) + 1.6, layout="constrained")
    ax = figure.subplots()
    y = np.arange(len(rows))
    flows = list(dict.fromkeys(rows["flow"]))
    colours = [("#0072B2", "#E69F00", "#009E73", "#CC79A7")[flows.index(f) % 4] for f in rows["flow"]]
    ax.barh(y, rows["share"] * 100, color=colours, alpha=0.85, height=0.6, label="share realised")
    ax.errorbar(
        rows["share"] * 100, y, xerr=_errors(rows, "share", "share_low", "share_high") * 100, **ERROR_BAR
    )
    ax.scatter(
        rows["probability"] * 100, y, marker="D", s=28, color="#222222", zorder=3, label="probability (Plan)"
    )
    labels = [_label(f"{f}/{r}", names or Names()) for f, r in zip(rows["flow"], rows["route"], strict=True)]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the flow's shipments created in the window (%)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    ax.set_title(title, loc="left")
    note(
        figure,
        "Bars: mean over replications of each route's share; whiskers: 95 % CI. ◆: the logit (or fixed) "
        "probability the Plan drew from.",
    )
    return figure


@styled
def plot_cost_breakdown(
    table: pd.DataFrame, title: str = "Cost per tonne delivered", names: Names | None = None
) -> Any:
    """Stacked US$ per tonne by cost component for each flow (or route), with the total's 95 % CI.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.analysis.tables.choice.cost_breakdown`.
    title : str
        Figure title.
    names : Names, optional
        Flow names for the rows (ids without).
    """
    from sim.analysis.tables.choice import COST_PARTS

    rows = table.sort_values("total").reset_index(drop=True)
    figure = new_figure(8.0, 0.36 * len(rows) + 1.9, layout="constrained")
    ax = figure.subplots()
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for part in COST_PARTS:
        values = rows[part].fillna(0.0).to_numpy(float)
        if not values.any():
            continue
        ax.barh(
            y,
            values,
            left=left,
            height=0.62,
            color=COMPONENT_COLOURS[part],
            hatch=HATCHES.get(part),
            edgecolor="white",
            linewidth=0.4,
            label=part.replace("_", " "),
        )
        left += values
    ax.errorbar(rows["total"], y, xerr=_errors(rows, "total", "total_low", "total_high"), **ERROR_BAR)
    ax.set_yticks(y, [_label(str(k), names or Names()) for k in rows["key"]])
    ax.set_xlabel("US$ per tonne delivered")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", ncols=2, fontsize=8)
    ax.set_title(title, loc="left")
    note(
        figure,
        "Means over replications of each flow's cost over its tonnes delivered in the window; whiskers: "
        "95 % CI of the total.\nHatched: cost of time (cargo value × holding rate × hours) and carbon "
        "(price × CO₂e).",
    )
    return figure


@styled
def plot_emissions(
    table: pd.DataFrame, title: str = "CO₂e per tonne delivered (well-to-wheel)", names: Names | None = None
) -> Any:
    """Stacked kg CO₂e per tonne from transport and from hub handling, with the total's 95 % CI.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sim.analysis.tables.choice.emissions_breakdown`.
    title : str
        Figure title.
    names : Names, optional
        Flow names for the rows (ids without).
    """
    rows = table.sort_values("total").reset_index(drop=True)
    figure = new_figure(8.0, 0.36 * len(rows) + 1.7, layout="constrained")
    ax = figure.subplots()
    y = np.arange(len(rows))
    ax.barh(y, rows["transport"], height=0.62, color="#0072B2", label="transport (legs, services)")
    ax.barh(
        y,
        rows["hub"],
        left=rows["transport"],
        height=0.62,
        color="#E69F00",
        hatch="//",
        label="hubs (berths)",
    )
    ax.errorbar(rows["total"], y, xerr=_errors(rows, "total", "total_low", "total_high"), **ERROR_BAR)
    ax.set_yticks(y, [_label(str(k), names or Names()) for k in rows["key"]])
    ax.set_xlabel("kg CO₂e (WTW) per tonne delivered")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    ax.set_title(title, loc="left")
    note(
        figure,
        "GLEC / ISO 14083 structure: activity × intensity per leg or service, handling × intensity per berth "
        "visit.\nTotal: mean over replications with 95 % CI; split: pooled over the window's deliveries.",
    )
    return figure
