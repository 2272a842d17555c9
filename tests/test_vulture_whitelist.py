"""The dead-code whitelist stays honest: every name it excuses is still defined somewhere vulture looks.

vulture (``make lint``) counts the names in vulture_whitelist.py as used. An entry whose code was deleted or
renamed would silently excuse the next dead thing of that name, so it must go with its code.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WHITELIST = ROOT / "vulture_whitelist.py"


def _defined(path: Path) -> set[str]:
    """Names a file defines: functions, classes, assigned names and attributes, arguments, fields."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
    return names


def _excused() -> list[str]:
    tree = ast.parse(WHITELIST.read_text(encoding="utf-8"))
    return [
        statement.value.attr
        for statement in tree.body
        if isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Attribute)
        and isinstance(statement.value.value, ast.Name)
        and statement.value.value.id == "_"
    ]


def test_every_excused_name_is_still_defined() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["vulture"]
    scanned = [ROOT / p for p in config["paths"] if (ROOT / p) != WHITELIST]
    defined = set().union(*(_defined(f) for d in scanned for f in sorted(d.rglob("*.py"))))
    excused = _excused()
    assert len(excused) >= 5, "the whitelist's entries were not found: has its format changed?"
    stale = sorted(set(excused) - defined)
    assert not stale, f"vulture_whitelist.py excuses names no longer in the code, remove them: {stale}"
