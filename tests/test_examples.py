"""The example scripts under docs/examples run (with few replications) and write their figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_compare_ports_example_runs(tmp_path: Path) -> None:
    script = ROOT / "docs" / "examples" / "compare_ports.py"
    done = subprocess.run(
        [sys.executable, str(script), "--replications", "2", "--out", str(tmp_path / "figs")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "KPIs change significantly" in done.stdout
    assert "peru_china_containers" in done.stdout
    for name in ("chancay_vs_callao.png", "demo_bottlenecks.png"):
        assert (tmp_path / "figs" / name).read_bytes().startswith(b"\x89PNG")
