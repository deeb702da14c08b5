import random
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saleschannel.spapi import FakeClock, RateLimitDeadline, SpApiError, Throttled
from saleschannel.spapi.ratelimit import DEFAULT_PLANS, TokenBucketLimiter, UsagePlan
from saleschannel.spapi.retry import RetryPolicy, parse_retry_after, run_with_retries


def test_default_plans_are_amazons():
    assert DEFAULT_PLANS["searchOrders"] == UsagePlan(0.0056, 20)
    assert DEFAULT_PLANS["getOrder"] == UsagePlan(0.5, 30)
    assert DEFAULT_PLANS["confirmShipment"] == UsagePlan(2.0, 10)


def test_burst_is_free_then_each_call_waits_one_token():
    clock = FakeClock()
    limiter = TokenBucketLimiter(clock)
    waits = [limiter.acquire("S", "getOrder") for _ in range(30)]
    assert waits == [0.0] * 30
    assert limiter.acquire("S", "getOrder") == pytest.approx(2.0)
    assert limiter.acquire("S", "getOrder") == pytest.approx(2.0)
    assert clock.slept == pytest.approx(4.0)


def test_buckets_are_per_seller_and_operation():
    clock = FakeClock()
    limiter = TokenBucketLimiter(clock, plans={"op": UsagePlan(1.0, 1)})
    assert limiter.acquire("A", "op") == 0.0
    assert limiter.acquire("B", "op") == 0.0
    assert limiter.acquire("A", "other") == 0.0
    assert limiter.acquire("A", "op") == pytest.approx(1.0)


def test_a_wait_past_the_deadline_raises_and_spends_nothing():
    clock = FakeClock()
    limiter = TokenBucketLimiter(clock, plans={"searchOrders": UsagePlan(0.0056, 1)})
    limiter.acquire("S", "searchOrders")
    with pytest.raises(RateLimitDeadline) as info:
        limiter.acquire("S", "searchOrders", deadline=clock.monotonic() + 60)
    assert isinstance(info.value, Throttled) and isinstance(info.value, SpApiError)
    assert info.value.retry_after == pytest.approx(1 / 0.0056)
    assert clock.slept == 0
    # nothing was spent: the token is there as soon as it refills
    clock.advance(1 / 0.0056)
    assert limiter.acquire("S", "searchOrders", deadline=clock.monotonic()) == 0.0


def test_rate_from_the_header_replaces_the_default():
    clock = FakeClock()
    limiter = TokenBucketLimiter(clock, plans={"op": UsagePlan(0.5, 1)})
    limiter.acquire("S", "op")
    limiter.update_rate("S", "op", 10.0)
    assert limiter.acquire("S", "op") == pytest.approx(0.1)
    limiter.update_rate("S", "op", float("nan"))
    limiter.update_rate("S", "op", 0)
    assert limiter.acquire("S", "op") == pytest.approx(0.1)


def test_threads_share_a_bucket_without_losing_tokens():
    clock = FakeClock()
    limiter = TokenBucketLimiter(clock, plans={"op": UsagePlan(1.0, 5)})
    waits: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(10):
            w = limiter.acquire("S", "op")
            with lock:
                waits.append(w)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 40 calls, 5 free: the other 35 each needed one more second of refill
    assert clock.monotonic() >= 35 - 1e-6
    assert sum(1 for w in waits if w == 0.0) >= 5


def test_fake_clock_moves_only_when_told():
    clock = FakeClock()
    start = clock.now()
    clock.sleep(1.5)
    clock.advance(0.5)
    assert (clock.now() - start).total_seconds() == 2.0 and clock.slept == 1.5
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_backoff_is_capped_full_jitter_and_retry_after_is_a_floor():
    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=8.0)
    rng = random.Random(1)
    for attempt in range(10):
        for _ in range(50):
            assert 0 <= policy.delay(attempt, None, rng) <= min(8.0, 2**attempt)
    assert policy.delay(0, 20.0, rng) == 20.0
    assert policy.delay(0, 1000.0, rng) == policy.max_retry_after


def test_retry_after_reads_seconds_and_http_dates():
    from saleschannel.spapi.clock import DEFAULT_FAKE_START as now

    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after("Mon, 01 Jun 2026 12:00:10 GMT", now) == 10.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_retries_are_bounded_and_stop_before_the_deadline():
    clock = FakeClock()
    calls = []

    def failing(n):
        calls.append(n)
        raise Throttled("busy", retry_after=10.0)

    with pytest.raises(Throttled):
        run_with_retries(failing, policy=RetryPolicy(max_attempts=3), clock=clock, rng=random.Random(0))
    assert calls == [0, 1, 2] and clock.slept == pytest.approx(20.0)
    calls.clear()
    with pytest.raises(Throttled):
        run_with_retries(
            failing,
            policy=RetryPolicy(max_attempts=3),
            clock=clock,
            rng=random.Random(0),
            deadline=clock.monotonic() + 5,
        )
    assert calls == [0]


def test_errors_not_marked_retryable_are_raised_at_once():
    calls = []

    def refused(n):
        calls.append(n)
        raise SpApiError("no")

    with pytest.raises(SpApiError):
        run_with_retries(refused, policy=RetryPolicy(), clock=FakeClock(), rng=random.Random(0))
    assert calls == [0]


OPERATIONS = ("searchOrders", "getOrder", "confirmShipment")


@settings(deadline=None)  # examples: the profile's (40 under CI, 500 in make reliability)
@given(
    st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.floats(min_value=0, max_value=30)), min_size=1, max_size=120
    ),
    st.sampled_from([0.5, 1.0, 3.0]),
)
def test_a_limiter_on_amazons_plans_never_lets_a_call_meet_amazons_bucket_empty(calls, scale):
    """Whatever the mix of calls and pauses, a call the limiter lets through finds a
    token in a bucket that follows the same plan (the sandbox's)."""
    from saleschannel.spapi.sandbox.throttling import Throttle

    clock = FakeClock()
    plans = {name: plan.scaled(scale) for name, plan in DEFAULT_PLANS.items()}
    limiter = TokenBucketLimiter(clock, plans=plans)
    amazon = Throttle(clock, enabled=True, scale=scale)
    for operation, pause in calls:
        clock.advance(pause)
        limiter.acquire("S", operation)
        assert amazon.allow("S", operation), operation
