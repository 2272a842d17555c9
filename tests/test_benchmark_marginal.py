"""The end-to-end benchmark's marginal cost per replication (``benchmarks.end_to_end.marginal_costs``)."""

from __future__ import annotations

import pytest

from benchmarks.end_to_end import marginal_costs


def _row(replications: int, seconds: float) -> dict[str, object]:
    return {
        "workload": f"baseline_2024_x{replications}",
        "replications": replications,
        "vector_command_s": seconds,
    }


def test_a_linear_cost_gives_its_slope_and_intercept_between_every_pair_of_runs() -> None:
    fixed, each = 1.5, 0.07
    rows = [_row(n, fixed + each * n) for n in (1000, 10, 100)]  # out of order on purpose
    steps = marginal_costs([*rows, {"workload": "speed_check_end_to_end", "replications": 4}])
    assert [s["between"] for s in steps] == [[10, 100], [100, 1000]]
    for step in steps:
        assert step["s_per_replication"] == pytest.approx(each)
        assert step["fixed_s"] == pytest.approx(fixed)


def test_a_run_that_grows_faster_than_its_replications_shows_a_rising_slope() -> None:
    steps = marginal_costs([_row(n, 0.001 * n * n) for n in (10, 100, 1000)])
    assert steps[1]["s_per_replication"] > 5 * steps[0]["s_per_replication"]
