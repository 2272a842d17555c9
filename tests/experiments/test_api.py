"""``sim.compare``, ``sim.bottlenecks``, ``sim.sweep``: the commands as functions (DataFrames, figures)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.analysis.figures.names import names_of_scenario
from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def test_compare_matches_the_command(tmp_path: Path) -> None:
    result = sim.compare(DATA / "two_ports.yaml", DATA / "one_berth.yaml", replications=3, seed=5)
    assert main(
        ["compare", str(DATA / "two_ports.yaml"), str(DATA / "one_berth.yaml"), "--replications", "3",
         "--seed", "5", "--out", str(tmp_path / "c"), "--quiet"]
    ) == 0  # fmt: skip
    written = pd.read_csv(tmp_path / "c" / "comparison.csv")
    assert len(result.table) == len(written)
    assert result.table["diff"].to_numpy() == pytest.approx(written["diff"].to_numpy(), nan_ok=True)
    figure = result.figure()
    assert figure.axes
    ticks = {t.get_text() for ax in figure.axes for t in ax.get_yticklabels()}
    assert "Paranaguá dry bulk berths" in ticks  # stations by name, not BRPNG/dry_bulk


def test_compare_takes_library_names_and_writes_when_asked(tmp_path: Path) -> None:
    scenario = sim.load_scenario(ROOT / "scenarios" / "demo_two_ports.yaml")
    result = sim.compare("demo_two_ports", [scenario], replications=2, out=tmp_path / "c")
    assert result.base == "demo_two_ports"
    assert (tmp_path / "c" / "comparison.csv").is_file()


def test_bottlenecks_returns_the_ranking_and_its_figure(tmp_path: Path) -> None:
    ranking = sim.bottlenecks(DATA / "two_ports.yaml", replications=2, include_legs=False, out=tmp_path / "b")
    assert list(ranking.table["rank"]) == list(range(1, len(ranking.table) + 1))
    figure = ranking.figure(top=3)
    labels = [t.get_text() for ax in figure.axes for t in ax.get_yticklabels()]
    named = names_of_scenario(ranking.scenario)
    top = [str(s) for s in ranking.table["station"].head(3)]
    assert any(named.stations[s] in label for s in top if s in named.stations for label in labels)
    assert not any(label in top for label in labels)  # no bare station ids
    assert (tmp_path / "b" / "bottlenecks.png").read_bytes().startswith(b"\x89PNG")


def test_sweep_runs_and_reports(tmp_path: Path) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"base: {ROOT / 'scenarios' / 'demo_two_ports.yaml'}\ndesign: grid\nreplications: 2\nseed: 3\n"
        "parameters:\n  flows.soy_png_tao.annual_volume: [4.0e6, 8.0e6]\n"
    )
    report = sim.sweep(spec, tmp_path / "out", workers=1)
    assert len(report.headline()) == 2
    assert isinstance(report.ranking, pd.DataFrame)
    assert all(path.is_file() for path in report.plots)
