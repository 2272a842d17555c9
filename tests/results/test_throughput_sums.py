"""The throughput sums of every grouping, in one compiled pass, equal ``np.bincount`` of each grouping."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import numpy as np

from sim.results.codes import month_numbers
from sim.results.throughput import MonthCells, throughput_sums

START = SimpleNamespace(start=dt.date(2024, 1, 1))  # all month_numbers reads of a scenario
WINDOW = (24.0 * 20, 24.0 * 200)


def _month_starts_h(scenario: Any) -> np.ndarray:
    months = np.arange(
        month_numbers(scenario, np.array([0.0]))[0], month_numbers(scenario, np.array([9e3]))[0]
    )
    origin = np.datetime64(dt.datetime.combine(scenario.start, dt.time()), "s")
    return (months.astype("datetime64[M]").astype("datetime64[s]") - origin).astype(np.float64) / 3600.0


def test_throughput_sums_equal_bincounts() -> None:
    rng = np.random.default_rng(3)
    reps, n, flows = 3, 5000, 5
    rep_first = np.array([0, 1500, 3100, n], dtype=np.int64)
    delivered = rng.uniform(0.0, 24.0 * 220, n)
    delivered[rng.random(n) < 0.1] = np.nan
    edges = _month_starts_h(START)
    delivered[:40] = rng.choice(edges, 40) - rng.choice(
        [0.0, 1e-7, 1 / 3600.0, 0.5 / 3600.0], 40
    )  # at month starts
    delivered[40:42] = WINDOW  # the window's ends are counted
    tonnes, teu = rng.uniform(1, 100, n), np.where(rng.random(n) < 0.5, 0.0, rng.uniform(1, 10, n))
    flow = rng.integers(0, flows, n)
    keys = np.array([[0, 1, 1, 0, 2], [0, 1, 2, 3, 4], [1, 1, 0, 0, 0], [0, 0, 1, 1, 1], [0, 1, 1, 0, 2]])
    counts = np.array([3, 5, 2, 2], dtype=np.int64)
    cells = MonthCells.of(START, WINDOW)  # type: ignore[arg-type]
    sizes = np.append(counts, 3 * cells.months.size) * reps
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    got = throughput_sums(
        rep_first, delivered, tonnes, teu, flow, keys, bounds, cells.starts, cells.position, WINDOW
    )

    rep = np.repeat(np.arange(reps), np.diff(rep_first))
    done = (delivered >= WINDOW[0]) & (delivered <= WINDOW[1])
    month = month_numbers(START, delivered[done])  # type: ignore[arg-type]
    position = np.searchsorted(cells.months, month)
    known = (position < cells.months.size) & (
        cells.months[np.minimum(position, cells.months.size - 1)] == month
    )
    groups = [keys[g, flow[done]] * reps + rep[done] for g in range(4)]
    groups.append(
        np.where(known, (keys[4, flow[done]] * cells.months.size + position) * reps + rep[done], -1)
    )
    for g, group in enumerate(groups):
        for row, weights in enumerate([tonnes[done], teu[done], np.ones(int(done.sum()))]):
            kept = group >= 0
            want = np.bincount(group[kept], weights=weights[kept], minlength=int(sizes[g]))
            np.testing.assert_array_equal(got[row, bounds[g] : bounds[g + 1]], want)


def test_month_cells_list_the_window_months() -> None:
    cells = MonthCells.of(START, WINDOW)  # type: ignore[arg-type]
    assert list(np.datetime_as_string(cells.months.astype("datetime64[M]"))) == [
        f"2024-0{m}" for m in range(1, 8)
    ]
    assert cells.starts[0] == 0
    assert cells.starts[1] == 31 * 86400
    np.testing.assert_array_equal(cells.position, np.arange(7))
