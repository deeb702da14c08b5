"""RELIABILITY.md names, for each promise, the tests that prove it: each one must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)")


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_test_named_in_reliability_md_exists():
    text = (ROOT / "RELIABILITY.md").read_text(encoding="utf-8")
    references = REFERENCE.findall(text)
    assert len(references) >= 60
    missing = [f"{file}::{name}" for file, name in references
               if not (ROOT / file).exists() or name not in defined_tests(ROOT / file)]
    assert not missing, missing


def test_every_reliability_and_security_test_is_named_in_reliability_md():
    text = (ROOT / "RELIABILITY.md").read_text(encoding="utf-8")
    named = set(REFERENCE.findall(text))
    unnamed = []
    for folder in ("reliability", "security"):
        for path in sorted((ROOT / "tests" / folder).glob("test_*.py")):
            if path.name == "test_reliability_doc.py":
                continue
            file = path.relative_to(ROOT).as_posix()
            unnamed += [f"{file}::{t}" for t in sorted(defined_tests(path))
                        if t.startswith("test_") and (file, t) not in named and t != "test_the_model_check_can_fail"]
    assert not unnamed, unnamed
