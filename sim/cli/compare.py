"""``corridor compare BASE VARIANT…``: run scenarios with common random numbers and compare their KPIs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.analysis.experiment import Comparison, run_comparison, write_comparison
from sim.engines import ENGINES
from sim.errors import InputError, Problem
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
    out: Path | None,
) -> None:
    problems = []
    if engine not in ENGINES:
        problems.append(Problem(WHERE, None, ("--engine",), repr(engine), f"one of {', '.join(ENGINES)}"))
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
    if out is not None and out.exists() and not out.is_dir():
        problems.append(Problem(WHERE, None, ("--out",), str(out), "a directory (this is a file)"))
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
    _check(replications, seed, precision, max_replications, engine, out)
    scenarios = _load_all(base, variants)
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
    target = out if out is not None else Path("results") / f"compare_{result.base}"
    write_comparison(result, target)
    print_comparison(result, console)
    _print_footer(result, console, target)


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the ``corridor`` app."""
    app.command("compare")(compare_command)
