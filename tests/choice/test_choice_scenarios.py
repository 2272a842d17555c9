"""The library's choice scenarios do what their opening comments say, replication by replication.

Runs share the baseline's seed, so the choice streams are common random numbers: a variant that raises a
route's probability moves shipments onto it in every replication (choices are monotone in the shares).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sim.choice import route_costs
from sim.runner import RunResult
from tests.library_runs import Runs, library_runs

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
REPLICATIONS = 2
CHOICE = (
    "chancay_or_callao",
    "ilstc_or_yangtze",
    "carbon_price_ilstc",
    "beibu_gulf_port_choice",
    "panama_drought_choice",
)


@pytest.fixture(scope="module")
def runs() -> Runs:
    return library_runs(REPLICATIONS, "vector")


def kpi(result: RunResult, table: str, key: str, metric: str) -> pd.Series:
    frame = result.kpis_by_replication
    rows = frame[(frame["table"] == table) & (frame["key"] == key) & (frame["metric"] == metric)]
    return rows.set_index("replication")["value"].reindex(range(REPLICATIONS))


@pytest.mark.parametrize("name", CHOICE)
def test_choice_scenario_opens_with_question_sources_and_assumptions(name: str) -> None:
    text = (SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8")
    header = text.split("\nschema:")[0]
    assert "Question:" in header
    assert re.search(r"Sources?\b", header)
    assert "http" in header
    assert "ASSUMPTION" in text  # the choice inputs (logit scale, extras) are not published figures


def test_chancay_takes_most_peru_boxes_and_callao_takes_longer(runs: Runs) -> None:
    result = runs("chancay_or_callao")
    chancay, callao = "peru_china_containers/chancay", "peru_china_containers/callao"
    share = kpi(result, "route_choice", chancay, "share")
    assert (share > 0.5).all()
    assert (kpi(result, "route_choice", callao, "share") > 0.1).all()  # a real alternative
    days = kpi(result, "route_choice", callao, "time_mean_h") - kpi(
        result, "route_choice", chancay, "time_mean_h"
    )
    assert (days / 24 > 1).all()  # transshipment at Manzanillo and a second weekly sailing


def test_yangtze_is_the_minority_and_ten_to_twenty_days_slower(runs: Runs) -> None:
    result = runs("ilstc_or_yangtze")
    ilstc, yangtze = "ilstc_ckg_out/ilstc", "ilstc_ckg_out/yangtze"
    assert (kpi(result, "route_choice", ilstc, "share") > kpi(result, "route_choice", yangtze, "share")).all()
    slower = kpi(result, "route_choice", yangtze, "time_mean_h") - kpi(
        result, "route_choice", ilstc, "time_mean_h"
    )
    assert ((slower / 24 > 10) & (slower / 24 < 20)).all()


def test_a_carbon_price_moves_boxes_to_the_cleaner_route_and_cuts_emissions(runs: Runs) -> None:
    base, priced = runs("ilstc_or_yangtze"), runs("carbon_price_ilstc")
    ilstc = "ilstc_ckg_out/ilstc"
    assert (
        kpi(priced, "route_choice", ilstc, "probability") > kpi(base, "route_choice", ilstc, "probability")
    ).all()
    assert (kpi(priced, "route_choice", ilstc, "share") >= kpi(base, "route_choice", ilstc, "share")).all()
    # the Yangtze route (river + a longer sea leg) emits more per tonne than rail + the Qinzhou feeder
    river = kpi(base, "emissions_by_flow", "ilstc_ckg_out/yangtze", "co2e_kg_per_t")
    rail = kpi(base, "emissions_by_flow", "ilstc_ckg_out/ilstc", "co2e_kg_per_t")
    assert (river > rail).all()
    carbon = kpi(priced, "cost_by_flow", ilstc, "cost_carbon_usd")
    assert (carbon > 0).all()
    assert (kpi(base, "cost_by_flow", ilstc, "cost_carbon_usd") == 0).all()


def test_beihai_takes_a_share_and_its_berth_is_used(runs: Runs) -> None:
    result = runs("beibu_gulf_port_choice")
    assert (kpi(result, "route_choice", "ilstc_ctu_out/beihai", "share") > 0.2).all()
    assert (kpi(result, "stations", "CNBIH/container", "utilisation") > 0).all()


def test_panama_keeps_most_us_gulf_soy_and_the_cape_costs_more(runs: Runs) -> None:
    result = runs("panama_drought_choice")
    shares = {
        route: kpi(result, "route_choice", f"soy_us_gulf/{route}", "probability").iloc[0]
        for route in ("panama", "cape", "suez")
    }
    assert shares["panama"] > 0.9
    assert 0 < shares["cape"] < 0.1
    assert sum(shares.values()) == pytest.approx(1.0)
    network = result.network
    routes = {r.name: r for r in network.flows}
    assert "chk:PAPCN" not in {network.stations[s].name for s in routes["soy_us_gulf/cape"].stations}
    money = {c.route: c.money_usd for c in route_costs(result.scenario, network, "soy_us_gulf")}
    assert money["soy_us_gulf/cape"] > money["soy_us_gulf/panama"]
