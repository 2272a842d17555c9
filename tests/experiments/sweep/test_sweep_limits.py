"""Sweep sizes: stated before anything runs, refused past the documented limits, confirmed with --allow-large.

Huge designs and replication counts (a MemoryError before), an alias bomb in the base scenario and YAML tags
(a TypeError before) all exit 2 with a located message and write nothing.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from sim.cli import main
from sim.errors import InputError
from sim.experiments.sweep import estimate as estimate_module
from sim.experiments.sweep import load_sweep, plan_sweep
from sim.experiments.sweep.estimate import SweepEstimate, duration, estimate_sweep
from sim.experiments.sweep.parameters import MAX_LEVELS
from sim.experiments.sweep.plan import LARGE_POINTS, LARGE_TASKS, MAX_TASKS, SweepSize
from sim.experiments.sweep.spec import MAX_POINTS
from sim.runner import run_points
from tests.experiments.sweep.helpers import DEMO, write_sweep
from tests.mutants import BOMB

VOLUME = "flows.soy_png_tao.annual_volume"
BERTHS = "nodes.BRPNG.berths.dry_bulk.count"


def refused(
    tmp_path: Path, content: dict[str, Any] | str, capsys: pytest.CaptureFixture[str], *fragments: str
) -> str:
    spec = write_sweep(tmp_path, content)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "internal error" not in captured.err
    for fragment in fragments:
        assert fragment in captured.err, captured.err
    assert not out.exists()
    return captured.err


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        (
            {"design": "lhs", "points": 10**9, "parameters": {VOLUME: {"low": 1e6, "high": 2e6}}},
            ["sweep.yaml:", "points: got 1000000000", f"less than or equal to {MAX_POINTS}"],
        ),
        (
            {"replications": 10**12, "parameters": {VOLUME: [1e6, 2e6]}},
            ["replications: got 1000000000000", "less than or equal to 100000"],
        ),
        (
            {"parameters": {VOLUME: {"low": 1e6, "high": 2e6, "step": 1e-300}}},
            [f"at most {MAX_LEVELS:,} levels"],
        ),
        (
            {"parameters": {VOLUME: {"low": 1e6, "high": 2e6, "num": 10**9}}},
            [f"less than or equal to {MAX_LEVELS}"],
        ),
        (
            {"parameters": {VOLUME: {"low": 1e6, "high": float("inf"), "num": 3}}},
            ["high: got inf", "a finite number"],
        ),
        (
            {
                "replications": 100_000,
                "block_size": 1,
                "parameters": {VOLUME: {"low": 1e6, "high": 2e6, "num": 100}},
            },
            ["10,000,000 tasks", f"at most {MAX_POINTS:,} points and {MAX_TASKS:,} tasks"],
        ),
    ],
    ids=["lhs-points", "replications", "tiny-step", "huge-num", "inf-bound", "hard-task-limit"],
)
def test_a_huge_sweep_is_refused_with_its_size(
    content: dict[str, Any], fragments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused(tmp_path, content, capsys, *fragments)


def test_a_large_sweep_needs_allow_large(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = {
        "replications": 12,
        "block_size": 1,
        "parameters": {VOLUME: {"low": 1e6, "high": 2e6, "num": 1000}, BERTHS: [1, 2]},
    }
    err = refused(tmp_path, content, capsys, "2,000 points × 12 replications = 24,000 tasks", "--allow-large")
    assert "sweep.yaml:" in err
    sweep = load_sweep(tmp_path / "sweep.yaml")
    announced: list[SweepSize] = []
    with pytest.raises(InputError):
        plan_sweep(sweep)
    plan = plan_sweep(sweep, allow_large=True, announce=announced.append)
    assert len(plan.points) == 2000
    assert len(plan.tasks) == 24_000
    assert announced == [SweepSize(2000, 12, 24_000, announced[0].shipments)]
    assert announced[0].large
    assert announced[0].shipments > 0


def test_the_limits_are_consistent() -> None:
    assert LARGE_POINTS < MAX_POINTS
    assert LARGE_TASKS < MAX_TASKS


def test_the_size_is_stated_before_the_sweep_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = {"replications": 2, "block_size": 2, "parameters": {VOLUME: [4.0e6, 8.0e6]}}
    spec = write_sweep(tmp_path, content)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 0
    printed = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "2 points × 2 replications = 2 tasks, about" in printed
    assert printed.index("shipments to simulate") < printed.index("report: corridor sweep-report")


def test_an_alias_bomb_in_the_base_scenario_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "bombed.yaml"
    base.write_text(BOMB + "\n" + DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    content = f"base: {base}\nparameters:\n  {VOLUME}: [1.0e6, 2.0e6]\n"
    refused(tmp_path, content, capsys, "bombed.yaml:", "aliases are expanded")


@pytest.mark.parametrize(
    "content",
    [
        f"base: {DEMO}\nparameters: !!python/object:collections.OrderedDict {{}}\n",
        f"base: !!str {DEMO}\nparameters:\n  {VOLUME}: [1.0e6, 2.0e6]\n",
        f"base: {DEMO}\nparameters:\n  {VOLUME}: !!set {{1.0e6, 2.0e6}}\n",
    ],
)
def test_a_yaml_tag_in_a_sweep_file_is_refused(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused(tmp_path, content, capsys, "sweep.yaml:", "YAML tag", "plain data without tags")


def test_the_estimated_time_is_stated_before_the_sweep_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = {"replications": 4, "block_size": 2, "parameters": {VOLUME: [4.0e6, 8.0e6, 1.6e7]}}
    spec = write_sweep(tmp_path, content)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "2"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    found = re.search(r"estimated time: about [\d.,]+ (s|min|h) on 2 workers once started \(([\d.,]+) (s|min)"
                      r" of work; a pilot replication took ([\d.e-]+) s\)", printed)  # fmt: skip
    assert found, printed
    assert printed.index("estimated time") < printed.index("6 tasks, 0 already finished; running on")


def test_the_pilot_is_timed_warm_not_with_the_process_one_off_costs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process's first replication loads (after an install, compiles) the compiled loops: a worker pays
    that once, not per task, so the estimate times a second pilot replication."""
    content = {"replications": 4, "block_size": 2, "parameters": {VOLUME: [4.0e6, 8.0e6, 1.6e7]}}
    plan = plan_sweep(load_sweep(write_sweep(tmp_path, content)))
    calls: list[int] = []

    def first_call_slow(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            time.sleep(2.0)  # stands for the one-off costs of a fresh process
        return run_points(*args, **kwargs)

    monkeypatch.setattr(estimate_module, "run_points", first_call_slow)
    estimate = estimate_sweep(plan)
    assert len(calls) == 2, "a warm-up replication, then the timed one"
    assert 0 < estimate.pilot_s < 2.0, estimate.pilot_s


def test_the_estimate_scales_the_pilot_by_shipments_and_rounds_of_tasks(tmp_path: Path) -> None:
    content = {"replications": 4, "block_size": 2, "parameters": {VOLUME: [4.0e6, 8.0e6, 1.6e7]}}
    plan = plan_sweep(load_sweep(write_sweep(tmp_path, content)))
    estimate = estimate_sweep(plan)
    assert [p.shipments for p in plan.points] == sorted(p.shipments for p in plan.points)
    assert estimate.pilot_shipments == plan.points[1].shipments, "the median point is the pilot"
    assert estimate.shipments == pytest.approx(4 * sum(p.shipments for p in plan.points))
    assert estimate.tasks == 6
    assert estimate.pilot_s > 0
    # 0.5 s for 100 shipments; 10,000 shipments of work in 10 tasks: 50 s, 3 rounds of 5 s on 4 workers
    example = SweepEstimate(0.5, 100.0, 10_000.0, 10)
    assert example.work_s == pytest.approx(50.0)
    assert example.wall_s(4) == pytest.approx(15.0)
    assert example.wall_s(10) == pytest.approx(5.0)
    assert example.describe(None) == "about 50 s of work (a pilot replication took 0.5 s)"
    assert [duration(s) for s in (0.42, 45, 720, 12_600, 10**7)] == [
        "0.42 s",
        "45 s",
        "12 min",
        "3.5 h",
        "116 days",
    ]


def test_a_sweep_estimated_past_the_work_limit_needs_allow_large(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sim.experiments.sweep.estimate.LARGE_WORK_H", 1e-9)  # any sweep is "long" now
    content = {"replications": 2, "block_size": 2, "parameters": {VOLUME: [4.0e6, 8.0e6]}}
    err = refused(
        tmp_path, content, capsys, "sweep.yaml: replications: got a sweep of 2 replications at 2 points"
    )
    assert "of work (a pilot replication took" in err
    assert "at most 1e-09 worker-hours of estimated work, or --allow-large to confirm" in " ".join(
        err.split()
    )
    spec = tmp_path / "sweep.yaml"
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "1", "--allow-large"]) == 0
