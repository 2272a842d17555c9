"""Mutation fuzzing of every library scenario: ``corridor validate`` and ``run`` exit 0 or 2, never 1.

Each example takes a scenario of scenarios/, breaks it (:mod:`tests.mutants`), writes it as YAML or JSON,
and runs ``corridor validate`` in-process: the exit code is 0 or 2, with no traceback and no "internal
error". For a sample of the mutants, ``corridor run`` with a short horizon and one replication follows: again
0 or 2, and after a refusal nothing is written.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.cli import main
from sim.scenario.documents import read_document
from tests.mutants import FUZZ_SETTINGS, absolute_references, damaged_text, dump, mutated_data

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = sorted((ROOT / "scenarios").glob("*.yaml"))
ORIGINALS = {
    path.name: absolute_references(read_document(path).data, path.parent, ("extends", "seeds"))
    for path in LIBRARY
}


def _corridor(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert code in (0, 2), f"corridor {' '.join(args)} exited {code}:\n{output[-3000:]}"
    assert "Traceback" not in output
    assert "internal error" not in output
    return code, output


def test_the_library_is_fuzzed() -> None:
    assert len(ORIGINALS) >= 10


@pytest.mark.fuzz
@FUZZ_SETTINGS
@given(data=st.data())
def test_a_mutated_scenario_is_valid_or_refused_clearly(data: st.DataObject, capsys: Any) -> None:
    name = data.draw(st.sampled_from(sorted(ORIGINALS)), label="scenario")
    mutant = data.draw(mutated_data(ORIGINALS[name]), label="mutant")
    kind = data.draw(st.sampled_from(["yaml", "yaml", "json"]), label="format")
    content = data.draw(damaged_text(dump(mutant, kind), kind), label="bytes")
    run = data.draw(st.integers(0, 24), label="run") == 0
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        path = directory / f"mutant.{kind}"
        path.write_bytes(content)
        code, output = _corridor(["validate", str(path)], capsys)
        if code == 2:
            assert "mutant." in output or ".csv" in output or ".yaml" in output  # a file is named
        if not run:
            return
        short = directory / "short.yaml"
        short.write_text(
            f"extends: {path.name}\nhorizon_days: 2\nwarmup_days: 0\nreplications: 1\n", encoding="utf-8"
        )
        out = directory / "out"
        code, _ = _corridor(["run", str(short), "--out", str(out), "--quiet", "--replications", "1"], capsys)
        assert out.exists() == (code == 0)
        assert sorted(p.name for p in directory.iterdir() if p.name != "out") == sorted(
            [path.name, short.name]
        ), "stray files beside the output"
