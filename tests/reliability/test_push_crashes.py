"""Stock to Amazon through crashes on PostgreSQL: workers killed with SIGKILL in the middle of a burst
of patches and while a feed is in flight (T9, T11). After recovery every MFN offer on Amazon shows
its desired quantity: no push lost, no older quantity over a newer one.

(The manner of tests/reliability/test_crashes.py: real worker processes, the sandbox over HTTP.)
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from saleschannel.channel.stock.models import Offer, StockFeed, StockPush, StockSettings
from saleschannel.channel.stock.services import stock_settings_update
from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.inventory.services import source_item_set
from tests.reliability.conftest import connect
from tests.reliability.test_crashes import http_sandbox, kill, start_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
US = "ATVPDKIKX0DER"
SKUS = [f"BURST-{i:04d}" for i in range(300)]


def pushing_account(url: str):
    for sku in SKUS:
        product_create(sku=sku, name=f"Product {sku}", price=Decimal("5.00"), qty=1000)
    account = connect(now=timezone.now() - dt.timedelta(days=1), endpoint=url)
    stock_settings_update(account=account, changes={"push_stock": "enabled"})
    return account


def amazon_matches(app, wanted: dict[str, int]) -> bool:
    return all(app.listings.get(US, sku).quantity() == quantity for sku, quantity in wanted.items())


def finish_with_a_last_worker(tmp_path, app, wanted) -> None:
    worker = start_worker(tmp_path)
    try:
        assert wait_for(lambda: amazon_matches(app, wanted), timeout=180), "the last worker brought Amazon in sync"
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err[-2000:]
    assert "Traceback" not in err, err[-2000:]


def test_t11_workers_killed_with_sigkill_mid_burst_lose_no_push_and_never_send_an_older_one_last(store_defaults,
                                                                                              tmp_path):
    app, url, stop = http_sandbox(skus=SKUS, listings=len(SKUS), listing_quantity=50)
    try:
        account = pushing_account(url)
        wanted = dict.fromkeys(SKUS, 1000)
        rng = random.Random(11)
        for round_ in range(2):
            worker = start_worker(tmp_path)
            pushed = StockPush.objects.count()
            wait_for(lambda: StockPush.objects.count() > pushed + 5, timeout=60)  # killed mid-burst
            time.sleep(rng.uniform(0.0, 0.3))
            kill(worker)
            for sku in rng.sample(SKUS, 40):  # newer versions while nobody pushes
                wanted[sku] = 10 + round_
                source_item_set(source=None, sku=sku, quantity=wanted[sku])
        finish_with_a_last_worker(tmp_path, app, wanted)
        offers = Offer.objects.filter(account=account, mfn=True)
        assert offers.count() == len(SKUS)
        assert {o.sku: o.last_accepted_quantity for o in offers} == wanted
        assert not StockPush.objects.filter(outcome__in=["pending", "retry"]).exclude(
            offer__state="in_sync").exists()
    finally:
        stop()


def test_t9_a_worker_killed_with_sigkill_while_its_feed_is_in_flight_loses_nothing(store_defaults, tmp_path):
    app, url, stop = http_sandbox(skus=SKUS, listings=len(SKUS), listing_quantity=50, feed_delay=6.0)
    try:
        account = pushing_account(url)
        finish_with_a_last_worker(tmp_path, app, dict.fromkeys(SKUS, 1000))  # the first read, by patch
        wanted = dict.fromkeys(SKUS, 1000)
        for sku in SKUS[:50]:  # typed into Seller Central: the daily reconciliation finds them
            app.type_quantity(US, sku, "DEFAULT", 3)
        StockSettings.objects.filter(account=account).update(offers_read_at=timezone.now() - dt.timedelta(days=2))
        worker = start_worker(tmp_path)
        assert wait_for(lambda: StockFeed.objects.filter(finished_at__isnull=True).exclude(feed_id="").exists(),
                        timeout=60), "the reconciliation sent a feed"
        kill(worker)
        for sku in SKUS[:5]:  # newer versions of offers inside the feed, while it is in flight
            wanted[sku] = 7
            source_item_set(source=None, sku=sku, quantity=7)
        finish_with_a_last_worker(tmp_path, app, wanted)
        feed = StockFeed.objects.get()
        assert feed.status == "DONE" and feed.accepted == 50
        assert {o.sku: o.last_accepted_quantity for o in Offer.objects.filter(account=account, sku__in=SKUS[:50])} == {
            sku: wanted[sku] for sku in SKUS[:50]}
    finally:
        stop()
