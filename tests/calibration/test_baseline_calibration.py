"""Calibration of scenarios/baseline_2024.yaml against the public figures it was built from.

One module-scoped run (``REPLICATIONS`` replications) feeds every test. The KPI window is calendar 2024: the
run starts on 1 Nov 2023 and the first 61 days are warm-up (seeds/README.md, "Calibration").

Tolerances, and why:

- Demand: the volume created in the window has expectation the annual volume (flows with seasonality weights
  give monthly volumes, ``seasonality_basis: monthly_volume``; flows without weights run at a constant rate,
  which over leap-year 2024 is 366/365.2425 of the annual volume, +0.2%). Its noise per replication is that
  of the arrival process: for N parcels a year with parcel coefficient of variation cv, ``sqrt((ca² + cv²) /
  N)`` with ``ca² = 1`` for Poisson, ``cv_renewal²`` for a renewal process and ``ca² = 0`` for regular
  arrivals (a shipping programme). The tolerance is the 3% the issue asks for, widened to 3 standard errors
  of the mean over the replications where the arrival process is too noisy for it. This changed with issue
  11: bulk tramp flows now arrive as Poisson (seeds/flows.csv), not as regular programmes, so a soybean or
  spodumene flow of ~60-450 parcels a year has a standard error of ~1.5-4.3% with 10 replications (3 of them:
  4.5-13%); the container flows and the canal's background keep 3%. Regular flows keep the 3% (checked, so a
  change of lot sizes cannot quietly make it dishonest).
- Delivery: what is delivered in the window differs from what is created in it by the change in pipeline
  inventory between the window's edges. In the periodic steady state that change has mean 0, but a flow that
  rides a scheduled service arrives in departures: depending on where the timetable falls against the window
  edges, one more or one fewer departure's cargo lands inside. The tolerance adds that one departure cycle
  (weekly: 168 h / 8,784 h = 1.9%) to the 3%.
- Background traffic (seeds/flows.csv, ``background: true``): a pool's modelled flows and its background add
  up to the published total of the traffic its berths handle — an identity of the inputs, checked to 0.1%;
  the simulated volumes then follow from the demand tests above, every flow alike.
- What is *not* checked: waits, queues and line-ups. The real ones of 2024 (and of the Panama drought and
  the Gran Rosario strikes) are held back to be compared with the results; nothing here is fitted to them.
  Occupancy, the harvest's effect on the share of ships that wait, and transit times are compared with what
  the inputs imply (demand × service time against published berths; published sailing times), not with
  observed waits.
- Warm-up: with the pipelines full when the window opens, the volume in transit on 1 Jan 2024 equals (in
  expectation) that on 1 Jan 2025; checked for the long bulk pipelines to 3 standard errors across
  replications.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engines import ENGINES
from sim.network import build_network
from sim.runner import DEFAULT_ENGINE, RunResult
from sim.scenario.flows import BatchArrivals, Flow
from sim.scenario.model import Scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2024.yaml"
ENGINE = "vector" if "vector" in ENGINES else DEFAULT_ENGINE
"""The fast engine when present: the contract tests prove it gives the reference engine's Trace."""
REPLICATIONS = 10
VOLUME_TOLERANCE = 0.03
BRAZIL_GRAIN = ("BRSSZ/grain", "BRPNG/grain", "BRRIG/grain", "BRITQ/grain")
HARVEST_PEAK = (3, 4, 5, 6, 7)
"""Brazil's soybean exports peak March to July (FACTS.md section 4a)."""


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return sim.load_scenario(BASELINE)


@pytest.fixture(scope="module")
def baseline(scenario: Scenario) -> RunResult:
    return sim.run(scenario, engine=ENGINE, replications=REPLICATIONS)


def _volume_column(flow: Flow) -> str:
    return "teu" if flow.volume_unit == "TEU" else "tonnes"


