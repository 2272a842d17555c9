"""Waits by priority class (``stations_by_class``, :mod:`sim.results.kpis_by_group`) on a hand-made Plan.

Port ``XXPRT`` with one bulk berth serving classes ``hi`` and ``lo``, 10 days, warm-up one day (24 h); the
expected values are worked out on paper, and the run summary prints them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from sim.cli.summary import RunSummary, print_run_summary
from sim.network import build_network
from sim.results.kpis import kpis_by_replication, summarise
from sim.scenario import Scenario
from sim.trace import Trace
from tests.plans import HandShipment, assemble_plan, port_story

NAN = float("nan")
HI, LO = 0, 1
# (arrive, start, class) of each visit, h; NaN start: still waiting at the horizon (240 h)
STORY = [
    (10.0, 12.0, HI),  # before the warm-up: in no statistic
    (30.0, 30.0, LO),  # lo, wait 0
    (31.0, 40.0, LO),  # lo, wait 9
    (35.0, 38.0, HI),  # hi, wait 3
    (36.0, 39.0, HI),  # hi, wait 3
    (50.0, 51.0, HI),  # hi, wait 1
    (230.0, NAN, LO),  # lo, still waiting at the horizon
]


def _scenario() -> Scenario:
    scenario = port_story(1, days=10.0).model_copy(update={"warmup_days": 1.0})
    pool = scenario.nodes["XXPRT"].berths["bulk"].model_copy(update={"classes": ["hi", "lo"]})
    node = scenario.nodes["XXPRT"].model_copy(update={"berths": {"bulk": pool}})
    return scenario.model_copy(update={"nodes": {"XXPRT": node}})


def _kpis() -> pd.DataFrame:
    scenario = _scenario()
    network = build_network(scenario)
    berth = next(s.index for s in network.stations if s.kind == "berth")
    plan = assemble_plan(network, [[HandShipment(a, [berth], [1.0]) for a, _, _ in STORY]])
    plan = dataclasses.replace(plan, visit_class=np.array([k for _, _, k in STORY], dtype=np.int8))
    arrive = np.array([a for a, _, _ in STORY])
    start = np.array([s for _, s, _ in STORY])
    return kpis_by_replication(scenario, plan, Trace(arrive, start, start + 1.0))


def _value(kpis: pd.DataFrame, key: str, metric: str) -> float:
    row = kpis[(kpis["table"] == "stations_by_class") & (kpis["key"] == key) & (kpis["metric"] == metric)]
    assert len(row) == 1
    return float(row["value"].iloc[0])


@pytest.mark.parametrize(
    ("key", "metric", "expected"),
    [
        ("XXPRT/bulk [hi]", "wait_mean_h", 7 / 3),
        ("XXPRT/bulk [hi]", "wait_max_h", 3.0),
        ("XXPRT/bulk [hi]", "visits", 3.0),
        ("XXPRT/bulk [hi]", "waiting_at_horizon", 0.0),
        ("XXPRT/bulk [lo]", "wait_mean_h", 4.5),
        ("XXPRT/bulk [lo]", "wait_max_h", 9.0),
        ("XXPRT/bulk [lo]", "visits", 3.0),
        ("XXPRT/bulk [lo]", "waiting_at_horizon", 1.0),
    ],
)
def test_class_waits_worked_on_paper(key: str, metric: str, expected: float) -> None:
    assert _value(_kpis(), key, metric) == pytest.approx(expected)


def test_class_waits_pool_to_the_station_waits() -> None:
    kpis = _kpis()
    station = kpis[(kpis["table"] == "stations") & (kpis["metric"] == "wait_mean_h")]["value"].iloc[0]
    assert station == pytest.approx((3 + 3 + 1 + 0 + 9) / 5)


def test_no_classes_no_rows() -> None:
    scenario = port_story(1, days=10.0)
    network = build_network(scenario)
    plan = assemble_plan(network, [[HandShipment(30.0, [0], [1.0])]])
    kpis = kpis_by_replication(scenario, plan, Trace(np.array([30.0]), np.array([30.0]), np.array([31.0])))
    assert not (kpis["table"] == "stations_by_class").any()


def test_the_run_summary_shows_the_classes() -> None:
    kpis = summarise(_kpis())
    console = Console(record=True, width=80)
    print_run_summary(RunSummary(_scenario(), kpis, 1, "vector", 0, NAN), console)
    text = console.export_text()
    assert "Waits by priority class" in text
    assert "XXPRT/bulk [hi]" in text
    assert "XXPRT/bulk [lo]" in text


def test_the_run_summary_leaves_out_stations_where_no_class_waited() -> None:
    kpis = summarise(_kpis())
    rows = kpis[kpis["table"] == "stations_by_class"]
    quiet = rows.assign(key=rows["key"].str.replace("XXPRT/bulk", "XXQUI/bulk", regex=False))
    for column in ("mean", "ci_low", "ci_high"):
        quiet[column] = 0.0
    console = Console(record=True, width=200)
    print_run_summary(
        RunSummary(_scenario(), pd.concat([kpis, quiet], ignore_index=True), 1, "vector", 0, NAN), console
    )
    text = console.export_text()
    assert "XXPRT/bulk [hi]" in text
    assert "XXQUI/bulk [hi]" not in text
    assert "XXQUI/bulk [lo]" not in text
    assert "left out, as no class waited there: XXQUI/bulk" in " ".join(text.split())
