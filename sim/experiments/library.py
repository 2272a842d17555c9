"""Regenerate ``results/README.md``: every scenario of the library compared with the 2024 baseline.

Run by ``make results`` as ``python -m sim.experiments.library``. It loads
``scenarios/baseline_2024.yaml`` and every file that ``extends:`` it (benchmark files ``bench_*`` excluded),
runs them all with common random numbers (same seed and replication numbers), and writes:

* ``results/README.md`` — the layout of a run directory, then for every variant the question it asks (the
  ``# Question:`` paragraph of its opening comment), its significant throughput and delay differences with
  95 % intervals, and its forest plot;
* ``results/figures/*.png`` — the baseline network map and one forest plot per variant, in full colour
  (``--figure-format svg`` for vector files);
* ``results/library/`` — the full comparison directory (``corridor report results/library`` draws it all).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

import pandas as pd

from sim.analysis.figures.forest import plot_differences
from sim.analysis.figures.names import Names, names_of_runs
from sim.analysis.figures.network_map import plot_network_map
from sim.analysis.figures.style import FORMATS, save_figure
from sim.analysis.report.comparison import difference_rows
from sim.analysis.tables import tidy as tables
from sim.analysis.tables.run_data import load_run
from sim.experiments.compare import Comparison, run_comparison, write_comparison
from sim.results.provenance import git_commit
from sim.scenario.library import question_of
from sim.scenario.loader import load_scenario
from sim.version import __version__

__all__ = ["library_variants", "main", "question_of", "render_readme", "write_library"]

LAYOUT = """\
Generated outputs; git-ignored except this file and `figures/`. `corridor run SCENARIO` writes
`results/<scenario name>/` unless `--out` says otherwise. A run directory holds:

- `visits.parquet` — one row per visit of a shipment to a station (berth pool, service, chokepoint or leg):
  `replication, shipment, seq, station, kind, arrive, start, end` in hours from the scenario start
  (NaN: not reached by the horizon).
- `shipments.parquet` — one row per shipment: `replication, shipment, flow, commodity, origin, destination,
  tonnes, teu, created, delivered, free_flow_h`.
- `stations.parquet` — each station's kind, node, cargo class, coordinates and nominal capacity.
- `kpis.json` — KPI means, standard deviations and 95% Student-t intervals across replications, measured over
  [warm-up, horizon]; `kpis_by_replication.parquet` — the per-replication values.
- `provenance.json` — scenario hash, seed, random-stream scheme, engine, replications, package version, git
  commit, wall time. The Parquet files carry the deterministic part of it in their metadata
  (`corridor_sim.provenance`).
- `scenario.yaml` — the resolved scenario (after `extends:` and `seeds:`), loadable as a scenario file.

The Parquet files are snappy-compressed with ids in dictionaries and integers delta-encoded; every reader gets
the exact values and types (`baseline_2024`: ~4.1 MB per replication for shipments with the cost and
emission ledger, ~3.7 MB for visits; `--visits none` leaves the visits out).

A directory appears only when the run has finished (written beside the target, then renamed into place).
`corridor compare BASE VARIANT…` writes a comparison directory (`comparison.csv/.parquet/.json`,
`warmup.csv`, `runs/<scenario>/`), and `corridor report DIR` turns a run or a comparison into one
self-contained `report.html` plus `figures/*.png`.
"""

HEADLINE_ROWS = 8


def library_variants(directory: Path, base_file: str = "baseline_2024.yaml") -> list[Path]:
    """Scenario files in ``directory`` that extend ``base_file`` (benchmarks excluded), sorted by name."""
    pattern = re.compile(rf"^extends:\s*['\"]?{re.escape(base_file)}['\"]?\s*$", re.MULTILINE)
    return sorted(
        path
        for path in directory.glob("*.yaml")
        if not path.name.startswith("bench_") and pattern.search(path.read_text(encoding="utf-8"))
    )


def _headline(table: pd.DataFrame) -> pd.DataFrame:
    """The variant's significant differences, largest relative change first (throughput and transit first)."""
    significant = table.loc[table["significant"]].copy()
    # A flow named after its commodity (the only flow of it, e.g. panama_background) has the same throughput
    # row in both tables and the same label: keep the commodity's.
    throughput = significant["table"].isin(["throughput_by_commodity", "throughput_by_flow"])
    repeated = significant.loc[throughput].duplicated(["key", "period", "metric", "diff"], keep="first")
    significant = significant.drop(index=repeated[repeated].index)
    significant["_size"] = significant["relative"].abs().fillna(0.0)
    first = ["throughput_by_commodity", "throughput_by_flow", "transit_by_flow"]
    significant["_family"] = ~significant["table"].isin(first)
    ordered = significant.sort_values(["_family", "_size"], ascending=[True, False])
    return ordered.drop(columns=["_size", "_family"]).head(HEADLINE_ROWS)


def _markdown_table(rows: list[list[str]]) -> str:
    header = (
        "| KPI | baseline | variant | difference [95 % CI] | relative [95 % CI] |\n|---|--:|--:|--:|--:|\n"
    )
    return header + "".join(
        "| " + " | ".join(cell.replace("|", "/") for cell in row[:5]) + " |\n" for row in rows
    )


