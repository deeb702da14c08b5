"""The repository stands alone (C40): nothing reads beside it, and its copies of
others' files are the files they claim to be."""

from __future__ import annotations

import hashlib
import re
import subprocess  # nosec B404: git, with fixed arguments
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SELF = Path(__file__).resolve()
SCANNED = ("saleschannel", "tests", "scripts", "bench", "Makefile", ".ci")
SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", "test-artifacts"}
# The reading room beside the repository, written as a path or joined from parts, and this
# machine's folders. Each name is built from pieces, so that this file holds no such path itself.
ROOM, MACHINE = "sha" + "red", "wo" + "rk"
OUTSIDE = re.compile("|".join([r"\.\.(?:/|[\"']\s*[/,+]\s*[\"']/?)" + ROOM, r"(?<![\w.:/-])/" + MACHINE + "/"]))
MODELS = ROOT / "saleschannel" / "spapi" / "sandbox" / "amazon_models"


def tracked_files() -> list[Path]:
    """The tracked files under SCANNED; on a copy without git, every file there."""
    try:
        listed = subprocess.run(  # nosec B603 B607
            ["git", "ls-files", "-z", "--", *SCANNED], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode()
        paths = [ROOT / name for name in listed.split("\0") if name]
        if paths:
            return [path for path in paths if path.is_file()]
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for top in SCANNED:
        base = ROOT / top
        candidates = [base] if base.is_file() else sorted(base.rglob("*"))
        files += [p for p in candidates if p.is_file() and not set(p.relative_to(ROOT).parts) & SKIPPED_DIRS]
    return files


def reaches_outside(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []
    return [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
            for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]


def test_nothing_reads_beside_the_repository():
    files = tracked_files()
    assert any(path.name == "Makefile" for path in files) and len(files) > 100, "the scan found too few files"
    assert SELF in files, "the scan missed the tests"
    found = [hit for path in files for hit in reaches_outside(path)]
    assert not found, "reaches outside the repository:\n" + "\n".join(found)


@pytest.mark.parametrize("line", [f'MODELS = REPO / ".." / "{ROOM}" / "x"', f'Path("..", "{ROOM}")',
                                  f"see ../{ROOM}/spec", f"cd /{MACHINE}/x && make"])
def test_the_scan_finds_a_reach_outside(line):
    assert OUTSIDE.search(line), line


def test_the_scan_leaves_urls_and_words_alone():
    assert not OUTSIDE.search(f"https://example.com/{MACHINE}/ and net{MACHINE}/ and ./{ROOM} and home{MACHINE}/")


def _git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def test_amazon_models_are_unmodified_copies_as_their_source_txt_says():
    listed = re.findall(r"^\s+(\S+\.json)\s+\S+\s+([0-9a-f]{40})$", (MODELS / "SOURCE.txt").read_text(), re.M)
    on_disk = {path.name for path in MODELS.glob("*.json")}
    assert {name for name, _ in listed} == on_disk, "every model there is listed in SOURCE.txt, and only those"
    for name, blob_id in listed:
        assert _git_blob_id((MODELS / name).read_bytes()) == blob_id, f"{name} differs from Amazon's file"
