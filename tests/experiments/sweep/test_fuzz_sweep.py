"""Mutation fuzzing of sweep files: planning succeeds or ``corridor sweep`` exits 2 before anything runs.

The originals are the test sweep (:data:`tests.experiments.sweep.helpers.GRID`) and the example of
docs/sweeps.md; mutants (:mod:`tests.mutants`) also point ``base`` at a broken scenario (an alias bomb, a
YAML tag). A mutant either plans (its size within the limits) or is refused: ``corridor sweep`` then exits 2
with no traceback and writes nothing.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from sim.cli import main
from sim.errors import InputError
from sim.experiments.sweep import load_sweep, plan_sweep
from sim.experiments.sweep.plan import LARGE_POINTS, LARGE_TASKS
from tests.experiments.sweep.helpers import DEMO, GRID, ROOT
from tests.mutants import BOMB, FUZZ_SETTINGS, damaged_text, dump, mutated_data


def _originals() -> dict[str, dict[str, Any]]:
    doc = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    example = next(b for b in re.findall(r"```yaml\n(.*?)```", doc, flags=re.DOTALL) if "parameters:" in b)
    documented = YAML(typ="safe", pure=True).load(example)
    return {"grid": {"base": str(DEMO), **GRID}, "docs": {**documented, "base": str(DEMO)}}


ORIGINALS = _originals()
BASES = ["", "bomb", "tag", "missing", "huge"]
"""What ``base`` may be replaced with: kept, an alias bomb, a tagged scenario, no file, an oversized file."""


def _broken_base(directory: Path, kind: str) -> str:
    path = directory / f"base_{kind}.yaml"
    text = DEMO.read_text(encoding="utf-8")
    if kind == "bomb":
        text = BOMB + "\n" + text
    elif kind == "tag":
        text = text.replace("name: demo_two_ports", "name: !!python/object:os.system demo")
    elif kind == "huge":
        text += "#" * (1 << 21)
    if kind != "missing":
        path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.fuzz
@FUZZ_SETTINGS
@given(data=st.data())
def test_a_mutated_sweep_plans_or_is_refused_before_running(data: st.DataObject, capsys: Any) -> None:
    original = ORIGINALS[data.draw(st.sampled_from(sorted(ORIGINALS)), label="original")]
    mutant = data.draw(mutated_data(original), label="mutant")
    base = data.draw(st.sampled_from(BASES), label="base")
    kind = data.draw(st.sampled_from(["yaml", "json"]), label="format")
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        if base:
            mutant["base"] = _broken_base(directory, base)
        path = directory / f"sweep.{kind}"
        path.write_bytes(data.draw(damaged_text(dump(mutant, kind), kind), label="bytes"))
        try:
            plan = plan_sweep(load_sweep(path))
        except InputError:
            out = directory / "out"
            code = main(["sweep", str(path), "--out", str(out), "--workers", "1"])
            captured = capsys.readouterr()
            assert code == 2, captured.out + captured.err
            assert "Traceback" not in captured.out + captured.err
            assert "sweep." in captured.err or "base_" in captured.err or "demo_two_ports" in captured.err
            assert not out.exists()
            return
        assert len(plan.points) <= LARGE_POINTS
        assert len(plan.tasks) <= LARGE_TASKS
