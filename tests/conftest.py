"""Shared test set-up.

The suite runs twice under ``make test``: on SQLite (the default) and on PostgreSQL
(``DATABASE_URL`` set by ``scripts/run-tests``). In the PostgreSQL run only the tests
that touch the database are kept. Tests marked ``postgres`` run on PostgreSQL only.

Run one part on both databases while working on it:
    .venv/bin/python -m pytest tests/commerce -q
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test SALESCHANNEL_DB_TESTS_ONLY=1 \
        .venv/bin/python -m pytest tests/commerce -q
Concurrency tests: ``@pytest.mark.postgres`` with ``@pytest.mark.django_db(transaction=True)``.
Long forms: ``@pytest.mark.slow`` (run by ``make reliability`` only).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# The browser fixtures (one Playwright instance and one chromium for the whole session).
pytest_plugins = ["tests.browser.support", "tests.named_tests"]

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def _uses_db(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres"):
        return True
    return bool(DB_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES and os.environ.get("SALESCHANNEL_DB_TESTS_ONLY") == "1":
        kept = [i for i in items if _uses_db(i)]
        dropped = [i for i in items if not _uses_db(i)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    if os.environ.get("SALESCHANNEL_RUN_SLOW") != "1":
        slow = pytest.mark.skip(reason="long form: make reliability")
        for item in items:
            if item.get_closest_marker("slow"):
                item.add_marker(slow)
    if not ON_POSTGRES:
        skip = pytest.mark.skip(reason="needs PostgreSQL (runs in the PostgreSQL pass of make test)")
        for item in items:
            if item.get_closest_marker("postgres"):
                item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    return f"saleschannel database: {'postgresql' if ON_POSTGRES else 'sqlite'}"


@pytest.fixture
def store_defaults(db):
    """The default website, store, source, stock and order statuses; returns the default Store."""
    from saleschannel.commerce.stores.selectors import store_default
    from saleschannel.commerce.stores.services import stores_init

    stores_init()
    return store_default()