def _per_replication(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.groupby("replication")[column].sum().reindex(range(REPLICATIONS), fill_value=0.0)


def _parcel_in_volume_unit(scenario: Scenario, flow: Flow) -> tuple[float, float]:
    """Mean and standard deviation of one parcel, in the flow's volume unit."""
    u = (np.arange(20000) + 0.5) / 20000
    parcels = flow.parcel.ppf(u)
    if flow.parcel_unit != flow.volume_unit:
        per_teu = scenario.commodities[flow.commodity].tonnes_per_teu or 1.0
        parcels = parcels * per_teu if flow.parcel_unit == "TEU" else parcels / per_teu
    return float(parcels.mean()), float(parcels.std())


def _arrival_cv2(flow: Flow) -> float:
    """Squared coefficient of variation of the gaps of the flow's arrival process (counts: Var N = ca² N)."""
    if flow.arrivals == "poisson":
        return 1.0
    if flow.arrivals == "regular":
        return 0.0
    if isinstance(flow.arrivals, BatchArrivals):  # compound Poisson: Var N = Lambda E[K²] / E[K]
        sizes = flow.arrivals.size.ppf((np.arange(20000) + 0.5) / 20000)
        return float((sizes**2).mean() / sizes.mean())
    return flow.arrivals.cv**2


def _relative_variance(scenario: Scenario, flow: Flow) -> float:
    """Variance of one replication's created volume, relative to the annual volume squared."""
    mean, sd = _parcel_in_volume_unit(scenario, flow)
    parcels = flow.annual_volume / mean
    return (_arrival_cv2(flow) + (sd / mean) ** 2) / parcels


def _relative_standard_error(scenario: Scenario, flow: Flow, replications: int) -> float:
    """Standard error of the mean created volume over ``replications``, relative to the annual volume."""
    return math.sqrt(_relative_variance(scenario, flow) / replications)


def _volume_tolerance(scenario: Scenario, flow: Flow) -> float:
    """3%, or 3 standard errors where the arrival process is noisier than that (see the module docstring)."""
    return max(VOLUME_TOLERANCE, 3 * _relative_standard_error(scenario, flow, REPLICATIONS))


def _departure_cycle_share(scenario: Scenario, flow: Flow) -> float:
    """The longest timetable cycle among the services on the flow's route, as a share of the window."""
    window_h = scenario.horizon_h - scenario.warmup_h
    cycles = [scenario.services[token].cycle[0] for token in flow.route or () if token in scenario.services]
    return max(cycles, default=0.0) / window_h


def test_regular_flows_have_a_volume_tolerance_of_3_percent_at_three_standard_errors(
    scenario: Scenario,
) -> None:
    for name, flow in scenario.flows.items():
        se = _relative_standard_error(scenario, flow, REPLICATIONS)
        if flow.arrivals == "regular":
            assert 3 * se <= VOLUME_TOLERANCE, (
                f"{name}: 3% is only {VOLUME_TOLERANCE / se:.1f} standard errors"
            )


def test_volume_created_in_the_window_is_the_annual_volume(scenario: Scenario, baseline: RunResult) -> None:
    shipments = baseline.shipments
    inside = shipments[
        (shipments["created"] >= scenario.warmup_h) & (shipments["created"] < scenario.horizon_h)
    ]
    for name, flow in scenario.flows.items():
        created = _per_replication(inside[inside["flow"] == name], _volume_column(flow))
        error = created.mean() / flow.annual_volume - 1
        tolerance = _volume_tolerance(scenario, flow)
        assert abs(error) <= tolerance, f"{name}: created {error:+.2%} off the annual volume"


def test_volume_delivered_in_the_window_is_the_annual_volume(scenario: Scenario, baseline: RunResult) -> None:
    shipments = baseline.shipments
    lo, hi = scenario.warmup_h, scenario.horizon_h
    done = shipments[(shipments["delivered"] >= lo) & (shipments["delivered"] <= hi)]
    for name, flow in scenario.flows.items():
        delivered = _per_replication(done[done["flow"] == name], _volume_column(flow))
        error = delivered.mean() / flow.annual_volume - 1
        tolerance = _volume_tolerance(scenario, flow) + _departure_cycle_share(scenario, flow)
        assert abs(error) <= tolerance, f"{name}: delivered {error:+.2%} off the annual volume"


def test_throughput_kpi_per_commodity_matches_the_flows(scenario: Scenario, baseline: RunResult) -> None:
    """The KPI users read (delivered per year) agrees with the flow table, commodity by commodity."""
    kpis = baseline.kpis
    rows = kpis[(kpis["table"] == "throughput_by_commodity") & (kpis["metric"] == "tonnes")]
    delivered = rows.set_index("key")["mean"]
    expected: dict[str, float] = {}
    variance: dict[str, float] = {}
    for flow in scenario.flows.values():
        commodity = scenario.commodities[flow.commodity]
        tonnes = flow.annual_volume
        if flow.volume_unit == "TEU":
            tonnes *= commodity.tonnes_per_teu or 1.0
        expected[flow.commodity] = expected.get(flow.commodity, 0.0) + tonnes
        variance[flow.commodity] = (
            variance.get(flow.commodity, 0.0) + _relative_variance(scenario, flow) * tonnes**2
        )
    for commodity, tonnes in expected.items():
        se = math.sqrt(variance[commodity] / REPLICATIONS) / tonnes
        tolerance = max(VOLUME_TOLERANCE, 3 * se)  # as _volume_tolerance, over the commodity's flows
        assert delivered[commodity] == pytest.approx(tonnes, rel=tolerance), commodity


def test_pipelines_are_full_when_the_window_opens(scenario: Scenario, baseline: RunResult) -> None:
    """Warm-up: the bulk pipelines (the longest, ~40 days) hold as much on 1 Jan 2024 as on 1 Jan 2025."""
    shipments = baseline.shipments

    def in_transit(t: float, commodity: str) -> pd.Series:
        mine = shipments[shipments["commodity"] == commodity]
        open_at_t = mine[(mine["created"] < t) & ~(mine["delivered"] < t)]
        return _per_replication(open_at_t, "tonnes")

    for commodity in ("soybeans", "spodumene"):
        start = in_transit(scenario.warmup_h, commodity)
        end = in_transit(scenario.horizon_h, commodity)
        change = (end - start) / end.mean()
        bound = 3 * change.std(ddof=1) / math.sqrt(REPLICATIONS)
        assert abs(change.mean()) <= bound, (
            f"{commodity}: in transit {change.mean():+.1%} from window start to end"
        )


POOL_TOTALS = {
    # Santos soybean, corn and sugar exports 2024 (https://comprerural.com/porto-de-santos-registra-recorde-
    # historico-de-movimentacao-de-cargas-em-2024): its vegetable solid-bulk export berths
    "BRSSZ/grain": 27.8e6 + 15.9e6 + 27.0e6,
    # Paranaguá soybeans 2024 (datamarnews.com) and the Export Corridor's corn and meal of 2019 (istoe.com.br)
    "BRPNG/grain": 13.27e6 + 5.36e6 + 4.19e6,
    # Gran Rosario agro exports 2024 (dataportuaria.ar)
    "ARROS/grain": 66.0e6,
}
"""Published tonnes a year of the traffic each shared pool handles (each also cited in its flows' rows)."""


def test_modelled_flows_and_background_add_up_to_the_published_totals(scenario: Scenario) -> None:
    network = build_network(scenario)
    stations = {s.name: s.index for s in network.stations}
    for pool, total in POOL_TOTALS.items():
        flows = [f.name for f in network.flows if stations[pool] in f.stations]
        assert any(scenario.flows[name].background for name in flows), pool
        volume = sum(scenario.flows[name].annual_volume for name in flows)
        assert volume == pytest.approx(total, rel=1e-3), pool
    # the canal: the modelled Gulf soybean ships and the background transits make 36 transits a day
    gulf, other = scenario.flows["soy_us_gulf"], scenario.flows["panama_background"]
    ships = gulf.annual_volume / 62_500 + other.annual_volume / 43_000  # mean parcels: uniform 55-70, 43 kt
    assert ships / 365 == pytest.approx(36, rel=1e-3)


def test_every_station_is_below_capacity(baseline: RunResult) -> None:
    kpis = baseline.kpis
    utilisation = kpis[(kpis["table"] == "stations") & (kpis["metric"] == "utilisation")]
    busiest = utilisation.sort_values("mean", ascending=False).head(8)
    assert (utilisation["mean"] < 1.0).all(), busiest[["key", "mean"]].to_string()
    # the busiest stations are the ones that should be: the canal, the ILSTC trains and Qinzhou
    top = set(busiest.head(6)["key"])
    assert {"chk:PAPCN", "CNQZH/container"} <= top
    assert sum(key.startswith("svc:ilstc_") for key in top) == 4


def _monthly_berth_occupancy(scenario: Scenario, baseline: RunResult) -> pd.DataFrame:
    """Busy berth-hours over available berth-hours, per berth pool and calendar month of 2024."""
    visits = baseline.visits
    berths = visits[(visits["kind"] == "berth") & visits["start"].notna()]
    months = pd.date_range("2024-01-01", "2025-01-01", freq="MS")
    edges = np.array([scenario.hours_from_start(m.date()) for m in months])
    count = {s.name: s.nominal for s in baseline.network.stations if s.kind == "berth"}
    table = {}
    for station, group in berths.groupby("station", observed=True):
        begin = group["start"].to_numpy()
        end = np.where(np.isnan(group["end"].to_numpy()), scenario.horizon_h, group["end"].to_numpy())
        busy = np.clip(
            np.minimum(end[:, None], edges[None, 1:]) - np.maximum(begin[:, None], edges[None, :-1]), 0, None
        )
        table[str(station)] = busy.sum(axis=0) / REPLICATIONS / (count[str(station)] * np.diff(edges))
    return pd.DataFrame(table, index=months[:-1].month).T


def test_no_berth_pool_is_overloaded_even_in_its_peak_month(scenario: Scenario, baseline: RunResult) -> None:
    """The berths carry their demand: occupancy below 90 % in every month of 2024.

    A consistency check of the inputs (published berth counts and rates against the modelled flows plus the
    background), not of waits: where a count is published it is used as published, whatever this gives.
    """
    occupancy = _monthly_berth_occupancy(scenario, baseline)
    peak = occupancy.max(axis=1)
    assert (peak < 0.9).all(), peak.sort_values(ascending=False).head().to_string()


def test_harvest_peak_shows_in_brazilian_port_occupancy_and_queues(
    scenario: Scenario, baseline: RunResult
) -> None:
    occupancy = _monthly_berth_occupancy(scenario, baseline)
    for station in BRAZIL_GRAIN:
        assert occupancy.loc[station].idxmax() in HARVEST_PEAK, station
    visits = baseline.visits
    berths = visits[visits["station"].isin(BRAZIL_GRAIN) & (visits["arrive"] >= scenario.warmup_h)].copy()
    berths["wait"] = berths["start"] - berths["arrive"]
    arrived = pd.Timestamp(scenario.start) + pd.to_timedelta(berths["arrive"], unit="h")
    berths["peak"] = arrived.dt.month.isin(HARVEST_PEAK)
    # Rain closes the grain pools in random spells all year (seeds/disruptions.csv), so ships wait in every
    # month and the mean wait is dominated by closures: its peak/off-peak contrast is noisy (the 5x ratio of
    # the days when rain was a per-ship slowdown is gone). The load shows in how many ships must wait: a ship
    # arriving in the harvest finds every open berth busy more often (paired by replication, 3 std errors).
    share = (berths["wait"] > 0).groupby([berths["peak"], berths["replication"]]).mean().unstack("peak")
    difference = share[True] - share[False]
    assert difference.mean() > 3 * difference.std(ddof=1) / math.sqrt(REPLICATIONS)
    waits = berths.groupby(["peak", "replication"])["wait"].mean().unstack("peak")
    assert waits[True].mean() > waits[False].mean()


def test_sea_legs_take_distance_over_speed(scenario: Scenario, baseline: RunResult) -> None:
    visits = baseline.visits
    legs = visits[(visits["kind"] == "leg") & visits["end"].notna()]
    took = (legs["end"] - legs["start"]).groupby(legs["station"], observed=True).agg(["min", "max"])
    for station, row in took.iterrows():
        leg = scenario.legs[str(station).removeprefix("leg:")]
        assert leg.mode == "sea"
        assert leg.speed_kn == pytest.approx(12.5)
        expected = leg.free_flow_h
        assert row["min"] == pytest.approx(expected, rel=1e-9)
        assert row["max"] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("legs", "published_nm", "tolerance"),
    [
        (["sea_BRSSZ_CNSHA"], 11055, 0.01),  # Santos-Shanghai via the Cape, Imea 2011 (FACTS.md section 3)
        (["sea_PAPCN_USMSY", "sea_CNTAO_PAPCN"], 10084, 0.005),  # New Orleans-Qingdao via Panama
        (["sea_CNTAO_USMSY"], 15251, 0.005),  # the same via the Cape (Panama closed)
        (["sea_CNQZH_SGSIN"], 1343, 0.005),  # ILSTC southbound
    ],
)
def test_sea_distances_match_the_reference_figures(
    scenario: Scenario, legs: list[str], published_nm: float, tolerance: float
) -> None:
    total = 0.0
    for leg in legs:
        distance = scenario.legs[leg].distance_nm
        assert distance is not None
        total += distance
    assert total == pytest.approx(published_nm, rel=tolerance)


