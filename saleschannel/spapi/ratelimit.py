"""Amazon's usage plans as token buckets, per seller and operation.

Amazon meters each operation per selling partner with a token bucket: a bucket holds
at most ``burst`` tokens, refills at ``rate`` tokens per second, and a call spends one.
The client asks a ``RateLimiter`` for a token before every call, so that it waits
here rather than collecting 429s. The limiter is a protocol because the quotas belong
to the seller, not to a process: the sync engine supplies one kept in the database
and shared by every worker; ``TokenBucketLimiter`` is the in-memory one.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.errors import RateLimitDeadline


@dataclass(frozen=True)
class UsagePlan:
    """Requests per second and the bucket's size, as Amazon documents them."""

    rate: float
    burst: int

    def scaled(self, factor: float) -> UsagePlan:
        return UsagePlan(rate=self.rate * factor, burst=max(1, round(self.burst * factor)))


#: Amazon's default usage plans (Orders API 2026-01-01 and v0 confirmShipment, Listings
#: Items 2021-08-01, Feeds 2021-06-30), as each model's operation documents them.
DEFAULT_PLANS: Mapping[str, UsagePlan] = {
    "searchOrders": UsagePlan(rate=0.0056, burst=20),
    "getOrder": UsagePlan(rate=0.5, burst=30),
    "confirmShipment": UsagePlan(rate=2.0, burst=10),
    "getListingsItem": UsagePlan(rate=5.0, burst=10),
    "patchListingsItem": UsagePlan(rate=5.0, burst=5),
    "searchListingsItems": UsagePlan(rate=5.0, burst=5),
    "createFeedDocument": UsagePlan(rate=0.5, burst=15),
    # The model says 0.0083/s burst 15, but a JSON_LISTINGS_FEED is held to five per five
    # minutes per seller and region; the only feed the channel sends is that one.
    "createFeed": UsagePlan(rate=5 / 300, burst=5),
    "getFeed": UsagePlan(rate=2.0, burst=15),
    "getFeeds": UsagePlan(rate=0.0222, burst=10),
    "cancelFeed": UsagePlan(rate=2.0, burst=15),
    "getFeedDocument": UsagePlan(rate=0.0222, burst=10),
}

#: For an operation without a known plan: one call per second, no burst.
FALLBACK_PLAN = UsagePlan(rate=1.0, burst=1)


class RateLimiter(Protocol):
    """Hands out one token per call, per (seller, operation).

    ``deadline`` is a value of the caller's ``Clock.monotonic()``; when the wait for a
    token would end after it, ``acquire`` raises ``RateLimitDeadline`` at once and
    spends nothing.
    """

    def acquire(self, seller_id: str, operation: str, *, deadline: float | None = None) -> float:
        """Take one token, waiting for it if needed; return the seconds waited."""
        ...

    def update_rate(self, seller_id: str, operation: str, rate: float) -> None:
        """Adopt the rate Amazon advertised in ``x-amzn-RateLimit-Limit``."""
        ...


@dataclass
class TokenBucket:
    """The bucket's arithmetic, shared by the limiter and the sandbox's throttling."""

    rate: float
    burst: int
    tokens: float
    updated_at: float

    @classmethod
    def full(cls, plan: UsagePlan, at: float) -> TokenBucket:
        return cls(rate=plan.rate, burst=plan.burst, tokens=float(plan.burst), updated_at=at)

    def refill(self, at: float) -> None:
        if at > self.updated_at:
            self.tokens = min(float(self.burst), self.tokens + (at - self.updated_at) * self.rate)
            self.updated_at = at

    def wait_for_token(self, at: float) -> float:
        """Seconds from ``at`` until one whole token is there (0 when it is there now)."""
        self.refill(at)
        # A hair of tolerance: a client that waited exactly long enough must not be
        # refused over a rounding error in the refill arithmetic.
        if self.tokens >= 1.0 - 1e-9:
            return 0.0
        if self.rate <= 0:
            return math.inf
        return (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        """Spend one token; the balance may go below zero (a reservation of the future)."""
        self.tokens -= 1.0

    def try_take(self, at: float) -> bool:
        """Spend a token if one is there now; the sandbox's way of deciding a 429."""
        if self.wait_for_token(at) > 0:
            return False
        self.take()
        return True


class TokenBucketLimiter:
    """An in-memory, thread-safe ``RateLimiter``.

    Callers reserve their token under the lock and sleep outside it, so that two
    threads waiting for the same bucket queue up one after the other instead of both
    waking at the same moment.
    """

    def __init__(self, clock: Clock | None = None, plans: Mapping[str, UsagePlan] = DEFAULT_PLANS) -> None:
        self._clock: Clock = clock or SystemClock()
        self._plans = dict(plans)
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def acquire(self, seller_id: str, operation: str, *, deadline: float | None = None) -> float:
        with self._lock:
            at = self._clock.monotonic()
            bucket = self._bucket(seller_id, operation, at)
            wait = bucket.wait_for_token(at)
            if deadline is not None and at + wait > deadline:
                raise RateLimitDeadline(
                    f"{operation}: the next token is {wait:.1f}s away, past the deadline",
                    retry_after=wait,
                )
            bucket.take()
        self._clock.sleep(wait)
        return wait

    def update_rate(self, seller_id: str, operation: str, rate: float) -> None:
        if not math.isfinite(rate) or rate <= 0:
            return
        with self._lock:
            at = self._clock.monotonic()
            bucket = self._bucket(seller_id, operation, at)
            bucket.refill(at)
            bucket.rate = rate

    def _bucket(self, seller_id: str, operation: str, at: float) -> TokenBucket:
        key = (seller_id, operation)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = TokenBucket.full(self._plans.get(operation, FALLBACK_PLAN), at)
            self._buckets[key] = bucket
        return bucket


class NoLimiter:
    """A limiter that never waits: for a sandbox run with ``--rate-limits off``."""

    def acquire(self, seller_id: str, operation: str, *, deadline: float | None = None) -> float:
        return 0.0

    def update_rate(self, seller_id: str, operation: str, rate: float) -> None:
        return None
