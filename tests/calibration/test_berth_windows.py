"""Berth windows at the container terminals of the library (``seeds/berth_classes.csv``), on a baseline run.

``baseline_2024`` over 150 days (30 of warm-up), 8 replications, its own seed, vector engine; beside it the
same run with every container pool first come, first served (``classes: null``). At the two busy ILSTC
terminals (Qinzhou, utilisation ~0.77, and Singapore, ~0.59) the lots of on-window calls are served first:

- the share of visits drawn on window is the seeded share (binomial, 3 standard errors);
- on-window lots wait less than off-window lots: the replications' paired difference (off − on) has a 99%
  t-interval above 0;
- priority moves waiting between the classes without changing it: class does not depend on a lot's work, so
  the station's mean wait is the first-come-first-served one (Kleinrock's conservation law); the paired
  difference over the replications (common random numbers) has a 99% t-interval that contains 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.runner import RunResult
from tests.library_runs import kpi

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2024.yaml"
REPLICATIONS = 8
SHORT = {"horizon_days": 150.0, "warmup_days": 30.0}
BUSY = ("CNQZH/container", "SGSIN/container")
T99 = float(stats.t.ppf(0.995, REPLICATIONS - 1))


def _seeded_share() -> float:
    with (ROOT / "seeds" / "berth_classes.csv").open(encoding="utf-8") as handle:
        row = pd.read_csv(handle).iloc[0]
    return float(json.loads(row["default_share"])["on_window"])


@pytest.fixture(scope="module")
def runs() -> dict[str, RunResult]:
    windows = sim.load_scenario(BASELINE, overrides=SHORT)
    pools = [n for n, node in windows.nodes.items() if "container" in node.berths]
    fifo = dict(SHORT)
    for node in pools:
        fifo[f"nodes.{node}.berths.container.classes"] = None
        fifo[f"nodes.{node}.berths.container.default_share"] = None
    first_come = sim.load_scenario(BASELINE, overrides=fifo)
    return {
        "windows": sim.run(windows, engine="vector", replications=REPLICATIONS),
        "fifo": sim.run(first_come, engine="vector", replications=REPLICATIONS),
    }


def _kpi(result: RunResult, table: str, key: str, metric: str) -> np.ndarray:
    values = kpi(result, table, key, metric).to_numpy()
    assert np.isfinite(values).all(), (table, key, metric)
    return values


def _interval(differences: np.ndarray) -> tuple[float, float]:
    """The 99% t-interval of the mean of paired differences over the replications."""
    half = T99 * differences.std(ddof=1) / np.sqrt(len(differences))
    return differences.mean() - half, differences.mean() + half


@pytest.mark.parametrize("station", BUSY)
def test_the_share_of_lots_on_window_is_the_seeded_share(runs: dict[str, RunResult], station: str) -> None:
    on = _kpi(runs["windows"], "stations_by_class", f"{station} [on_window]", "visits").sum()
    off = _kpi(runs["windows"], "stations_by_class", f"{station} [off_window]", "visits").sum()
    share = _seeded_share()
    assert on / (on + off) == pytest.approx(share, abs=3 * np.sqrt(share * (1 - share) / (on + off)))


@pytest.mark.parametrize("station", BUSY)
def test_lots_on_window_wait_less_than_lots_off_window(runs: dict[str, RunResult], station: str) -> None:
    on = _kpi(runs["windows"], "stations_by_class", f"{station} [on_window]", "wait_mean_h")
    off = _kpi(runs["windows"], "stations_by_class", f"{station} [off_window]", "wait_mean_h")
    low, _ = _interval(off - on)
    assert low > 0, (on.mean(), off.mean())


@pytest.mark.parametrize("station", BUSY)
def test_windows_move_waiting_between_classes_without_changing_the_station_mean(
    runs: dict[str, RunResult], station: str
) -> None:
    windows = _kpi(runs["windows"], "stations", station, "wait_mean_h")
    fifo = _kpi(runs["fifo"], "stations", station, "wait_mean_h")
    low, high = _interval(windows - fifo)
    assert low <= 0 <= high, (windows.mean(), fifo.mean())
    assert not np.array_equal(windows, fifo)  # the order of service did change
