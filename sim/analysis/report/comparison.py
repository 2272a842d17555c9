"""Sections of the comparison report: a summary first, then each variant's differences, transit, warm-up.

:data:`COMPARISON_SECTIONS` is the list, in page order; each entry is a function of a
:class:`ComparisonContext` that returns a :class:`~sim.analysis.report.sections.Section` (or None; a function
may also return several, see :func:`_variants`). The summary says what was compared, what changed
significantly and by how much, in the units of :mod:`sim.analysis.units`; what did not change at all
(identical in every replication: untouched by the change, thanks to common random numbers) is folded away.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.figures.forest import plot_differences
from sim.analysis.figures.names import Names, names_of_runs
from sim.analysis.figures.run import plot_transit_ecdf
from sim.analysis.figures.style import metric_label
from sim.analysis.report.embedded_figures import run_figure_specs
from sim.analysis.report.html import Cell, data_table, fmt
from sim.analysis.report.sections import Built, Figures, Section, render_sections
from sim.analysis.stats.verdicts import identical, too_wide
from sim.analysis.tables import tidy as tables
from sim.analysis.tables.run_data import RunData, RunDirError, load_run
from sim.analysis.units import SIGNIFICANT, interval, kind_of, quantity
from sim.results.traffic import without_background

__all__ = [
    "COMPARISON_SECTIONS",
    "ComparisonContext",
    "comparison_report",
    "difference_cells",
    "difference_rows",
    "kpi_name",
    "read_comparison",
]

HEADLINE = (
    ("throughput_by_commodity", "tonnes_per_year"),
    ("transit_by_flow", "transit_mean_h"),
)


def read_comparison(directory: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """``comparison.json`` and ``comparison.parquet`` of a comparison directory.

    Raises
    ------
    RunDirError
        If either is missing or unreadable.
    """
    try:
        meta = json.loads((directory / "comparison.json").read_text(encoding="utf-8"))
        table = pd.read_parquet(directory / "comparison.parquet")
    except (OSError, ValueError) as error:
        raise RunDirError(f"{directory}: not a readable comparison directory ({error})") from error
    if not isinstance(meta, dict) or "base" not in meta or "variants" not in meta:
        raise RunDirError(f"{directory / 'comparison.json'}: expected an object with 'base' and 'variants'")
    return meta, table


SUMMARY_ROWS = 6
"""Significant changes listed per variant in the summary (the largest, headline KPIs first)."""


@dataclass(frozen=True)
class ComparisonContext:
    """What a comparison section is made from.

    Attributes
    ----------
    meta : dict
        ``comparison.json``.
    table : DataFrame
        ``comparison.parquet``: one row per (variant, KPI).
    runs : dict of str to RunData
        Every scenario's run, the base first.
    names : Names
        Names of the flows, stations and nodes of all runs.
    figures : Figures
        Where sections draw their figures.
    scenario_figures : bool
        Draw every scenario's own run figures too (the slow part).
    """

    meta: dict[str, Any]
    table: pd.DataFrame
    runs: dict[str, RunData]
    names: Names
    figures: Figures
    scenario_figures: bool

    @property
    def base(self) -> str:
        """The base scenario's name."""
        return str(self.meta["base"])

    @property
    def variants(self) -> list[str]:
        """The variants' names."""
        return [str(v) for v in self.meta["variants"]]

    def of(self, variant: str) -> pd.DataFrame:
        """The rows of one variant."""
        return self.table.loc[self.table["variant"] == variant]


def kpi_name(row: dict[Any, Any], names: Names) -> str:
    """A KPI by name: ``Soybeans: Santos → Qingdao — mean transit time``, ``Soybeans — throughput per year``.

    The subject (flow, station or commodity) goes by its name; the metric's unit is left to the numbers.
    """
    table, key, period = str(row["table"]), str(row["key"]), str(row.get("period", "") or "")
    if "flow" in table:
        subject = names.flow(key)
    elif "station" in table:
        subject = names.station(key)
    elif "commodity" in table:
        subject = names.commodity(key)
    else:
        subject = key
    what = re.sub(r" \([^)]*\)$", "", metric_label(str(row["metric"])))
    if str(row["unit"]).endswith("/yr"):
        what += " per year"
    return f"{subject}{' ' + period if period else ''} — {what}"


def _verdict(row: dict[Any, Any]) -> str:
    if row["significant"]:
        return f"{SIGNIFICANT} significant"
    return (
        "identical"
        if row["diff"] == 0 and row["diff_low"] == 0 and row["diff_high"] == 0
        else "not significant"
    )


