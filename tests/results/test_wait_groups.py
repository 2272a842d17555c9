"""The wait statistics of every grouping and the stations' use, from one compiled pass, equal plain sums.

The wait statistics against each group's waits collected visit by visit and sorted; the use against the array
expressions of :mod:`sim.results.station_use` summed by ``np.bincount``.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.results import wait_groups
from sim.results.station_use import CHOKEPOINT, OCCUPIED, SERVICE
from sim.results.wait_groups import Visits, WaitKeys, wait_statistics_by_grouping

LO, HI = 50.0, 300.0
ENDS = np.array([100.0, 200.0, 250.0, 300.0])
STATIONS = 6
# station: queueing (0 1 2 4), shared with background traffic (1 4), with two classes (2)
CODES = np.array(
    [
        [0, 1, 2, -1, 4, -1],  # by station: every queueing station
        [0, 1, 2, -1, 3, -1],  # by month: queueing stations in order
        [-1, 0, -1, -1, 1, -1],  # by traffic
        [-1, -1, 0, -1, -1, -1],  # by class: station 2's first class
    ],
    dtype=np.int64,
)
KEYS = np.array([STATIONS, 4 * ENDS.size, 2 * 2, 2], dtype=np.int64)
USE = np.array([OCCUPIED, SERVICE, CHOKEPOINT, OCCUPIED, OCCUPIED, SERVICE], dtype=np.int64)


def _visits(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    reps, shipments = 3, 400
    per_rep = np.sort(rng.integers(0, shipments, reps - 1))
    rep_first = np.concatenate([[0], per_rep, [shipments]]).astype(np.int64)
    lengths = rng.integers(0, 5, shipments)
    first_visit = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    n = int(first_visit[-1])
    arrive = rng.uniform(0.0, 320.0, n)
    arrive[rng.random(n) < 0.05] = np.nan
    wait = np.where(rng.random(n) < 0.3, 0.0, np.round(rng.exponential(30.0, n), 1))  # ties and zeros
    start = arrive + wait
    start[rng.random(n) < 0.05] = np.nan  # never started
    arrive[:3] = ENDS[:3]  # arrivals exactly at month ends
    start[:3] = ENDS[:3] + 0.0
    end = start + rng.uniform(0.0, 40.0, n)
    end[rng.random(n) < 0.05] = np.nan
    return {
        "rep_first": rep_first,
        "first_visit": first_visit,
        "visit_station": rng.integers(0, STATIONS, n),
        "visit_class": rng.integers(0, 2, n).astype(np.int8),
        "shipment_traffic": rng.integers(0, 2, shipments),
        "visit_size": rng.uniform(0.0, 50.0, n),
        "arrive": arrive,
        "start": start,
        "end": end,
    }


def _pass(v: dict[str, np.ndarray]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    visits = Visits(
        v["rep_first"], v["first_visit"], v["visit_station"], v["visit_class"], v["shipment_traffic"],
        v["visit_size"], v["arrive"], v["start"], v["end"],
    )  # fmt: skip
    return wait_statistics_by_grouping(WaitKeys(CODES, KEYS, ENDS), visits, USE, (LO, HI))


def _use_oracle(v: dict[str, np.ndarray]) -> np.ndarray:
    """Hours queued and present, arrivals and use by (station, replication): array expressions, bincounts."""
    reps = v["rep_first"].size - 1
    shipment = np.repeat(np.arange(v["first_visit"].size - 1), np.diff(v["first_visit"]))
    rep = np.searchsorted(v["rep_first"], shipment, side="right") - 1
    arrive, start, end, station = v["arrive"], v["start"], v["end"], v["visit_station"]
    reached = ~np.isnan(arrive)
    group = (station * reps + rep)[reached]
    arrive, start, end, station = arrive[reached], start[reached], end[reached], station[reached]
    began = np.where(np.isnan(start), HI, np.minimum(start, HI))
    ended = np.where(np.isnan(end), HI, np.minimum(end, HI))
    came = np.maximum(arrive, LO)
    started = (start >= LO) & (start <= HI)
    kind = USE[station]
    used = np.where(
        kind == SERVICE,
        np.where(started, v["visit_size"][reached], 0.0),
        np.where(
            kind == CHOKEPOINT, np.where(started, 1.0, 0.0), np.maximum(ended - np.maximum(began, LO), 0.0)
        ),
    )
    rows = [
        np.maximum(began - came, 0.0),
        np.maximum(ended - came, 0.0),
        ((arrive >= LO) & (arrive < HI)) * 1.0,
        used,
    ]
    return np.stack([np.bincount(group, weights=w, minlength=STATIONS * reps) for w in rows])


def _oracle(v: dict[str, np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Each group's waits collected visit by visit, sorted, and reduced as pandas' group quantile does."""
    reps = v["rep_first"].size - 1
    shipment = np.repeat(np.arange(v["first_visit"].size - 1), np.diff(v["first_visit"]))
    rep = np.searchsorted(v["rep_first"], shipment, side="right") - 1
    station, arrive, start = v["visit_station"], v["arrive"], v["start"]
    months = ENDS.size
    waits: list[dict[int, list[float]]] = [{} for _ in range(4)]
    still = [np.zeros(k * reps) for k in KEYS]
    at_end = np.zeros(KEYS[1] * reps)
    for i in range(station.size):
        s = station[i]
        if CODES[0, s] < 0 or not LO <= arrive[i] < HI:
            continue
        month = min(int(np.sum(arrive[i] >= ENDS)), months - 1)
        keys = [
            CODES[0, s],
            CODES[1, s] * months + month,
            CODES[2, s] * 2 + v["shipment_traffic"][shipment[i]] if CODES[2, s] >= 0 else -1,
            CODES[3, s] + v["visit_class"][i] if CODES[3, s] >= 0 else -1,
        ]
        for g, key in enumerate(keys):
            if key < 0:
                continue
            group = key * reps + rep[i]
            if start[i] <= HI:
                waits[g].setdefault(group, []).append(start[i] - arrive[i])
            else:
                still[g][group] += 1
        for j, end in enumerate(ENDS):
            if arrive[i] < end and not start[i] <= end:  # waiting at the end (NaN start: never started)
                at_end[(CODES[1, s] * months + j) * reps + rep[i]] += 1
    statistics = []
    for g in range(4):
        out = np.full((5, KEYS[g] * reps), np.nan)
        for group in range(KEYS[g] * reps):
            values = waits[g].get(group, [])
            out[3, group] = len(values) + still[g][group]
            out[4, group] = still[g][group]
            if not values:
                continue
            total = 0.0
            for value in values:  # in the visits' order
                total += value
            ordered = sorted(values)
            position = 0.95 * (len(ordered) - 1)
            below = int(np.floor(position))
            fraction = position - below
            low, high = ordered[below], ordered[min(below + 1, len(ordered) - 1)]
            out[0, group] = total / len(values)
            out[1, group] = low if fraction == 0.0 else low + (high - low) * fraction
            out[2, group] = ordered[-1]
        statistics.append(out)
    return statistics, at_end


def test_wait_statistics_equal_a_visit_by_visit_oracle() -> None:
    for seed in range(4):
        visits = _visits(seed)
        got, at_end, use = _pass(visits)
        want, want_at_end = _oracle(visits)
        for g in range(4):
            np.testing.assert_array_equal(got[g], want[g])  # NaN where NaN, every float exact
        np.testing.assert_array_equal(at_end, want_at_end)
        np.testing.assert_array_equal(use, _use_oracle(visits))


def test_many_groups_give_the_same_statistics(monkeypatch: pytest.MonkeyPatch) -> None:
    visits = _visits(5)
    narrow = _pass(visits)
    monkeypatch.setattr(wait_groups, "NARROW_GROUPS", 0)  # groups stored as int32
    wide = _pass(visits)
    for a, b in zip([*narrow[0], *narrow[1:]], [*wide[0], *wide[1:]], strict=True):
        np.testing.assert_array_equal(a, b)


def test_without_classes_the_class_grouping_is_empty() -> None:
    visits = _visits(9)
    visits["visit_class"] = np.empty(0, dtype=np.int64)
    got, _, _ = _pass(visits)
    assert np.isnan(got[3][:3]).all()
    assert not got[3][3:].any()  # no visits, none still waiting
