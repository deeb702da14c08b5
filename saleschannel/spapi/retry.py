"""Sending a request again when it may succeed: capped exponential back-off with full
jitter, honouring ``Retry-After``, a bounded number of attempts, and never sleeping
past the caller's deadline."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from saleschannel.spapi.clock import Clock
from saleschannel.spapi.errors import SpApiError

T = TypeVar("T")

#: Statuses worth sending again: throttling and the server's passing troubles.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry. ``max_attempts`` counts the first try."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("delays cannot be negative")

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds before try ``attempt + 1`` (``attempt`` counts from 0).

        Full jitter (a uniform draw below the capped exponential) spreads the retries
        of many workers apart; a ``Retry-After`` from Amazon is a floor.
        """
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        jittered = rng.uniform(0, ceiling)
        if retry_after is not None:
            return max(jittered, min(retry_after, self.max_retry_after))
        return jittered


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - now).total_seconds()
    return max(0.0, seconds) if seconds == seconds else None  # NaN is no answer


def run_with_retries(
    attempt: Callable[[int], T],
    *,
    policy: RetryPolicy,
    clock: Clock,
    rng: random.Random,
    deadline: float | None = None,
    on_retry: Callable[[SpApiError, float], None] | None = None,
) -> T:
    """Call ``attempt(n)`` until it returns, retrying the errors marked retryable.

    The last error is raised when the attempts run out, or when the wait before the
    next one would end past ``deadline`` (a ``clock.monotonic()`` value).
    """
    for n in range(policy.max_attempts):
        try:
            return attempt(n)
        except SpApiError as exc:
            if not exc.retryable or n + 1 >= policy.max_attempts:
                raise
            wait = policy.delay(n, exc.retry_after, rng)
            if deadline is not None and clock.monotonic() + wait > deadline:
                raise
            if on_retry is not None:
                on_retry(exc, wait)
            clock.sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")