def test_services_take_their_published_or_derived_times(scenario: Scenario) -> None:
    services = scenario.services
    # Chongqing -> Qinzhou ~2 days (published); Chengdu: OSM km at the same km per hour (48 h / 1,229 km)
    assert services["ilstc_ckg_qzh"].transit_h == pytest.approx(48.0)
    assert services["ilstc_ctu_qzh"].transit_h == pytest.approx(1530 * 48 / 1229, abs=0.05)
    # sea services: searoute distance at the 16.5-kn liner speed
    for name, service in services.items():
        if service.mode != "sea":
            continue
        pair = {service.from_, service.to}
        legs = [leg for leg in scenario.legs.values() if {leg.from_, leg.to} == pair and leg.mode == "sea"]
        assert len(legs) == 1, name
        assert legs[0].distance_nm is not None
        assert service.transit_h == pytest.approx(legs[0].distance_nm / 16.5, abs=0.05), name
    # Chancay -> Shanghai 23 days on COSCO's first sailing (2024)
    assert services["wcsa_chy_sha"].transit_h / 24 == pytest.approx(23, rel=0.05)


def _mean_transit_days(baseline: RunResult, flow: str) -> float:
    kpis = baseline.kpis
    row = kpis[
        (kpis["table"] == "transit_by_flow") & (kpis["key"] == flow) & (kpis["metric"] == "transit_mean_h")
    ]
    return float(row["mean"].iloc[0]) / 24


