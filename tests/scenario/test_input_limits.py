"""Input of any size and shape is read or refused with exit 2, naming the file, the line and the reason.

Files too large, binary, not UTF-8, with control characters, nested too deeply, with YAML tags or alias
bombs, duplicate keys (JSON like YAML), long ``extends`` chains, paths the system refuses, and seed tables
with duplicate rows or numbers that overflow; loading time grows linearly with the number of keys.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario import load_scenario
from sim.scenario.documents import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES
from sim.scenario.layers import MAX_EXTENDS

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
BASE = HERE / "good" / "base.yaml"
DEMO = ROOT / "scenarios" / "demo_two_ports.yaml"
BOMB = "\n".join(
    [f"a0: &a0 {['x'] * 9}".replace("'", '"')]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
)
"""9 levels of 9 aliases: 9⁹ ≈ 387 million values once expanded."""


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run ``corridor validate`` in a thread that must finish within 30 s; return its code and stderr."""
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(["validate", str(path)])), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert result, f"corridor validate {path.name} did not finish in 30 s"
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "internal error" not in captured.err
    return result[0], captured.err


def refused(
    path: Path, capsys: pytest.CaptureFixture[str], *fragments: str, line: int | None = None, file: str = ""
) -> str:
    """Validate ``path``: exit 2 naming ``file`` (default: the path's name), the line and every fragment."""
    code, err = validate(path, capsys)
    assert code == 2, err
    file = file or path.name[:100]
    assert file in err
    if line is not None:
        assert f"{file}:{line}: " in err, err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    return err


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_an_alias_bomb_is_refused_before_it_is_expanded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "bomb.yaml", f"schema: 1\n{BOMB}\n")
    started = time.perf_counter()
    refused(path, capsys, f"more than {MAX_NODES:,} values once its aliases are expanded", line=7)
    assert time.perf_counter() - started < 5


def test_modest_aliases_still_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.read_text(encoding="utf-8").replace("horizon_days: ", "horizon_days: &days ", 1)
    assert "&days" in text
    path = write(tmp_path / "aliased.yaml", text + "\nx_days: *days\n")
    refused(path, capsys, "x_days", "unknown field")  # parsed fine; only the extra field is wrong


@pytest.mark.parametrize(
    "tag", ["!!python/object:os.system", "!!python/name:sys.exit", "!!str", "!custom", "!!binary", "!!set"]
)
def test_any_yaml_tag_is_refused(tag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "tagged.yaml", f"schema: 1\nname: base\ndescription: {tag} x\n")
    refused(path, capsys, "YAML tag", "plain data without tags", line=3)


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        (b"schema: 1\nname: caf\xe9\n", 2, "the byte 0xe9, which is not UTF-8"),
        (b"schema: 1\n\x7fELF\x02\x01\x01\x00\x00\x00", 2, "a binary file"),
        (b"schema: 1\nname: a\x1bb\n", 2, "the control character '\\x1b'"),
        (b"schema: 1\n\nname: a\x0cb\n", 3, "the control character '\\x0c'"),
    ],
)
def test_bytes_that_are_not_text_are_reported_with_their_line(
    content: bytes, line: int, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused(
        write(tmp_path / "bytes.yaml", content), capsys, fragment, "UTF-8 text" if "byte" in fragment else ""
    )
    refused(write(tmp_path / "bytes.yaml", content), capsys, line=line)


def test_a_file_over_the_size_limit_is_refused_without_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "huge.yaml", "schema: 1\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    started = time.perf_counter()
    refused(path, capsys, f"at most {MAX_FILE_BYTES:,} bytes")
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".toml"])
def test_deep_nesting_is_refused(suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    depth = 5000 if suffix != ".yaml" else MAX_DEPTH + 5
    if suffix == ".toml":
        text = "schema = 1\nx = " + "[" * depth + "]" * depth + "\n"
    else:
        text = '{"schema": 1, "x": ' + "[" * depth + "]" * depth + "}\n"
    refused(write(tmp_path / f"deep{suffix}", text), capsys, f"at most {MAX_DEPTH} levels")


def test_json_duplicate_keys_are_refused_with_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "dup.json", '{"schema": 1,\n "name": "a",\n "nodes": {},\n "name": "b"}\n')
    refused(path, capsys, "the key 'name' twice in one object", line=4)


