"""docs/rules.md explains every rule id that the code, the tests and the benchmarks cite.

A rule id is a family letter and a number: R (order import), S (reading orders from
Amazon), T (stock to Amazon), C (clarifications), with an optional sub-form (``S2(a)``,
``T4.4``), or a test's name in lower case (``test_r7_…``); ``[D]`` marks a decision of the
project where the source was silent. An id is explained when docs/rules.md holds an entry
``- **ID**`` for it, in those exact words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULES_DOC = ROOT / "docs" / "rules.md"
SELF = Path(__file__).resolve()
SCANNED = ("saleschannel", "tests", "bench")
SKIPPED_DIRS = {"__pycache__", "amazon_models", "results", "data", "screenshots"}
TEXT_SUFFIXES = {".py", ".md", ".txt", ".html", ".js", ".css", ".toml", ".cfg", ".ini", ".sh", ""}

# Word boundaries on both sides, so that ``R2`` inside ``BR2x``, ``0xC1``, ``T12345`` (a
# tracking number), ``S608`` (a lint code) or ``#C12`` (a colour) is no id; ``SKU-C1`` (a
# letter, a hyphen) is a name, while ``S1-S5`` is a range of ids.
RULE_ID = re.compile(
    r"(?<![\w#])(?<![A-Za-z]-)"
    r"(?P<id>[RSTC][1-9][0-9]?(?:\.[1-9][0-9]?)?(?:\([a-z]\))?)"
    r"(?![\w.]\w)(?!\w)"
)
DECISION = re.compile(r"\[D[\],]")
# A test names the rule it checks in lower case (``def test_r7_fba_shipped_…``).
TEST_NAME = re.compile(r"\bdef test_(?P<id>[rstc][1-9][0-9]?)_")
ENTRY = re.compile(r"^\s*[-*]\s+\*\*(?P<id>\[D\]|[RSTC][1-9][0-9]?(?:\.[1-9][0-9]?)?(?:\([a-z]\))?)\*\*", re.M)
QUOTES = "\"'"

# Every id of the specifications, cited yet or not: the next issues cite them.
FAMILIES = {"R": 21, "S": 5, "T": 16, "C": 50}


def cited_ids(text: str) -> set[str]:
    """The rule ids a text cites; an id alone inside quotes (``"T1"``, a tracking number) is a value."""
    found = set()
    for match in RULE_ID.finditer(text):
        start, end = match.span("id")
        if start > 0 and end < len(text) and text[start - 1] in QUOTES and text[end] in QUOTES:
            continue
        found.add(match["id"])
    found |= {match["id"].upper() for match in TEST_NAME.finditer(text)}
    if DECISION.search(text):
        found.add("[D]")
    return found


def explained_ids(doc: str) -> set[str]:
    return {m["id"] for m in ENTRY.finditer(doc)}


def scanned_files() -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            parts = set(path.relative_to(ROOT).parts[:-1])
            if path == SELF:  # its examples below are examples, not citations
                continue
            if path.is_file() and path.suffix in TEXT_SUFFIXES and not parts & SKIPPED_DIRS:
                files.append(path)
    return files


def citations() -> dict[str, list[str]]:
    """Each cited id, with the files that cite it."""
    where: dict[str, list[str]] = defaultdict(list)
    for path in scanned_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for rule in cited_ids(text):
            where[rule].append(str(path.relative_to(ROOT)))
    return where


def test_every_cited_rule_id_is_explained_in_docs_rules_md():
    explained = explained_ids(RULES_DOC.read_text(encoding="utf-8")) if RULES_DOC.exists() else set()
    where = citations()
    assert where, "no rule id found: the scan is broken"
    missing = sorted(set(where) - explained, key=_order)
    assert not missing, "cited but not explained in docs/rules.md:\n" + "\n".join(
        f"  {rule}: {', '.join(where[rule][:3])}{' …' if len(where[rule]) > 3 else ''}" for rule in missing
    )


def test_docs_rules_md_explains_every_rule_of_the_specifications():
    explained = explained_ids(RULES_DOC.read_text(encoding="utf-8")) if RULES_DOC.exists() else set()
    expected = {f"{family}{n}" for family, count in FAMILIES.items() for n in range(1, count + 1)} | {"[D]"}
    assert not sorted(expected - explained, key=_order), f"not explained: {sorted(expected - explained, key=_order)}"


def test_every_entry_of_docs_rules_md_says_something_and_appears_once():
    if not RULES_DOC.exists():
        pytest.fail("docs/rules.md is missing")
    entries = re.findall(r"^\s*[-*]\s+\*\*(\S+?)\*\*(.*)$", RULES_DOC.read_text(encoding="utf-8"), re.M)
    ids = [rule for rule, _ in entries if ENTRY.match(f"- **{rule}**")]
    assert len(ids) == len(set(ids)), f"explained twice: {sorted({r for r in ids if ids.count(r) > 1})}"
    empty = [rule for rule, rest in entries if ENTRY.match(f"- **{rule}**") and len(rest.strip(" .:—-")) < 10]
    assert not empty, f"entries with no explanation: {empty}"


def _order(rule: str) -> tuple[str, int]:
    digits = re.match(r"\D*(\d+)", rule)
    return (rule[0], int(digits[1]) if digits else 0)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("rules R1, R2 and C2", {"R1", "R2", "C2"}),
        ("S2(a) then S2(b); the guard T4.4.", {"S2(a)", "S2(b)", "T4.4"}),
        ("R1–R21 and S1-S5", {"R1", "R21", "S1", "S5"}),
        ('tracking_number="T1", T0 = now, T12345, # nosec B608 S608, 0xC1, #C12, SKU-C1, BR2, R2D2', set()),
        ("R11 [D]: a decision", {"R11", "[D]"}),
        ("[D, beyond the source]", {"[D]"}),
        ("a test_r7_name and R100", set()),
        ("def test_r7_fba_shipped(): ...\ndef test_c31_seen_while_disabled(): ...", {"R7", "C31"}),
    ],
)
def test_the_scan_finds_ids_and_nothing_else(text, ids):
    assert cited_ids(text) == ids
