"""The retry policy at its edges, where mutation testing found the other tests silent (docs/mutation.md).

The back-off's exact draw (the jitter's bounds at each attempt), a wait that ends exactly at the
deadline, the policy's refusals of bad settings, ``Retry-After`` as an HTTP date without a zone,
below one second and as NaN, and the error handed to ``on_retry``.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from saleschannel.spapi import FakeClock, Throttled
from saleschannel.spapi.retry import RetryPolicy, parse_retry_after, run_with_retries

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


class RecordingRandom(random.Random):
    """A seeded generator that remembers the bounds of each uniform draw."""

    def __init__(self) -> None:
        super().__init__(0)
        self.bounds: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.bounds.append((a, b))
        return super().uniform(a, b)


def test_the_jitter_is_drawn_from_zero_to_the_capped_doubling_ceiling():
    policy = RetryPolicy(max_attempts=9, base_delay=1.0, max_delay=8.0)
    rng = RecordingRandom()
    for attempt in range(6):
        policy.delay(attempt, None, rng)
    assert rng.bounds == [(0, 1.0), (0, 2.0), (0, 4.0), (0, 8.0), (0, 8.0), (0, 8.0)]


@pytest.mark.parametrize("fields", [{"max_attempts": 1}, {"base_delay": 0.0}, {"max_delay": 0.0}])
def test_the_smallest_settings_are_allowed(fields):
    assert RetryPolicy(**fields)


@pytest.mark.parametrize(("fields", "words"), [
    ({"max_attempts": 0}, "max_attempts must be at least 1"),
    ({"base_delay": -0.5}, "delays cannot be negative"),
    ({"max_delay": -0.5}, "delays cannot be negative"),
])
def test_bad_settings_are_refused_with_their_reason(fields, words):
    with pytest.raises(ValueError, match=f"^{words}$"):
        RetryPolicy(**fields)


def test_retry_after_as_a_date_without_a_zone_is_read_as_utc():
    assert parse_retry_after("Sun, 01 Nov 2026 12:00:30 -0000", NOW) == pytest.approx(30.0)
    assert parse_retry_after("Sun, 01 Nov 2026 12:00:30 GMT", NOW) == pytest.approx(30.0)


def test_retry_after_below_a_second_is_kept_and_nan_is_no_answer():
    assert parse_retry_after("0.5", NOW) == 0.5
    assert parse_retry_after("0", NOW) == 0.0
    assert parse_retry_after("-3", NOW) == 0.0
    assert parse_retry_after("nan", NOW) is None


def test_a_wait_that_ends_exactly_at_the_deadline_is_taken():
    clock = FakeClock()
    busy = Throttled("busy", retry_after=2.0)
    seen: list[tuple[Exception, float]] = []

    def once_busy(n: int) -> str:
        if n == 0:
            raise busy
        return "answer"

    result = run_with_retries(once_busy, policy=RetryPolicy(max_attempts=2, base_delay=0.0), clock=clock,
                              rng=random.Random(0), deadline=clock.monotonic() + 2.0,
                              on_retry=lambda exc, wait: seen.append((exc, wait)))
    assert result == "answer"
    assert seen == [(busy, 2.0)] and seen[0][0] is busy  # on_retry hears of the very error retried
    assert clock.slept == 2.0
