"""Under Amazon's usage plans, with a fake clock shared by the client's limiter and the
sandbox: a seller's patches go at the plan's pace and never meet a 429 (T8)."""

from __future__ import annotations

import pytest

from saleschannel.spapi import NoLimiter, RetryPolicy, Throttled, TokenBucketLimiter
from saleschannel.spapi.feeds import QuantityUpdate
from saleschannel.spapi.ratelimit import DEFAULT_PLANS, UsagePlan
from saleschannel.spapi.sandbox import SandboxApp
from tests.spapi.listings.conftest import US, put_listing


@pytest.fixture
def amazon(clock):
    app = SandboxApp(clock=clock, seed=2, rate_limits=True)  # Amazon's plans
    yield app
    app.close()


@pytest.mark.parametrize(
    "patches, seconds",
    [pytest.param(3_600, 720.0, id="quick"), pytest.param(18_000, 3600.0, id="long", marks=pytest.mark.slow)],
)
def test_t8_18000_patches_in_one_simulated_hour_for_one_seller_meet_no_429(amazon, make_client, clock, patches, seconds):
    """The issue's size is the ``long`` case (some 20 s of httpx round trips, run by
    ``SALESCHANNEL_RUN_SLOW=1``); the default runs a fifth of it at the same pace."""
    # Requests are held to the model elsewhere; here only the pace is, over 18,000 calls.
    client = make_client(amazon.transport(), checked=False, limiter=TokenBucketLimiter(clock))
    skus = [f"S-{i:03d}" for i in range(100)]
    for sku in skus:
        put_listing(amazon, sku, 0)
    start = clock.monotonic()
    for n in range(patches):
        sku = skus[n % len(skus)]
        update = QuantityUpdate(sku, "PRODUCT", n)
        result = client.patch_listings_item(sku, marketplace_ids=[US], product_type="PRODUCT", patches=update.patches())
        assert result.accepted
    elapsed = clock.monotonic() - start
    calls = amazon.calls()
    assert calls["throttled"] == 0 and client.stats.snapshot().throttled == 0
    assert calls["operations"]["patchListingsItem"] == patches
    assert elapsed <= seconds, elapsed  # 5 a second after a burst of 5: 18,000 in one hour
    assert elapsed >= (patches - 5) / 5.0 - 1e-6  # and never faster than the plan allows
    assert all(amazon.listings.get(US, sku).quantity() == patches - 100 + i for i, sku in enumerate(skus))


def test_without_the_limiter_the_same_pace_meets_429s(amazon, make_client, clock):
    """The test above can fail: the sandbox does throttle a client that ignores the plan."""
    client = make_client(amazon.transport(), limiter=NoLimiter(), retry=RetryPolicy(max_attempts=1))
    put_listing(amazon, "S-1", 0)
    with pytest.raises(Throttled):
        for n in range(20):
            client.patch_listings_item("S-1", marketplace_ids=[US], product_type="PRODUCT", patches=QuantityUpdate("S-1", "PRODUCT", n).patches())
    assert amazon.calls()["throttled"] == 1


def test_the_plans_are_those_the_models_document():
    assert DEFAULT_PLANS["patchListingsItem"] == UsagePlan(5.0, 5)
    assert DEFAULT_PLANS["getListingsItem"] == UsagePlan(5.0, 10)
    assert DEFAULT_PLANS["searchListingsItems"] == UsagePlan(5.0, 5)
    assert DEFAULT_PLANS["createFeedDocument"] == UsagePlan(0.5, 15)
    assert DEFAULT_PLANS["createFeed"] == UsagePlan(5 / 300, 5)
    assert DEFAULT_PLANS["getFeed"] == UsagePlan(2.0, 15)
    assert DEFAULT_PLANS["getFeedDocument"] == UsagePlan(0.0222, 10)
