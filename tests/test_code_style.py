"""The code stays ruff-clean (docs/architecture.md, conventions)."""

import subprocess
import sys

from gis_service.core.settings import PROJECT_ROOT


def test_ruff_check_passes():
    r = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "gis_service", "tests"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


MAX_FUNCTION_LINES = 80


def test_no_function_runs_past_80_lines():
    """A function longer than a screen does more than one thing (migrations, which are a
    list of DDL statements, excepted)."""
    import ast

    long = []
    for path in (PROJECT_ROOT / "gis_service").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []
