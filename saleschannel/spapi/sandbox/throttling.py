"""Amazon's throttling as the sandbox plays it: a token bucket per (seller,
operation) from the default usage plans, scaled by ``--rate-scale``, or none at all
with ``--rate-limits off`` (which advertises 1000 requests per second)."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from saleschannel.spapi.clock import Clock
from saleschannel.spapi.ratelimit import DEFAULT_PLANS, FALLBACK_PLAN, TokenBucket, UsagePlan

OFF_RATE = 1000.0


class Throttle:
    """Decides, for each call, whether the seller still has a token for it."""

    def __init__(
        self,
        clock: Clock,
        *,
        enabled: bool = True,
        scale: float = 1.0,
        plans: Mapping[str, UsagePlan] = DEFAULT_PLANS,
    ) -> None:
        if scale <= 0:
            raise ValueError("rate scale must be positive")
        self._clock = clock
        self.enabled = enabled
        self._plans = {name: plan.scaled(scale) for name, plan in plans.items()}
        self._fallback = FALLBACK_PLAN.scaled(scale)
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def plan(self, operation: str) -> UsagePlan:
        return self._plans.get(operation, self._fallback)

    def advertised_rate(self, operation: str) -> str:
        """The ``x-amzn-RateLimit-Limit`` header's value for this operation."""
        rate = self.plan(operation).rate if self.enabled else OFF_RATE
        return f"{rate:g}"

    def allow(self, seller: str, operation: str) -> bool:
        """Spend a token if there is one; False means answer 429."""
        if not self.enabled:
            return True
        with self._lock:
            at = self._clock.monotonic()
            key = (seller, operation)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket.full(self.plan(operation), at)
            return bucket.try_take(at)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
