"""``--no-background`` of ``corridor compare`` and ``corridor report``: background traffic left out.

The fixture ``two_ports_background.yaml`` adds a background flow (``png_other``, commodity ``other_grain``
carried by no other flow) at Paranaguá's berths to ``two_ports.yaml``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.analysis.tables.run_data import load_run
from sim.cli import main

DATA = Path(__file__).parents[1] / "data"
BASE, VARIANT = str(DATA / "two_ports_background.yaml"), str(DATA / "two_ports.yaml")


def test_run_summary_and_kpis_keep_the_classes_apart(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", BASE, "--replications", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Waits at stations shared with background traffic" in printed
    assert "background traffic" in printed
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["background"]["flows"] == ["png_other"]
    assert kpis["background"]["commodities"] == ["other_grain"]
    shared = {(r["key"], r["period"]) for r in kpis["tables"]["waits_by_traffic"]}
    assert shared == {("BRPNG/dry_bulk", "modelled"), ("BRPNG/dry_bulk", "background")}


def test_compare_without_background_drops_its_rows(tmp_path):
    keep, drop = tmp_path / "with", tmp_path / "without"
    assert main(["compare", BASE, VARIANT, "--replications", "2", "--out", str(keep), "-q"]) == 0
    assert main(["compare", BASE, VARIANT, "--replications", "2", "--out", str(drop), "--no-background"]) == 0
    with_bg, without_bg = pd.read_csv(keep / "comparison.csv"), pd.read_csv(drop / "comparison.csv")
    assert "png_other" in set(with_bg["key"])
    assert "other_grain" in set(with_bg["key"])
    assert not {"png_other", "other_grain"} & set(without_bg["key"])
    assert "soy_png_tao" in set(without_bg["key"])  # the modelled flows stay
    assert json.loads((drop / "comparison.json").read_text())["background"] == "left out"


def test_report_without_background_leaves_its_shipments_out(tmp_path):
    out = tmp_path / "run"
    assert main(["run", BASE, "--replications", "2", "--out", str(out), "-q"]) == 0
    run = load_run(out)
    assert "png_other" in set(run.shipments["flow"])
    modelled = run.without_background()
    assert "png_other" not in set(modelled.shipments["flow"])
    assert set(modelled.visits["shipment"]) <= set(modelled.shipments["shipment"])
    assert len(modelled.visits) < len(run.visits)
    flows = {r["key"] for r in modelled.kpis["tables"]["throughput_by_flow"]}
    assert flows == {"soy_png_tao", "boxes_ssz_tao"}
    assert main(["report", str(out), "--no-background", "-q"]) == 0
    html = (out / "report.html").read_text()
    assert "png_other" not in html
    assert main(["report", str(out), "-q"]) == 0
    assert "png_other" in (out / "report.html").read_text()
