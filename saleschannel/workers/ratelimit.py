"""Rate-limit buckets shared through the database (S5).

``DatabaseRateLimiter`` implements the SP-API client's ``RateLimiter`` protocol: every
process that calls Amazon for a seller takes its tokens from the same row, locked for
the few milliseconds of the arithmetic, so the seller's quota is never spent twice.
A caller reserves its token at once (the bucket may go below zero) and then sleeps
until the token exists: callers queue fairly and no lock is held while waiting.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from django.db import transaction

from saleschannel.workers.models import RateBucket


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def sleep(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class Plan:
    """A usage plan: tokens per second and the burst."""

    rate: float
    burst: float


# Amazon's default usage plans (orders_2026-01-01.json; v0 confirmShipment).
DEFAULT_PLANS: Mapping[str, Plan] = {
    "searchOrders": Plan(rate=0.0056, burst=20),
    "getOrder": Plan(rate=0.5, burst=30),
    "confirmShipment": Plan(rate=2.0, burst=10),
}
FALLBACK_PLAN = Plan(rate=0.5, burst=1)


class RateLimitDeadline(Exception):
    """No token can be had before the caller's deadline; nothing was taken."""

    def __init__(self, seller_id: str, operation: str, wait: float):
        super().__init__(f"{operation} for seller {seller_id}: next token in {wait:.1f} s, past the deadline")
        self.seller_id = seller_id
        self.operation = operation
        self.wait = wait


def _refilled(bucket: RateBucket, now: dt.datetime) -> float:
    elapsed = max(0.0, (now - bucket.refilled_at).total_seconds())
    return min(bucket.burst, bucket.tokens + elapsed * bucket.rate)


def _locked_bucket(seller_id: str, operation: str, now: dt.datetime, plans: Mapping[str, Plan]) -> RateBucket:
    """The bucket row, locked until the transaction ends; created full on first use."""
    bucket = RateBucket.objects.select_for_update().filter(seller_id=seller_id, operation=operation).first()
    if bucket is None:
        plan = plans.get(operation, FALLBACK_PLAN)
        RateBucket.objects.bulk_create(
            [
                RateBucket(
                    seller_id=seller_id,
                    operation=operation,
                    rate=plan.rate,
                    burst=plan.burst,
                    tokens=plan.burst,
                    refilled_at=now,
                )
            ],
            ignore_conflicts=True,
        )
        bucket = RateBucket.objects.select_for_update().get(seller_id=seller_id, operation=operation)
    return bucket


@dataclass
class LimiterStats:
    """What one sync cycle spent: calls by operation and seconds waited."""

    calls: Counter[str] = field(default_factory=Counter)
    waited_seconds: float = 0.0


class DatabaseRateLimiter:
    """The SP-API ``RateLimiter`` over ``RateBucket`` rows, shared by every process."""

    def __init__(self, *, clock: Clock, plans: Mapping[str, Plan] | None = None):
        self.clock = clock
        self.plans = dict(DEFAULT_PLANS if plans is None else plans)
        self._local = threading.local()

    # -- accounting for the sync log ------------------------------------------------
    def start_counting(self) -> LimiterStats:
        """Count this thread's calls from now on (one sync cycle)."""
        stats = LimiterStats()
        self._local.stats = stats
        return stats

    def stop_counting(self) -> None:
        self._local.stats = None

    def _stats(self) -> LimiterStats | None:
        return getattr(self._local, "stats", None)

    # -- the protocol ---------------------------------------------------------------
    def acquire(self, seller_id: str, operation: str, *, deadline: dt.datetime | float | None = None) -> float:
        """Take one token for (seller, operation), sleeping until it exists; the seconds waited.

        Raises ``RateLimitDeadline`` and takes nothing when the token would come after
        ``deadline`` (an instant, or seconds from now).
        """
        wait = self._reserve(seller_id, operation, deadline)
        if wait > 0:
            self.clock.sleep(wait)
        stats = self._stats()
        if stats is not None:
            stats.calls[operation] += 1
            stats.waited_seconds += wait
        return wait

    def _reserve(self, seller_id: str, operation: str, deadline: dt.datetime | float | None) -> float:
        with transaction.atomic():
            now = self.clock.now()
            bucket = _locked_bucket(seller_id, operation, now, self.plans)
            tokens = _refilled(bucket, now)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / bucket.rate
            if deadline is not None:
                limit = deadline if isinstance(deadline, float | int) else (deadline - now).total_seconds()
                if wait > limit:
                    raise RateLimitDeadline(seller_id, operation, wait)
            bucket.tokens = tokens - 1
            bucket.refilled_at = now
            bucket.save(update_fields=["tokens", "refilled_at"])
        return wait

    def update_rate(self, seller_id: str, operation: str, rate: float) -> None:
        """Amazon advertised ``rate`` (x-amzn-RateLimit-Limit): it replaces the default."""
        if not rate or rate <= 0:
            return
        with transaction.atomic():
            now = self.clock.now()
            bucket = _locked_bucket(seller_id, operation, now, self.plans)
            if bucket.rate_from_amazon and abs(bucket.rate - rate) < 1e-9:
                return
            bucket.tokens = _refilled(bucket, now)
            bucket.refilled_at = now
            bucket.rate = float(rate)
            bucket.rate_from_amazon = True
            bucket.save(update_fields=["tokens", "refilled_at", "rate", "rate_from_amazon"])

    def throttled(self, seller_id: str, operation: str) -> None:
        """Amazon answered 429: its bucket is empty whatever ours says, so empty ours."""
        with transaction.atomic():
            now = self.clock.now()
            bucket = _locked_bucket(seller_id, operation, now, self.plans)
            bucket.tokens = min(0.0, _refilled(bucket, now))
            bucket.refilled_at = now
            bucket.save(update_fields=["tokens", "refilled_at"])

    # -- for the scheduler ----------------------------------------------------------
    def available(self, seller_id: str, operation: str) -> tuple[float, Plan]:
        """Tokens the bucket holds now (may be below zero) and its plan; takes nothing."""
        now = self.clock.now()
        bucket = RateBucket.objects.filter(seller_id=seller_id, operation=operation).first()
        if bucket is None:
            plan = self.plans.get(operation, FALLBACK_PLAN)
            return plan.burst, plan
        return _refilled(bucket, now), Plan(rate=bucket.rate, burst=bucket.burst)