def difference_cells(
    table: pd.DataFrame, names: Names | None = None
) -> tuple[list[list[object]], list[bool]]:
    """Rows (KPI, base, variant, difference [CI], relative [CI], verdict) with sort keys, and significance.

    Values carry the units of :mod:`sim.analysis.units`; a difference and its interval share one unit.
    """
    named = names or Names()
    rows: list[list[object]] = []
    marks = []
    for r in table.to_dict(orient="records"):
        kind = kind_of(str(r["unit"]))
        rows.append(
            [
                kpi_name(r, named),
                Cell(quantity(r["base_mean"], kind), r["base_mean"]),
                Cell(quantity(r["variant_mean"], kind), r["variant_mean"]),
                Cell(interval(r["diff"], r["diff_low"], r["diff_high"], kind), r["diff"]),
                Cell(fmt.percent(r["relative"], r["relative_low"], r["relative_high"]), 100 * r["relative"]),
                _verdict(r),
            ]
        )
        marks.append(bool(r["significant"]))
    return rows, marks


def difference_rows(table: pd.DataFrame, names: Names | None = None) -> tuple[list[list[str]], list[bool]]:
    """:func:`difference_cells` as plain text (for Markdown tables)."""
    cells, marks = difference_cells(table, names)
    return [[c.text if isinstance(c, Cell) else str(c) for c in row] for row in cells], marks


COLUMNS = ["KPI", "base", "variant", "difference [95 % CI]", "relative change [95 % CI]", ""]


def _priority(table: pd.DataFrame) -> pd.DataFrame:
    """Headline KPIs first (throughput by commodity, mean transit by flow, mean waits), then by size."""
    order = {pair: i for i, pair in enumerate([*HEADLINE, ("stations", "wait_mean_h")])}
    pairs = zip(table["table"], table["metric"], strict=True)
    rank = pd.Series([order.get(pair, len(order)) for pair in pairs], index=table.index)
    size = table["relative"].abs().fillna(0.0)
    return (
        table.assign(_rank=rank, _size=-size).sort_values(["_rank", "_size"]).drop(columns=["_rank", "_size"])
    )


def _wide_note(context: ComparisonContext, variant: str) -> str:
    """A warning when headline differences are too uncertain to tell the scenarios apart."""
    precision = context.meta.get("precision")
    if isinstance(precision, dict) and precision.get("reached"):
        return ""
    wide = too_wide(context.of(variant))
    if wide.empty:
        return ""
    r = wide.assign(_w=wide["diff_high"] - wide["diff_low"]).sort_values("_w").iloc[-1].to_dict()
    shown = interval(r["diff"], r["diff_low"], r["diff_high"], kind_of(r["unit"]))
    example = f"{kpi_name(r, context.names)}: {shown}"
    reps = len(context.meta.get("replications", []))
    return (
        f'<p class="warning">{len(wide)} headline difference{"s" * (len(wide) != 1)} too uncertain to tell '
        f"the scenarios apart with {reps} replications (e.g. {html.escape(example)}): rerun "
        "<code>corridor compare</code> with <code>--precision 0.05</code> to add replications until they "
        "are within ±5 %.</p>"
    )


def _variant_summary(context: ComparisonContext, variant: str) -> str:
    mine = context.of(variant)
    changed = _priority(mine.loc[mine["significant"].astype(bool)])
    changed = changed.drop_duplicates(["base_mean", "variant_mean", "diff"])  # a flow that is its commodity
    same = int(identical(mine).sum())
    name = html.escape(variant)
    text = (
        f'<h3><a href="#variant-{name}">{name}</a></h3><p><b>{len(changed)}</b> of {len(mine)} compared KPIs '
        f"changed significantly (95 % interval excludes zero); {same} are identical in every replication.</p>"
    )
    if len(changed):
        rows, marks = difference_cells(changed.head(SUMMARY_ROWS), context.names)
        text += data_table(COLUMNS, rows, highlight=marks)
        if len(changed) > SUMMARY_ROWS:
            text += f'<p class="note">… and {len(changed) - SUMMARY_ROWS} more significant changes below.</p>'
    return text + _wide_note(context, variant)


def _warmup_note(context: ComparisonContext) -> str:
    flagged = [w for w in context.meta.get("warmup", []) if w.get("verdict") != "ok"]
    if not flagged:
        return ""
    listed = ", ".join(f"{w['scenario']}: {context.names.station(str(w['station']))}" for w in flagged[:4])
    more = f" and {len(flagged) - 4} more" if len(flagged) > 4 else ""
    return (
        f'<p class="warning">The warm-up check flags {html.escape(listed)}{more} (see '
        '<a href="#warm-up">Warm-up</a>).</p>'
    )


def _summary(context: ComparisonContext) -> Section:
    reps = context.meta.get("replications", [])
    count = len(reps) if isinstance(reps, list) else reps
    variants = ", ".join(f"<b>{html.escape(v)}</b>" for v in context.variants)
    lead = (
        f"<p>Compared {variants} with the base <b>{html.escape(context.base)}</b>: {count} replications "
        f"each, seed {html.escape(str(context.meta.get('seed', '–')))} shared (common random numbers: "
        "differences are paired by replication). A change is <i>significant</i> when its 95 % interval "
        f"excludes zero, marked {SIGNIFICANT} and red.</p>"
    )
    body = lead + "".join(_variant_summary(context, v) for v in context.variants) + _warmup_note(context)
    return Section("summary", "Summary", f'<div class="summary">{body}</div>')


def _settings(context: ComparisonContext) -> Section:
    meta = context.meta
    reps = meta.get("replications", [])
    rows = [
        ["base scenario", context.base],
        ["variants", ", ".join(context.variants)],
        ["replications per scenario", str(len(reps) if isinstance(reps, list) else reps)],
        ["seed (shared: common random numbers)", str(meta.get("seed", "–"))],
        ["engine", str(meta.get("engine", "–"))],
        ["method", str(meta.get("method", "–"))],
    ]
    precision = meta.get("precision")
    if isinstance(precision, dict):
        state = "reached" if precision.get("reached") else f"not reached at the cap of {precision.get('cap')}"
        rows.append(["precision target", f"±{100 * precision['target']:g} % relative half-width: {state}"])
    body = data_table(["", ""], rows, header=False, css="meta") + (
        '<p class="note">Every scenario ran with the same seed and replication numbers, so replication '
        "<i>r</i> of each saw the same parcels and arrivals on the flows they share; differences are paired "
        "by replication.</p>"
    )
    return Section("settings", "Comparison settings", body, folded=True)


def _variant_section(context: ComparisonContext, variant: str) -> Section:
    mine = context.of(variant)
    same = identical(mine)
    chosen = pd.MultiIndex.from_frame(mine[["table", "metric"]]).isin(list(HEADLINE)) & ~same
    head_rows, head_marks = difference_cells(_priority(mine.loc[chosen]), context.names)
    changed_rows, changed_marks = difference_cells(_priority(mine.loc[~same]), context.names)
    same_rows, _ = difference_cells(mine.loc[same], context.names)
    forest = context.figures.draw(
        f"forest_{variant}",
        f"{variant} vs {context.base}",
        "Differences (variant − base) with 95 % intervals; filled red discs: the interval excludes zero.",
        lambda: plot_differences(context.table, variant, context.base, names=context.names),
    )
    body = (
        "<h3>Headline: throughput by commodity and mean transit time by flow</h3>"
        + data_table(COLUMNS, head_rows, highlight=head_marks, sortable=True)
        + forest.html()
        + f"<details><summary>All {len(changed_rows)} KPIs that differ</summary>"
        + data_table(
            COLUMNS, changed_rows, highlight=changed_marks, sortable=True, key=f"variant-{variant}-differ"
        )
        + "</details>"
        + f"<details><summary>{len(same_rows)} KPIs identical in every replication</summary>"
        + '<p class="note">Untouched by the change: common random numbers give them the same value in '
        "both runs.</p>"
        + data_table(COLUMNS, same_rows, sortable=True, key=f"variant-{variant}-identical")
        + "</details>"
    )
    return Section(f"variant-{variant}", f"{variant} vs {context.base}", body)


def _variants(context: ComparisonContext) -> list[Section]:
    """One section per variant."""
    return [_variant_section(context, v) for v in context.variants]


def _identical_flows(context: ComparisonContext, transit: pd.DataFrame) -> set[str]:
    """Flows whose every transit time is the same in every scenario (untouched by every change)."""
    same = set()
    for flow, rows in transit.groupby("flow"):
        values = [np.sort(g["transit_days"].to_numpy()) for _, g in rows.groupby("scenario")]
        if len(values) == len(context.runs) and all(np.array_equal(values[0], v) for v in values[1:]):
            same.add(str(flow))
    return same


def _transit(context: ComparisonContext) -> Section:
    transit = pd.concat(
        [tables.transit_times(run).assign(scenario=name) for name, run in context.runs.items()],
        ignore_index=True,
    )
    same = _identical_flows(context, transit)
    order = list(context.runs)
    body = ""
    changed = transit.loc[~transit["flow"].isin(same)]
    if len(changed):
        figure = context.figures.draw(
            "transit_ecdf_all",
            "Transit time by scenario",
            "Door-to-door transit time of the flows that differ between scenarios, one curve per scenario.",
            lambda: plot_transit_ecdf(
                changed,
                hue="scenario",
                title="Transit time by flow and scenario",
                hue_order=order,
                names=context.names,
            ),
        )
        body += figure.html()
    if same:
        figure = context.figures.draw(
            "transit_ecdf_identical",
            "Transit time of the flows no change touched",
            "Identical in every scenario: one curve per flow.",
            lambda: plot_transit_ecdf(
                transit.loc[transit["flow"].isin(same) & (transit["scenario"] == context.base)],
                title="Transit time of the flows identical in every scenario",
                names=context.names,
            ),
        )
        body += (
            f"<details><summary>{len(same)} flows with the same transit times in every scenario</summary>"
            f"{figure.html()}</details>"
        )
    return Section("transit", "Transit time distributions", body)


def _warmup(context: ComparisonContext) -> Section:
    rows = [
        [
            w["scenario"],
            context.names.station(str(w["station"])),
            Cell(fmt.number(w["configured_warmup_h"] / 24, 1), w["configured_warmup_h"]),
            Cell(fmt.number(w["mser_warmup_h"] / 24, 1), w["mser_warmup_h"]),
            w["verdict"],
        ]
        for w in context.meta.get("warmup", [])
    ]
    body = data_table(
        ["scenario", "series", "cut (days)", "MSER-5 suggests (days)", "verdict"],
        rows,
        text={0, 1, 4},
        sortable=True,
        highlight=[w["verdict"] != "ok" for w in context.meta.get("warmup", [])],
    ) + (
        '<p class="note">MSER-5 on the daily mean wait (all replications pooled). Statistics exclude the '
        "configured warm-up. Seasonal demand also looks like a transient to MSER: check the queue-length "
        "figures before lengthening the warm-up.</p>"
    )
    return Section("warm-up", "Warm-up", body)


def _scenario_figures(context: ComparisonContext) -> list[Section]:
    """Every scenario's own figures, folded (the base's only for a whole library)."""
    if not context.scenario_figures:
        return []
    drawn = list(context.runs) if len(context.runs) <= 4 else [context.base]
    parts = []
    for name in drawn:
        specs = run_figure_specs(context.runs[name], context.names)
        pictures = "".join(
            context.figures.draw(f"{name}__{stem}", *spec).html() for stem, spec in specs.items()
        )
        parts.append(Section(f"scenario-{name}", f"Scenario {name}: its figures", pictures, folded=True))
    return parts


COMPARISON_SECTIONS: list[Callable[[ComparisonContext], Built]] = [
    _summary,
    _settings,
    _variants,
    _transit,
    _warmup,
    _scenario_figures,
]
"""The comparison report, in page order: add a section by putting its function here."""


def _runs(directory: Path, meta: dict[str, Any]) -> dict[str, RunData]:
    names = [meta["base"], *meta["variants"]]
    missing = [n for n in names if not (directory / "runs" / n).is_dir()]
    if missing:
        raise RunDirError(f"{directory}: missing run directories runs/{', runs/'.join(missing)}")
    return {name: load_run(directory / "runs" / name) for name in names}


def comparison_report(
    directory: Path, figures: Figures, scenario_figures: bool = True, background: bool = True
) -> tuple[str, str]:
    """Title and HTML body of a comparison directory's report; its figures are drawn into ``figures``.

    With ``scenario_figures`` each scenario's own run figures are added in folded sections; without
    ``background`` the background traffic is left out of the runs and the table of differences.
    """
    meta, table = read_comparison(directory)
    runs = _runs(directory, meta)
    if not background:
        runs = {name: run.without_background() for name, run in runs.items()}
        table = without_background(table, runs[meta["base"]].background)
    context = ComparisonContext(meta, table, runs, names_of_runs(runs.values()), figures, scenario_figures)
    variants = context.variants
    named = ", ".join(variants) if len(variants) <= 3 else f"{len(variants)} variants"
    return f"Comparison — {named} vs {context.base}", render_sections(COMPARISON_SECTIONS, context)
