"""``seeds/berth_classes.csv``: one row gives every berth pool of a cargo class its priority classes.

A small seeds directory under the test scenario ``good/base.yaml``: two container pools (Qingdao from the
scenario, Shanghai only in the seeds) and a bulk pool; problems name the CSV file and line of the row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import InputError
from sim.scenario import load_scenario

BASE = Path(__file__).parent / "good" / "base.yaml"
NODES = "id,name,kind,source,year\nCNTAO,Qingdao,port,x,2024\nCNSHA,Shanghai,port,x,2024\n"
BERTHS = (
    "node,cargo_class,count,rate,rate_unit,source,year\n"
    "CNTAO,container,1,100,TEU/h,x,2024\n"
    "CNSHA,container,2,90,TEU/h,x,2024\n"
    "CNSHA,dry_bulk,1,1000,t/h,x,2024\n"
)
HEADER = "cargo_class,classes,default_share,source,year\n"
WINDOWS = 'container,on_window off_window,"{""on_window"": 0.6, ""off_window"": 0.4}",x,2024\n'


def _scenario_with(tmp_path: Path, berth_classes: str, extra: str = ""):  # type: ignore[no-untyped-def]
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "nodes.csv").write_text(NODES, encoding="utf-8")
    (seeds / "berths.csv").write_text(BERTHS, encoding="utf-8")
    (seeds / "berth_classes.csv").write_text(HEADER + berth_classes, encoding="utf-8")
    variant = tmp_path / "v.yaml"
    variant.write_text(f"extends: {BASE}\nseeds: seeds\nname: windows\n{extra}", encoding="utf-8")
    return load_scenario(variant), seeds / "berth_classes.csv"


def _problems(tmp_path: Path, berth_classes: str, extra: str = "") -> list[tuple[str, int | None, tuple]]:
    with pytest.raises(InputError) as caught:
        _scenario_with(tmp_path, berth_classes, extra)
    return [(p.file, p.line, p.path) for p in caught.value.problems]


def test_every_pool_of_the_cargo_class_gets_the_classes_and_no_other(tmp_path: Path) -> None:
    scenario, _ = _scenario_with(tmp_path, WINDOWS)
    for node in ("CNTAO", "CNSHA"):
        pool = scenario.nodes[node].berths["container"]
        assert pool.classes == ["on_window", "off_window"]
        assert pool.default_share == {"on_window": 0.6, "off_window": 0.4}
    assert scenario.nodes["CNSHA"].berths["dry_bulk"].classes is None
    assert scenario.nodes["CNTAO"].berths["dry_bulk"].classes is None  # the scenario's own pool, not seeded


def test_a_scenario_can_take_a_pool_back_to_first_come_first_served(tmp_path: Path) -> None:
    fifo = "nodes:\n  CNSHA: {berths: {container: {classes: null, default_share: null}}}\n"
    scenario, _ = _scenario_with(tmp_path, WINDOWS, fifo)
    assert scenario.nodes["CNSHA"].berths["container"].classes is None
    assert scenario.nodes["CNTAO"].berths["container"].classes == ["on_window", "off_window"]


def test_shares_that_do_not_sum_to_one_are_reported_at_the_row(tmp_path: Path) -> None:
    bad = WINDOWS.replace("0.4}", "0.3}")
    problems = _problems(tmp_path, bad)
    table = str(tmp_path / "seeds" / "berth_classes.csv")
    assert {(file, line) for file, line, _ in problems} == {(table, 2)}
    assert {path[:4] for _, _, path in problems} == {
        ("nodes", "CNTAO", "berths", "container"),
        ("nodes", "CNSHA", "berths", "container"),
    }


def test_a_cargo_class_without_pools_is_reported(tmp_path: Path) -> None:
    problems = _problems(tmp_path, WINDOWS.replace("container,", "reefer,", 1))
    assert problems == [(str(tmp_path / "seeds" / "berth_classes.csv"), 2, ("cargo_class",))]


def test_a_second_row_for_a_cargo_class_is_reported(tmp_path: Path) -> None:
    problems = _problems(tmp_path, WINDOWS + WINDOWS)
    assert problems == [(str(tmp_path / "seeds" / "berth_classes.csv"), 3, ("cargo_class",))]
