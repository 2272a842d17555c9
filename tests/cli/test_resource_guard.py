"""The resource guard of ``corridor run``, through the real command in its own process.

A run is sized before anything is drawn (:mod:`sim.footprint`): one that cannot fit in memory even one
replication at a time, or that is larger than ``--max-shipments`` or ``--max-memory`` allow, is refused with
exit 2 and a message naming the estimate, the flows that dominate it and how to make it fit; a run that fits
under ``--max-memory`` is cut into blocks that keep its peak memory below the limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "demo_two_ports.yaml"
CORRIDOR = Path(sys.executable).with_name("corridor")
WIDE = {**os.environ, "COLUMNS": "1000"}
"""Error messages on one line each, so that the tests can look for phrases."""


def corridor_run(*arguments: str) -> tuple[int, str]:
    """Exit code and stderr of ``corridor run ARGUMENTS``."""
    child = subprocess.run(
        [str(CORRIDOR), "run", *arguments],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=WIDE,
        text=True,
    )
    return child.returncode, child.stderr


def test_a_run_too_large_for_memory_is_refused_before_drawing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, err = corridor_run("baseline_2024", "--replications", "100000000", "--out", str(out))
    assert code == 2
    assert "--replications: got ~" in err
    assert "million shipments and ~" in err
    assert "over 100000000 replications of baseline_2024" in err
    assert "Flows that dominate: ilstc_ctu_out (" in err
    assert "GB" in err
    assert "To make it fit: fewer replications (--replications)" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_max_shipments_refuses_a_larger_run_and_lets_a_smaller_one_run(tmp_path: Path) -> None:
    code, err = corridor_run(str(DEMO), "--max-shipments", "100", "--out", str(tmp_path / "small"))
    assert code == 2
    assert "--max-shipments: got ~" in err
    assert "expected at most 100 shipments" in err
    assert "soy_png_tao" in err
    assert "boxes_ssz_tao" in err
    assert not (tmp_path / "small").exists()
    code, err = corridor_run(str(DEMO), "--max-shipments", "1e6", "--quiet", "--out", str(tmp_path / "ok"))
    assert code == 0, err
    assert (tmp_path / "ok" / "kpis.json").is_file()


def test_max_memory_below_what_one_replication_needs_is_refused(tmp_path: Path) -> None:
    code, err = corridor_run(str(DEMO), "--max-memory", "0.2", "--out", str(tmp_path / "run"))
    assert code == 2
    assert "of memory allowed even one replication at a time" in err
    assert not (tmp_path / "run").exists()


def test_under_max_memory_the_run_is_cut_into_blocks_and_stays_below_it(tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, err = corridor_run(
        "baseline_2024", "--replications", "6", "--max-memory", "0.7", "--quiet", "--out", str(out)
    )
    assert code == 0, err
    stamp = json.loads((out / "provenance.json").read_text())
    # the program's own high-water mark (VmHWM): a child's ru_maxrss would count this test session's size,
    # which the forked process had before it started `corridor`
    assert stamp["peak_rss_gb"] < 0.7, (stamp["peak_rss_gb"], stamp["blocks"])
    assert stamp["blocks"] > 1
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["replications"] == list(range(6))


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["--max-shipments", "0"], "--max-shipments: got 0.0; expected at least 1"),
        (["--max-shipments", "nan"], "--max-shipments: got nan"),
        (["--max-memory", "-1"], "--max-memory: got -1.0; expected more than 0"),
    ],
)
def test_bad_limits_exit_2_naming_the_option(arguments: list[str], fragment: str, tmp_path: Path) -> None:
    code, err = corridor_run(str(DEMO), *arguments, "--out", str(tmp_path / "run"))
    assert code == 2
    assert fragment in err
    assert not (tmp_path / "run").exists()


def test_compare_refuses_a_comparison_over_max_shipments(tmp_path: Path) -> None:
    child = subprocess.run(
        [
            str(CORRIDOR),
            "compare",
            str(DEMO),
            str(DEMO),
            "--max-shipments",
            "100",
            "--out",
            str(tmp_path / "c"),
        ],
        capture_output=True,
        text=True,
        env=WIDE,
        check=False,
    )
    assert child.returncode == 2
    assert "--max-shipments: got ~" in child.stderr
    assert "of 2 scenarios" in child.stderr
    assert "demo_two_ports:soy_png_tao" in child.stderr
    assert not (tmp_path / "c").exists()


def test_the_python_api_refuses_a_run_it_cannot_hold_and_points_to_streaming(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sim
    import sim.footprint

    monkeypatch.setattr(sim.footprint, "available_bytes", lambda: 100 * 2**20)
    with pytest.raises(sim.InputError) as refused:
        sim.run(sim.load_scenario(DEMO))
    message = str(refused.value)
    assert "held in memory at once" in message
    assert "`corridor run` streams replications block by block" in message
