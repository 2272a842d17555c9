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


def test_monthly_utilisation_is_busy_over_nominal_berth_hours(corridor):
    table = occupancy.monthly_utilisation(corridor)
    assert set(table["station"]) == set(
        corridor.stations.loc[corridor.stations["kind"] == "berth", "station"]
    )
    assert table["utilisation"].between(0.0, 1.0 + 1e-9).all()
    # Whole-horizon check for one pool: sum over months of utilisation × berth-hours = busy hours.
    station = "BRPNG/dry_bulk"
    mine = table.loc[table["station"] == station]
    v = corridor.visits.loc[(corridor.visits["station"] == station) & corridor.visits["start"].notna()]
    busy = (v["end"].fillna(corridor.horizon_h).clip(upper=corridor.horizon_h) - v["start"]).sum()
    month_hours = tables.monthly_throughput(corridor).drop_duplicates("month")["month_hours"].to_numpy()
    berths = 2  # BRPNG dry_bulk count in tests/data/mini_corridor.yaml
    total = (mine["utilisation"].to_numpy() * berths * month_hours).sum() * corridor.replications
    assert total == pytest.approx(busy, rel=1e-9)


def test_queue_length_integrates_to_total_waiting_hours(corridor):
    station = "svc:ilstc_ckg_qzh"
    series = occupancy.queue_length(corridor, [station], bin_h=24.0)
    widths = np.diff(np.append(series["time_h"].to_numpy(), corridor.horizon_h))
    v = corridor.visits.loc[(corridor.visits["station"] == station) & corridor.visits["arrive"].notna()]
    waiting = (v["start"].fillna(corridor.horizon_h).clip(upper=corridor.horizon_h) - v["arrive"]).sum()
    assert (series["queue_mean"] * widths).sum() * corridor.replications == pytest.approx(waiting, rel=1e-9)
    assert (series["queue_p10"] <= series["queue_mean"] + 1e-9).all()
    assert series.attrs["bin_h"] == 24.0


def test_time_average_queue_obeys_littles_law(corridor):
    # L_q = (arrivals per hour) × (mean wait) for visits arriving in the window; the boundary effects are
    # small over a year, so the two agree within a few per cent.
    lq = occupancy.time_average_queue(corridor).set_index("station")["queue_mean"]
    waits = tables.station_waiting(corridor).set_index("station")
    arrival_rate = waits["visits_per_rep"] / corridor.window_h
    for station in ("BRPNG/dry_bulk", "svc:ilstc_ckg_qzh", "CNQZH/container"):
        pooled_mean_wait = (
            corridor.visits.query("station == @station and arrive >= @corridor.warmup_h")
            .eval("start - arrive")
            .mean()
        )
        assert lq[station] == pytest.approx(arrival_rate[station] * pooled_mean_wait, rel=0.05)
