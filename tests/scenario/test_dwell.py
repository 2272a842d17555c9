"""Dwell (yard) time: a pure-delay station before (export, transshipment) or after (import) a berth visit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sim
from sim.drawing import draw_plan
from sim.engines import ENGINES, get_engine
from sim.network import build_network
from sim.rng import stream
from sim.scenario import Scenario, load_scenario

DATA = Path(__file__).resolve().parents[1] / "data"
EXPORT = {"dist": "fixed", "value": 72.0}
IMPORT = {"dist": "gamma", "mean": 48.0, "cv": 0.5}


def _with_dwell(**dwell: Any) -> Scenario:
    overrides = {"nodes.BRSSZ.berths.container.dwell_h": {"export": EXPORT}}
    if dwell:
        overrides["nodes.CNTAO.berths.container.dwell_h"] = dwell
    return load_scenario(DATA / "two_ports.yaml", overrides=overrides)


def test_dwell_stations_sit_before_export_and_after_import_berths() -> None:
    network = build_network(_with_dwell(**{"import": IMPORT}))
    route = next(f for f in network.flows if f.name == "boxes_ssz_tao")
    names = [network.stations[i].name for i in route.stations]
    assert names == [
        "dwell:BRSSZ/container/export",
        "BRSSZ/container",
        "svc:ecsa_asia_loop",
        "CNTAO/container",
        "dwell:CNTAO/container/import",
    ]
    assert {network.stations[i].kind for i in route.stations[::4]} == {"dwell"}
    # the bulk flow has no dwell: its pools have none
    bulk = next(f for f in network.flows if f.name == "soy_png_tao")
    assert all(network.stations[i].kind != "dwell" for i in bulk.stations)


def test_a_direction_without_a_distribution_adds_no_station() -> None:
    network = build_network(_with_dwell(transshipment=IMPORT))
    assert not any(s.name.startswith("dwell:CNTAO") for s in network.stations)


def test_dwell_draws_come_from_the_work_stream_of_the_flow_and_station() -> None:
    scenario = _with_dwell(**{"import": IMPORT})
    network = build_network(scenario)
    plan = draw_plan(scenario, network, [0], scenario.seed)
    station = network.station("dwell:CNTAO/container/import")
    work = plan.visit_work[plan.visit_station == station.index]
    uniforms = stream(scenario.seed, 0, "work", "boxes_ssz_tao", station.name).random(work.size)
    flow = scenario.nodes["CNTAO"].berths["container"].dwell_h
    assert flow is not None
    assert flow.import_ is not None
    np.testing.assert_array_equal(work, flow.import_.ppf(uniforms))
    # adding the dwell leaves every other draw of the flow as it was (common random numbers)
    plain = load_scenario(DATA / "two_ports.yaml")
    before = draw_plan(plain, build_network(plain), [0], plain.seed)
    np.testing.assert_array_equal(before.created, plan.created)
    np.testing.assert_array_equal(before.tonnes, plan.tonnes)


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_dwell_is_a_pure_delay_in_every_engine(engine: str) -> None:
    scenario = _with_dwell(**{"import": IMPORT})
    network = build_network(scenario)
    plan = draw_plan(scenario, network, [0, 1], scenario.seed)
    trace = get_engine(engine)(plan)
    dwell = np.isin(plan.visit_station, [s.index for s in network.stations if s.kind == "dwell"])
    done = dwell & np.isfinite(trace.end)
    assert done.any()
    np.testing.assert_array_equal(trace.start[dwell], trace.arrive[dwell])
    np.testing.assert_allclose(trace.end[done] - trace.start[done], plan.visit_work[done], rtol=1e-12)


def test_dwell_counts_in_transit_time_and_shows_in_the_station_table() -> None:
    plain, dwelling = load_scenario(DATA / "two_ports.yaml"), _with_dwell(**{"import": IMPORT})
    before, after = sim.run(plain, engine="vector"), sim.run(dwelling, engine="vector")
    stations = after.stations.set_index("station")
    assert stations.loc["dwell:BRSSZ/container/export", "kind"] == "dwell"
    assert np.isnan(stations.loc["dwell:CNTAO/container/import", "capacity"])

    def transit(result: Any) -> float:
        kpis = result.kpis
        row = kpis[
            (kpis["table"] == "transit_by_flow")
            & (kpis["key"] == "boxes_ssz_tao")
            & (kpis["metric"] == "transit_mean_h")
        ]
        return float(row["mean"].iloc[0])

    # 72 h of export dwell (a fixed shift: Santos' berth sees the same queue later) and 48 h of import dwell
    # on average; arriving 72 h later at the weekly sailing can save at most 72 h of waiting for it
    assert transit(after) - transit(before) > 48.0
