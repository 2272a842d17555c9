"""The terminal view of comparisons and bottleneck rankings.

Tables fit 80 columns, numbers carry the units of :mod:`sim.analysis.units`, and significance is a symbol
(``*``) as well as colour (so it survives ``NO_COLOR`` and pipes). Which rows a comparison shows:

* ``default`` — every KPI except those identical in every replication (untouched by the change: common random
  numbers give them the same value in both runs); the footer says how many were hidden;
* ``changed`` (``--changed-only``) — only differences whose 95 % interval excludes zero;
* ``all`` (``--all``) — every KPI compared.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import pandas as pd
from rich.console import Console
from rich.table import Table

from sim.analysis.stats.verdicts import identical, too_wide
from sim.cli.units import SIGNIFICANT, interval, kind_of, narrow_table, quantity
from sim.experiments.compare import Comparison

__all__ = [
    "Rows",
    "identical",
    "print_bottlenecks",
    "print_comparison",
    "print_footer",
    "too_wide",
]

Rows = Literal["default", "changed", "all"]

SECTIONS = {
    ("throughput_by_commodity", "tonnes_per_year"): "Tonnes/yr, commodity",
    ("throughput_by_flow", "tonnes_per_year"): "Tonnes/yr, flow",
    ("transit_by_flow", "transit_mean_h"): "Transit time, mean",
    ("transit_by_flow", "transit_p95_h"): "Transit time, p95",
    ("stations", "wait_mean_h"): "Mean wait",
    ("stations", "waiting_at_horizon"): "Queued at horizon †",
    ("stations", "utilisation"): "Utilisation",
    ("route_choice", "share"): "Route share (of the flow's shipments)",
    ("cost_by_commodity", "cost_usd_per_t"): "Cost per tonne delivered",
    ("cost_by_flow", "cost_usd_per_t"): "Cost per tonne delivered, by flow",
    ("emissions_by_commodity", "co2e_kg_per_t"): "CO₂e (WTW) per tonne delivered",
    ("emissions_by_flow", "co2e_kg_per_t"): "CO₂e (WTW) per tonne delivered, by flow",
}
QUEUED_NOTE = "† visits still waiting at the horizon, left out of the mean wait"


def _shown(rows: pd.DataFrame, which: Rows) -> pd.DataFrame:
    if which == "all":
        return rows
    if which == "changed":
        return rows.loc[rows["significant"].astype(bool)]
    return rows.loc[~identical(rows)]


def _cells(r: dict[Any, Any]) -> list[str]:
    kind = kind_of(str(r["unit"]))
    key = f"{r['key']} {r['period']}".strip()
    base, variant = quantity(r["base_mean"], kind), quantity(r["variant_mean"], kind)
    if r["diff"] == 0 and r["diff_low"] == 0 and r["diff_high"] == 0:
        return [key, base, variant, "0 (identical)", "0", ""]
    diff = interval(r["diff"], r["diff_low"], r["diff_high"], kind)
    rel = "–" if not math.isfinite(r["relative"]) else f"{100 * r['relative']:+.1f}"
    return [key, base, variant, diff, rel, SIGNIFICANT if r["significant"] else ""]


def _variant_table(result: Comparison, variant: str, which: Rows) -> tuple[Table | None, int, bool]:
    rows = result.table.loc[result.table["variant"] == variant]
    shown = _shown(rows, which)
    table = narrow_table(
        f"{variant} − {result.base}: difference [95 % CI]; {SIGNIFICANT} = interval excludes zero"
    )
    table.add_column("KPI", overflow="fold", min_width=12)
    for column in ("base", "variant", "Δ [95 % CI]", "Δ %"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column(" ", width=1, no_wrap=True)
    for (name, metric), group in shown.groupby(["table", "metric"], sort=False):
        heading = SECTIONS.get((str(name), str(metric)), f"{name} · {metric}")
        table.add_row(f"[bold]{heading}[/]", end_section=False)
        records = group.to_dict(orient="records")
        for i, r in enumerate(records):
            style = "bold red" if r["significant"] else None
            table.add_row(*_cells(r), style=style, end_section=i == len(records) - 1)
    queued = "waiting_at_horizon" in set(shown["metric"])
    return (table if len(shown) else None), len(rows) - len(shown), queued


def print_comparison(result: Comparison, console: Console, which: Rows = "default") -> None:
    """Print one table per variant: base, variant, difference with its 95 % interval, relative change."""
    reps = len(result.runs[result.base].replications)
    console.print(
        f"[bold]{', '.join(result.variants)}[/] vs [bold]{result.base}[/] — {reps} replications each, "
        f"seed {result.seed} shared (common random numbers), engine {result.engine}"
    )
    for variant in result.variants:
        table, hidden, queued = _variant_table(result, variant, which)
        if table is not None:
            console.print(table)
        else:
            console.print(f"{variant}: no row to show")
        if queued:
            console.print(QUEUED_NOTE)
        if hidden:
            what = "identical in every replication" if which == "default" else "without a significant change"
            console.print(f"{hidden} rows {what} hidden (--all shows every row)")


def _wide_warning(result: Comparison, console: Console) -> None:
    if result.precision is not None and result.precision.reached:
        return
    reps = len(result.runs[result.base].replications)
    for variant in result.variants:
        wide = too_wide(result.table.loc[result.table["variant"] == variant])
        if wide.empty:
            continue
        r = wide.assign(_w=wide["diff_high"] - wide["diff_low"]).sort_values("_w").iloc[-1]
        shown = interval(r["diff"], r["diff_low"], r["diff_high"], kind_of(r["unit"]))
        example = f"{r['key']} {r['metric']}: {shown}"
        console.print(
            f"[yellow]warning:[/] {variant}: {len(wide)} headline difference{'s' * (len(wide) != 1)} "
            f"(throughput, mean transit) too uncertain to tell the scenarios apart with {reps} "
            f"replications (e.g. {example}); rerun with --precision 0.05 to add replications until "
            "they are within ±5 %"
        )


def _precision_line(result: Comparison, console: Console) -> None:
    p = result.precision
    if p is None:
        return
    worst = p.worst.iloc[0] if len(p.worst) else None
    state = "reached" if p.reached else f"NOT reached (cap {p.cap})"
    console.print(
        f"precision ±{100 * p.target:g} %: {state} after {p.replications} replications per scenario"
        + (
            f"; widest: {worst['key']} {worst['metric']} ±{100 * worst['relative_half_width']:.1f} %"
            if worst is not None
            else ""
        )
    )


def _warmup_lines(warmup: pd.DataFrame, console: Console) -> None:
    """One line per scenario; stations whose own verdict is not ``ok`` are named (as in warmup.csv)."""
    for scenario, rows in warmup.groupby("scenario", sort=False):
        records = rows.to_dict(orient="records")
        pooled = [r for r in records if r["station"] == "all queueing stations"]
        flagged = [r for r in records if r["station"] != "all queueing stations" and r["verdict"] != "ok"]
        for r in pooled:
            console.print(
                f"warm-up {scenario}: cut {r['configured_warmup_h'] / 24:g} d; MSER-5 on the daily mean wait "
                f"of all queueing stations suggests {r['mser_warmup_h'] / 24:g} d — {r['verdict']}"
            )
        for r in flagged:
            console.print(
                f"[yellow]warning:[/] warm-up {scenario}: {r['station']}: MSER-5 suggests "
                f"{r['mser_warmup_h'] / 24:g} d — {r['verdict']} (see warmup.csv; a disruption or "
                "seasonal demand also looks like a transient)"
            )


def print_footer(result: Comparison, console: Console) -> None:
    """Precision reached, headline differences too uncertain to read, and the warm-up check."""
    _precision_line(result, console)
    _wide_warning(result, console)
    _warmup_lines(result.warmup, console)


def print_bottlenecks(table: pd.DataFrame, console: Console, top: int, fraction: float) -> None:
    """The ranking's first ``top`` rows: throughput lost and transit added, with paired 95 % intervals."""
    view = narrow_table(
        f"Bottlenecks: each station loses {100 * fraction:g} % of its capacity (paired 95 % intervals; "
        f"{SIGNIFICANT} = throughput change excludes zero)"
    )
    view.add_column("#", justify="right")
    view.add_column("station (change)", overflow="fold")
    view.add_column("Δ throughput/yr", justify="right", no_wrap=True)
    view.add_column("Δ transit per t", justify="right", no_wrap=True)
    view.add_column(" ", width=1, no_wrap=True)
    for r in table.head(top).to_dict(orient="records"):
        throughput = interval(r["throughput_change"], r["throughput_low"], r["throughput_high"], "mass")
        transit = interval(r["transit_change_h"], r["transit_low_h"], r["transit_high_h"], "duration")
        significant = bool(r["throughput_significant"])
        view.add_row(
            str(r["rank"]),
            f"{r['station']}\n[dim]{r['change']}[/]",
            throughput,
            transit,
            SIGNIFICANT if significant else "",
            style="bold red" if significant else None,
        )
    console.print(view)
