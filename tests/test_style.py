"""House rules, enforced: ruff's lint (with its complexity limits), short functions, a thin CLI."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

#: Functions longer than the limit because each is one algorithm, with why.
ONE_ALGORITHM: dict[str, str] = {}
MAX_LINES = 60


def _functions():
    for path in sorted((ROOT / "kg").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path.relative_to(ROOT), node


def _code_lines(node) -> int:
    """Lines of a function without its docstring."""
    body = node.body
    start = body[0].end_lineno + 1 if (body and isinstance(body[0], ast.Expr)
                                       and isinstance(getattr(body[0], "value", None), ast.Constant)
                                       and isinstance(body[0].value.value, str)) else node.lineno
    return node.end_lineno - start + 1


def test_ruff_lint_passes():
    ruff = shutil.which("ruff") or None
    cmd = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    probe = subprocess.run([*cmd, "--version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    out = subprocess.run([*cmd, "check", "kg", "scripts", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:]


def test_functions_are_short_or_one_algorithm():
    long = [f"{path}:{node.lineno} {node.name} ({_code_lines(node)} lines)"
            for path, node in _functions()
            if _code_lines(node) > MAX_LINES and f"{path}:{node.name}" not in ONE_ALGORITHM]
    assert not long, "split these, or list them in ONE_ALGORITHM with why:\n" + "\n".join(long)


def test_only_the_cli_imports_click():
    offenders = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "click" or n.startswith("click.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders
