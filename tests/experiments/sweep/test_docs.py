"""The examples of docs/sweeps.md stay true: the sweep file plans, the jobqueue keys are dask-jobqueue's."""

from __future__ import annotations

import re
from pathlib import Path

import dask_jobqueue
from ruamel.yaml import YAML

from sim.experiments.sweep import load_sweep, plan_sweep
from tests.experiments.sweep.helpers import DEMO, ROOT

DOC = ROOT / "docs" / "sweeps.md"


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_example_sweep_file_is_valid_and_plans(tmp_path: Path) -> None:
    example = next(block for block in yaml_blocks() if "parameters:" in block)
    spec = tmp_path / "soy_demand.yaml"
    spec.write_text(example.replace("../scenarios/demo_two_ports.yaml", str(DEMO)), encoding="utf-8")
    plan = plan_sweep(load_sweep(spec))
    assert len(plan.points) == 32
    assert len(plan.tasks) == 64


def test_the_example_jobqueue_configurations_use_only_dask_jobqueue_keys() -> None:
    examples = [block for block in yaml_blocks() if "jobqueue:" in block]
    assert len(examples) == 2, "a cluster's and the single-node recipe's"
    defaults_file = Path(dask_jobqueue.__file__).parent / "jobqueue.yaml"
    known = YAML(typ="safe", pure=True).load(defaults_file.read_text())["jobqueue"]["slurm"]
    for example in examples:
        ours = YAML(typ="safe", pure=True).load(example)["jobqueue"]["slurm"]
        assert set(ours) <= set(known), set(ours) - set(known)
