"""Load on PostgreSQL: many accounts' backlogs imported by several worker processes while the
dashboard is being read. Every order once, the ledger whole, every page answered.

The short form (4 accounts × 40 orders, 2 workers) runs in ``make test``; the long form
(20 accounts × 5,000 orders, 4 workers) in ``make reliability``.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import statistics
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from saleschannel.channel.models import AmazonOrder
from saleschannel.commerce.inventory.selectors import reserved_totals_verify
from tests.reliability.conftest import connect
from tests.reliability.test_crashes import start_worker, wait_for
from tests.sync.conftest import stock_catalog
from tests.sync.helpers import assert_exactly_once, expected_reservations, reservations_balance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/amazon-orders/", "/orders/", "/logs/sync/", "/logs/errors/", "/products/"]


class DashboardReader(threading.Thread):
    """A staff member reading the dashboard over and over: every answer and its time."""

    def __init__(self, user, account_ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.user, self.stop = user, threading.Event()
        self.pages = PAGES + [f"/accounts/{pk}/" for pk in account_ids]
        self.answers: list[tuple[str, int, float]] = []

    def run(self) -> None:
        client = Client()
        client.force_login(self.user)
        try:
            while not self.stop.is_set():
                for page in self.pages:
                    started = time.perf_counter()
                    status = client.get(page).status_code
                    self.answers.append((page, status, time.perf_counter() - started))
        finally:
            connection.close()


def sandboxes(accounts: int, per_account: int):
    from saleschannel.spapi.sandbox import MARKETPLACES, SandboxApp, run_in_thread

    served = []
    for n in range(1, accounts + 1):
        app = SandboxApp(marketplaces=[MARKETPLACES[0]], rate_limits=False, seed=100 + n, seller_id=f"A{n}LOADSELLER")
        app.generate(per_account)
        url, stop = run_in_thread(app)
        served.append((app, url, stop))
    return served


def _long_form() -> tuple[int, int, int, int]:
    """20 accounts × 5,000 orders, 4 workers; SALESCHANNEL_LOAD="ACCOUNTS,ORDERS,WORKERS" sizes it otherwise."""
    accounts, orders, workers = (int(n) for n in os.environ.get("SALESCHANNEL_LOAD", "20,5000,4").split(","))
    return accounts, orders, workers, 4 * 3600


@pytest.mark.parametrize(("accounts", "per_account", "workers", "patience"), [
    pytest.param(4, 40, 2, 180, id="short"),
    pytest.param(*_long_form(), id="long", marks=pytest.mark.slow),
])
def test_workers_import_every_backlog_once_while_the_dashboard_is_read(
    store_defaults, tmp_path, settings, accounts, per_account, workers, patience
):
    from tests.dashboard.factories import user_make

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    stock_catalog(qty=10**7)
    served = sandboxes(accounts, per_account)
    try:
        integrated = timezone.now() - dt.timedelta(days=30)
        linked = [connect(f"load-{n}", f"A{n}LOADSELLER", now=integrated, endpoint=url)
                  for n, (_, url, _) in enumerate(served, start=1)]
        total = accounts * per_account
        reader = DashboardReader(user_make("reader"), [a.pk for a in linked])
        reader.start()
        started = time.perf_counter()
        procs = [start_worker(tmp_path) for _ in range(workers)]
        try:
            done = wait_for(lambda: AmazonOrder.objects.exclude(evaluated_at=None).count() >= total, patience)
            wall = time.perf_counter() - started
        finally:
            reader.stop.set()
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            errors = [proc.communicate(timeout=120)[1] for proc in procs]
            reader.join(timeout=60)
        assert done, f"{AmazonOrder.objects.exclude(evaluated_at=None).count()} of {total} after {patience} s"
        assert all(proc.returncode == 0 for proc in procs), [e[-1500:] for e in errors]
        assert not any("Traceback" in e for e in errors), [e[-1500:] for e in errors]
        for account, (app, _, _) in zip(linked, served, strict=True):
            assert_exactly_once(account)
            assert set(AmazonOrder.objects.filter(account=account).values_list("amazon_order_id", flat=True)) == {
                o["orderId"] for o in app.store.all()}
        assert reservations_balance() == expected_reservations()
        assert reserved_totals_verify() == []
        statuses = {status for _, status, _ in reader.answers}
        assert statuses == {200}, statuses
        times = sorted(t for _, _, t in reader.answers)
        assert len(times) >= len(reader.pages)
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"\nload: {total} orders, {accounts} accounts, {workers} workers: {wall:.1f} s, "
              f"{total / wall:.0f} orders/s; dashboard {len(times)} reads, median "
              f"{statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    finally:
        for _, _, stop in served:
            stop()
