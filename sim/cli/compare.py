"""``corridor compare`` and ``corridor bottlenecks``: scenarios run with common random numbers, KPIs paired.

``compare BASE VARIANT…`` compares given scenario files; ``bottlenecks SCENARIO`` is a built-in comparison
sweep that degrades each station in turn (:mod:`sim.experiments.bottlenecks`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from sim.analysis.figures.forest import plot_bottlenecks
from sim.analysis.figures.style import save_png
from sim.engines import ENGINES, check_engine
from sim.errors import InputError, Problem
from sim.experiments.bottlenecks import bottlenecks_provenance, rank_bottlenecks
from sim.experiments.compare import Comparison, run_comparison, write_comparison
from sim.results.files import atomic_directory, claim_output, write_json
from sim.runner import DEFAULT_ENGINE
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario

__all__ = ["compare_command", "print_comparison", "register"]

WHERE = "<command line>"


def _check(
    replications: int | None,
    seed: int | None,
    precision: float | None,
    cap: int,
    engine: str,
) -> None:
    problems = check_engine(engine, WHERE, ("--engine",))
    if replications is not None and replications < 2:
        problems.append(
            Problem(WHERE, None, ("--replications",), str(replications), "at least 2 (intervals need two)")
        )
    if seed is not None and seed < 0:
        problems.append(Problem(WHERE, None, ("--seed",), str(seed), "a non-negative integer"))
    if precision is not None and not 0 < precision < 1:
        problems.append(
            Problem(
                WHERE, None, ("--precision",), str(precision), "a relative half-width in (0, 1), e.g. 0.05"
            )
        )
    if cap < 2 or (replications is not None and cap < replications):
        problems.append(
            Problem(WHERE, None, ("--max-replications",), str(cap), "at least 2 and at least --replications")
        )
    if problems:
        raise InputError(problems)


def _load_all(base: Path, variants: list[Path]) -> list[Scenario]:
    """Load every scenario, gathering all problems of all files before failing."""
    loaded: list[Scenario] = []
    problems: list[Problem] = []
    for path in [base, *variants]:
        try:
            loaded.append(load_scenario(path))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return loaded


def _cell(value: float, unit: str, signed: bool = False) -> str:
    if not math.isfinite(value):
        return "–"
    sign = "+" if signed else ""
    if unit == "t/yr":
        return f"{value / 1e3:{sign},.0f}"
    if unit == "share":
        return f"{100 * value:{sign}.1f}"
    return f"{value:{sign},.1f}"


SECTIONS = {
    ("throughput_by_commodity", "tonnes_per_year"): "Throughput, kt/yr",
    ("throughput_by_flow", "tonnes_per_year"): "Throughput, kt/yr",
    ("transit_by_flow", "transit_mean_h"): "Transit mean, h",
    ("transit_by_flow", "transit_p95_h"): "Transit p95, h",
    ("stations", "wait_mean_h"): "Mean wait, h",
    ("stations", "waiting_at_horizon"): "Still waiting at the horizon (not in the mean wait), visits",
    ("stations", "utilisation"): "Utilisation, % (Δ: points)",
}


def _cells(r: dict[Any, Any]) -> list[str]:
    unit = str(r["unit"])
    key = f"{r['key']} {r['period']}".strip()
    base, variant = _cell(r["base_mean"], unit), _cell(r["variant_mean"], unit)
    if r["diff"] == 0 and r["diff_low"] == 0 and r["diff_high"] == 0:
        return [key, base, variant, "0 (identical)", "0"]
    diff = _cell(r["diff"], unit, True)
    if math.isfinite(r["diff_low"]):
        diff += f" [{_cell(r['diff_low'], unit, True)}, {_cell(r['diff_high'], unit, True)}]"
    rel = "–" if not math.isfinite(r["relative"]) else f"{100 * r['relative']:+.1f}"
    if math.isfinite(r["relative_low"]):
        rel += f" [{100 * r['relative_low']:+.1f}, {100 * r['relative_high']:+.1f}]"
    return [key, base, variant, diff, rel]


def _variant_table(result: Comparison, variant: str) -> Table:
    table = Table(
        title=f"{variant} − {result.base}: mean difference [95 % CI]; red = interval excludes zero",
        title_justify="left",
    )
    table.add_column("KPI", overflow="fold", min_width=16)
    for column in ("base", "variant", "Δ", "Δ %"):
        table.add_column(column, justify="right", overflow="fold")
    rows = result.table.loc[result.table["variant"] == variant]
    for (name, metric), group in rows.groupby(["table", "metric"], sort=False):
        heading = SECTIONS.get((str(name), str(metric)), f"{name} · {metric}")
        table.add_row(f"[bold]{heading}[/]", end_section=False)
        records = group.to_dict(orient="records")
        for i, r in enumerate(records):
            style = "bold red" if r["significant"] else None
            table.add_row(*_cells(r), style=style, end_section=i == len(records) - 1)
    return table


def print_comparison(result: Comparison, console: Console) -> None:
    """Print one table per variant: base, variant, difference and relative change with 95 % intervals."""
    reps = len(result.runs[result.base].replications)
    console.print(
        f"[bold]{', '.join(result.variants)}[/] vs [bold]{result.base}[/] — {reps} replications each, "
        f"seed {result.seed} shared (common random numbers), engine {result.engine}"
    )
    for variant in result.variants:
        console.print(_variant_table(result, variant))


def _print_footer(result: Comparison, console: Console, target: Path) -> None:
    if result.precision is not None:
        p = result.precision
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
    warm = result.warmup.loc[result.warmup["station"] == "all queueing stations"]
    for r in warm.to_dict(orient="records"):
        console.print(
            f"warm-up {r['scenario']}: cut {r['configured_warmup_h'] / 24:g} d; MSER-5 on daily mean wait "
            f"suggests {r['mser_warmup_h'] / 24:g} d — {r['verdict']}"
        )
    console.print(f"comparison written to [bold]{target}[/] (report: corridor report {target})")


def compare_command(
    base: Annotated[Path, typer.Argument(help="Base scenario file.")],
    variants: Annotated[list[Path], typer.Argument(help="One or more variant scenario files.")],
    replications: Annotated[
        int | None,
        typer.Option(help="Replications per scenario (default: the base's); first block with --precision."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Root seed shared by all scenarios (default: the base's).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: results/compare_<base>).")
    ] = None,
    precision: Annotated[
        float | None,
        typer.Option(
            help="Add replications until throughput and transit differences are within ±P of the base."
        ),
    ] = None,
    max_replications: Annotated[int, typer.Option(help="Cap on replications with --precision.")] = 50,
    engine: Annotated[
        str, typer.Option(help="Simulation engine: " + ", ".join(ENGINES) + ".")
    ] = DEFAULT_ENGINE,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Compare variants with a base scenario: paired differences per KPI with 95 % intervals."""
    console = Console(quiet=quiet)
    _check(replications, seed, precision, max_replications, engine)
    scenarios = _load_all(base, variants)
    target = out if out is not None else Path("results") / f"compare_{scenarios[0].name}"
    with claim_output(target, "comparison", inputs=[base, *variants]):
        status = console.status("simulating…")
        with status:
            result = run_comparison(
                scenarios[0],
                scenarios[1:],
                replications=replications,
                seed=seed,
                engine=engine,
                precision=precision,
                max_replications=max_replications,
                notify=lambda message: status.update(f"simulating {message}"),
            )
        write_comparison(result, target)
    print_comparison(result, console)
    _print_footer(result, console, target)


