"""Every third-party package the code imports is declared in pyproject.toml.

A package that arrives only as another's dependency can vanish when that one changes (typer 0.29 stopped
installing click, which the sweep command imported, and `make run` broke on a fresh machine while the dev
environment, where dask pulls click in, stayed green).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
SAME_PROJECT = {"pydantic_core": "pydantic"}
"""Modules shipped by a declared package's own project (pydantic-core is pydantic's compiled half)."""


def _imported(package: Path) -> set[str]:
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != "sim"}


def _declared() -> dict[str, set[str]]:
    """Distribution names (normalised) by where they are declared: ``base`` or an extra's name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"base": project["dependencies"], **project["optional-dependencies"]}
    return {
        group: {_normal(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0]) for req in reqs}
        for group, reqs in groups.items()
    }


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_package_the_code_imports_is_declared() -> None:
    owners = importlib.metadata.packages_distributions()
    declared = _declared()
    anywhere = set().union(*declared.values())
    missing = []
    for module in sorted(_imported(ROOT / "sim")):
        names = {_normal(d) for d in owners.get(module, [])} | {_normal(SAME_PROJECT.get(module, module))}
        if not names & anywhere:
            missing.append(f"{module} (from {sorted(owners.get(module, []))})")
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
