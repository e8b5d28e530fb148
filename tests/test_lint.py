"""The lint rules that guard behaviour, run with the suite: pyflakes, and TID253 — boto3,
botocore, pymysql, rich and the sandbox's libraries never imported at module level outside the
sandbox (start-up is felt on every TAB press). The rules live in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> str | None:
    beside = Path(sys.executable).parent / "ruff"
    return str(beside) if beside.exists() else shutil.which("ruff")


def test_ruff_finds_nothing():
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[dev]' installs it)")
    done = subprocess.run([ruff, "check", "auroraml_cli", "tests", "bench", "tools"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_banned_imports_rule_catches_a_module_level_boto3(tmp_path):
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed")
    package = tmp_path / "auroraml_cli" / "core"
    package.mkdir(parents=True)
    (package / "bad.py").write_text("import boto3\n\n\ndef f():\n    return boto3\n")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    done = subprocess.run([ruff, "check", "auroraml_cli"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1 and "TID253" in done.stdout, done.stdout


def test_no_message_cites_a_file_the_user_does_not_have():
    """A user's install has no ../shared and no docs/: a string literal in the package that a user
    may see (an error, a hint, help) never cites them. Comments and docstrings may cite the
    project's own docs/reference pages, which a source checkout has."""
    import ast

    package = Path(__file__).resolve().parents[1] / "auroraml_cli"
    found = []
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text())
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and any(cited in node.value for cited in ("shared/", "docs/reference", "aurora-ml.md", "moto-gaps.md"))):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    assert found == []
    assert not [p for p in package.rglob("*.py") if "../shared" in p.read_text()]
