"""Monthly waits at stations (``stations_by_month``, :mod:`sim.results.kpis_by_group`) on a hand-made Plan.

The expected values are worked out on paper: port ``XXPRT`` (one bulk berth pool), 2024-01-01 + 60 days
(January 744 h, February ends at the horizon, 1440 h), warm-up one day (24 h).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario
from sim.network import build_network
from sim.results.kpis import kpis_by_replication
from sim.runner import run
from sim.trace import Trace
from tests.plans import HandShipment, assemble_plan, port_story

NAN = float("nan")
# (arrive, start) of each visit, h; NaN start: still waiting at the horizon
STORY = [
    (5.0, 800.0),  # before the warm-up: in no statistic and no month-end count
    (30.0, 30.0),  # January, wait 0
    (40.0, 50.0),  # January, wait 10
    (700.0, 760.0),  # January, wait 60, waiting at January's end (744 h)
    (740.0, 1000.0),  # January, wait 260, waiting at January's end
    (744.0, 744.0),  # February (arrives at the month's first instant), wait 0, not waiting at 744 h
    (800.0, 800.0),  # February, wait 0
    (1400.0, NAN),  # February, still waiting at the horizon: counted, not in the statistics
    (1430.0, 1435.0),  # February, wait 5
]


def _story_kpis() -> pd.DataFrame:
    scenario = port_story(1, days=60.0).model_copy(update={"warmup_days": 1.0})
    network = build_network(scenario)
    berth = next(s.index for s in network.stations if s.kind == "berth")
    plan = assemble_plan(network, [[HandShipment(a, [berth], [1.0]) for a, _ in STORY]])
    arrive = np.array([a for a, _ in STORY])
    start = np.array([s for _, s in STORY])
    trace = Trace(arrive, start, start + 1.0)
    return kpis_by_replication(scenario, plan, trace)


def _value(kpis: pd.DataFrame, table: str, period: str, metric: str) -> float:
    row = kpis[(kpis["table"] == table) & (kpis["period"] == period) & (kpis["metric"] == metric)]
    assert len(row) == 1
    return float(row["value"].iloc[0])


def test_monthly_waits_of_the_hand_made_story() -> None:
    kpis = _story_kpis()
    assert set(kpis.loc[kpis["table"] == "stations_by_month", "period"]) == {"2024-01", "2024-02"}
    january = [0.0, 10.0, 60.0, 260.0]
    february = [0.0, 0.0, 5.0]
    # p95 by linear interpolation between order statistics, by hand: position 0.95 (n − 1)
    expected = {
        "2024-01": {
            "wait_mean_h": sum(january) / 4,
            "wait_p95_h": 60.0 + 0.85 * (260.0 - 60.0),
            "wait_max_h": 260.0,
            "visits": 4.0,
            "started": 4.0,
        },
        "2024-02": {
            "wait_mean_h": sum(february) / 3,
            "wait_p95_h": 0.0 + 0.9 * (5.0 - 0.0),
            "wait_max_h": 5.0,
            "visits": 4.0,
            "started": 3.0,
        },
    }
    for period, metrics in expected.items():
        for metric, value in metrics.items():
            assert _value(kpis, "stations_by_month", period, metric) == pytest.approx(value), (period, metric)


def test_ships_waiting_at_each_month_end_are_counted_exactly() -> None:
    kpis = _story_kpis()
    assert _value(kpis, "stations_by_month", "2024-01", "waiting_at_month_end") == 2.0
    assert _value(kpis, "stations_by_month", "2024-02", "waiting_at_month_end") == 1.0
    # the last month ends at the horizon
    assert _value(kpis, "stations", "", "waiting_at_horizon") == 1.0


def test_months_pooled_by_their_waits_give_the_window_mean() -> None:
    path = Path(__file__).parents[2] / "scenarios" / "demo_two_ports.yaml"
    kpis = run(load_scenario(path), replications=2).kpis_by_replication
    monthly = kpis[kpis["table"] == "stations_by_month"].pivot_table(
        index=["key", "replication", "period"], columns="metric", values="value", dropna=False
    )
    window = kpis[(kpis["table"] == "stations") & (kpis["metric"] == "wait_mean_h")]
    checked = 0
    for row in window.dropna(subset=["value"]).itertuples():
        months = monthly.loc[(row.key, row.replication)]
        weights = months["started"].to_numpy()
        means = np.nan_to_num(months["wait_mean_h"].to_numpy())  # NaN only where no wait started
        assert float((means * weights).sum() / weights.sum()) == pytest.approx(row.value, rel=1e-9, abs=1e-9)
        assert months["visits"].sum() >= weights.sum()
        checked += 1
    assert checked > 0
