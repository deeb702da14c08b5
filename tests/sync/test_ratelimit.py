"""S5: the rate-limit buckets shared through the database."""

from __future__ import annotations

import pytest

from saleschannel.channel.models import RateBucket
from saleschannel.channel.services.sync.ratelimit import TOKEN_MARGIN, DatabaseRateLimiter
from saleschannel.spapi.errors import RateLimitDeadline

MARGIN = TOKEN_MARGIN.total_seconds()

pytestmark = pytest.mark.django_db


def test_s5_burst_is_free_then_each_call_waits_for_its_token(clock):
    limiter = DatabaseRateLimiter(clock=clock)
    waits = [limiter.acquire("SELLER", "searchOrders") for _ in range(20)]
    assert waits == [0.0] * 20
    wait = limiter.acquire("SELLER", "searchOrders")
    assert wait == pytest.approx(1 / 0.0056 + MARGIN, rel=1e-6)
    assert clock.slept == pytest.approx(1 / 0.0056 + MARGIN, rel=1e-6)


def test_s5_two_limiters_share_one_bucket(clock):
    first = DatabaseRateLimiter(clock=clock)
    second = DatabaseRateLimiter(clock=clock)  # another process: only the database is shared
    for _ in range(15):
        first.acquire("SELLER", "getOrder")
    for _ in range(15):
        assert second.acquire("SELLER", "getOrder") == 0.0
    assert second.acquire("SELLER", "getOrder") == pytest.approx(2.0 + MARGIN)
    # The 31st token was taken before it existed; after the wait the bucket is empty (but for
    # the margin's worth), not negative.
    assert RateBucket.objects.get(seller_id="SELLER", operation="getOrder").tokens == pytest.approx(-1.0)
    assert first.available("SELLER", "getOrder")[0] == pytest.approx(MARGIN * 0.5)


def test_s5_buckets_are_per_seller_and_operation(clock):
    limiter = DatabaseRateLimiter(clock=clock)
    for _ in range(20):
        limiter.acquire("A", "searchOrders")
    assert limiter.acquire("B", "searchOrders") == 0.0
    assert limiter.acquire("A", "getOrder") == 0.0
    assert limiter.acquire("A", "searchOrders") > 0


def test_s5_waiters_queue_behind_each_other(clock):
    limiter = DatabaseRateLimiter(clock=clock)
    for _ in range(30):
        limiter.acquire("S", "getOrder")
    # Reserve two tokens without sleeping in between: the second waits one more interval.
    first = limiter._reserve("S", "getOrder", None)
    second = limiter._reserve("S", "getOrder", None)
    assert first == pytest.approx(2.0 + MARGIN)
    assert second == pytest.approx(4.0 + MARGIN)


def test_s5_deadline_refuses_and_takes_nothing(clock):
    limiter = DatabaseRateLimiter(clock=clock)
    for _ in range(20):
        limiter.acquire("S", "searchOrders")
    before = RateBucket.objects.get(seller_id="S", operation="searchOrders").tokens
    with pytest.raises(RateLimitDeadline) as info:
        limiter.acquire("S", "searchOrders", deadline=clock.monotonic() + 30)
    assert "searchOrders" in str(info.value)
    assert RateBucket.objects.get(seller_id="S", operation="searchOrders").tokens == before
    clock.advance(200)
    assert limiter.acquire("S", "searchOrders", deadline=clock.monotonic() + 5) == 0.0


def test_s5_advertised_rate_replaces_the_default(clock):
    limiter = DatabaseRateLimiter(clock=clock)
    for _ in range(20):
        limiter.acquire("S", "searchOrders")
    limiter.update_rate("S", "searchOrders", 1000.0)
    bucket = RateBucket.objects.get(seller_id="S", operation="searchOrders")
    assert bucket.rate == 1000.0 and bucket.rate_from_amazon
    assert limiter.acquire("S", "searchOrders") == pytest.approx(0.001 + MARGIN)
    limiter.update_rate("S", "searchOrders", 0)  # nonsense is ignored
    assert RateBucket.objects.get(pk=bucket.pk).rate == 1000.0


def test_patience_bounds_the_wait_of_this_thread(clock):
    from saleschannel.channel.services.sync.ratelimit import ratelimit_patience

    limiter = DatabaseRateLimiter(clock=clock)
    for _ in range(20):
        limiter.acquire("S", "searchOrders")
    with ratelimit_patience(30), pytest.raises(RateLimitDeadline):
        limiter.acquire("S", "searchOrders")
    with ratelimit_patience(200):
        assert limiter.acquire("S", "searchOrders") == pytest.approx(1 / 0.0056 + MARGIN)


def test_s5_a_token_timed_to_the_microsecond_is_not_spent_into_a_429(clock, account, client_for):
    """Amazon keeps its bucket on its own clock: our arithmetic, rounded to the database's
    microsecond, must not call at the very instant it says a token appears (B2's one 429)."""
    from tests.sync.conftest import sandbox_app

    app = sandbox_app(clock, rate_limits=True)
    (order_id,) = app.generate(1)
    client = client_for(account, app)
    clock.advance(0.4e-6)  # Amazon's instants fall between two of the database's microseconds
    for _ in range(30):  # getOrder's burst
        client.get_order(order_id)
    clock.advance(2.0 - 0.3e-6)  # the database's clock says one token has come back; Amazon's, not quite
    client.get_order(order_id)
    assert app.calls()["throttled"] == 0
    app.close()
