"""Two workers on one database (SQLite here too): each account's cycles take turns, nothing is corrupted."""

from __future__ import annotations

import threading

import pytest

from saleschannel.channel.models import SyncRun
from saleschannel.workers.models import Lease
from tests.concurrency.test_workers import all_synced, start_workers, wait_until
from tests.sync.conftest import connect, sandbox_app, stock_catalog
from tests.sync.helpers import assert_exactly_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_take_turns_and_import_each_order_once():
    import datetime as dt

    from saleschannel.commerce.stores.services import stores_init
    from saleschannel.spapi.clock import FakeClock

    t0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    stores_init()
    stock_catalog(qty=10_000)
    apps, accounts = {}, []
    for i in range(3):
        endpoint = f"https://sandbox-{i}.test"
        apps[endpoint] = sandbox_app(FakeClock(t0), seed=40 + i)
        apps[endpoint].generate(6)
        accounts.append(connect(name=f"two-{i}", seller_id=f"ATWO{i:03d}", now=t0 - dt.timedelta(hours=1),
                                endpoint=endpoint))
    stop = threading.Event()
    _, threads = start_workers(2, apps, stop)
    try:
        wait_until(lambda: all_synced(accounts, apps), timeout=180)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    for account in accounts:
        assert_exactly_once(account)
    assert not SyncRun.objects.filter(outcome="failed").exists()
    assert not Lease.objects.exclude(holder="").exists()  # every lease given back on stop
    for app in apps.values():
        app.close()
