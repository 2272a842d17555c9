"""One definition of waiting time: the KPIs and the analysis table agree, on a story worked out on paper.

Port XXPRT has one berth; the horizon is 120 h and the warm-up 24 h. A hand-made Plan gives every arrival and
service time (hours), two replications:

replication 0 — arrive (work): 10 (5), 30 (10), 35 (5), 100 (30), 110 (5), 115 (5)
    10 is in the warm-up; 30 starts at once, 35 waits 5 h (until 40); 100 starts at once and holds the berth
    until 130, after the horizon, so 110 and 115 are still waiting at the horizon: waits 0, 5, 0 and two
    visits still waiting.
replication 1 — arrive (work): 50 (10), 55 (2), 58 (1)
    waits 0, 5 (until 60) and 4 (until 62); none still waiting.

Mean wait: (5/3 + 3) / 2 = 7/3 h; still waiting at the horizon: (2 + 0) / 2 = 1 visit per replication.
Counting the two censored visits with the horizon as their start would give replication 0 a mean of 4 h.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.tables import tidy as tables
from sim.analysis.tables.run_data import load_run
from sim.engines import ENGINES, get_engine
from sim.network import build_network
from sim.plan import Plan
from sim.results.waits import wait_statistics, window_waits
from sim.runner import RunResult, write_run
from sim.scenario import Scenario, scenario_from_data
from tests.plans import HandShipment, assemble_plan

STATION = "XXPRT/bulk"
STORY = {
    0: [(10.0, 5.0), (30.0, 10.0), (35.0, 5.0), (100.0, 30.0), (110.0, 5.0), (115.0, 5.0)],
    1: [(50.0, 10.0), (55.0, 2.0), (58.0, 1.0)],
}


def one_berth_port() -> Scenario:
    """One bulk berth at 1 t/h; flow ``f`` calls there and ends. 5 days, the first one warm-up."""
    unit = {"annual_volume": 1.0, "volume_unit": "t", "parcel": {"dist": "fixed", "value": 1.0}}
    return scenario_from_data(
        {
            "schema": 1,
            "name": "one_berth_story",
            "start": "2024-01-01",
            "horizon_days": 5,
            "warmup_days": 1,
            "replications": 2,
            "seed": 1,
            "commodities": {"bulk": {"kind": "bulk", "cargo_class": "bulk"}},
            "nodes": {
                "XXPRT": {
                    "name": "P",
                    "kind": "port",
                    "berths": {"bulk": {"count": 1, "rate": 1.0, "rate_unit": "t/h"}},
                }
            },
            "flows": {
                "f": {
                    "commodity": "bulk",
                    "origin": "XXPRT",
                    "destination": "XXPRT",
                    "route": ["XXPRT"],
                    "parcel_unit": "t",
                    **unit,
                }
            },
        }
    )


def story_plan(scenario: Scenario, story: dict[int, Sequence[tuple[float, float]]]) -> Plan:
    """A Plan of one-visit shipments: ``story[replication]`` lists (arrival h, work h) in arrival order."""
    network = build_network(scenario)
    (flow,) = network.flows
    (station,) = flow.stations
    return assemble_plan(
        network,
        [
            [HandShipment(t, [station], [w], [w], flow.index, tonnes=w) for t, w in story[r]]
            for r in sorted(story)
        ],
        numbers=sorted(story),
    )


@pytest.fixture(params=sorted(ENGINES))
def story(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[RunResult, Path]:
    scenario = one_berth_port()
    plan = story_plan(scenario, STORY)
    trace = get_engine(request.param)(plan)
    result = RunResult(scenario, plan.network, plan, trace, request.param, 0, 0.0)
    return result, write_run(result, tmp_path / "run")


def _kpi(frame: pd.DataFrame, metric: str) -> pd.Series:
    chosen = frame.loc[
        (frame["table"] == "stations") & (frame["key"] == STATION) & (frame["metric"] == metric)
    ]
    return chosen.set_index("replication")["value"] if "replication" in chosen else chosen["mean"]


def test_the_story_runs_as_worked_out_on_paper(story: tuple[RunResult, Path]) -> None:
    result, _ = story
    start = result.visits["start"]
    assert start.iloc[:4].tolist() == [10.0, 30.0, 40.0, 100.0]
    assert start.iloc[4:6].isna().all(), "still waiting at the horizon"
    assert start.iloc[6:].tolist() == [50.0, 60.0, 62.0]


def test_kpis_leave_censored_waits_out_and_count_them(story: tuple[RunResult, Path]) -> None:
    result, _ = story
    by_rep = result.kpis_by_replication
    assert _kpi(by_rep, "wait_mean_h").to_dict() == pytest.approx({0: 5.0 / 3.0, 1: 3.0})
    assert _kpi(by_rep, "wait_max_h").to_dict() == {0: 5.0, 1: 5.0}
    assert _kpi(by_rep, "waiting_at_horizon").to_dict() == {0: 2.0, 1: 0.0}
    assert float(_kpi(result.kpis, "wait_mean_h").iloc[0]) == pytest.approx(7.0 / 3.0)
    assert float(_kpi(result.kpis, "waiting_at_horizon").iloc[0]) == 1.0


def test_the_analysis_table_agrees_with_the_kpis(story: tuple[RunResult, Path]) -> None:
    result, directory = story
    row = tables.station_waiting(load_run(directory)).set_index("station").loc[STATION]
    assert row["wait_mean_h"] == pytest.approx(7.0 / 3.0)
    assert row["wait_mean_h"] == pytest.approx(float(_kpi(result.kpis, "wait_mean_h").iloc[0]), rel=1e-15)
    assert row["waiting_at_horizon"] == 1.0 == float(_kpi(result.kpis, "waiting_at_horizon").iloc[0])
    assert row["visits_per_rep"] == 4.0  # 5 + 3 visits arrived in the window
    assert row["wait_p95_h"] == 5.0  # pooled over the six finished waits 0, 5, 0, 0, 5, 4


def test_one_function_gives_both_their_waits() -> None:
    visits = pd.DataFrame(
        {
            "replication": [0, 0, 0, 0, 0],
            "station": ["A", "A", "A", "leg:A-B", "A"],
            "kind": ["berth", "berth", "berth", "leg", "berth"],
            "arrive": [5.0, 10.0, 20.0, 30.0, 100.0],
            "start": [5.0, 12.0, np.nan, 30.0, 100.0],
        }
    )
    waits = window_waits(visits, warmup_h=10.0, horizon_h=100.0)
    # 5 is in the warm-up, the leg does not queue, 100 arrives at the horizon: outside [10, 100)
    assert waits["arrive"].tolist() == [10.0, 20.0]
    assert waits["waiting"].tolist() == [False, True]
    stats = wait_statistics(waits).loc[("A", 0)]
    assert (stats["wait_mean_h"], stats["visits"], stats["waiting_at_horizon"]) == (2.0, 2.0, 1.0)
