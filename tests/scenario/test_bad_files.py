"""Every bad scenario file exits 2 with messages naming the file, line, field, bad value and expectation.

Each file under ``bad/`` starts with ``# expect: A | B | C``: fragments the error output must contain (the
first is usually the field path). The files extend ``good/base.yaml``, which itself must be valid.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.cli import main

HERE = Path(__file__).parent
BAD = sorted(p for p in (HERE / "bad").iterdir() if p.suffix in {".yaml", ".toml", ".json"})


def _expectations(path: Path) -> list[str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    found = re.match(r"#\s*expect:\s*(.*)", first)
    return [part.strip() for part in found.group(1).split("|")] if found else []


def test_there_are_at_least_twenty_bad_files() -> None:
    assert len(BAD) >= 20


def test_the_base_of_the_bad_files_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(HERE / "good" / "base.yaml")]) == 0
    assert "ok" in capsys.readouterr().out


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_bad_file_is_rejected_clearly(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    assert str(path) in captured.err  # the file is named
    for fragment in _expectations(path):
        assert fragment in captured.err, f"{fragment!r} not in {captured.err!r}"


@pytest.mark.parametrize("path", [p for p in BAD if p.suffix == ".yaml" and "extends_cycle" not in p.name])
def test_yaml_errors_carry_a_line_number(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["validate", str(path)])
    assert re.search(rf"{re.escape(str(path))}:\d+: ", capsys.readouterr().err)


def test_run_rejects_a_bad_file_without_writing_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(HERE / "bad" / "negative_capacity.yaml"), "--out", str(out)]) == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
