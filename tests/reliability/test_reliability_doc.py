"""RELIABILITY.md names, for each promise, the tests that prove it: each one must exist."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


SKIPPING = """
import pytest

def test_named_and_skipped():
    pytest.skip("no service here")

@pytest.mark.slow
@pytest.mark.skip(reason="long form: make reliability")
def test_named_long_form():
    pass

def test_not_named():
    pytest.skip("not a proof")
"""


def run_ci_pytest(tmp_path: Path, doc: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "RELIABILITY.md").write_text(doc, encoding="utf-8")
    (tmp_path / "tests").mkdir(exist_ok=True)
    (tmp_path / "tests" / "test_skipping.py").write_text(SKIPPING, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: long\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SALESCHANNEL_RUN_SLOW")}
    env.update(CI="true", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.named_tests", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / "tests")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize(("named", "fails"), [
    ("tests/test_skipping.py::test_named_and_skipped", True),
    ("tests/test_skipping.py::test_named_long_form", False),  # slow: its skip is the plan
    ("tests/test_skipping.py::test_elsewhere", False),
])
def test_a_ci_run_that_skips_a_named_test_fails(tmp_path, named, fails):
    """The hook of tests/named_tests.py: a named test skipped where it should run fails a CI run; the
    skips of tests not named, and the planned ones, do not."""
    done = run_ci_pytest(tmp_path, f"| promise | {named} |\n")
    assert (done.returncode != 0) == fails, done.stdout[-3000:] + done.stderr[-3000:]
    if fails:
        assert "skipped where they should run" in done.stdout and "no service here" in done.stdout


def reliability_target_paths() -> list[str]:
    """The paths ``make reliability`` runs (the Makefile's RELIABILITY_TESTS)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.search(r"^RELIABILITY_TESTS\s*:=(.*)$", makefile, re.MULTILINE)
    assert found, "the Makefile defines RELIABILITY_TESTS"
    return found.group(1).split()


def runs_in_reliability(file: str, paths: list[str]) -> bool:
    return any(file == p or file.startswith(p.rstrip("/") + "/") for p in paths)


def given_tests(path: Path) -> dict[str, list[ast.expr]]:
    """The hypothesis tests of a file, with their decorators."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name: n.decorator_list for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
            and any("given" in ast.unparse(d) for d in n.decorator_list)}


def test_make_reliability_runs_every_named_property_test_at_the_long_profiles_examples():
    """RELIABILITY.md promises 500 examples per property: each named property test runs in make
    reliability (HYPOTHESIS_PROFILE=long) and takes its number of examples from the profile."""
    paths = reliability_target_paths()
    named = set(REFERENCE.findall((ROOT / "RELIABILITY.md").read_text(encoding="utf-8")))
    properties = [(file, name, decorators) for file, name in sorted(named)
                  for test, decorators in given_tests(ROOT / file).items() if test == name]
    assert len(properties) >= 6, properties
    not_run = [f"{file}::{name}" for file, name, _ in properties if not runs_in_reliability(file, paths)]
    assert not not_run, f"make reliability misses: {not_run}"
    fixed = [f"{file}::{name}" for file, name, decorators in properties
             if any("max_examples" in ast.unparse(d) for d in decorators)]
    assert not fixed, f"a fixed max_examples overrides the profile: {fixed}"


def test_make_reliability_runs_every_long_form():
    paths = reliability_target_paths()
    slow = [path.relative_to(ROOT).as_posix() for path in sorted((ROOT / "tests").rglob("test_*.py"))
            if "mark.slow" in path.read_text(encoding="utf-8")]
    slow = [f for f in slow if f != "tests/reliability/test_reliability_doc.py"]
    assert "tests/sync/test_crash.py" in slow
    assert [f for f in slow if not runs_in_reliability(f, paths)] == []
