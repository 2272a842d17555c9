"""A run with diversions end to end: both engines give the same KPIs, the ways taken are consistent, the
summary says how many ships turned away, and the diversion keeps the route's draws (common random numbers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from sim.cli.summary import print_summary
from sim.drawing import draw_plan
from sim.network import build_network
from sim.runner import RunResult, run
from sim.scenario import Scenario, load_scenario, scenario_from_data

BASE = Path(__file__).parents[1] / "scenario" / "good" / "base.yaml"


def _scenario(diversion: bool) -> Scenario:
    """tests/scenario/good/base.yaml with a busy canal (4 slots a day, 1 during a 20-day drought) and a way
    round it for the soybeans (12 days longer), taken above a queue of 1 day of slots."""
    data: dict[str, Any] = load_scenario(BASE).model_dump(by_alias=True, exclude_none=True)
    data["nodes"]["PAPCN"]["chokepoint"]["slots_per_day"] = 4.0
    data["nodes"]["ZACGH"] = {"name": "Cape", "kind": "hub"}
    data["legs"]["pcn-cgh"] = {"from": "PAPCN", "to": "ZACGH", "mode": "sea", "transit_h": 150.0}
    data["legs"]["cgh-tao"] = {"from": "ZACGH", "to": "CNTAO", "mode": "sea", "transit_h": 1000.0}
    data["flows"]["soy"]["annual_volume"] = 5.0e7  # ~2.3 ships a day
    data["disruptions"] = {
        "drought": {"kind": "slots", "target": "PAPCN", "start_h": 240.0, "end_h": 720.0, "set": 1}
    }
    if diversion:
        data["flows"]["soy"]["diversion"] = {
            "at": "PAPCN",
            "threshold_days": 1.0,
            "route": ["PAPCN", "ZACGH", "CNTAO"],
        }
    return scenario_from_data(data)


@pytest.fixture(scope="module")
def results() -> dict[str, RunResult]:
    scenario = _scenario(diversion=True)
    return {engine: run(scenario, engine=engine, replications=3) for engine in ("reference", "vector")}


def test_both_engines_give_the_same_kpis(results: dict[str, RunResult]) -> None:
    reference, vector = (results[e].kpis_by_replication for e in ("reference", "vector"))
    np.testing.assert_array_equal(reference["value"], vector["value"])
    assert list(reference["key"]) == list(vector["key"])


def test_ships_divert_in_the_drought_and_sail_the_way_round(results: dict[str, RunResult]) -> None:
    result = results["vector"]
    diversions = result.diversions
    assert diversions is not None
    assert 0 < diversions.diverted.sum() < diversions.diverted.size
    assert (diversions.arrived_h[diversions.diverted] > 240.0).all()  # the queue builds in the drought
    extra = 150.0 + 1000.0 - (10.0 + 8700 / 12.5)  # way round minus transit and the Pacific leg (h)
    np.testing.assert_allclose(diversions.extra_sailing_h[diversions.diverted], extra, rtol=1e-12)
    visits = result.visits
    chokepoint = visits[visits["station"] == "chk:PAPCN"]
    assert len(chokepoint) == diversions.diverted.size - diversions.diverted.sum()  # none for diverted ships
    cape = visits[visits["station"] == "leg:pcn-cgh"]
    assert len(cape) == int(diversions.diverted.sum())  # every diverted ship, and only they, sail round
    ships = result.shipments
    turned = ships[ships["diverted"]]
    assert set(turned["flow"]) == {"soy"}
    assert len(turned) == len(cape)
    assert not ships.loc[ships["flow"] == "rail_boxes", "diverted"].any()
    kpis = result.kpis.set_index(["table", "key", "metric"])["mean"]
    assert kpis[("diversions_by_station", "chk:PAPCN", "diversions")] > 0
    share = kpis[("diversions_by_flow", "soy", "diverted_share")]
    assert 0 < share < 1


def test_the_shipments_file_says_which_ships_diverted(results: dict[str, RunResult], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from sim.runner import write_run

    result = results["reference"]
    write_run(result, tmp_path / "run")
    table = pq.read_table(tmp_path / "run" / "shipments.parquet")
    assert table.column("diverted").to_pylist() == result.shipments["diverted"].tolist()


def test_the_summary_says_how_many_ships_turned_away(results: dict[str, RunResult]) -> None:
    console = Console(width=80, record=True, no_color=True)
    print_summary(results["vector"], console)
    text = console.export_text()
    assert "Diverted at chk:PAPCN: " in text
    assert "ships a replication" in text
    assert " d each" in text  # the extra sailing of a diverted ship, in days


def test_a_diversion_keeps_the_routes_draws() -> None:
    plans = []
    for diversion in (False, True):
        scenario = _scenario(diversion)
        plans.append(draw_plan(scenario, build_network(scenario), range(2), 5))
    without, with_ = plans
    np.testing.assert_array_equal(without.created, with_.created)
    np.testing.assert_array_equal(without.free_flow_h, with_.free_flow_h)
    route = np.diff(without.first_visit)
    starts = with_.first_visit[:-1]
    kept = np.concatenate([np.arange(a, a + n) for a, n in zip(starts, route, strict=True)])
    np.testing.assert_array_equal(without.visit_work, with_.visit_work[kept])