def _variant_section(result: Comparison, variant: str, question: str, names: Names | None) -> str:
    mine = result.table.loc[result.table["variant"] == variant]
    headline = _headline(mine)
    rows, _ = difference_rows(headline, names)
    significant = int(mine["significant"].sum())
    identical = int(((mine["diff"] == 0) & (mine["diff_low"] == 0) & (mine["diff_high"] == 0)).sum())
    body = f"### {variant}\n\n> {question or '(no question stated in the scenario file)'}\n\n"
    body += (
        f"{significant} of {len(mine)} compared KPIs differ significantly from the baseline; {identical} are "
        "identical in every replication (untouched by the change, thanks to common random numbers).\n\n"
    )
    if rows:
        body += _markdown_table(rows) + "\n"
    return body + f"![{variant} vs baseline](figures/{variant}.png)\n\n"


def render_readme(
    result: Comparison, questions: dict[str, str], stamp: str, names: Names | None = None
) -> str:
    """The text of ``results/README.md`` for a finished library comparison (flows, stations by ``names``)."""
    reps = len(result.runs[result.base].replications)
    commit = git_commit() or "unknown"
    counts = result.table.groupby("variant")["significant"].sum()
    summary = [
        f"| [{v}](#{v.replace('_', '-')}) | {int(counts.get(v, 0))} | "
        f"{questions.get(v, '')[:140]}{'…' if len(questions.get(v, '')) > 140 else ''} |"
        for v in result.variants
    ]
    return (
        "# results/\n\n"
        + LAYOUT
        + "\n## What the scenario library finds\n\n"
        + f"Every variant in `scenarios/` against `{result.base}`: {reps} replications each, "
        + f"seed {result.seed} shared by all (common random numbers), engine `{result.engine}`. "
        + "Differences are paired by replication; a difference is listed when its 95 % interval excludes "
        + "zero. Regenerate with "
        + f"`make results` (generated {stamp}, corridor-sim {__version__}, commit `{commit[:12]}`).\n\n"
        + f"![Baseline network](figures/{result.base}_network.png)\n\n"
        + "| variant | significant KPIs | question |\n|---|--:|---|\n"
        + "\n".join(summary)
        + "\n\n"
        + "".join(_variant_section(result, v, questions.get(v, ""), names) for v in result.variants)
    )


def write_library(
    scenarios: Path,
    out: Path,
    replications: int | None = None,
    engine: str = "vector",
    dpi: float = 72,
    base_file: str = "baseline_2024.yaml",
    figure_format: str = "png",
) -> Path:
    """Run the library, write figures, the comparison directory and ``README.md`` under ``out``.

    Parameters
    ----------
    scenarios : Path
        The scenario library directory.
    out : Path
        Where ``README.md``, ``figures/`` and ``library/`` go (``results``).
    replications : int, optional
        Replications per scenario (default: the baseline's).
    engine : str
        Simulation engine.
    dpi : float
        Resolution of the committed figures.
    base_file : str
        The baseline's file name in ``scenarios``.
    figure_format : {"png", "svg"}
        Format of the figures (full-colour PNG by default).
    """
    base_path = scenarios / base_file
    variant_paths = library_variants(scenarios, base_file)
    base = load_scenario(base_path)
    variants = [load_scenario(path) for path in variant_paths]
    result = run_comparison(base, variants, replications=replications, engine=engine, notify=_say)
    questions = {v.name: question_of(p) for v, p in zip(variants, variant_paths, strict=True)}
    library = write_comparison(result, out / "library")
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    run = load_run(library / "runs" / result.base)
    network = plot_network_map(tables.port_throughput(run), tables.flow_routes(run), "2024 baseline network")
    # The map carries small port names: never below 100 dpi, or they blur.
    save_figure(network, figures / f"{result.base}_network.png", dpi=max(dpi, 100.0), format=figure_format)
    names = names_of_runs([run])  # the base's flows and stations by name
    for variant in result.variants:
        forest = plot_differences(result.table, variant, result.base, limit=8, names=names)
        save_figure(forest, figures / f"{variant}.png", dpi=dpi, format=figure_format)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    readme = out / "README.md"
    text = render_readme(result, questions, stamp, names).replace(".png)", f".{figure_format})")
    readme.write_text(text, encoding="utf-8")
    return readme


def _say(message: str) -> None:
    sys.stderr.write(f"  {message}\n")


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.experiments.library [--scenarios DIR] [--out DIR] [--replications N]``."""
    parser = argparse.ArgumentParser(prog="python -m sim.experiments.library", description=__doc__)
    parser.add_argument("--scenarios", type=Path, default=Path("scenarios"))
    parser.add_argument("--out", type=Path, default=Path("results"))
    parser.add_argument("--replications", type=int, default=None)
    parser.add_argument("--engine", default="vector")
    parser.add_argument("--figure-format", choices=FORMATS, default="png", help="png (default) or svg")
    args = parser.parse_args(argv)
    if not (args.scenarios / "baseline_2024.yaml").is_file():
        sys.stderr.write(f"error: {args.scenarios / 'baseline_2024.yaml'}: no such file\n")
        return 2
    readme = write_library(
        args.scenarios, args.out, args.replications, args.engine, figure_format=args.figure_format
    )
    sys.stdout.write(f"wrote {readme}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
