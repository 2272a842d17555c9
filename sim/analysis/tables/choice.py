"""Route shares, cost breakdowns and emissions of a run, as tidy tables read from its ``kpis.json``.

Each table has one row per flow label that the run's KPIs list: ``FLOW``, or ``FLOW/ALTERNATIVE`` for the
routes of a choice flow (whose whole-flow rows are left out). The tables are empty when the run has no
choice flow, no ``costs:`` or no ``emissions:`` section.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.tables.run_data import RunData

__all__ = ["COST_PARTS", "cost_breakdown", "emissions_breakdown", "route_shares"]

COST_PARTS = ("sea", "rail", "inland", "port", "canal", "transit_time", "waiting_time", "carbon")
"""The cost components of the ledger, in stacking order (``cost_<part>_usd`` in the KPIs)."""


def _kpis(run: RunData, table: str) -> pd.DataFrame:
    rows = run.kpis.get("tables", {}).get(table, [])
    columns = ["key", "period", "metric", "mean", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def _routes_only(frame: pd.DataFrame) -> pd.DataFrame:
    """Leave out the whole-flow rows of choice flows (``FLOW`` beside its ``FLOW/ALTERNATIVE`` rows)."""
    keys = set(frame["key"])
    whole = {key.partition("/")[0] for key in keys if "/" in key}
    return frame[~frame["key"].isin(whole)]


def _wide(frame: pd.DataFrame, column: str = "mean") -> pd.DataFrame:
    """One row per key, one column per metric; NaN kept (one replication has no interval: all NaN)."""
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame.assign(**{column: values}).pivot_table(
        index="key", columns="metric", values=column, sort=False, dropna=False
    )


def route_shares(run: RunData) -> pd.DataFrame:
    """Route shares of the choice flows, one row per route.

    Columns ``flow``, ``route``, ``probability``, ``share`` with ``share_low`` and ``share_high`` (95 % CI),
    ``time_mean_h``.
    """
    frame = _kpis(run, "route_choice")
    if frame.empty:
        return pd.DataFrame(columns=["flow", "route", "probability", "share", "share_low", "share_high"])
    means, low, high = _wide(frame), _wide(frame, "ci_low"), _wide(frame, "ci_high")
    keys = list(means.index)
    return pd.DataFrame(
        {
            "flow": [k.partition("/")[0] for k in keys],
            "route": [k.partition("/")[2] for k in keys],
            "probability": means["probability"].to_numpy(),
            "share": means["share"].to_numpy(),
            "share_low": low["share"].to_numpy(),
            "share_high": high["share"].to_numpy(),
            "time_mean_h": means["time_mean_h"].to_numpy(),
        }
    )


def cost_breakdown(run: RunData) -> pd.DataFrame:
    """US$ per tonne delivered by component, one row per flow label.

    Columns :data:`COST_PARTS` (means over replications of the component over tonnes), ``total`` with its
    95 % interval (``total_low``, ``total_high``).
    """
    frame = _routes_only(_kpis(run, "cost_by_flow"))
    if frame.empty:
        return pd.DataFrame(columns=["key", *COST_PARTS, "total", "total_low", "total_high"])
    means = _wide(frame)
    tonnes = means["tonnes"].where(means["tonnes"] > 0)
    table = pd.DataFrame({part: means[f"cost_{part}_usd"] / tonnes for part in COST_PARTS})
    table["total"] = means["cost_usd_per_t"]
    table["total_low"] = _wide(frame, "ci_low")["cost_usd_per_t"]
    table["total_high"] = _wide(frame, "ci_high")["cost_usd_per_t"]
    return table.rename_axis("key").reset_index().dropna(subset=["total"])


def emissions_breakdown(run: RunData) -> pd.DataFrame:
    """Well-to-wheel kg CO₂e per tonne delivered, from transport and from hubs, one row per flow label.

    Columns ``transport``, ``hub``, ``total`` with its 95 % interval (``total_low``, ``total_high``).

    The split comes from the shipments delivered in the window (``co2e_transport_wtw_kg`` and
    ``co2e_hub_wtw_kg``, pooled over replications); the total and its interval from ``emissions_by_flow``.
    """
    frame = _routes_only(_kpis(run, "emissions_by_flow"))
    columns = ["key", "transport", "hub", "total", "total_low", "total_high"]
    shipments = run.shipments
    if frame.empty or "co2e_hub_wtw_kg" not in shipments:
        return pd.DataFrame(columns=columns)
    done = shipments[(shipments["delivered"] >= run.warmup_h) & (shipments["delivered"] <= run.horizon_h)]
    sums = done.groupby("flow", observed=True)[["tonnes", "co2e_transport_wtw_kg", "co2e_hub_wtw_kg"]].sum()
    hub_fraction = sums["co2e_hub_wtw_kg"] / (sums["co2e_transport_wtw_kg"] + sums["co2e_hub_wtw_kg"])
    means = _wide(frame)
    total = means["co2e_kg_per_t"].dropna()
    fraction = hub_fraction.reindex(total.index).fillna(0.0)
    return pd.DataFrame(
        {
            "key": total.index,
            "transport": (total * (1 - fraction)).to_numpy(),
            "hub": (total * fraction).to_numpy(),
            "total": total.to_numpy(),
            "total_low": _wide(frame, "ci_low")["co2e_kg_per_t"].reindex(total.index).to_numpy(),
            "total_high": _wide(frame, "ci_high")["co2e_kg_per_t"].reindex(total.index).to_numpy(),
        }
    )
