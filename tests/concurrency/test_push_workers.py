"""Stock to Amazon scaled out on PostgreSQL (T5, T8, T10): four workers share 20 accounts through
their leases; every version of every offer reaches Amazon, each by one patch.

Each account has its own sandbox (rate limits off, its clock standing still) selling as the
account's seller; the workers run on the real clock, in threads, each with its own database
connection, exactly as separate processes would share rows.
"""

from __future__ import annotations

import pytest
from django.db.models import Count

from saleschannel.channel.stock.models import StockPush
from saleschannel.channel.stock.services import stock_settings_update
from saleschannel.commerce.inventory.services import source_item_set
from saleschannel.spapi.clock import FakeClock
from saleschannel.spapi.sandbox import DEFAULT_SKUS
from saleschannel.workers.models import Lease
from tests.concurrency.test_workers import T0, start_workers, wait_until
from tests.sync.conftest import US, connect, sandbox_app, stock_catalog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ACCOUNTS = 20
WORKERS = 4


def amazon_shows(apps, quantities) -> bool:
    return all(app.listings.get(US, sku).quantity() == quantity
               for app in apps.values() for sku, quantity in quantities.items())


def test_t10_four_workers_push_each_version_of_twenty_accounts_once():
    import datetime as dt
    import threading

    from saleschannel.commerce.stores.services import stores_init

    stores_init()
    stock_catalog(qty=1000)
    apps = {}
    for i in range(ACCOUNTS):
        endpoint, seller = f"https://sandbox-{i}.test", f"APUSH{i:03d}"
        apps[endpoint] = sandbox_app(FakeClock(T0), seed=200 + i, seller_id=seller, listings=len(DEFAULT_SKUS))
        account = connect(name=f"push-{i}", seller_id=seller, now=T0 - dt.timedelta(hours=1), endpoint=endpoint)
        stock_settings_update(account=account, changes={"push_stock": "enabled"})
    stop = threading.Event()
    _, threads = start_workers(WORKERS, apps, stop)
    try:
        wanted = dict.fromkeys(DEFAULT_SKUS, 1000)
        wait_until(lambda: amazon_shows(apps, wanted), timeout=240)
        for round_ in range(3):  # new versions while the workers run
            for sku in DEFAULT_SKUS[:3]:
                wanted[sku] = 100 + 10 * round_
                source_item_set(source=None, sku=sku, quantity=wanted[sku])
            wait_until(lambda: amazon_shows(apps, wanted), timeout=240)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    pushes = StockPush.objects.all()
    assert pushes.count() == ACCOUNTS * (len(DEFAULT_SKUS) + 3 * 3)  # the first push, then 3 rounds of 3
    assert not pushes.exclude(outcome="accepted").exists()
    assert not pushes.filter(attempts__gt=1).exists()  # never twice for one version
    twice = (pushes.values("offer_id", "quantity").annotate(n=Count("id")).filter(n__gt=1))
    assert not twice.exists()
    patches = sum(app.calls()["operations"].get("patchListingsItem", 0) for app in apps.values())
    assert patches == pushes.count()  # one patch per recorded push, none lost, none sent twice
    assert not Lease.objects.exclude(holder="").exists()
    for app in apps.values():
        app.close()
