"""Sections of the run report: a summary first, then the network, throughput, transit, waiting, utilisation.

:data:`RUN_SECTIONS` is the list, in page order; each entry is a function of a :class:`RunContext` that
returns a :class:`~sim.analysis.report.sections.Section` (or None). Numbers are in the units of
:mod:`sim.analysis.units`; places and flows go by name (:mod:`sim.analysis.figures.names`), ids stay in a
grey column so that what the command line prints can be found (type it in a table's filter box).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sim.analysis.figures.names import Names
from sim.analysis.report.embedded_figures import CHOICE_FIGURES, Spec
from sim.analysis.report.html import Cell, data_table, fmt
from sim.analysis.report.sections import Built, Figures, Section
from sim.analysis.report.turned_away import turned_away_section
from sim.analysis.tables import tidy as tables
from sim.analysis.tables.run_data import RunData
from sim.analysis.units import quantity, with_half_width

__all__ = ["BUSIEST", "RUN_SECTIONS", "RunContext", "run_meta_rows"]

BUSIEST = 4
"""Stations (longest mean wait first) in the monthly-waits table and the queue-length figure."""


@dataclass(frozen=True)
class RunContext:
    """What a run section is made from.

    Attributes
    ----------
    run : RunData
        The run.
    names : Names
        Names of its flows, stations and nodes.
    figures : Figures
        Where the section draws its figures.
    specs : dict of str to Spec
        The standard run figures by file stem
        (:func:`~sim.analysis.report.embedded_figures.run_figure_specs`).
    """

    run: RunData
    names: Names
    figures: Figures
    specs: dict[str, Spec]

    def figure(self, name: str) -> str:
        """Draw the standard figure ``name`` and return its HTML ("" when the run has no such figure)."""
        if name not in self.specs:
            return ""
        return self.figures.draw(name, *self.specs[name]).html()


def run_meta_rows(run: RunData) -> list[list[str]]:
    """What was run: scenario, hash, dates, warm-up, replications, seed, engine."""
    p = run.provenance
    reps = p.get("replications")
    count = len(reps) if isinstance(reps, list) else reps
    return [
        ["scenario", run.name],
        ["scenario hash", str(p.get("scenario_hash", "–"))[:16]],
        ["start", str(run.start.date())],
        ["horizon", f"{run.horizon_h / 24:g} days"],
        ["warm-up (excluded from statistics)", f"{run.warmup_h / 24:g} days"],
        ["replications", str(count)],
        ["seed", str(p.get("seed", "–"))],
        ["engine", str(p.get("engine", "–"))],
    ]


def _id(value: str) -> Cell:
    return Cell(value, float("nan"))


def _local_flows(run: RunData) -> set[str]:
    """Flows that start and end at one node: other traffic queueing there (a canal's other transits)."""
    ships = run.shipments.drop_duplicates("flow")
    return set(ships.loc[ships["origin"] == ships["destination"], "flow"].astype(str))


def _delivered(flows: pd.DataFrame, names: Names) -> str:
    by_commodity = flows.groupby("commodity")["tonnes_per_year"].sum().sort_values(ascending=False)
    return ", ".join(
        f"{names.commodity(str(c))} {quantity(float(t), 'mass')}" for c, t in by_commodity.items()
    )


def _summary(context: RunContext) -> Section:
    run, names = context.run, context.names
    flows = tables.flow_summary(run)
    local = flows["flow"].isin(_local_flows(run))
    corridor, other = flows.loc[~local], flows.loc[local]
    waits = tables.station_waiting(run)
    items = []
    if len(corridor):
        items.append(f"Delivered per year: {html.escape(_delivered(corridor, names))}.")
        ends = corridor.sort_values("transit_mean_d").iloc[[0, -1]].to_dict(orient="records")
        items.append(
            "Mean door-to-door transit from "
            + " to ".join(
                f"{quantity(24 * r['transit_mean_d'], 'duration')} ({html.escape(names.flow(r['flow']))})"
                for r in ends
            )
            + "."
        )
    if len(other):
        items.append(
            "Other traffic at single nodes (it queues there, it is not corridor cargo): "
            f"{html.escape(_delivered(other, names))} per year."
        )
    if len(waits):
        top = waits.head(3).to_dict(orient="records")
        items.append(
            "Longest mean waits before service: "
            + "; ".join(
                f"{html.escape(names.station(r['station']))} {quantity(r['wait_mean_h'], 'duration')}"
                for r in top
            )
            + "."
        )
    backlog = waits.loc[waits["waiting_at_horizon"] > 0.05 * waits["visits_per_rep"]]
    if len(backlog):
        items.append(
            '<span class="warning">Still waiting at the horizon (more than 5 % of the visits): '
            + html.escape(", ".join(names.station(s) for s in backlog["station"]))
            + ": their mean waits leave these visits out and are biased low.</span>"
        )
    lead = (
        f"<p><b>{html.escape(run.name)}</b>: {run.replications} replications of "
        f"{run.horizon_h / 24:g} days from {run.start.date()}; the first {run.warmup_h / 24:g} days are "
        "warm-up, left out of every statistic. Means over replications with 95 % confidence intervals "
        "(± half-width).</p>"
    )
    settings = (
        "<details><summary>Run settings</summary>"
        + data_table(["", ""], run_meta_rows(run), header=False, css="meta")
        + "</details>"
    )
    body = lead + "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>" + settings
    return Section("summary", "Summary", f'<div class="summary">{body}</div>')


def _network(context: RunContext) -> Section:
    return Section("network", "Network", context.figure("network_map"))


def _throughput(context: RunContext) -> Section:
    names = context.names
    rows = [
        [
            names.flow(r["flow"]),
            names.commodity(str(r["commodity"])),
            Cell(
                with_half_width(r["tonnes_per_year"], r["tonnes_low"], r["tonnes_high"], "mass"),
                r["tonnes_per_year"],
            ),
            Cell(
                with_half_width(
                    24 * r["transit_mean_d"], 24 * r["transit_low_d"], 24 * r["transit_high_d"], "duration"
                ),
                r["transit_mean_d"],
            ),
            Cell(quantity(24 * r["transit_p95_d"], "duration"), r["transit_p95_d"]),
            _id(str(r["flow"])),
        ]
        for r in tables.flow_summary(context.run).to_dict(orient="records")
    ]
    table = data_table(
        ["flow", "commodity", "delivered per year", "mean transit", "p95 transit", "id"],
        rows,
        text={1, 5},
        sortable=True,
        key="flows",
    )
    return Section("throughput", "Flows and throughput", table + context.figure("monthly_throughput"))


def _transit(context: RunContext) -> Section:
    return Section("transit", "Transit time", context.figure("transit_ecdf"))


def _station_rows(run: RunData, names: Names) -> list[list[object]]:
    return [
        [
            names.station(r["station"]),
            r["kind"],
            Cell(
                with_half_width(r["wait_mean_h"], r["wait_low_h"], r["wait_high_h"], "duration"),
                r["wait_mean_h"],
            ),
            Cell(quantity(r["wait_p95_h"], "duration"), r["wait_p95_h"]),
            Cell(fmt.number(r["visits_per_rep"], 0), r["visits_per_rep"]),
            Cell(fmt.number(r["waiting_at_horizon"], 1), r["waiting_at_horizon"]),
            _id(str(r["station"])),
        ]
        for r in tables.station_waiting(run).to_dict(orient="records")
    ]


def _monthly_rows(monthly: pd.DataFrame, names: Names) -> list[list[object]]:
    return [
        [
            names.station(r["station"]),
            Cell(str(r["month"]), pd.Timestamp(str(r["month"])).timestamp()),
            Cell(
                with_half_width(r["wait_mean_h"], r["wait_low_h"], r["wait_high_h"], "duration"),
                r["wait_mean_h"],
            ),
            Cell(quantity(r["wait_p95_h"], "duration"), r["wait_p95_h"]),
            Cell(quantity(r["wait_max_h"], "duration"), r["wait_max_h"]),
            Cell(fmt.number(r["visits"], 1), r["visits"]),
            Cell(fmt.number(r["waiting_at_month_end"], 1), r["waiting_at_month_end"]),
            _id(str(r["station"])),
        ]
        for r in monthly.to_dict(orient="records")
    ]


def _monthly_waits(run: RunData, names: Names) -> str:
    """The monthly waits of the stations with the longest mean waits (empty for runs without the KPI)."""
    busiest = tables.station_waiting(run)["station"].head(BUSIEST).tolist()
    monthly = tables.station_monthly_waits(run, busiest)
    if monthly.empty:
        return ""
    columns = [
        "station",
        "month of arrival",
        "mean wait",
        "p95 wait",
        "max wait",
        "visits per replication",
        "waiting at month end",
        "id",
    ]
    return (
        "<h3>Monthly waits at the busiest stations</h3>"
        + data_table(columns, _monthly_rows(monthly, names), text={7}, sortable=True, key="monthly-waits")
        + '<p class="note">The stations with the longest mean waits. Waits of the visits that arrived in the '
        "month (after the warm-up) and started by the horizon: mean ± the half-width of its 95 % confidence "
        "interval across replications, and the means across replications of each replication's 95th "
        "percentile and maximum. Waiting at month end: visits arrived and not yet in service at the month's "
        "last instant (the horizon for the last month), per replication.</p>"
    )


def _waiting(context: RunContext) -> Section:
    run = context.run
    table = data_table(
        [
            "station",
            "kind",
            "mean wait",
            "p95 wait",
            "visits per replication",
            "still waiting at horizon",
            "id",
        ],
        _station_rows(run, context.names),
        text={1, 6},
        sortable=True,
        key="stations",
    )
    note = (
        '<p class="note">Mean ± the half-width of its 95 % confidence interval across replications; '
        "statistics exclude the warm-up. Waits are those of the visits that arrived after the warm-up and "
        "started by the horizon; visits still waiting at the horizon (per replication) are not in them, so "
        "where there are many the mean wait is biased low.</p>"
    )
    body = (
        table
        + note
        + context.figure("station_waiting")
        + _monthly_waits(run, context.names)
        + context.figure("monthly_waits")
        + context.figure("queue_length")
    )
    return Section("waiting", "Waiting at ports, services and chokepoints", body)


def _turned_away(context: RunContext) -> Section | None:
    return turned_away_section(context.run.kpis, context.names.flow)


def _utilisation(context: RunContext) -> Section:
    return Section("utilisation", "Berth utilisation", context.figure("utilisation"))


def _choice_cost_emissions(context: RunContext) -> Section | None:
    """Route shares, cost breakdown and emissions, where the run has choice flows or a ledger."""
    body = "".join(context.figure(name) for name in CHOICE_FIGURES)
    return Section("choice", "Route choice, cost and emissions", body) if body else None


RUN_SECTIONS: list[Callable[[RunContext], Built]] = [
    _summary,
    _network,
    _throughput,
    _transit,
    _waiting,
    _turned_away,
    _utilisation,
    _choice_cost_emissions,
]
"""The run report, in page order: add a section by putting its function here."""
