"""Fixtures of the sync engine's tests."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.spapi.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC))
