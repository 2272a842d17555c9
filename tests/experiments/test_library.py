"""``make results``: the scenario library compared with the baseline, written as results/README.md."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from sim.experiments.library import library_variants, main, question_of, write_library

DATA = Path(__file__).parents[1] / "data"


def _library(tmp_path: Path) -> Path:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "baseline_2024.yaml").write_text((DATA / "two_ports.yaml").read_text())
    (scenarios / "fewer_berths.yaml").write_text(
        "# Fewer berths at Paranaguá.\n#\n# Question: what happens to soybean waits when Paranaguá\n"
        "# loses a berth?\n#\n# Sources: none, a test.\nextends: baseline_2024.yaml\nname: fewer_berths\n"
        "nodes:\n  BRPNG:\n    berths:\n      dry_bulk: {count: 1}\n"
    )
    (scenarios / "bench_big.yaml").write_text("extends: baseline_2024.yaml\nname: bench_big\n")
    (scenarios / "other.yaml").write_text("extends: something_else.yaml\nname: other\n")
    return scenarios


def test_question_and_variant_discovery(tmp_path):
    scenarios = _library(tmp_path)
    assert question_of(scenarios / "fewer_berths.yaml") == (
        "what happens to soybean waits when Paranaguá loses a berth?"
    )
    assert question_of(scenarios / "baseline_2024.yaml") == ""
    assert [p.name for p in library_variants(scenarios)] == ["fewer_berths.yaml"]


def test_write_library_regenerates_the_readme_and_small_figures(tmp_path):
    scenarios = _library(tmp_path)
    out = tmp_path / "results"
    readme = write_library(scenarios, out, replications=3)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# results/")
    assert "visits.parquet" in text  # the layout of a run directory stays documented
    assert "### fewer_berths" in text
    assert "> what happens to soybean waits when Paranaguá loses a berth?" in text
    assert "Paranaguá dry bulk berths — utilisation" in text  # by name, as in the report
    assert "![fewer_berths vs baseline](figures/fewer_berths.png)" in text
    for name in ("fewer_berths.png", "two_ports_network.png"):
        data = (out / "figures" / name).read_bytes()
        assert data.startswith(b"\x89PNG")
        assert len(data) < 250_000  # full colour (a palette greys out colours), still small enough to commit
        with Image.open(out / "figures" / name) as image:
            assert image.mode in ("RGB", "RGBA")
    assert (out / "library" / "comparison.csv").is_file()


def test_main_reports_a_missing_library(tmp_path, capsys):
    assert main(["--scenarios", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "baseline_2024.yaml: no such file" in capsys.readouterr().err


def test_a_flow_named_after_its_commodity_is_listed_once() -> None:
    import pandas as pd

    from sim.experiments.library import _headline

    row = {
        "variant": "v",
        "key": "panama_background",
        "period": "",
        "metric": "tonnes_per_year",
        "base_mean": 5.551e8,
        "variant_mean": 4.237e8,
        "diff": -1.31e8,
        "relative": -0.237,
        "significant": True,
    }
    table = pd.DataFrame(
        [
            {**row, "table": "throughput_by_commodity"},
            {**row, "table": "throughput_by_flow"},
            {**row, "table": "throughput_by_flow", "key": "soy_us_gulf", "diff": -1.0e5},
        ]
    )
    headline = _headline(table)
    assert list(zip(headline["table"], headline["key"], strict=True)) == [
        ("throughput_by_commodity", "panama_background"),
        ("throughput_by_flow", "soy_us_gulf"),
    ]
