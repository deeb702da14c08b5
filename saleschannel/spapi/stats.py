"""Counters of one client's traffic, for the sync log."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CallStatsSnapshot:
    """What the client did since the last reset."""

    calls: dict[str, int]
    retries: int
    throttled: int
    limiter_wait_seconds: float
    duplicates_skipped: int

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


@dataclass
class CallStats:
    """Calls sent per operation (token refreshes count as ``token``), retries, 429s
    received, seconds waited on the rate limiter, and orders skipped because a page
    repeated one already returned (C7). Thread-safe."""

    _calls: Counter[str] = field(default_factory=Counter)
    _retries: int = 0
    _throttled: int = 0
    _waited: float = 0.0
    _duplicates: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_call(self, operation: str) -> None:
        with self._lock:
            self._calls[operation] += 1

    def count_retry(self) -> None:
        with self._lock:
            self._retries += 1

    def count_throttled(self) -> None:
        with self._lock:
            self._throttled += 1

    def count_wait(self, seconds: float) -> None:
        with self._lock:
            self._waited += seconds

    def count_duplicates(self, n: int) -> None:
        with self._lock:
            self._duplicates += n

    def snapshot(self) -> CallStatsSnapshot:
        with self._lock:
            return CallStatsSnapshot(
                calls=dict(self._calls),
                retries=self._retries,
                throttled=self._throttled,
                limiter_wait_seconds=self._waited,
                duplicates_skipped=self._duplicates,
            )

    def reset(self) -> CallStatsSnapshot:
        """Return the counts so far and start again from zero."""
        with self._lock:
            snap = CallStatsSnapshot(
                dict(self._calls), self._retries, self._throttled, self._waited, self._duplicates
            )
            self._calls.clear()
            self._retries = self._throttled = self._duplicates = 0
            self._waited = 0.0
            return snap
