"""Rate-limit buckets shared through the database (S5).

``DatabaseRateLimiter`` implements the SP-API client's ``RateLimiter`` protocol: every
process that calls Amazon for a seller takes its tokens from the same row, locked for
the few milliseconds of the arithmetic, so the seller's quota is never spent twice.
A caller reserves its token at once (the bucket may go below zero) and then sleeps
until the token exists: callers queue fairly and no lock is held while waiting.

A token counts as there only ``TOKEN_MARGIN`` after the arithmetic says so: Amazon
keeps its own bucket on its own clock, so a call timed to the exact instant its token
appears is refused whenever Amazon sees that instant a hair later. Here the times are
rounded to the database's microsecond; a simulated Amazon on the exact clock answered
such a call with a 429 (B2), one token being 0.000000002 short.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import threading
from collections.abc import Iterator, Mapping

from django.db import transaction

from saleschannel.channel.models import RateBucket
from saleschannel.spapi.clock import Clock
from saleschannel.spapi.errors import RateLimitDeadline
from saleschannel.spapi.ratelimit import DEFAULT_PLANS, FALLBACK_PLAN, UsagePlan

_patience = threading.local()
#: How long after our arithmetic a token is taken to exist on Amazon's side: far above the
#: microsecond of rounding, and small next to the 2 s between ``getOrder`` tokens.
TOKEN_MARGIN = dt.timedelta(milliseconds=20)


@contextlib.contextmanager
def ratelimit_patience(seconds: float | None) -> Iterator[None]:
    """Within the block, this thread waits at most ``seconds`` for a token.

    A longer wait raises ``RateLimitDeadline`` and takes nothing: a sync cycle pauses,
    keeps its place, and resumes when the scheduler sees a token (rather than holding
    a worker for the three minutes a ``searchOrders`` token can take).
    """
    previous = getattr(_patience, "seconds", None)
    _patience.seconds = seconds
    try:
        yield
    finally:
        _patience.seconds = previous


def _refilled(bucket: RateBucket, now: dt.datetime) -> float:
    elapsed = max(0.0, (now - bucket.refilled_at).total_seconds())
    return min(bucket.burst, bucket.tokens + elapsed * bucket.rate)


def _locked_bucket(
    seller_id: str, operation: str, now: dt.datetime, plans: Mapping[str, UsagePlan]
) -> RateBucket:
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


def _wait_for_token(bucket: RateBucket, now: dt.datetime) -> float:
    """Seconds until the bucket held a whole token ``TOKEN_MARGIN`` earlier (0: there now).

    A full bucket counts as full whatever the margin: the burst is not cut short.
    """
    if _refilled(bucket, now - TOKEN_MARGIN) >= 1:
        return 0.0
    return (1 - _refilled(bucket, now)) / bucket.rate + TOKEN_MARGIN.total_seconds()


class DatabaseRateLimiter:
    """The SP-API ``RateLimiter`` over ``RateBucket`` rows, shared by every process.

    Bucket arithmetic runs on ``clock.now()`` (wall time, the same in every process);
    deadlines are ``clock.monotonic()`` values, as the protocol says.
    """

    def __init__(self, *, clock: Clock, plans: Mapping[str, UsagePlan] | None = None):
        self.clock = clock
        self.plans = dict(DEFAULT_PLANS if plans is None else plans)

    def acquire(self, seller_id: str, operation: str, *, deadline: float | None = None) -> float:
        """Take one token for (seller, operation), sleeping until it exists; the seconds waited.

        Raises ``RateLimitDeadline`` and takes nothing when the token would come after
        ``deadline`` (a ``clock.monotonic()`` value).
        """
        wait = self._reserve(seller_id, operation, deadline)
        if wait > 0:
            self.clock.sleep(wait)
        return wait

    def _reserve(self, seller_id: str, operation: str, deadline: float | None) -> float:
        with transaction.atomic():
            now = self.clock.now()
            bucket = _locked_bucket(seller_id, operation, now, self.plans)
            tokens = _refilled(bucket, now)
            wait = _wait_for_token(bucket, now)
            patience = getattr(_patience, "seconds", None)
            late = deadline is not None and self.clock.monotonic() + wait > deadline
            if late or (patience is not None and wait > patience):
                raise RateLimitDeadline(
                    f"{operation}: the next token is {wait:.1f}s away, past the deadline", retry_after=wait
                )
            bucket.tokens = tokens - 1
            bucket.refilled_at = now
            bucket.save(update_fields=["tokens", "refilled_at"])
        return wait

    def update_rate(self, seller_id: str, operation: str, rate: float) -> None:
        """Amazon advertised ``rate`` (x-amzn-RateLimit-Limit): it replaces the default."""
        if not math.isfinite(rate) or rate <= 0:
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

    def available(self, seller_id: str, operation: str) -> tuple[float, UsagePlan]:
        """Tokens the bucket holds now (below zero when promised ahead) and its plan; takes nothing."""
        bucket = RateBucket.objects.filter(seller_id=seller_id, operation=operation).first()
        if bucket is None:
            return float(self.plans.get(operation, FALLBACK_PLAN).burst), self.plans.get(operation, FALLBACK_PLAN)
        return _refilled(bucket, self.clock.now()), UsagePlan(rate=bucket.rate, burst=int(bucket.burst))