def _print_bottlenecks(table: pd.DataFrame, console: Console, top: int, fraction: float) -> None:
    view = Table(
        title=f"Bottlenecks: each station loses {100 * fraction:g} % of its capacity (paired 95 % intervals)",
        title_justify="left",
    )
    for column in ("#", "station", "change", "Δ throughput kt/yr", "Δ transit h/t"):
        view.add_column(
            column, justify="left" if column in ("station", "change") else "right", overflow="fold"
        )
    for r in table.head(top).to_dict(orient="records"):
        throughput = f"{r['throughput_change'] / 1e3:+,.0f}"
        if math.isfinite(r["throughput_low"]):
            throughput += f" [{r['throughput_low'] / 1e3:+,.0f}, {r['throughput_high'] / 1e3:+,.0f}]"
        transit = f"{r['transit_change_h']:+.2f}"
        if math.isfinite(r["transit_low_h"]):
            transit += f" [{r['transit_low_h']:+.2f}, {r['transit_high_h']:+.2f}]"
        style = "bold red" if r["throughput_significant"] else None
        view.add_row(str(r["rank"]), str(r["station"]), str(r["change"]), throughput, transit, style=style)
    console.print(view)


def bottlenecks_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file.")],
    fraction: Annotated[float, typer.Option(help="Share of capacity each station loses, in (0, 1).")] = 0.25,
    replications: Annotated[
        int | None, typer.Option(help="Replications per run (default: the scenario's).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Root seed shared by every run (default: the scenario's).")
    ] = None,
    engine: Annotated[
        str, typer.Option(help="Simulation engine (vector: the sweep is many runs).")
    ] = "vector",
    legs: Annotated[bool, typer.Option(help="Also slow each leg down by the same fraction.")] = True,
    top: Annotated[int, typer.Option(help="Rows printed.")] = 15,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: results/bottlenecks_<name>).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Rank stations and legs by the throughput lost and delay added when each loses part of its capacity."""
    console = Console(quiet=quiet)
    problems: list[Problem] = []
    if not 0 < fraction < 1:
        problems.append(Problem(WHERE, None, ("--fraction",), str(fraction), "a share in (0, 1), e.g. 0.25"))
    if replications is not None and replications < 2:
        problems.append(Problem(WHERE, None, ("--replications",), str(replications), "at least 2"))
    problems += check_engine(engine, WHERE, ("--engine",))
    if problems:
        raise InputError(problems)
    loaded = load_scenario(scenario)
    target = out if out is not None else Path("results") / f"bottlenecks_{loaded.name}"
    with claim_output(target, "bottlenecks", inputs=[scenario]):
        with console.status("simulating the base…") as status:
            table = rank_bottlenecks(
                loaded,
                fraction,
                replications=replications,
                seed=seed,
                engine=engine,
                notify=lambda message: status.update(f"simulating {message}"),
                include_legs=legs,
            )
        with atomic_directory(target, "bottlenecks", option="--out") as scratch:
            table.to_csv(scratch / "bottlenecks.csv", index=False)
            table.to_parquet(scratch / "bottlenecks.parquet", index=False)
            save_png(plot_bottlenecks(table, top=top), scratch / "bottlenecks.png")
            write_json(
                bottlenecks_provenance(loaded, fraction, replications, seed, engine),
                scratch / "provenance.json",
            )
    _print_bottlenecks(table, console, top, fraction)
    console.print(f"ranking written to [bold]{target}[/] (bottlenecks.csv, .parquet, .png)")


def register(app: typer.Typer) -> None:
    """Add ``compare`` and ``bottlenecks`` (a built-in comparison sweep) to the ``corridor`` app."""
    app.command("compare")(compare_command)
    app.command("bottlenecks")(bottlenecks_command)
