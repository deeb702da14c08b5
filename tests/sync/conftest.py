"""Fixtures of the sync engine's tests."""

from __future__ import annotations

import datetime as dt

import pytest


class StepClock:
    """A clock that moves only when slept on (stands in until spapi's FakeClock is used)."""

    def __init__(self, start: dt.datetime):
        self._now = start
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self._now += dt.timedelta(seconds=seconds)

    def advance(self, seconds: float) -> None:
        self._now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> StepClock:
    return StepClock(dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC))
