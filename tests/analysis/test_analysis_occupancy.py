"""Occupancy reconstruction: interval overlaps, utilisation and queue length against direct computation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.analysis.tables import occupancy
from sim.analysis.tables import tidy as tables


def test_overlap_hours_matches_a_direct_sum():
    rng = np.random.default_rng(0)
    begin = rng.uniform(0, 100, 500)
    end = begin + rng.exponential(5, 500)
    edges = np.array([0.0, 7.5, 20.0, 33.3, 80.0, 120.0])
    direct = [
        np.clip(np.minimum(end, b) - np.maximum(begin, a), 0, None).sum()
        for a, b in itertools.pairwise(edges)
    ]
    np.testing.assert_allclose(occupancy.overlap_hours(begin, end, edges), direct, rtol=1e-10, atol=1e-9)
    assert occupancy.overlap_hours(np.zeros(0), np.zeros(0), edges).tolist() == [0.0] * 5


def test_monthly_utilisation_is_busy_over_nominal_berth_hours(toy_run):
    table = occupancy.monthly_utilisation(toy_run)
    assert set(table["station"]) == set(toy_run.stations.loc[toy_run.stations["kind"] == "berth", "station"])
    assert table["utilisation"].between(0.0, 1.0 + 1e-9).all()
    # Whole-horizon check for one pool: sum over months of utilisation × berth-hours = busy hours.
    station = "BRPNG/dry_bulk"
    mine = table.loc[table["station"] == station]
    v = toy_run.visits.loc[(toy_run.visits["station"] == station) & toy_run.visits["start"].notna()]
    busy = (v["end"].fillna(toy_run.horizon_h).clip(upper=toy_run.horizon_h) - v["start"]).sum()
    month_hours = tables.monthly_throughput(toy_run).drop_duplicates("month")["month_hours"].to_numpy()
    total = (mine["utilisation"].to_numpy() * 2 * month_hours).sum() * toy_run.replications
    assert total == pytest.approx(busy, rel=1e-9)


def test_queue_length_integrates_to_total_waiting_hours(toy_run):
    station = "svc:ilstc_ckg_qzh"
    series = occupancy.queue_length(toy_run, [station], bin_h=24.0)
    widths = np.diff(np.append(series["time_h"].to_numpy(), toy_run.horizon_h))
    v = toy_run.visits.loc[(toy_run.visits["station"] == station) & toy_run.visits["arrive"].notna()]
    waiting = (v["start"].fillna(toy_run.horizon_h).clip(upper=toy_run.horizon_h) - v["arrive"]).sum()
    assert (series["queue_mean"] * widths).sum() * toy_run.replications == pytest.approx(waiting, rel=1e-9)
    assert (series["queue_p10"] <= series["queue_mean"] + 1e-9).all()
    assert series.attrs["bin_h"] == 24.0


def test_time_average_queue_obeys_littles_law(toy_run):
    # L_q = (arrivals per hour) × (mean wait) for visits arriving in the window; the boundary effects are
    # small over a year, so the two agree within a few per cent.
    lq = occupancy.time_average_queue(toy_run).set_index("station")["queue_mean"]
    waits = tables.station_waiting(toy_run).set_index("station")
    arrival_rate = waits["visits_per_rep"] / toy_run.window_h
    for station in ("BRPNG/dry_bulk", "svc:ilstc_ckg_qzh", "CNQZH/container"):
        pooled_mean_wait = (
            toy_run.visits.query("station == @station and arrive >= @toy_run.warmup_h")
            .eval("start - arrive")
            .mean()
        )
        assert lq[station] == pytest.approx(arrival_rate[station] * pooled_mean_wait, rel=0.05)
