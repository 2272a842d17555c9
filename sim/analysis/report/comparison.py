"""Sections of the comparison report: headline differences, forest plots, warm-up, each scenario's figures."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.figures.forest import plot_differences
from sim.analysis.figures.run import plot_transit_ecdf
from sim.analysis.report.embedded_figures import Figure, render, run_figures
from sim.analysis.report.html import data_table, fmt
from sim.analysis.tables import tidy as tables
from sim.analysis.tables.run_data import RunData, RunDirError, load_run
from sim.results.traffic import without_background

__all__ = ["comparison_sections", "difference_rows", "read_comparison"]

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


def _value(unit: str, value: float, signed: bool = False) -> str:
    """A KPI value in a readable unit: kt/yr for tonnes, days for long hours, % for shares."""
    show = fmt.signed if signed else fmt.number
    if unit == "t/yr":
        return show(value / 1e3, 0) + " kt/yr"
    if unit == "share":
        return show(100 * value, 1) + (" pp" if signed else " %")
    if unit == "h":
        return show(value, 1) + " h"
    return show(value, 2) + (f" {unit}" if unit else "")


def difference_rows(table: pd.DataFrame) -> tuple[list[list[str]], list[bool]]:
    """Formatted rows (KPI, base, variant, difference [CI], relative [CI], verdict) and significance flags."""
    rows, marks = [], []
    for r in table.to_dict(orient="records"):
        unit = str(r["unit"])
        diff = _value(unit, r["diff"], signed=True)
        if pd.notna(r["diff_low"]):
            diff += f" [{_value(unit, r['diff_low'], True)}, {_value(unit, r['diff_high'], True)}]"
        verdict = (
            "significant" if r["significant"] else ("identical" if r["diff"] == 0 else "not significant")
        )
        rows.append(
            [
                str(r["label"]),
                _value(unit, r["base_mean"]),
                _value(unit, r["variant_mean"]),
                diff,
                fmt.percent(r["relative"], r["relative_low"], r["relative_high"]),
                verdict,
            ]
        )
        marks.append(bool(r["significant"]))
    return rows, marks


COLUMNS = ["KPI", "base", "variant", "difference [95 % CI]", "relative change [95 % CI]", ""]


def _meta_section(meta: dict[str, Any]) -> str:
    reps = meta.get("replications", [])
    rows = [
        ["base scenario", meta["base"]],
        ["variants", ", ".join(meta["variants"])],
        ["replications per scenario", str(len(reps) if isinstance(reps, list) else reps)],
        ["seed (shared: common random numbers)", str(meta.get("seed", "–"))],
        ["engine", str(meta.get("engine", "–"))],
        ["method", str(meta.get("method", "–"))],
    ]
    precision = meta.get("precision")
    if isinstance(precision, dict):
        state = "reached" if precision.get("reached") else f"not reached at the cap of {precision.get('cap')}"
        rows.append(["precision target", f"±{100 * precision['target']:g} % relative half-width: {state}"])
    return (
        "<section><h2>Comparison</h2>"
        + data_table(["", ""], rows, header=False, css="meta")
        + '<p class="note">Every scenario ran with the same seed and replication numbers, so replication '
        "<i>r</i> of each saw the same parcels and arrivals on the flows they share; differences are paired "
        "by replication. A difference is flagged when its 95 % interval excludes zero.</p></section>"
    )


def _variant_section(meta: dict[str, Any], table: pd.DataFrame, variant: str, scratch: Path) -> str:
    mine = table.loc[table["variant"] == variant]
    identical = (mine["diff"] == 0) & (mine["diff_low"] == 0) & (mine["diff_high"] == 0)
    chosen = pd.MultiIndex.from_frame(mine[["table", "metric"]]).isin(list(HEADLINE)) & ~identical
    head_rows, head_marks = difference_rows(mine.loc[chosen])
    all_rows, all_marks = difference_rows(mine)
    forest = render(
        f"forest_{variant}",
        f"{variant} vs {meta['base']}",
        "Differences (variant − base) with 95 % intervals; red where the interval excludes zero.",
        lambda: plot_differences(table, variant, meta["base"]),
        scratch,
    )
    name, base = html.escape(variant), html.escape(meta["base"])
    return (
        f'<section id="{name}"><h2>{name} vs {base}</h2>'
        "<h3>Headline: throughput by commodity and mean transit time by flow</h3>"
        + data_table(COLUMNS, head_rows, highlight=head_marks)
        + f'<p class="note">{int(identical.sum())} of {len(mine)} compared KPIs are identical in every '
        "replication (untouched by the change, thanks to common random numbers) and are listed only in the "
        "full table.</p>"
        + forest.html()
        + f"<details><summary>All {len(all_rows)} compared KPIs</summary>"
        + data_table(COLUMNS, all_rows, highlight=all_marks)
        + "</details></section>"
    )


def _warmup_section(meta: dict[str, Any]) -> str:
    rows = [
        [
            w["scenario"],
            w["station"],
            fmt.number(w["configured_warmup_h"] / 24, 1),
            fmt.number(w["mser_warmup_h"] / 24, 1),
            w["verdict"],
        ]
        for w in meta.get("warmup", [])
    ]
    return (
        "<section><h2>Warm-up</h2>"
        + data_table(
            ["scenario", "series", "cut (days)", "MSER-5 suggests (days)", "verdict"], rows, text={0, 1, 4}
        )
        + '<p class="note">MSER-5 on the daily mean wait (all replications pooled). Statistics exclude the '
        "configured warm-up. Seasonal demand also looks like a transient to MSER: check the queue-length "
        "figures before lengthening the warm-up.</p></section>"
    )


def _runs(directory: Path, meta: dict[str, Any]) -> dict[str, RunData]:
    names = [meta["base"], *meta["variants"]]
    missing = [n for n in names if not (directory / "runs" / n).is_dir()]
    if missing:
        raise RunDirError(f"{directory}: missing run directories runs/{', runs/'.join(missing)}")
    return {name: load_run(directory / "runs" / name) for name in names}


def comparison_sections(
    directory: Path, scratch: Path, scenario_figures: bool = True, background: bool = True
) -> tuple[str, str, list[Figure]]:
    """Title, HTML body and figures of a comparison directory's report.

    With ``scenario_figures`` each scenario's own run figures are added in collapsed sections; without
    ``background`` the background traffic is left out of the runs and the table of differences.
    """
    meta, table = read_comparison(directory)
    runs = _runs(directory, meta)
    if not background:
        runs = {name: run.without_background() for name, run in runs.items()}
        table = without_background(table, runs[meta["base"]].background)
    transit = pd.concat(
        [tables.transit_times(run).assign(scenario=name) for name, run in runs.items()], ignore_index=True
    )
    ecdf = render(
        "transit_ecdf_all",
        "Transit time by scenario",
        "Door-to-door transit time per flow, one curve per scenario.",
        lambda: plot_transit_ecdf(
            transit, hue="scenario", title="Transit time by flow and scenario", hue_order=list(runs)
        ),
        scratch,
    )
    body = _meta_section(meta)
    body += "".join(_variant_section(meta, table, v, scratch) for v in meta["variants"])
    body += f"<section><h2>Transit time distributions</h2>{ecdf.html()}</section>"
    body += _warmup_section(meta)
    figures = [ecdf]
    # Every scenario's own figures for small comparisons; the base's only for a whole library.
    drawn = list(runs) if len(runs) <= 4 else [meta["base"]]
    for name, run in runs.items() if scenario_figures else ():
        if name not in drawn:
            continue
        mine = run_figures(run, scratch, prefix=f"{name}__")
        figures += mine
        body += (
            f"<section><h2>Scenario {html.escape(name)}</h2><details><summary>Figures of this scenario"
            f"</summary>{''.join(f.html() for f in mine)}</details></section>"
        )
    variants = meta["variants"]
    named = ", ".join(variants) if len(variants) <= 3 else f"{len(variants)} variants"
    title = f"Comparison — {named} vs {meta['base']}"
    return title, body, figures
