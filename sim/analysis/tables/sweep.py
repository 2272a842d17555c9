"""Reading a sweep directory back: KPIs per replication and per point, and choosing the headline KPIs.

Only finished task files are read (those whose provenance matches the manifest's task), so a report on a
sweep still running or interrupted covers exactly the work done so far and says how much that is.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import InputError, Problem
from sim.results.files import read_provenance
from sim.results.kpis import summarise
from sim.results.sweep_store import MANIFEST, read_manifest

__all__ = ["DEFAULT_KPIS", "SweepData", "kpi_label", "point_summary", "read_sweep", "select_kpis"]

DEFAULT_KPIS = (
    "route_choice/*/share",
    "throughput_by_commodity/*/tonnes_per_year",
    "transit_by_flow/*/delay_mean_h",
)
"""Headline KPIs of a report unless chosen: route shares of choice flows (when the scenario has any), annual
tonnes by commodity and mean delay by flow."""
KPI_KEYS = ["table", "key", "period", "metric"]


@dataclass(frozen=True)
class SweepData:
    """A sweep's results as read from its directory.

    Attributes
    ----------
    manifest : dict
        The sweep's manifest.
    by_replication : DataFrame
        ``point``, one column per parameter, ``table, key, period, metric, replication, value``.
    finished, total : int
        Tasks whose files were read, and tasks in the sweep.
    """

    manifest: dict[str, Any]
    by_replication: pd.DataFrame
    finished: int
    total: int

    @property
    def parameters(self) -> list[dict[str, Any]]:
        """The manifest's parameter entries (name, kind, scale, levels or low/high)."""
        entries: list[dict[str, Any]] = self.manifest["parameters"]
        return entries

    @property
    def parameter_names(self) -> list[str]:
        """Parameter names (field paths), in sweep-file order."""
        return [p["name"] for p in self.parameters]


def read_sweep(directory: Path) -> SweepData:
    """Read the finished task files of the sweep in ``directory``.

    Raises
    ------
    InputError
        When ``directory`` holds no sweep, or no task of it has finished.
    """
    manifest = read_manifest(directory) if directory.is_dir() else None
    if manifest is None:
        raise InputError(
            [
                Problem(
                    str(directory),
                    None,
                    (),
                    f"no {MANIFEST}",
                    "a sweep directory written by `corridor sweep`",
                )
            ]
        )
    frames = []
    for task in manifest["tasks"]:
        path = directory / task["file"]
        if path.is_file() and _matches(path, task):
            frames.append(pd.read_parquet(path).assign(point=task["point"]))
    if not frames:
        raise InputError(
            [
                Problem(
                    str(directory),
                    None,
                    (),
                    "a sweep with no finished task",
                    "at least one finished task (run `corridor sweep ... --resume`)",
                )
            ]
        )
    table = pd.concat(frames, ignore_index=True)
    names = [p["name"] for p in manifest["parameters"]]
    table = table[["point", *names, *KPI_KEYS, "replication", "value"]]
    return SweepData(manifest, table, len(frames), len(manifest["tasks"]))


def _matches(path: Path, task: dict[str, Any]) -> bool:
    try:
        found = read_provenance(path)
    except (OSError, ValueError, KeyError):
        return False
    return bool(found.get("point") == task["point"] and found.get("block") == task["block"])


def kpi_label(table: str, key: str, period: str, metric: str) -> str:
    """``table/key/metric`` (with ``@period`` when the KPI has one)."""
    return f"{table}/{key}/{metric}" + (f"@{period}" if period else "")


def point_summary(data: SweepData) -> pd.DataFrame:
    """Mean, std, count and 95% interval of every KPI at every point, with the point's parameter values."""
    names = data.parameter_names
    parts = []
    for point, rows in data.by_replication.groupby("point", sort=True):
        summary = summarise(rows[[*KPI_KEYS, "replication", "value"]])
        values = rows.iloc[0][names]
        parts.append(summary.assign(point=point, **{n: values[n] for n in names}))
    frame = pd.concat(parts, ignore_index=True)
    frame["kpi"] = [kpi_label(*row) for row in frame[KPI_KEYS].itertuples(index=False)]
    return frame[["point", *names, "kpi", *KPI_KEYS, "mean", "std", "n", "ci_low", "ci_high"]]


def select_kpis(summary: pd.DataFrame, patterns: tuple[str, ...] = (), limit: int = 8) -> list[str]:
    """KPI labels matching ``patterns`` (``table/key/metric``, wildcards), in pattern order, up to ``limit``.

    With no patterns, :data:`DEFAULT_KPIS`, leaving out KPIs that are the same at every point (with common
    random numbers, the KPIs of parts of the network the parameters do not touch) unless nothing else is left.

    Raises
    ------
    InputError
        When a pattern given matches no KPI of the sweep.
    """
    strict = bool(patterns)
    patterns = patterns or DEFAULT_KPIS
    labels = list(dict.fromkeys(summary["kpi"]))
    chosen: list[str] = []
    problems = []
    for pattern in patterns:
        found = [label for label in labels if fnmatch.fnmatchcase(label, pattern) and label not in chosen]
        if not found and strict:
            examples = ", ".join(labels[:4])
            problems.append(
                Problem(
                    "<command line>",
                    None,
                    ("--kpi",),
                    repr(pattern),
                    f"a pattern table/key/metric matching a KPI of this sweep, such as {examples}",
                )
            )
        chosen.extend(found)
    if problems:
        raise InputError(problems)
    if not strict:
        varying = [label for label in chosen if not _constant(summary[summary["kpi"] == label]["mean"])]
        chosen = varying or chosen
    return chosen[:limit]


def _constant(means: pd.Series) -> bool:
    values = means.dropna().to_numpy(dtype=float)
    return len(values) < 2 or float(values.max() - values.min()) <= 1e-9 * max(
        float(abs(values).max()), 1e-300
    )
