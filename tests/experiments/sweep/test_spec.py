"""Sweep files: designs give the expected points, and bad files exit 2 naming file, line, field and value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.cli import main
from sim.experiments.sweep import load_sweep, plan_sweep
from sim.experiments.sweep.design import design_points
from sim.experiments.sweep.plan import TASK_SHIPMENTS, block_size
from sim.scenario.checks import expected_shipments
from tests.experiments.sweep.helpers import DEMO, GRID, ROOT, write_sweep


def points_of(tmp_path: Path, content: dict[str, Any]) -> list[dict[str, Any]]:
    sweep = load_sweep(write_sweep(tmp_path, content))
    return design_points(sweep, seed=5)


def test_grid_is_the_full_factorial_last_parameter_fastest(tmp_path: Path) -> None:
    points = points_of(tmp_path, GRID)
    assert len(points) == 8
    assert points[:3] == [
        {"flows.soy_png_tao.annual_volume": 4.0e6, "nodes.BRPNG.berths.dry_bulk.count": 1},
        {"flows.soy_png_tao.annual_volume": 4.0e6, "nodes.BRPNG.berths.dry_bulk.count": 2},
        {"flows.soy_png_tao.annual_volume": 8.0e6, "nodes.BRPNG.berths.dry_bulk.count": 1},
    ]


def test_grid_ranges_by_step_and_by_num(tmp_path: Path) -> None:
    params = {
        "flows.soy_png_tao.annual_volume": {"low": 0.1, "high": 0.3, "step": 0.1},
        "nodes.BRPNG.berths.dry_bulk.count": {"low": 1, "high": 5, "step": 2},
        "nodes.BRPNG.berths.dry_bulk.rate": {"low": 100, "high": 10000, "num": 3, "scale": "log"},
    }
    sweep = load_sweep(write_sweep(tmp_path, {"parameters": params}))
    levels = {p.name: p.levels for p in sweep.parameters}
    assert levels == {
        "flows.soy_png_tao.annual_volume": (0.1, 0.2, 0.3),
        "nodes.BRPNG.berths.dry_bulk.count": (1, 3, 5),
        "nodes.BRPNG.berths.dry_bulk.rate": (100.0, 1000.0, 10000.0),
    }
    assert [type(v) for v in levels["nodes.BRPNG.berths.dry_bulk.count"] or ()] == [int, int, int]


def test_latin_hypercube_puts_one_point_in_every_stratum(tmp_path: Path) -> None:
    content = {
        "design": "lhs",
        "points": 10,
        "parameters": {
            "flows.soy_png_tao.annual_volume": {"low": 1.0e6, "high": 2.0e6},
            "nodes.BRPNG.berths.dry_bulk.rate": {"low": 100, "high": 10000, "scale": "log"},
        },
    }
    points = points_of(tmp_path, content)
    volume = np.array([p["flows.soy_png_tao.annual_volume"] for p in points])
    rate = np.array([p["nodes.BRPNG.berths.dry_bulk.rate"] for p in points])
    assert sorted(np.floor((volume - 1.0e6) / 1.0e5).astype(int)) == list(range(10))
    assert sorted(np.floor(np.log10(rate / 100) / 0.2).astype(int)) == list(range(10))
    assert points == points_of(tmp_path, content), "the same file gives the same points"


def test_sobol_points_are_seeded_and_integer_parameters_rounded(tmp_path: Path) -> None:
    content = {
        "design": "sobol",
        "points": 16,
        "parameters": {
            "nodes.BRPNG.berths.dry_bulk.count": {"low": 1, "high": 4, "integer": True},
            "flows.soy_png_tao.arrivals": ["poisson", "regular"],
        },
    }
    points = points_of(tmp_path, content)
    counts = [p["nodes.BRPNG.berths.dry_bulk.count"] for p in points]
    assert all(isinstance(c, int) for c in counts)
    assert sorted(set(counts)) == [1, 2, 3, 4]
    assert [counts.count(c) for c in (1, 2, 3, 4)] == [4, 4, 4, 4], "Sobol' balance over 16 points"
    assert {p["flows.soy_png_tao.arrivals"] for p in points} == {"poisson", "regular"}
    sweep = load_sweep(write_sweep(tmp_path, content))
    assert design_points(sweep, seed=6) != points


def test_plan_cuts_replications_into_blocks(tmp_path: Path) -> None:
    plan = plan_sweep(load_sweep(write_sweep(tmp_path, {**GRID, "replications": 5, "block_size": 2})))
    assert len(plan.points) == 8
    assert [(t.first, t.count) for t in plan.tasks if t.point == 0] == [(0, 2), (2, 2), (4, 1)]
    assert len({p.scenario_hash for p in plan.points}) == 8
    assert {p.seed for p in plan.points} == {11}, "common random numbers by default"


def test_without_block_size_the_planner_cuts_blocks_of_about_task_shipments(tmp_path: Path) -> None:
    baseline = ROOT / "scenarios" / "baseline_2024.yaml"
    content = {
        "base": str(baseline),
        "replications": 25,
        "parameters": {"nodes.BRSSZ.berths.grain.count": [4, 5]},
    }
    plan = plan_sweep(load_sweep(write_sweep(tmp_path / "auto", content)))
    shipments = expected_shipments(plan.base_scenario)
    assert 50_000 < shipments < 60_000, "baseline_2024: about 57,000 shipments a replication"
    assert plan.block_size == 5, "25 × 57,000 shipments in 5 blocks of at most TASK_SHIPMENTS"
    assert [(t.first, t.count) for t in plan.tasks if t.point == 1] == [
        (0, 5),
        (5, 5),
        (10, 5),
        (15, 5),
        (20, 5),
    ]
    assert max(t.count for t in plan.tasks) * shipments <= TASK_SHIPMENTS
    fixed = load_sweep(write_sweep(tmp_path / "fixed", {**content, "block_size": 1}))
    assert block_size(fixed, 25, shipments) == 1, "the sweep file's block size wins"
    reference = load_sweep(write_sweep(tmp_path / "reference", {**content, "engine": "reference"}))
    assert block_size(reference, 25, shipments) == 1


@pytest.mark.parametrize(
    ("replications", "shipments", "expected"),
    [
        (8, 221.0, 8),  # demo_two_ports: everything in one block
        (25, 56_842.0, 5),
        (7, 56_842.0, 4),  # 2 blocks needed: 4 + 3, not 5 + 2
        (10, 1_147_967.0, 1),  # a replication beyond TASK_SHIPMENTS still makes a task
        (1, 1.0, 1),
        (100, 0.0, 100),
    ],
)
def test_the_planners_block_is_the_fewest_even_blocks_under_task_shipments(
    tmp_path: Path, replications: int, shipments: float, expected: int
) -> None:
    sweep = load_sweep(write_sweep(tmp_path, {**GRID, "block_size": None}))
    assert sweep.spec.block_size is None
    found = block_size(sweep, replications, shipments)
    assert found == expected
    blocks = -(-replications // found)
    assert found * shipments <= TASK_SHIPMENTS or found == 1
    assert blocks == 1 or (found - 1) * blocks < replications, "no smaller block makes as few blocks"


def test_independent_streams_give_each_point_its_own_seed(tmp_path: Path) -> None:
    plan = plan_sweep(load_sweep(write_sweep(tmp_path, {**GRID, "common_random_numbers": False})))
    assert len({p.seed for p in plan.points}) == 8


BAD_FILES = [
    pytest.param(
        {**GRID, "replicatons": 4},
        [
            "sweep.yaml:",
            "replicatons: got an unknown field 'replicatons'",
            "one of the fields:",
            "replications",
        ],
        id="unknown-field",
    ),
    pytest.param(
        {**GRID, "design": "factorial"},
        ["design: got 'factorial'", "'grid', 'lhs' or 'sobol'"],
        id="unknown-design",
    ),
    pytest.param(
        {**GRID, "design": "lhs"}, ["design: got 'lhs'", "a 'points' field"], id="lhs-without-points"
    ),
    pytest.param(
        {
            "design": "sobol",
            "points": 10,
            "parameters": {"flows.soy_png_tao.annual_volume": {"low": 1, "high": 2}},
        },
        ["points: got 10", "a power of 2"],
        id="sobol-not-power-of-two",
    ),
    pytest.param(
        {"parameters": {"flows.soy_png_tao.annual_volume": {"low": 5.0e6, "high": 1.0e6, "num": 3}}},
        ["parameters.flows.soy_png_tao.annual_volume.high: got 1000000.0", "more than low"],
        id="empty-range",
    ),
    pytest.param(
        {"parameters": {"flows.soy_png_tao.annual_volume": {"low": 1.0e6, "high": 2.0e6}}},
        ["exactly one of step", "or num"],
        id="grid-range-without-spacing",
    ),
    pytest.param(
        {"parameters": {"flows.soy_png_tao.annual_volume": {"low": "many", "high": 2.0e6, "num": 2}}},
        ["parameters.flows.soy_png_tao.annual_volume.low: got 'many'", "a valid integer or a valid number"],
        id="range-bound-not-a-number",
    ),
    pytest.param(
        {"parameters": {"flows.soy_png_tao.annual_volume": [1.0e6, "lots"]}},
        ["a non-empty list of distinct values of one type"],
        id="mixed-levels",
    ),
    pytest.param({**GRID, "engine": "warp"}, ["engine: got 'warp'", "reference"], id="unknown-engine"),
    pytest.param(
        {**GRID, "base": "missing.yaml"},
        ["base: got 'missing.yaml'", "an existing scenario file"],
        id="missing-base",
    ),
    pytest.param(
        {"parameters": {"flows.soy_png_ta.annual_volume": [1.0e6]}},
        [
            "parameters.flows.soy_png_ta.annual_volume: got 'soy_png_ta', which the base scenario",
            "one of:",
            "did you mean 'soy_png_tao'?",
        ],
        id="parameter-path-typo",
    ),
    pytest.param(
        {"parameters": {"flows.soy_png_tao.anual_volume": [1.0e6]}},
        [
            "parameters.flows.soy_png_tao.anual_volume: got 1000000.0 (point 0)",
            "an unknown field 'anual_volume'",
        ],
        id="parameter-field-typo",
    ),
    pytest.param(
        {"parameters": {"nodes.BRPNG.berths.dry_bulk.count": [2, 0]}},
        [
            "parameters.nodes.BRPNG.berths.dry_bulk.count: got 0 (point 1)",
            "it says nodes.BRPNG.berths.dry_bulk.count: got 0",
        ],
        id="parameter-value-out-of-range",
    ),
]


@pytest.mark.parametrize(("content", "messages"), BAD_FILES)
def test_bad_sweep_files_exit_2_with_a_located_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: dict[str, Any], messages: list[str]
) -> None:
    spec = write_sweep(tmp_path, content)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for message in messages:
        assert message in " ".join(err.split()), f"{message!r} not in:\n{err}"
    assert not (tmp_path / "out").exists(), "nothing written for a bad sweep file"


def test_yaml_syntax_error_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_sweep(tmp_path, f"base: {DEMO}\nparameters:\n  a: [1, 2\n  b: 3\n")
    assert main(["sweep", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:4" in err or f"{spec}:5" in err
    assert "YAML syntax error" in err


def test_field_errors_carry_the_line_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_sweep(tmp_path, f"base: {DEMO}\nreplications: 0\nparameters:\n  seed: [1, 2]\n")
    assert main(["sweep", str(spec)]) == 2
    assert f"{spec}:2: replications: got 0; expected greater than or equal to 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--executor", "local", "--scheduler", "tcp://127.0.0.1:1"], "--executor: got local"),
        (["--scheduler", "tcp://127.0.0.1:1", "--slurm"], "not both"),
        (["--executor", "spark"], "--executor: got 'spark'"),
        (["--workers", "0"], "--workers: got 0; expected at least 1"),
    ],
)
def test_bad_options_exit_2(
    grid_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(["sweep", str(grid_spec), "--out", str(tmp_path / "out"), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_unreachable_scheduler_exits_2(
    grid_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import dask

    arguments = ["sweep", str(grid_spec), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"]
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        assert main(arguments) == 2
    assert "--scheduler: got 'tcp://127.0.0.1:9'" in capsys.readouterr().err


@pytest.mark.parametrize("key", ["[", "list[int]", "a]["])
def test_an_unknown_key_that_looks_like_a_type_tag_is_named(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the fuzzer: a key with ``[`` was taken for one of pydantic's tags and dropped (IndexError)."""
    spec = tmp_path / "sweep.json"
    spec.write_text(f'{{"base": "{DEMO}", "parameters": {{"seed": [1, 2]}}, "{key}": 1}}', encoding="utf-8")
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"sweep.json: {key}: got an unknown field {key!r}; expected one of the fields: name," in err
