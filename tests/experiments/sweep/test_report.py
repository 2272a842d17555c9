"""``corridor sweep-report``: KPIs per point, response plots, a sensitivity ranking that finds the driver."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.stats.sensitivity import MAIN_EFFECT, SRC, ranking, sensitivity
from sim.cli import main
from tests.experiments.sweep.helpers import write_sweep

SOY = "throughput_by_commodity/soybeans/tonnes_per_year"
VOLUME = "flows.soy_png_tao.annual_volume"
BERTHS = "nodes.BRPNG.berths.dry_bulk.count"


@pytest.fixture(scope="module")
def report_dir(reference: Path) -> Path:
    assert main(["sweep-report", str(reference)]) == 0
    return reference / "report"


def test_report_writes_tables_and_one_plot_per_parameter(report_dir: Path) -> None:
    names = sorted(p.name for p in report_dir.iterdir())
    assert names == [
        "kpis_by_point.csv",
        "provenance.json",
        "ranking.csv",
        f"response_{VOLUME}.png",
        f"response_{BERTHS}.png",
        "sensitivity.csv",
    ]
    assert json.loads((report_dir / "provenance.json").read_text())["kind"] == "sweep report"
    for name in names[3:5]:
        data = (report_dir / name).read_bytes()
        assert data.startswith(b"\x89PNG")
        assert len(data) > 20_000


def test_kpis_by_point_are_means_over_the_replications(report_dir: Path, reference: Path) -> None:
    table = pd.read_csv(report_dir / "kpis_by_point.csv")
    assert list(table.columns[:4]) == ["point", VOLUME, BERTHS, "kpi"]
    row = table[(table["point"] == 3) & (table["kpi"] == SOY)].iloc[0]
    raw = pd.read_parquet(reference / "kpis" / "point=0003")
    values = raw[
        (raw["table"] == "throughput_by_commodity")
        & (raw["key"] == "soybeans")
        & (raw["metric"] == "tonnes_per_year")
    ]["value"]
    assert row["n"] == 8
    assert row["mean"] == pytest.approx(values.mean(), rel=1e-12)
    assert row["ci_low"] < row["mean"] < row["ci_high"]
    assert (row[VOLUME], row[BERTHS]) == (8.0e6, 2)


def test_sensitivity_ranks_demand_first_for_soybean_throughput(report_dir: Path) -> None:
    table = pd.read_csv(report_dir / "sensitivity.csv")
    soy = table[table["kpi"] == SOY].set_index("parameter")
    assert (soy["method"] == MAIN_EFFECT).all()
    assert soy.loc[VOLUME, "index"] > 0.8
    assert soy.loc[VOLUME, "rank"] == 1
    assert soy.loc[VOLUME, "index"] + soy.loc[BERTHS, "index"] <= 1.0 + 1e-9
    assert next(iter(pd.read_csv(report_dir / "ranking.csv")["parameter"])) == VOLUME


def test_the_terminal_shows_the_points_and_the_ranking(
    reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kpi = "--kpi=transit_by_flow/soy_png_tao/delay_mean_h"
    assert main(["sweep-report", str(reference), "--out", str(tmp_path / "r"), kpi]) == 0
    said = capsys.readouterr().out
    assert "Headline KPIs by point" in said
    assert "Sensitivity ranking (main effect (ANOVA first order)" in said
    assert "soy_png_tao delay_mean_h" in said


def test_a_report_on_an_unfinished_sweep_covers_the_finished_tasks(
    reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "partial"
    subprocess.run(["cp", "-a", str(reference), str(out)], check=True)
    (out / "kpis/point=0006/block=0001.parquet").unlink()
    assert main(["sweep-report", str(out)]) == 0
    assert "15 of 16 tasks finished" in capsys.readouterr().out
    table = pd.read_csv(out / "report/kpis_by_point.csv")
    assert table[(table["point"] == 6) & (table["kpi"] == SOY)]["n"].item() == 4


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--kpi", "throughput_by_flow/nothing/*"], "--kpi: got 'throughput_by_flow/nothing/*'"),
        (["--kpi", "*/soybeans/teu_per_yr"], "expected a pattern table/key/metric matching a KPI"),
    ],
)
def test_bad_report_requests_exit_2(
    reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(["sweep-report", str(reference), "--out", str(tmp_path / "r"), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_a_directory_without_a_sweep_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep-report", str(tmp_path)]) == 2
    assert "got no manifest.json; expected a sweep directory" in capsys.readouterr().err


def synthetic(points: pd.DataFrame, response: np.ndarray) -> pd.DataFrame:
    """A point summary as :func:`~sim.analysis.tables.sweep.point_summary` makes it, noise-free."""
    return points.assign(point=range(len(points)), kpi="t/k/y", mean=response, std=0.0, n=4)


def test_standardised_regression_coefficients_recover_a_linear_response() -> None:
    rng = np.random.default_rng(3)
    points = pd.DataFrame(
        {"a": rng.uniform(0, 1, 64), "b": rng.uniform(0, 1, 64), "c": 10 ** rng.uniform(0, 2, 64)}
    )
    response = 3.0 * points["a"] + 1.0 * points["b"] + 0.5 * np.log10(points["c"])
    parameters = [
        {"name": "a", "kind": "float", "scale": "linear"},
        {"name": "b", "kind": "float", "scale": "linear"},
        {"name": "c", "kind": "float", "scale": "log"},
    ]
    table = sensitivity(synthetic(points, response.to_numpy()), parameters, "lhs", ["t/k/y"]).set_index(
        "parameter"
    )
    assert (table["method"] == SRC).all()
    assert table["r2"].iloc[0] == pytest.approx(1.0)
    assert list(table["rank"]) == [1, 2, 3]
    columns = {"a": points["a"], "b": points["b"], "c": np.log10(points["c"])}
    for name, slope in (("a", 3.0), ("b", 1.0), ("c", 0.5)):
        assert table.loc[name, "src"] == pytest.approx(slope * columns[name].std() / response.std(), rel=1e-9)
        assert table.loc[name, "index"] == pytest.approx(table.loc[name, "src"] ** 2)


def test_main_effects_of_an_additive_grid_response_are_exact() -> None:
    levels = [(a, b) for a in (0.0, 1.0, 2.0) for b in ("x", "y")]
    points = pd.DataFrame(levels, columns=["a", "b"])
    response = points["a"].to_numpy() * 2.0 + np.where(points["b"] == "y", 1.0, 0.0)
    parameters = [
        {"name": "a", "kind": "float", "scale": "linear"},
        {"name": "b", "kind": "str", "scale": "linear"},
    ]
    table = sensitivity(synthetic(points, response), parameters, "grid", ["t/k/y"]).set_index("parameter")
    var_a, var_b = np.var([0.0, 2.0, 4.0]), np.var([0.0, 1.0])
    assert table.loc["a", "index"] == pytest.approx(var_a / (var_a + var_b))
    assert table.loc["b", "index"] == pytest.approx(var_b / (var_a + var_b))
    assert ranking(table.reset_index())["parameter"].tolist() == ["a", "b"]


def test_a_latin_hypercube_sweep_reports_regression_coefficients(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = {
        "design": "lhs",
        "points": 8,
        "replications": 2,
        "block_size": 2,
        "seed": 4,
        "parameters": {VOLUME: {"low": 2.0e6, "high": 1.6e7, "scale": "log"}, BERTHS: [1, 2, 3]},
    }
    spec = write_sweep(tmp_path, content)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "2"]) == 0
    assert main(["sweep-report", str(tmp_path / "out")]) == 0
    assert "SRC² (standardised regression)" in " ".join(capsys.readouterr().out.split())
    table = pd.read_csv(tmp_path / "out/report/sensitivity.csv")
    soy = table[table["kpi"] == SOY].set_index("parameter")
    assert soy.loc[VOLUME, "rank"] == 1
    assert soy.loc[VOLUME, "r2"] > 0.7
