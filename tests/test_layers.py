"""The package's layers: imports point one way (cli → experiments → analysis → results → engines → plan →
network → scenario), no module imports the package face, and there are no import circles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sim"

LAYERS: dict[str, int] = {
    # the foundation: no simulation concepts
    "sim.version": 0,
    "sim.arrays": 0,
    "sim.errors": 0,
    "sim.rng": 0,
    "sim.seeding": 0,  # sim.rng's streams seeded in bulk (compiled: numba)
    "sim.held_signals": 0,
    "sim.compiled": 0,  # the compiled-loop decorator (numba only): drawing, engines and results
    "sim.collector": 0,  # when a corridor process collects garbage (gc only)
    "sim.available_memory": 0,  # memory available to the process (machine, cgroup): run and engine blocks
    "sim.layout": 4,
    "sim.schedule": 1,
    "sim.scenario": 2,
    "sim.demand": 2,
    "sim.inversion": 2,
    "sim.arrivals": 2,
    "sim.examples": 3,
    "sim.network": 3,
    "sim.spells": 3,
    "sim.trace": 3,
    "sim.rates": 4,
    "sim.choice": 4,
    "sim.plan": 4,
    "sim.drawing": 4,
    "sim.visit_work": 4,
    "sim.plan_loops": 4,  # the Plan's visit index columns and class check, compiled
    "sim.prepared": 4,  # what every Plan of a scenario shares, kept per scenario
    "sim.class_draws": 4,
    "sim.booking": 4,
    "sim.stacking": 5,
    "sim.engines": 6,
    "sim.results": 7,
    "sim.runner": 8,
    "sim.footprint": 8,
    "sim.streaming": 8,
    "sim.analysis": 9,
    "sim.experiments": 10,
    "sim.cli": 11,
    "sim.command": 12,  # the console script's entry point: the command line, loaded when called
}
"""Rank of each layer: a module may import modules of its own rank or lower."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, here: str, is_package: bool) -> set[str]:
    """Every ``sim`` module imported anywhere in the file: lazy imports and type-only imports count too."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "sim"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".") if is_package else here.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] == "sim":
                found |= {f"{base}.{alias.name}" for alias in node.names} | {base}
        stack.extend(ast.iter_child_nodes(node))
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        raw = _imports(ast.parse(path.read_text()), name, path.name == "__init__.py")
        graph[name] = {m for m in raw if m in files and m != name}
    return graph


def _layer(module: str) -> int | None:
    best = max(
        (prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")),
        default=None,
        key=len,
    )
    return None if best is None else LAYERS[best]


GRAPH = _graph()


def test_every_module_has_a_layer():
    faces = {"sim", "sim.__main__"}
    assert sorted(m for m in GRAPH if m not in faces and _layer(m) is None) == []


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down(module):
    if module in {"sim", "sim.__main__"}:
        return
    rank = _layer(module)
    upward = sorted(m for m in GRAPH[module] if m == "sim" or (_layer(m) or 0) > (rank or 0))
    assert upward == [], f"{module} (layer {rank}) imports a higher layer"


def test_analysis_never_simulates():
    runs = ("sim.runner", "sim.engines", "sim.experiments", "sim.plan", "sim.drawing")
    offenders = {
        m: sorted(i for i in GRAPH[m] if i.startswith(runs)) for m in GRAPH if m.startswith("sim.analysis")
    }
    assert {m: i for m, i in offenders.items() if i} == {}


def test_no_import_circles():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert circles == []
