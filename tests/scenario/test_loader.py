"""Loading scenarios: formats, extends layering, seeds, overrides, hashing and the resolved dump."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from sim.errors import InputError
from sim.scenario import dump_scenario, load_scenario, scenario_hash
from sim.scenario.loader import scenario_json_schema

HERE = Path(__file__).parent
BASE = HERE / "good" / "base.yaml"
ROOT = HERE.parent.parent


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_toml_and_json_give_the_same_scenario(tmp_path: Path) -> None:
    yaml_scenario = load_scenario(BASE)
    data = json.loads(json.dumps(yaml_scenario.model_dump(mode="json", by_alias=True, exclude_none=True)))
    json_file = _write(tmp_path / "s.json", json.dumps(data))
    assert load_scenario(json_file) == yaml_scenario
    toml_lines = ["schema = 1", 'name = "base"', "start = 2024-01-01"]
    toml_file = _write(tmp_path / "s.toml", "\n".join(toml_lines) + "\n")
    with pytest.raises(InputError):  # incomplete on purpose: TOML is parsed and validated like the others
        load_scenario(toml_file)
    assert tomllib.loads(toml_file.read_text())["start"].isoformat() == "2024-01-01"


def test_extends_merges_mappings_replaces_lists_and_null_deletes(tmp_path: Path) -> None:
    variant = _write(
        tmp_path / "v.yaml",
        f"""
extends: {BASE}
name: variant
nodes:
  CNTAO:
    berths:
      dry_bulk: {{count: 5}}
