"""A run must not skip, where it should run, a test RELIABILITY.md names as a proof.

RELIABILITY.md promises that ``make test`` runs each named test on SQLite and, for those marked
``postgres``, on PostgreSQL. A named test that was collected and then skipped (a missing service,
a ``pytest.skip`` inside, a marker applied by mistake) proves nothing that run. Under ``CI=true``
such a skip fails the run. The skips that are the plan are allowed: a ``slow`` test outside
``make reliability``, and a ``postgres`` test on SQLite.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)")


def named_tests(text: str) -> set[tuple[str, str]]:
    """(file, test function) for each test RELIABILITY.md names."""
    return set(REFERENCE.findall(text))


def test_of(nodeid: str) -> tuple[str, str]:
    """(file, test function) of a node id, without its parameters."""
    file, _, rest = nodeid.partition("::")
    return file, rest.split("::")[-1].split("[", 1)[0]


def skip_is_planned(markers: set[str], *, on_postgres: bool, run_slow: bool) -> bool:
    return ("slow" in markers and not run_slow) or ("postgres" in markers and not on_postgres)


@dataclass(eq=False)  # a pytest plugin must be hashable
class NamedSkips:
    named: set[tuple[str, str]]
    on_postgres: bool
    run_slow: bool
    planned: set[str] = field(default_factory=set)
    found: list[tuple[str, str]] = field(default_factory=list)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            markers = {m.name for m in item.iter_markers()}
            if skip_is_planned(markers, on_postgres=self.on_postgres, run_slow=self.run_slow):
                self.planned.add(item.nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and report.nodeid not in self.planned and test_of(report.nodeid) in self.named:
            reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            self.found.append((report.nodeid, str(reason)))

    def pytest_terminal_summary(self, terminalreporter) -> None:  # type: ignore[no-untyped-def]
        if self.found:
            terminalreporter.section("tests RELIABILITY.md names, skipped where they should run")
            for nodeid, reason in self.found:
                terminalreporter.line(f"{nodeid}: {reason}")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.found and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") != "true":
        return
    doc = Path(config.rootpath) / "RELIABILITY.md"
    if not doc.exists():
        return
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    config.pluginmanager.register(NamedSkips(
        named=named_tests(doc.read_text(encoding="utf-8")), on_postgres=on_postgres,
        run_slow=os.environ.get("SALESCHANNEL_RUN_SLOW") == "1",
    ), "saleschannel-named-skips")