def test_json_numbers_that_overflow_are_refused_with_their_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(
        json.dumps(load_scenario(BASE).model_dump(mode="json", by_alias=True, exclude_none=True))
    )
    text = re.sub(r'"horizon_days": [0-9.]+', '"horizon_days": 1e400', json.dumps(data))
    assert "1e400" in text
    refused(write(tmp_path / "big.json", text), capsys, "horizon_days", "got inf", "a finite number")


def test_a_long_extends_chain_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(BASE, tmp_path / "v0.yaml")
    for i in range(1, MAX_EXTENDS + 2):
        write(tmp_path / f"v{i}.yaml", f"extends: v{i - 1}.yaml\nname: v{i}\n")
    assert main(["validate", str(tmp_path / f"v{MAX_EXTENDS}.yaml")]) == 0
    capsys.readouterr()
    top = tmp_path / f"v{MAX_EXTENDS + 1}.yaml"
    refused(top, capsys, "extends: got 'v0.yaml'", f"at most {MAX_EXTENDS} bases", file="v1.yaml", line=1)


@pytest.mark.parametrize("field", ["extends", "seeds"])
def test_an_over_long_path_is_a_located_error(
    field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "long.yaml", f"schema: 1\n{field}: {'a' * 5000}/b\n")
    refused(path, capsys, field, line=2)


def test_an_over_long_file_name_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused(tmp_path / ("a" * 300 + ".yaml"), capsys, "cannot open", "File name too long", file="aaaaaaaaaa")


def _seeds(tmp_path: Path, table: str, edit: bytes) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    with (seeds / f"{table}.csv").open("ab") as handle:
        handle.write(edit)
    return write(
        tmp_path / "s.yaml", "schema: 1\nname: s\nseeds: seeds\nstart: 2024-01-01\nhorizon_days: 30\n"
    )


def _last_line(path: Path) -> int:
    return len(path.read_bytes().splitlines())


def test_a_duplicate_seed_row_is_refused_with_both_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = (ROOT / "seeds" / "nodes.csv").read_text(encoding="utf-8").splitlines()[1]
    scenario = _seeds(tmp_path, "nodes", first.encode() + b"\n")
    err = refused(scenario, capsys, "a second row for", "the first is on line 2", file="nodes.csv")
    assert f"nodes.csv:{_last_line(tmp_path / 'seeds' / 'nodes.csv')}: " in err


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [(b"1e400", "not a finite number"), (b"-1e999", "not a finite number"), (b"caf\xe9", "not UTF-8")],
)
def test_a_bad_seed_cell_is_refused_with_its_line(
    cell: bytes, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _seeds(tmp_path, "nodes", b"XXZZZ,Nowhere,hub,Nowhere," + cell + b",1.0,test,2024,\n")
    err = refused(scenario, capsys, fragment, file="nodes.csv")
    assert f"nodes.csv:{_last_line(tmp_path / 'seeds' / 'nodes.csv')}: " in err


def test_a_control_character_in_a_seed_table_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _seeds(tmp_path, "nodes", b"XXZZZ,No\x07where,hub,Nowhere,1.0,1.0,test,2024,\n")
    err = refused(scenario, capsys, "the control character '\\x07'", file="nodes.csv")
    assert f"nodes.csv:{_last_line(tmp_path / 'seeds' / 'nodes.csv')}: " in err


def _many_nodes(tmp_path: Path, count: int) -> Path:
    nodes = {
        f"X{chr(65 + i // 1000 % 26)}{i % 1000:03d}": {"name": f"n{i}", "kind": "hub"} for i in range(count)
    }
    assert len(nodes) == count
    return write(tmp_path / f"n{count}.json", json.dumps({"extends": str(DEMO), "nodes": nodes}))


def _load_seconds(path: Path) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        scenario = load_scenario(path)
        best = min(best, time.perf_counter() - started)
    assert len(scenario.nodes) > 2000
    return best


def test_loading_time_grows_linearly_with_the_number_of_keys(tmp_path: Path) -> None:
    """20,000 keys take about ten times as long as 2,000 (quadratic merging took a hundred times)."""
    small, large = _many_nodes(tmp_path, 2_000), _many_nodes(tmp_path, 20_000)
    ratio = _load_seconds(large) / _load_seconds(small)
    assert ratio < 25, f"20k keys load {ratio:.1f}x slower than 2k keys (linear: ~10x)"