flows:
  soy: {{seasonality: [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}}
  rail_boxes: null
""",
    )
    base, derived = load_scenario(BASE), load_scenario(variant)
    assert derived.name == "variant"
    assert derived.nodes["CNTAO"].berths["dry_bulk"].count == 5
    assert derived.nodes["CNTAO"].berths["dry_bulk"].rate == base.nodes["CNTAO"].berths["dry_bulk"].rate
    assert derived.nodes["CNTAO"].berths["container"] == base.nodes["CNTAO"].berths["container"]
    assert derived.flows["soy"].seasonality[0] == 2
    assert "rail_boxes" not in derived.flows
    assert derived.services == base.services


def test_error_in_a_variant_points_at_the_variant_line(tmp_path: Path) -> None:
    variant = _write(tmp_path / "v.yaml", f"extends: {BASE}\nname: v\n\nhorizon_days: -1\n")
    with pytest.raises(InputError) as caught:
        load_scenario(variant)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.path) == (str(variant), 4, ("horizon_days",))


def test_error_inherited_from_the_base_points_at_the_base(tmp_path: Path) -> None:
    broken_base = _write(tmp_path / "b.yaml", BASE.read_text().replace("rate: 1500", "rate: -1500"))
    variant = _write(tmp_path / "v.yaml", "extends: b.yaml\nname: v\n")
    with pytest.raises(InputError) as caught:
        load_scenario(variant)
    (problem,) = caught.value.problems
    assert problem.file == str(broken_base)
    assert broken_base.read_text().splitlines()[problem.line - 1].count("rate: -1500") == 1


def test_overrides_set_fields_by_dotted_path() -> None:
    overrides = {
        "flows.soy.annual_volume": 9.0e6,
        "flows.soy.route[2]": "CNTAO",
        "flows.soy.parcel.low": 50000.0,
    }
    scenario = load_scenario(BASE, overrides=overrides)
    assert scenario.flows["soy"].annual_volume == 9.0e6
    assert scenario.flows["soy"].parcel.mean == pytest.approx(57500.0)


def test_an_override_path_through_a_missing_list_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        load_scenario(BASE, overrides={"flows.soy.seasonality[0]": 3.0})
    assert caught.value.problems[0].path == ("flows.soy.seasonality[0]",)


def test_a_bad_override_value_is_reported_against_its_path() -> None:
    with pytest.raises(InputError) as caught:
        load_scenario(BASE, overrides={"nodes.USMSY.berths.dry_bulk.count": -2})
    assert caught.value.problems[0].path == ("nodes", "USMSY", "berths", "dry_bulk", "count")
    assert caught.value.problems[0].file == "overrides"


def test_hash_ignores_layout_but_not_content(tmp_path: Path) -> None:
    reordered = _write(tmp_path / "r.yaml", f"extends: {BASE}\nname: base\n")
    assert scenario_hash(load_scenario(reordered)) == scenario_hash(load_scenario(BASE))
    changed = load_scenario(BASE, overrides={"seed": 12})
    assert scenario_hash(changed) != scenario_hash(load_scenario(BASE))


def test_resolved_dump_loads_back_to_the_same_scenario(tmp_path: Path) -> None:
    scenario = load_scenario(BASE)
    dumped = _write(tmp_path / "resolved.yaml", dump_scenario(scenario))
    again = load_scenario(dumped)
    assert again == scenario
    assert scenario_hash(again) == scenario_hash(scenario)


@pytest.mark.parametrize(
    "name",
    [
        "1e3",
        "-2.5E-3",
        "0o17",
        "0x1F",
        ".5",
        "+12",
        ".inf",
        "-.Inf",
        ".NaN",
        "NO",
        "yes",
        "null",
        "~",
        "1_000",
        "2024-01-01",
        "12:30",
        "it's: #x",
        "é ü 中",
    ],
)
def test_the_dump_quotes_every_string_yaml_12_would_read_as_something_else(name: str, tmp_path: Path) -> None:
    quoted = name.replace("'", "''")
    source = _write(tmp_path / "s.yaml", BASE.read_text().replace("name: New Orleans", f"name: '{quoted}'"))
    scenario = load_scenario(source)
    assert scenario.nodes["USMSY"].name == name
    again = load_scenario(_write(tmp_path / "resolved.yaml", dump_scenario(scenario)))
    assert again.nodes["USMSY"].name == name
    assert again == scenario


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_library_scenario_dumps_to_yaml_that_loads_back_equal(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    again = load_scenario(_write(tmp_path / "resolved.yaml", dump_scenario(scenario)))
    assert again == scenario
    assert scenario_hash(again) == scenario_hash(scenario)


def test_the_c_emitter_and_the_pure_python_fallback_write_the_same_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import yaml

    from sim.scenario import loader

    scenario = load_scenario(ROOT / "scenarios" / "baseline_2024.yaml")
    assert loader._dumper().__mro__[1] is yaml.CSafeDumper  # the PyYAML wheels carry libyaml
    with_c = dump_scenario(scenario)
    loader._dumper.cache_clear()
    monkeypatch.delattr(yaml, "CSafeDumper")
    try:
        assert loader._dumper().__mro__[1] is yaml.SafeDumper
        assert dump_scenario(scenario) == with_c
    finally:
        loader._dumper.cache_clear()


def test_yaml_12_keeps_norway_a_string(tmp_path: Path) -> None:
    text = BASE.read_text().replace("name: New Orleans", "name: NO")
    scenario = load_scenario(_write(tmp_path / "no.yaml", text))
    assert scenario.nodes["USMSY"].name == "NO"


def test_seeds_are_the_bottom_layer(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    _write(
        seeds / "nodes.csv",
        "id,name,kind,country,lat,lon,source,year\nCNTAO,Qingdao (seed),port,China,36.03,120.27,WPI,2024\n",
    )
    _write(
        seeds / "berths.csv",
        "node,cargo_class,count,rate,rate_unit,overhead_h,source,year\n"
        "CNTAO,dry_bulk,7,2100,t/h,3,derived: test,2024\n",
    )
    variant = _write(tmp_path / "v.yaml", f"extends: {BASE}\nseeds: seeds\nname: seeded\n")
    scenario = load_scenario(variant)
    # the scenario's own values win over the seeds; fields only the seeds give come through
    assert scenario.nodes["CNTAO"].name == "Qingdao"
    assert scenario.nodes["CNTAO"].lat == 36.03
    assert scenario.nodes["CNTAO"].berths["dry_bulk"].count == 2
    assert scenario.nodes["CNTAO"].berths["dry_bulk"].source == "derived: test"


def test_a_bad_seed_row_is_reported_with_its_csv_line(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    _write(seeds / "nodes.csv", "id,name,kind,source,year\nXXAAA,A,port,x,2024\nXXBBB,B,harbour,x,2024\n")
    variant = _write(tmp_path / "v.yaml", f"extends: {BASE}\nseeds: seeds\nname: seeded\n")
    with pytest.raises(InputError) as caught:
        load_scenario(variant)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.path) == (
        str(seeds / "nodes.csv"),
        3,
        ("nodes", "XXBBB", "kind"),
    )


def test_committed_json_schema_is_up_to_date() -> None:
    committed = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text())
    assert committed == scenario_json_schema(), "run `make schema` to refresh scenarios/scenario.schema.json"


def test_yaml_anchors_and_merge_keys_work(tmp_path: Path) -> None:
    variant = _write(
        tmp_path / "v.yaml",
        f"""
extends: {BASE}
name: anchored
disruptions:
  strike_a: &strike {{kind: berths, target: CNTAO, start_h: 10.0, end_h: 20.0, set: 0}}
  strike_b:
    <<: *strike
    target: USMSY
""",
    )
    scenario = load_scenario(variant)
    assert scenario.disruptions["strike_b"].kind == "berths"
    assert scenario.disruptions["strike_b"].target == "USMSY"
    assert scenario.disruptions["strike_b"].end_h == 20.0


def test_a_variant_can_switch_a_distribution_to_another_kind(tmp_path: Path) -> None:
    variant = _write(
        tmp_path / "v.yaml", f"extends: {BASE}\nflows:\n  soy: {{parcel: {{dist: fixed, value: 60000}}}}\n"
    )
    assert load_scenario(variant).flows["soy"].parcel.mean == 60000.0
