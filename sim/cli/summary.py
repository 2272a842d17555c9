"""The summary a run prints: throughput and delay by flow, and the busiest stations."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table

from sim.results.intervals import mean_interval
from sim.runner import RunResult

__all__ = ["print_summary"]


def _pick(kpis: pd.DataFrame, table: str, metric: str) -> pd.DataFrame:
    chosen = kpis[(kpis["table"] == table) & (kpis["metric"] == metric)]
    return chosen.set_index("key")


def _cell(mean: float, low: float, high: float, digits: int = 1) -> str:
    if math.isnan(mean):
        return "–"
    text = f"{mean:,.{digits}f}"
    if not math.isnan(low):
        text += f" ±{(high - low) / 2:,.{digits}f}"
    return text


def _row(frame: pd.DataFrame, key: str, scale: float = 1.0, digits: int = 1) -> str:
    if key not in frame.index:
        return "–"
    row = frame.loc[key, ["mean", "ci_low", "ci_high"]].to_numpy(dtype=float)
    mean, low, high = (float(value) for value in row)
    return _cell(mean * scale, low * scale, high * scale, digits)


def _count(frame: pd.DataFrame, key: str) -> str:
    """A mean count per replication, without its interval (``0`` when none in any replication)."""
    mean = float(frame["mean"].get(key, math.nan))
    if math.isnan(mean):
        return "–"
    return "0" if mean == 0 else f"{mean:,.1f}"


def _delivered(tonnes: pd.DataFrame, teu: pd.DataFrame, flow: str, containerised: bool) -> str:
    if containerised:
        return _row(teu, flow, 1e-3, 1) + " kTEU"
    return _row(tonnes, flow, 1e-3, 0) + " kt"


def print_summary(result: RunResult, console: Console, top_stations: int = 8) -> None:
    """Print throughput/transit by flow and the most utilised stations, with 95% intervals."""
    kpis = result.kpis
    scenario = result.scenario
    reps = len(result.replications)
    console.print(
        f"[bold]{scenario.name}[/] — {scenario.horizon_days:g} days from {scenario.start}, "
        f"warm-up {scenario.warmup_days:g} days, {reps} replication{'s' * (reps != 1)}, "
        f"engine {result.engine}, seed {result.seed}, {result.wall_time_s:.2f} s"
    )
    flows = Table(title="Flows per year (mean ± 95% CI half-width; times in days)", title_justify="left")
    flows.add_column("flow", no_wrap=True)
    for column in ("delivered", "transit", "p95", "delay"):
        flows.add_column(column, justify="right", no_wrap=True)
    tonnes = _pick(kpis, "throughput_by_flow", "tonnes_per_year")
    teu = _pick(kpis, "throughput_by_flow", "teu_per_year")
    transit = _pick(kpis, "transit_by_flow", "transit_mean_h")
    p95 = _pick(kpis, "transit_by_flow", "transit_p95_h")
    delay = _pick(kpis, "transit_by_flow", "delay_mean_h")
    for name, flow in scenario.flows.items():
        containerised = scenario.commodities[flow.commodity].kind == "container"
        flows.add_row(
            name,
            _delivered(tonnes, teu, name, containerised),
            _row(transit, name, 1 / 24),
            _row(p95, name, 1 / 24),
            _row(delay, name, 1 / 24, 2),
        )
    console.print(flows)
    _print_ledger(result, console)
    stations = Table(
        title=f"Busiest stations (top {top_stations} by utilisation; waits in hours)",
        title_justify="left",
        caption="waits of the visits that arrived after the warm-up and started by the horizon; still "
        "waiting: visits per replication queued at the horizon, left out of the waits (biased low if many)",
        caption_justify="left",
    )
    stations.add_column("station", no_wrap=True)
    for column in ("utilisation", "wait", "wait p95", "still waiting", "queue"):
        stations.add_column(column, justify="right", no_wrap=True)
    utilisation = _pick(kpis, "stations", "utilisation").sort_values("mean", ascending=False)
    waits, wait95 = _pick(kpis, "stations", "wait_mean_h"), _pick(kpis, "stations", "wait_p95_h")
    waiting = _pick(kpis, "stations", "waiting_at_horizon")
    queue = _pick(kpis, "stations", "queue_mean")
    for station in list(utilisation.index)[:top_stations]:
        stations.add_row(
            station,
            _row(utilisation, station, 1.0, 2),
            _row(waits, station),
            _row(wait95, station),
            _count(waiting, station),
            _row(queue, station, 1.0, 2),
        )
    console.print(stations)


def _print_ledger(result: RunResult, console: Console) -> None:
    """Two lines when the scenario has costs or emissions: window totals, and per tonne by commodity."""
    by_rep = result.kpis_by_replication
    totals, ratios, labels = [], [], []
    for table, metric, scale, unit, ratio, label in (
        ("cost_by_commodity", "cost_total_usd", 1e-6, "US$ M", "cost_usd_per_t", "US$"),
        ("emissions_by_commodity", "co2e_wtw_t", 1e-3, "kt CO₂e WTW", "co2e_kg_per_t", "kg CO₂e"),
    ):
        rows = by_rep[(by_rep["table"] == table) & (by_rep["metric"] == metric)]
        if rows.empty:
            continue
        total = mean_interval(rows.groupby("replication")["value"].sum().to_numpy() * scale)
        totals.append(f"{_cell(total.estimate, total.low, total.high)} {unit}")
        ratios.append(_pick(result.kpis, table, ratio)["mean"])
        labels.append(label)
    if not totals:
        return
    console.print("Cost and emissions of the deliveries in the window: " + "; ".join(totals))
    cells = []
    for key in ratios[0].index:
        values = [float(r.get(key, math.nan)) for r in ratios]
        if not all(math.isnan(v) for v in values):
            cells.append(f"{key} " + " · ".join("–" if math.isnan(v) else f"{v:,.0f}" for v in values))
    console.print(f"Per tonne delivered ({' · '.join(labels)}): " + ", ".join(cells))