def _qinzhou_to_singapore_days(baseline: RunResult) -> float:
    shipments = baseline.shipments
    outbound = shipments[shipments["flow"] == "ilstc_ckg_out"].set_index(["replication", "shipment"])
    visits = baseline.visits
    at_qinzhou = visits[visits["station"].astype(str).str.contains("CNQZH")]
    reached = at_qinzhou.groupby(["replication", "shipment"], observed=True)["arrive"].min()
    joined = outbound.join(reached.rename("at_qinzhou"), how="inner")
    return float((joined["delivered"] - joined["at_qinzhou"]).mean() / 24)


def test_simulated_transit_times_fit_the_published_ones(baseline: RunResult) -> None:
    """Published sailing and lead times (schedule facts, with broad bounds), not the held-back waits."""
    # Chongqing -> Singapore ~8 days by rail (2) and sea (6, including port time), 2017-18; "~" read as +-25%
    assert 6 <= _mean_transit_days(baseline, "ilstc_ckg_out") <= 10
    # its sea part, Qinzhou -> Singapore ~6 days including port time: from the box's arrival at Qinzhou (yard
    # dwell, an ASSUMPTION of seeds/berths.csv, not fitted to this) to its delivery at Singapore
    assert 4.5 <= _qinzhou_to_singapore_days(baseline) <= 7.5
    # Chile -> China lithium carbonate lead time 1-1.5 months, which includes inland legs not modelled here:
    # port to port must fit inside it (and not be implausibly short)
    assert 24 <= _mean_transit_days(baseline, "li2co3_cl_mejillones") <= 45
    # Chancay -> Shanghai: 23 days at sea plus, at most, a weekly wait for the sailing and two days at berths
    assert 23 <= _mean_transit_days(baseline, "peru_china_containers") <= 23 + 7 + 2
    # Brazilian soybeans reach China ~40 days after leaving the farm (Sorriso -> Shanghai, 2011): port to port
    # must fit inside it
    for flow in ("soy_br_santos", "soy_br_paranagua", "soy_br_itaqui"):
        assert 30 <= _mean_transit_days(baseline, flow) <= 45, flow


def test_panama_canal_runs_at_its_published_daily_transits(scenario: Scenario, baseline: RunResult) -> None:
    kpis = baseline.kpis
    canal = kpis[(kpis["table"] == "stations") & (kpis["key"] == "chk:PAPCN")].set_index("metric")
    per_day = canal.loc["arrivals_per_h", "mean"] * 24
    assert per_day == pytest.approx(36, rel=VOLUME_TOLERANCE)  # 36-38 transits/day in normal operation
    slots = scenario.nodes["PAPCN"].chokepoint
    assert slots is not None
    assert canal.loc["utilisation", "mean"] == pytest.approx(36 / slots.slots_per_day, rel=VOLUME_TOLERANCE)
