"""Time as the client, the rate limiter and the sandbox see it.

One protocol, so tests can hand the same ``FakeClock`` to the sandbox and the client
and let rate-limit waits advance time instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back; only differences mean something."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a fake clock advances instead)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


DEFAULT_FAKE_START = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


class FakeClock:
    """A clock that moves only when told to, or when someone sleeps on it.

    Thread-safe: a sandbox thread and a client thread may share one.
    """

    def __init__(self, start: dt.datetime = DEFAULT_FAKE_START) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock start must be an aware datetime")
        self._start = start.astimezone(dt.UTC)
        self._elapsed = 0.0
        self._lock = threading.Lock()
        self.slept = 0.0

    def now(self) -> dt.datetime:
        with self._lock:
            return self._start + dt.timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self._elapsed += seconds
                self.slept += seconds

    def advance(self, seconds: float) -> None:
        """Move time forward without counting it as sleep."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        with self._lock:
            self._elapsed += seconds
