"""Background traffic kept apart: ``throughput_by_traffic``, ``waits_by_traffic`` and ``without_background``.

The story is worked out on paper: port ``XXPRT`` (one bulk pool), 10 days, warm-up one day (24 h); flow ``f``
is modelled, flow ``bg`` (same port, ``background: true``) is the port's other traffic. Every shipment is
1 t and one berth visit of 1 h.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.errors import InputError
from sim.network import build_network
from sim.results.kpis import kpis_by_replication
from sim.results.traffic import Background, without_background
from sim.scenario import Scenario
from sim.scenario.seeds import read_seeds
from sim.trace import Trace
from tests.plans import HandShipment, assemble_plan, port_story

NAN = float("nan")
# (flow, arrive, start) of each visit, h; flow 0 = f (modelled), 1 = bg (background); NaN start: waiting
STORY = [
    (1, 10.0, 30.0),  # background, before the warm-up: in no statistic; delivered at 31 h, in the window
    (0, 30.0, 30.0),  # modelled, wait 0
    (1, 35.0, 41.0),  # background, wait 6
    (0, 40.0, 50.0),  # modelled, wait 10
    (1, 60.0, 80.0),  # background, wait 20
    (0, 200.0, NAN),  # modelled, still waiting at the horizon (never delivered)
]


def _scenario() -> Scenario:
    scenario = port_story(1, days=10.0).model_copy(update={"warmup_days": 1.0})
    background = scenario.flows["f"].model_copy(update={"background": True})
    return scenario.model_copy(update={"flows": {"f": scenario.flows["f"], "bg": background}})


def _story_kpis() -> pd.DataFrame:
    scenario = _scenario()
    network = build_network(scenario)
    berth = next(s.index for s in network.stations if s.kind == "berth")
    shipments = [HandShipment(a, [berth], [1.0], flow=f) for f, a, _ in STORY]
    plan = assemble_plan(network, [shipments])
    arrive = np.array([a for _, a, _ in STORY])
    start = np.array([s for _, _, s in STORY])
    return kpis_by_replication(scenario, plan, Trace(arrive, start, start + 1.0))


def _value(kpis: pd.DataFrame, table: str, key: str, period: str, metric: str) -> float:
    row = kpis[
        (kpis["table"] == table)
        & (kpis["key"] == key)
        & (kpis["period"] == period)
        & (kpis["metric"] == metric)
    ]
    assert len(row) == 1, (table, key, period, metric)
    return float(row["value"].iloc[0])


def test_throughput_by_traffic_sums_each_class() -> None:
    kpis = _story_kpis()
    assert _value(kpis, "throughput_by_traffic", "modelled", "", "tonnes") == 2.0  # delivered at 31, 51 h
    assert _value(kpis, "throughput_by_traffic", "background", "", "tonnes") == 3.0  # at 31, 42, 81 h


def test_waits_by_traffic_of_the_hand_made_story() -> None:
    kpis = _story_kpis()
    expected = {
        "modelled": {"wait_mean_h": 5.0, "wait_max_h": 10.0, "visits": 3.0, "waiting_at_horizon": 1.0},
        "background": {"wait_mean_h": 13.0, "wait_max_h": 20.0, "visits": 2.0, "waiting_at_horizon": 0.0},
    }
    for period, metrics in expected.items():
        for metric, value in metrics.items():
            assert _value(kpis, "waits_by_traffic", "XXPRT/bulk", period, metric) == value, (period, metric)
    # p95 by linear interpolation between the two order statistics: position 0.95
    assert _value(kpis, "waits_by_traffic", "XXPRT/bulk", "modelled", "wait_p95_h") == pytest.approx(9.5)
    # the station table counts both classes: (0 + 6 + 10 + 20) / 4
    assert _value(kpis, "stations", "XXPRT/bulk", "", "wait_mean_h") == pytest.approx(9.0)


def test_no_background_means_no_traffic_rows_but_modelled_throughput() -> None:
    scenario = port_story(1, days=10.0)
    network = build_network(scenario)
    berth = next(s.index for s in network.stations if s.kind == "berth")
    plan = assemble_plan(network, [[HandShipment(2.0, [berth], [1.0])]])
    kpis = kpis_by_replication(scenario, plan, Trace(np.array([2.0]), np.array([2.0]), np.array([3.0])))
    assert (kpis["table"] == "waits_by_traffic").sum() == 0  # no station is shared with background traffic
    assert _value(kpis, "throughput_by_traffic", "modelled", "", "tonnes") == 1.0
    assert _value(kpis, "throughput_by_traffic", "background", "", "tonnes") == 0.0


def test_without_background_drops_the_background_rows_only() -> None:
    kpis = _story_kpis()
    background = Background.of(_scenario(), build_network(_scenario()))
    assert background.flows == {"bg"}
    assert background.commodities == frozenset()  # bulk is also carried by the modelled flow
    kept = without_background(kpis, background)
    assert "bg" not in set(kept.loc[kept["table"] == "throughput_by_flow", "key"])
    assert "f" in set(kept.loc[kept["table"] == "throughput_by_flow", "key"])
    assert set(kept.loc[kept["table"] == "waits_by_traffic", "period"]) == {"modelled"}
    assert set(kept.loc[kept["table"] == "throughput_by_traffic", "key"]) == {"modelled"}
    # station tables are all traffic and stay
    assert (kept["table"] == "stations").sum() == (kpis["table"] == "stations").sum()


def test_background_json_round_trip() -> None:
    background = Background.of(_scenario(), build_network(_scenario()))
    assert Background.from_json(background.as_json()) == background
    assert Background.from_json({}) == Background(frozenset(), frozenset(), frozenset(), frozenset())


def test_seed_background_column_takes_true_or_false(tmp_path: Path) -> None:
    header = (
        "id,commodity,origin,destination,annual_volume,volume_unit,parcel,parcel_unit,background,source\n"
    )
    row = 'x,bulk,XXPRT,XXPRT,1,t,"{""dist"":""fixed"",""value"":1}",t,FLAG,s\n'
    (tmp_path / "flows.csv").write_text(header + row.replace("FLAG", "TRUE"), encoding="utf-8")
    data, _ = read_seeds(tmp_path)
    assert data["flows"]["x"]["background"] is True
    (tmp_path / "flows.csv").write_text(header + row.replace("FLAG", "maybe"), encoding="utf-8")
    with pytest.raises(InputError, match="true or false"):
        read_seeds(tmp_path)


def test_without_background_drops_the_destinations_and_routes_only_it_has() -> None:
    from sim import load_scenario

    scenario = load_scenario(Path(__file__).parents[1] / "data" / "two_ports_background.yaml")
    background = Background.of(scenario, build_network(scenario))
    assert background.flows == {"png_other"}
    assert background.commodities == {"other_grain"}
    assert background.destinations == {"BRPNG"}  # the modelled flows all deliver to CNTAO
    assert background.routes == {"BRPNG"}
    rows = [
        ("throughput_by_destination", "BRPNG", ""),
        ("throughput_by_destination", "CNTAO", ""),
        ("cost_by_route", "BRPNG", ""),
        ("cost_by_route", "BRPNG>CNTAO", ""),
        ("throughput_by_month", "other_grain", "2024-01"),
        ("throughput_by_month", "soybeans", "2024-01"),
        ("emissions_by_commodity", "other_grain", ""),
        ("transit_by_flow", "png_other", ""),
    ]
    frame = pd.DataFrame(rows, columns=["table", "key", "period"]).assign(metric="m", value=1.0)
    kept = without_background(frame, background)
    assert list(kept["key"]) == ["CNTAO", "BRPNG>CNTAO", "soybeans"]
