"""The summary a run prints: throughput and delay by flow, and the busiest stations.

``corridor run`` prints it from the finished :class:`~sim.runner.RunResult`; ``corridor show RUN`` prints
the same tables from the run directory's files (``kpis.json``, ``provenance.json``, ``scenario.yaml``),
through one :class:`RunSummary`. Numbers are formatted by :mod:`sim.cli.units`; the tables fit 80 columns.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from sim.cli.choice_summary import print_choice, route_labels
from sim.cli.units import narrow_table, quantity, with_half_width

if TYPE_CHECKING:
    import pandas as pd

    from sim.runner import RunResult
    from sim.scenario.flows import Flow
    from sim.scenario.model import Scenario

__all__ = ["RunSummary", "print_run_summary", "print_summary", "summary_of_directory", "summary_of_result"]


@dataclass(frozen=True)
class RunSummary:
    """What the run summary shows: the scenario, how it was run, and its KPI means with 95 % intervals.

    Attributes
    ----------
    scenario : Scenario
        The resolved scenario.
    kpis : pandas.DataFrame
        Columns ``table, key, period, metric, mean, ci_low, ci_high`` (as in ``kpis.json``).
    replications : int
        Replications run.
    engine : str
        Engine name.
    seed : int
        Root seed.
    wall_time_s : float
        Wall time of the run (NaN when unknown).
    """

    scenario: Scenario
    kpis: pd.DataFrame
    replications: int
    engine: str
    seed: int
    wall_time_s: float


def summary_of_result(result: RunResult) -> RunSummary:
    """The summary of a run just finished."""
    return RunSummary(
        result.scenario,
        result.kpis,
        len(result.replications),
        result.engine,
        result.seed,
        result.wall_time_s,
    )


def summary_of_directory(directory: Path) -> RunSummary:
    """The summary of a run directory written by ``corridor run`` (raises ``FileNotFoundError``)."""
    import pandas as pd

    from sim.scenario.loader import load_scenario

    for name in ("kpis.json", "provenance.json", "scenario.yaml"):
        if not (directory / name).is_file():
            raise FileNotFoundError(str(directory / name))
    kpis = json.loads((directory / "kpis.json").read_text(encoding="utf-8"))
    stamp = json.loads((directory / "provenance.json").read_text(encoding="utf-8"))
    frame = pd.DataFrame(
        [{"table": table, **row} for table, rows in kpis["tables"].items() for row in rows],
        columns=["table", "key", "period", "metric", "mean", "ci_low", "ci_high"],
    )
    return RunSummary(
        load_scenario(directory / "scenario.yaml"),
        frame,
        len(stamp.get("replications", kpis.get("replications", []))),
        str(stamp.get("engine", "?")),
        int(stamp.get("seed", -1)),
        float(stamp.get("wall_time_s", math.nan)),
    )


def _pick(kpis: pd.DataFrame, table: str, metric: str) -> pd.DataFrame:
    chosen = kpis[(kpis["table"] == table) & (kpis["metric"] == metric)]
    return chosen.set_index("key")


def _row(frame: pd.DataFrame, key: str, kind: str) -> str:
    if key not in frame.index:
        return "–"
    row = frame.loc[key, ["mean", "ci_low", "ci_high"]].to_numpy(dtype=float)
    mean, low, high = (float(value) for value in row)
    return with_half_width(mean, low, high, kind)


def _mean(frame: pd.DataFrame, key: str, kind: str) -> str:
    """A mean alone (percentiles: their interval is in kpis.json)."""
    return quantity(float(frame["mean"].get(key, math.nan)), kind)


def _count(frame: pd.DataFrame, key: str) -> str:
    """A mean count per replication, without its interval (``0`` when none in any replication)."""
    mean = float(frame["mean"].get(key, math.nan))
    if math.isnan(mean):
        return "–"
    return "0" if mean == 0 else quantity(mean, "count")


def print_summary(result: RunResult, console: Console, top_stations: int = 8) -> None:
    """Print the summary of a finished run (see :func:`print_run_summary`)."""
    print_run_summary(summary_of_result(result), console, top_stations)


def print_run_summary(summary: RunSummary, console: Console, top_stations: int = 8) -> None:
    """Print throughput/transit by flow and the most utilised stations, with 95 % intervals."""
    kpis, scenario, reps = summary.kpis, summary.scenario, summary.replications
    took = "" if math.isnan(summary.wall_time_s) else f", {summary.wall_time_s:.2f} s"
    console.print(
        f"[bold]{scenario.name}[/] — {scenario.horizon_days:g} days from {scenario.start}, "
        f"warm-up {scenario.warmup_days:g} days, {reps} replication{'s' * (reps != 1)}, "
        f"engine {summary.engine}, seed {summary.seed}{took}"
    )
    background = any(flow.background for flow in scenario.flows.values())
    flows = narrow_table(
        "Flows (mean ±95 % CI half-width)",
        caption="below the rule: background traffic (the ports' and canal's other traffic)"
        if background
        else None,
    )
    flows.add_column("flow", overflow="fold", min_width=12)
    for column in ("delivered/yr", "transit", "transit\np95", "delay"):
        flows.add_column(column, justify="right", no_wrap=True)
    tonnes = _pick(kpis, "throughput_by_flow", "tonnes_per_year")
    teu = _pick(kpis, "throughput_by_flow", "teu_per_year")
    transit = _pick(kpis, "transit_by_flow", "transit_mean_h")
    p95 = _pick(kpis, "transit_by_flow", "transit_p95_h")
    delay = _pick(kpis, "transit_by_flow", "delay_mean_h")
    # modelled flows first, then the background traffic under a rule
    labels = sorted(route_labels(scenario), key=lambda label: _flow_of(scenario, label).background)
    for position, name in enumerate(labels):
        flow = _flow_of(scenario, name)
        if flow.background and (position == 0 or not _flow_of(scenario, labels[position - 1]).background):
            flows.add_section()
        containerised = scenario.commodities[flow.commodity].kind == "container"
        flows.add_row(
            name,
            _row(teu, name, "teu") if containerised else _row(tonnes, name, "mass"),
            _row(transit, name, "duration"),
            _mean(p95, name, "duration"),
            _row(delay, name, "duration"),
        )
    console.print(flows)
    _print_traffic(kpis, console)
    print_choice(kpis, console)
    from sim.results.traffic import Background, without_background

    _print_ledger(without_background(kpis, Background.of(scenario)), console)
    _print_diversions(kpis, console)
    _print_left(kpis, console)
    console.print()
    stations = narrow_table(
        f"Busiest stations (top {top_stations} by utilisation)",
        caption="waits of the visits that arrived after the warm-up and started by the horizon; still "
        "waiting: visits per replication queued at the horizon, left out of the waits (biased low if many)",
    )
    stations.add_column("station", overflow="fold", min_width=12)
    for column in ("utilisation", "wait", "wait\np95", "still\nwaiting", "queue"):
        stations.add_column(column, justify="right", no_wrap=True)
    utilisation = _pick(kpis, "stations", "utilisation").sort_values("mean", ascending=False)
    waits, wait95 = _pick(kpis, "stations", "wait_mean_h"), _pick(kpis, "stations", "wait_p95_h")
    waiting = _pick(kpis, "stations", "waiting_at_horizon")
    queue = _pick(kpis, "stations", "queue_mean")
    for station in list(utilisation.index)[:top_stations]:
        stations.add_row(
            station,
            _row(utilisation, station, "share"),
            _row(waits, station, "duration"),
            _mean(wait95, station, "duration"),
            _count(waiting, station),
            _row(queue, station, "count"),
        )
    console.print(stations)
    _print_classes(kpis, console)


def _print_classes(kpis: pd.DataFrame, console: Console) -> None:
    """Waits by priority class at the stations with classes (``stations_by_class``), when there are any."""
    waits = _pick(kpis, "stations_by_class", "wait_mean_h")
    if waits.empty:
        return
    wait95 = _pick(kpis, "stations_by_class", "wait_p95_h")
    waiting = _pick(kpis, "stations_by_class", "waiting_at_horizon")
    quiet = _quiet_stations(waits, waiting)
    caption = "classes highest first; window as for the station waits; still waiting: per replication"
    if quiet:
        caption += f"; left out, as no class waited there: {', '.join(quiet)}"
    table = narrow_table("Waits by priority class", caption=caption)
    table.add_column(escape("station [class]"), overflow="fold", min_width=12)
    for column in ("wait", "wait\np95", "still\nwaiting"):
        table.add_column(column, justify="right", no_wrap=True)
    for key in waits.index:
        if _station_of(key) in quiet:
            continue
        table.add_row(  # the key's [class] is text, not rich markup
            escape(key), _row(waits, key, "duration"), _mean(wait95, key, "duration"), _count(waiting, key)
        )
    console.print()
    console.print(table)


def _station_of(key: str) -> str:
    """The station of a ``STATION [CLASS]`` key."""
    return key.rsplit(" [", 1)[0]


def _quiet_stations(waits: pd.DataFrame, waiting: pd.DataFrame) -> list[str]:
    """Stations with classes where no class waited (every mean wait 0, none still waiting), in key order."""
    stations = [_station_of(key) for key in waits.index]
    busy = {
        station
        for station, key in zip(stations, waits.index, strict=True)
        if float(waits.loc[key, "mean"]) > 0 or float(waiting["mean"].get(key, 0.0)) > 0
    }
    return [s for s in dict.fromkeys(stations) if s not in busy]


def _print_diversions(kpis: pd.DataFrame, console: Console) -> None:
    """One line per chokepoint where ships may divert.

    Diversions of the arrivals (means per replication) and the extra sailing days of a diverted ship (mean;
    the intervals are in kpis.json).
    """
    diversions = _pick(kpis, "diversions_by_station", "diversions")
    arrivals = _pick(kpis, "diversions_by_station", "arrivals")
    share = _pick(kpis, "diversions_by_station", "diverted_share")
    extra = _pick(kpis, "diversions_by_station", "extra_sailing_days_mean")
    for station in diversions.index:
        days = float(extra["mean"].get(station, math.nan))
        each = f", +{quantity(days * 24.0, 'duration')} each" if math.isfinite(days) else ""
        console.print(
            f"Diverted at {station}: {_count(diversions, station)} of {_count(arrivals, station)} "
            f"ships a replication ({_mean(share, station, 'share')}){each}"
        )


def _print_left(kpis: pd.DataFrame, console: Console) -> None:
    """One line per flow whose ships may leave a chokepoint's queue: how many left, of the arrivals.

    Means per replication (the intervals are in kpis.json), and the tonnes that went elsewhere.
    """
    left = _pick(kpis, "left_by_flow", "left")
    arrivals = _pick(kpis, "left_by_flow", "arrivals")
    share = _pick(kpis, "left_by_flow", "left_share")
    tonnes = _pick(kpis, "left_by_flow", "left_tonnes")
    for flow in left.index:
        console.print(
            f"Left the queue, {escape(flow)}: {_count(left, flow)} of {_count(arrivals, flow)} ships a "
            f"replication ({_mean(share, flow, 'share')}), {_mean(tonnes, flow, 'mass')} not delivered"
        )


def _flow_of(scenario: Scenario, label: str) -> Flow:
    """The scenario flow of a results label (``FLOW`` or ``FLOW/ALTERNATIVE``)."""
    return scenario.flows[label.partition("/")[0]]


def _print_traffic(kpis: pd.DataFrame, console: Console) -> None:
    """With background traffic: the two classes' tonnes, and each class's waits where they share a station."""
    classes = _pick(kpis, "throughput_by_traffic", "tonnes_per_year")
    if not float(classes["mean"].get("background", 0.0)):
        return
    console.print(
        f"Delivered a year: modelled {_row(classes, 'modelled', 'mass')}, "
        f"background {_row(classes, 'background', 'mass')}"
    )
    shared = narrow_table(
        "Waits at stations shared with background traffic",
        caption="each class's visits that arrived after the warm-up and started by the horizon",
    )
    shared.add_column("station", overflow="fold", min_width=12)
    for column in ("modelled\nwait", "modelled\np95", "background\nwait", "background\np95"):
        shared.add_column(column, justify="right", no_wrap=True)
    rows = kpis[kpis["table"] == "waits_by_traffic"]
    for station in dict.fromkeys(rows["key"]):
        mine = rows[rows["key"] == station]
        cells = []
        for traffic in ("modelled", "background"):
            of = mine[mine["period"] == traffic]
            cells += [
                _row(_pick(of, "waits_by_traffic", "wait_mean_h"), station, "duration"),
                _mean(_pick(of, "waits_by_traffic", "wait_p95_h"), station, "duration"),
            ]
        shared.add_row(station, *cells)
    console.print(shared)


def _print_ledger(kpis: pd.DataFrame, console: Console) -> None:
    """Two lines when the scenario has costs or emissions: window totals, and per tonne by commodity.

    Background traffic is left out (the caller passes the modelled flows' KPIs). The totals are sums of
    the commodities' means (a sum of means is the mean of the sums); their intervals
    are per commodity, in ``kpis.json``.
    """
    totals, ratios, labels = [], [], []
    for table, metric, scale, unit, ratio, label in (
        ("cost_by_commodity", "cost_total_usd", 1e-6, "US$ M", "cost_usd_per_t", "US$"),
        ("emissions_by_commodity", "co2e_wtw_t", 1e-3, "kt CO₂e WTW", "co2e_kg_per_t", "kg CO₂e"),
    ):
        rows = _pick(kpis, table, metric)
        if rows.empty:
            continue
        totals.append(f"{float(rows['mean'].sum()) * scale:,.1f} {unit}")
        ratios.append(_pick(kpis, table, ratio)["mean"])
        labels.append(label)
    if not totals:
        return
    console.print("Cost and emissions of the deliveries in the window (mean): " + "; ".join(totals))
    cells = []
    for key in ratios[0].index:
        values = [float(r.get(key, math.nan)) for r in ratios]
        if not all(math.isnan(v) for v in values):
            cells.append(f"{key} " + " · ".join("–" if math.isnan(v) else f"{v:,.0f}" for v in values))
    console.print(f"Per tonne delivered ({' · '.join(labels)}): " + ", ".join(cells))
