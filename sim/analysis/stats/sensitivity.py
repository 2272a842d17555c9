"""Global sensitivity of each KPI to each swept parameter, estimated from the point means.

The estimator follows the design, because each design supports a different one:

- **grid** (full factorial): the first-order (main-effect) index of ANOVA,
  ``S_i = Σ_levels n_l (ȳ_l − ȳ)² / Σ_points (y − ȳ)²`` — the share of the variance of the point means
  explained by parameter ``i`` alone. A full factorial balances every other parameter at each level of
  ``i``, so this is the exact first-order term of the variance decomposition over the grid, with no
  linearity assumption, and it works for text and boolean levels too.
- **lhs / sobol** (space-filling samples): standardised regression coefficients, ``SRC_i = b_i σ_i / σ_y``
  from a least-squares fit of the point means on all parameters (log10 of log-scale ones). ``SRC_i²`` is
  the first-order share of variance when the response is near-linear, which the fit's ``R²`` says
  (``R² ≥ 0.7`` is the usual threshold for trusting the ranking). Sampled points do not repeat levels, so
  the grouped ANOVA estimate is not available; variance-based Sobol' indices would need a Saltelli design
  with ``N (d + 2)`` points, which a sweep file does not ask for. A text or boolean parameter in a sampled
  design gets the correlation ratio ``η²`` (the same grouped estimate as a grid).

``noise_share`` compares the replication noise in the point means (mean of ``s²/n``) with their spread: near
one, the differences between points are mostly noise and more replications are needed before ranking.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ranking", "sensitivity"]

MAIN_EFFECT = "main effect (ANOVA first order)"
SRC = "SRC² (standardised regression)"
ETA = "correlation ratio η²"


def sensitivity(
    summary: pd.DataFrame, parameters: list[dict[str, Any]], design: str, kpis: list[str]
) -> pd.DataFrame:
    """One row per (KPI, parameter): ``method, index, src, r2, noise_share, rank``.

    Parameters
    ----------
    summary : DataFrame
        From :func:`sim.analysis.tables.sweep.point_summary`.
    parameters : list of dict
        The manifest's parameter entries.
    design : str
        ``grid``, ``lhs`` or ``sobol``.
    kpis : list of str
        KPI labels to analyse.
    """
    names = [p["name"] for p in parameters]
    points = summary.drop_duplicates("point").set_index("point")[names]
    rows = []
    for kpi in kpis:
        rows.extend(
            _kpi_rows(summary[summary["kpi"] == kpi].set_index("point"), points, parameters, design, kpi)
        )
    table = pd.DataFrame(rows, columns=["kpi", "parameter", "method", "index", "src", "r2", "noise_share"])
    table["rank"] = table.groupby("kpi")["index"].rank(ascending=False, method="min").astype("Int64")
    return table


def _kpi_rows(
    rows: pd.DataFrame, points: pd.DataFrame, parameters: list[dict[str, Any]], design: str, kpi: str
) -> list[tuple[Any, ...]]:
    y = rows["mean"].reindex(points.index).to_numpy(dtype=np.float64)
    keep = np.isfinite(y)
    y, x = y[keep], points[keep]
    constant = len(y) < 2 or float(np.ptp(y)) <= 1e-9 * max(float(np.abs(y).max()), 1e-300)
    spread = 0.0 if constant else float(np.var(y, ddof=1))
    noise = rows["std"].reindex(points.index)[keep] ** 2 / rows["n"].reindex(points.index)[keep]
    noise_share = float(noise.mean() / spread) if spread > 0 else float("nan")
    numeric = [p for p in parameters if p["kind"] in ("int", "float")]
    src, r2 = _src(x, y, numeric) if design != "grid" and spread > 0 else ({}, float("nan"))
    result = []
    for parameter in parameters:
        name = parameter["name"]
        if spread <= 0:
            result.append((kpi, name, "", float("nan"), float("nan"), float("nan"), noise_share))
        elif design == "grid" or name not in src:
            method = MAIN_EFFECT if design == "grid" else ETA
            result.append(
                (kpi, name, method, _grouped_share(x[name], y), float("nan"), float("nan"), noise_share)
            )
        else:
            result.append((kpi, name, SRC, src[name] ** 2, src[name], r2, noise_share))
    return result


def _grouped_share(x: pd.Series, y: np.ndarray) -> float:
    """Σ n_l (ȳ_l − ȳ)² / Σ (y − ȳ)² over the levels l of ``x``."""
    frame = pd.DataFrame({"x": x.to_numpy(), "y": y})
    total = float(((y - y.mean()) ** 2).sum())
    groups = frame.groupby("x", sort=False)["y"].agg(["mean", "size"])
    between = float((groups["size"] * (groups["mean"] - y.mean()) ** 2).sum())
    return between / total


def _src(x: pd.DataFrame, y: np.ndarray, numeric: list[dict[str, Any]]) -> tuple[dict[str, float], float]:
    """Standardised regression coefficients of ``y`` on the numeric parameters, and the fit's R²."""
    if not numeric or len(y) <= len(numeric) + 1:
        return {}, float("nan")
    columns = []
    for parameter in numeric:
        values = x[parameter["name"]].to_numpy(dtype=np.float64)
        columns.append(np.log10(values) if parameter["scale"] == "log" else values)
    design = np.column_stack(columns)
    scale = design.std(axis=0, ddof=1)
    usable = scale > 0
    standard = (design[:, usable] - design[:, usable].mean(axis=0)) / scale[usable]
    target = (y - y.mean()) / y.std(ddof=1)
    coefficients, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(y)), standard]), target, rcond=None)
    fitted = np.column_stack([np.ones(len(y)), standard]) @ coefficients
    r2 = 1.0 - float(((target - fitted) ** 2).sum() / (target**2).sum())
    names = [p["name"] for p, ok in zip(numeric, usable, strict=True) if ok]
    return dict(zip(names, (float(c) for c in coefficients[1:]), strict=True)), r2


def ranking(table: pd.DataFrame) -> pd.DataFrame:
    """Parameters ranked by their mean index over the KPIs analysed (one column per KPI, then ``mean``)."""
    wide = table.pivot_table(index="parameter", columns="kpi", values="index", aggfunc="first", sort=False)
    wide["mean"] = wide.mean(axis=1, skipna=True)
    wide = wide.sort_values("mean", ascending=False, kind="stable")
    wide.insert(0, "rank", np.arange(1, len(wide) + 1))
    return wide.reset_index()
