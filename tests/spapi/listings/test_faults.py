"""Over HTTP with ``--fault-rate 0.1`` (500s, 503s, stalls past the client's timeout, bodies
cut off): patches and a feed end with every listing at its last value, no value of one
version applied twice, nothing lost.

The issue's full size (2,000 patches and a feed of 10,000 messages) is the ``long`` case,
run with ``SALESCHANNEL_RUN_SLOW=1``; the default case is a fifth of it, with the same faults.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest

from saleschannel.spapi import Credentials, NoLimiter, RetryPolicy, SpApiClient
from saleschannel.spapi.feeds import QuantityUpdate, write_quantity_feed
from saleschannel.spapi.sandbox import SandboxApp, run_in_thread
from tests.spapi.listings import amazon_listings
from tests.spapi.listings.conftest import SELLER, US


@pytest.mark.parametrize(
    "patches, feed_messages",
    [pytest.param(400, 2_000, id="quick"), pytest.param(2_000, 10_000, id="long", marks=pytest.mark.slow)],
)
def test_faults_lose_nothing_and_apply_no_version_twice(patches, feed_messages, tmp_path):
    app = SandboxApp(seed=17, rate_limits=False, fault_rate=0.1, stall_seconds=0.4, feed_delay=0.5)
    patched = [f"P-{i:03d}" for i in range(100)]
    fed = [f"F-{i:05d}" for i in range(feed_messages - len(patched))] + patched
    for sku in set(patched) | set(fed):
        app.put_listing(sku=sku, marketplace_id=US, product_type="PRODUCT", channels={"DEFAULT": 0}, status=["BUYABLE"])
    base_url, stop = run_in_thread(app)
    client = SpApiClient(
        seller_id=SELLER,
        credentials=Credentials("client", "secret", "refresh"),
        endpoint=base_url,
        token_url=f"{base_url}/auth/o2/token",
        limiter=NoLimiter(),
        timeout=httpx.Timeout(0.25),
        retry=RetryPolicy(max_attempts=12, base_delay=0.01, max_delay=0.05),
    )
    sent: dict[str, list[int]] = {sku: [] for sku in set(patched) | set(fed)}
    try:
        for n in range(patches):  # each patch of a SKU is a newer version with a higher value
            sku = patched[n % len(patched)]
            value = n + 1
            result = client.patch_listings_item(
                sku, marketplace_ids=[US], product_type="PRODUCT", patches=QuantityUpdate(sku, "PRODUCT", value).patches()
            )
            assert result.accepted
            sent[sku].append(value)
        last = patches + 1_000_000
        with open(tmp_path / "feed.json", "w+b") as document:
            built = write_quantity_feed(
                document, seller_id=SELLER, updates=(QuantityUpdate(sku, "PRODUCT", last + i) for i, sku in enumerate(fed))
            )
            feed_id = client.send_feed(document, marketplace_id=US)
        for i, sku in enumerate(fed):
            sent[sku].append(last + i)
        feed = client.get_feed(feed_id)
        deadline = time.monotonic() + 60
        while not feed.finished and time.monotonic() < deadline:
            time.sleep(0.2)
            feed = client.get_feed(feed_id)
        assert feed.processing_status == "DONE"
        report = client.processing_report(feed)
        document = client.get_feed_document(feed.result_feed_document_id)
        amazon_listings.validate_schema(amazon_listings.REPORT_SCHEMA, json.loads(client.download_feed_document(document)))
        assert all(report.accepted(i) for i in range(1, built.message_count + 1))
    finally:
        client.close()
        stop()
    assert app.calls()["faults"] > 0
    assert len(app.feeds.feeds) == 1  # a createFeed retried after a fault made no second feed
    for sku, values in sent.items():
        listing = app.listings.get(US, sku)
        assert listing.quantity() == values[-1], sku  # at its last value: nothing lost
        # Every value changed the listing once, in the order sent: a retried patch sets
        # what is already there.
        assert listing.history == [0, *values], sku
