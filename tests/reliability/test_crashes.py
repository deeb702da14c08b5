"""Crashes on PostgreSQL: a worker process killed with SIGKILL, and the database connection cut in
the middle of a transaction (``pg_terminate_backend`` from a second connection), while orders are
imported and while shipments are sent. After recovery: every order exactly once, the stock ledger
balanced, each package once at Amazon.

(Kills at each step boundary of a cycle, raised in-process, are in tests/sync/test_crash.py; a sender
dying before or after Amazon's answer in tests/shipping/test_outbox.py.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection

from saleschannel.channel.models import AmazonOrder
from saleschannel.workers.leases import account_sync_leased
from tests.childproc import read_line
from tests.reliability.conftest import connect, sandbox_app
from tests.sync.conftest import stock_catalog
from tests.sync.helpers import assert_exactly_once, expected_reservations, reservations_balance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def cut_connection(pid: int) -> None:
    """What a database restart or a network cut does to one session: terminate it from outside."""
    import psycopg

    with psycopg.connect(database_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))


def our_backend_pid() -> int:
    return int(connection.connection.info.backend_pid)


def recover() -> None:
    """What a restarted process has: a fresh connection."""
    with contextlib.suppress(Exception):
        connection.close()


def assert_ledger_whole() -> None:
    from saleschannel.commerce.inventory.selectors import reserved_totals_verify

    assert reservations_balance() == expected_reservations()
    assert reserved_totals_verify() == []


# --- the connection cut in the middle of an import ---------------------------------------------------


def cut_at_upsert(nth: int):
    """A checkpoint that cuts the connection inside the nth order's transaction (after its snapshot
    is written, before its store order is made)."""
    seen = Counter()

    def checkpoint(name: str) -> None:
        if name == "upsert":
            seen[name] += 1
            if seen[name] == nth:
                cut_connection(our_backend_pid())

    return checkpoint


def test_the_connection_cut_mid_import_loses_and_duplicates_nothing(store_defaults, clock, policy, client_for):
    stock_catalog(qty=40)  # scarce: some orders wait and compete for stock
    account = connect(now=clock.now() - dt.timedelta(hours=1))
    app = sandbox_app(clock, seed=41)
    app.generate(36)
    policy = dataclasses.replace(policy, page_size=10)
    client = client_for(account, app)
    cuts = 0
    for nth in (3, 7, 2):
        try:
            account_sync_leased(account=account, client=client, clock=clock, policy=policy, checkpoint=cut_at_upsert(nth))
        except Exception as exc:  # the cut surfaces as the driver's error, then the process restarts
            assert "terminat" in str(exc).lower() or "closed" in str(exc).lower() or "connection" in str(exc).lower()
            cuts += 1
        recover()
        clock.advance(policy.lease_ttl + 1)  # the dead holder's lease runs out
    assert cuts >= 2
    for _ in range(10):
        if account_sync_leased(account=account, client=client, clock=clock, policy=policy).outcome == "ok":
            break
        clock.advance(60)
    stored = set(AmazonOrder.objects.filter(account=account).values_list("amazon_order_id", flat=True))
    assert stored == {o["orderId"] for o in app.store.all()}
    assert_exactly_once(account)
    assert_ledger_whole()
    app.close()


# --- the connection cut while a shipment is sent ---------------------------------------------------------


class CutAfterAmazonAccepts(httpx.BaseTransport):
    """Passes calls to the sandbox; once Amazon has accepted the ``nth`` package, our database session
    is cut before the sender can write that it was sent."""

    def __init__(self, inner: httpx.BaseTransport, nth: int) -> None:
        self.inner, self.nth, self.accepted = inner, nth, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.endswith("/shipmentConfirmation") and response.status_code == 204:
            self.accepted += 1
            if self.accepted == self.nth:
                cut_connection(our_backend_pid())
        return response


def put_unshipped(app, count: int, now: dt.datetime) -> None:
    """FBM orders waiting to be shipped, which Amazon will not ship by itself meanwhile."""
    from saleschannel.spapi.sandbox import DEFAULT_SKUS
    from tests.channel.factories import order_dict

    for n in range(count):
        app.put_order(order_dict(items=[(DEFAULT_SKUS[n % len(DEFAULT_SKUS)], 1 + n % 3)],
                                 created=now - dt.timedelta(minutes=30), updated=now - dt.timedelta(minutes=20)))


def shipped_world(clock, policy, client_for, orders: int = 6):
    """An account whose FBM orders are imported, each shipped in full: one confirmation each in the outbox."""
    from saleschannel.channel.outbox.services import amazon_order_ship

    stock_catalog(qty=1000)
    account = connect(now=clock.now() - dt.timedelta(hours=1))
    app = sandbox_app(clock, seed=42)
    put_unshipped(app, orders, clock.now())
    account_sync_leased(account=account, client=client_for(account, app), clock=clock, policy=policy)
    fbm = AmazonOrder.objects.filter(account=account, channel="FBM", import_state="imported")
    messages = [amazon_order_ship(order=ao.store_order, carrier_code="UPS", tracking_number=f"1Z{ao.pk}",
                                  now=clock.now())[1] for ao in fbm]
    assert len(messages) >= 3
    return account, app, messages


def source_quantities() -> dict[str, Decimal]:
    from saleschannel.commerce.inventory.models import SourceItem

    return dict(SourceItem.objects.values_list("sku", "quantity"))


def assert_each_package_once(app, messages) -> None:
    from saleschannel.channel.outbox.models import OutboxMessage

    for message in messages:
        stored = OutboxMessage.objects.get(pk=message.pk)
        assert stored.state == "sent", (stored.pk, stored.state, stored.last_error)
        order = app.store.get(stored.amazon_order_id)
        refs = Counter(p["packageReferenceId"] for p in order.get("packages", []))
        assert refs[stored.package_reference_id] == 1, refs


def test_the_connection_cut_while_sending_a_shipment_sends_each_package_once(store_defaults, clock, policy,
                                                                             client_for):
    from saleschannel.channel.outbox.services import outbox_send_due
    from saleschannel.channel.outbox.services.sender import CLAIM_SECONDS
    from saleschannel.channel.services.sync.client import account_client

    _, app, messages = shipped_world(clock, policy, client_for)
    stock_after_shipping = source_quantities()
    cutting = CutAfterAmazonAccepts(app.transport(), nth=2)
    clients = []

    def factory(acc, clk):
        clients.append(account_client(account=acc, clock=clk, transport=cutting))
        return clients[-1]

    try:  # the sender may take the cut as a failed send and put the message back for later
        outbox_send_due(now=clock.now(), client_factory=factory, clock=clock)
    except Exception as exc:
        assert "terminat" in str(exc).lower() or "connection" in str(exc).lower() or "closed" in str(exc).lower()
    recover()
    assert cutting.accepted >= 2  # the cut came after Amazon accepted the second package
    clock.advance(CLAIM_SECONDS + 1)  # the dead sender's claim runs out
    while outbox_send_due(now=clock.now(), client_factory=factory, clock=clock):
        clock.advance(1)
    for client in clients:
        client.close()
    assert_each_package_once(app, messages)
    assert source_quantities() == stock_after_shipping  # stock left when shipped, not when sent
    assert_ledger_whole()
    app.close()


# --- SIGKILL of worker processes ----------------------------------------------------------------------------


def child_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESCHANNEL_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=database_url(), SALESCHANNEL_HOME=str(tmp_path), PYTHONPATH=str(ROOT),
        SALESCHANNEL_FERNET_KEY=str(settings.SALESCHANNEL_FERNET_KEY), SALESCHANNEL_SECRET_KEY=str(settings.SECRET_KEY),
        SALESCHANNEL_LOG_LEVEL="WARNING",
    )
    return env


def start_worker(tmp_path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "saleschannel", "worker", "--lease-seconds", "2"], cwd=ROOT,
                            env=child_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


SENDER = """
import sys, django
django.setup()
from saleschannel.channel.outbox.services import outbox_send_due
pause = len(sys.argv) > 1
while outbox_send_due(limit=1):
    if pause:  # say so, and wait to be told to go on (or be killed)
        print("sent", flush=True)
        sys.stdin.readline()
"""


def start_sender(tmp_path, *, pause: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", SENDER, *(["pause"] if pause else [])], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE if pause else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            env={**child_env(tmp_path), "DJANGO_SETTINGS_MODULE": "saleschannel.settings"})


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def http_sandbox(**options):
    from saleschannel.spapi.sandbox import MARKETPLACES, SandboxApp, run_in_thread

    app = SandboxApp(marketplaces=[MARKETPLACES[0]], rate_limits=False, seed=43, **options)
    url, stop = run_in_thread(app)
    return app, url, stop


def connect_http(url: str):
    from django.utils import timezone

    stock_catalog(qty=10**6)
    return connect(now=timezone.now() - dt.timedelta(days=30), endpoint=url)


def imported_ids(account) -> set[str]:
    return set(AmazonOrder.objects.filter(account=account).values_list("amazon_order_id", flat=True))


def run_killing_workers(tmp_path, account, app, kills: int) -> None:
    wanted = {o["orderId"] for o in app.store.all()}
    rng = random.Random(7)
    for _ in range(kills):
        worker = start_worker(tmp_path)
        seen = len(imported_ids(account))
        # The kill lands while the worker imports: once it has taken an order, before it has taken them all.
        assert wait_for(lambda: len(imported_ids(account)) > seen, timeout=120), "the worker never started importing"
        time.sleep(rng.uniform(0.0, 0.2))
        kill(worker)
        at_kill = imported_ids(account)
        assert len(at_kill) > seen and not at_kill >= wanted, f"killed after {len(at_kill)} of {len(wanted)} orders"
    worker = start_worker(tmp_path)
    try:
        assert wait_for(lambda: imported_ids(account) >= wanted, timeout=120), "the last worker finished the import"
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err[-2000:]
    assert "Traceback" not in err, err[-2000:]


@pytest.mark.parametrize(("orders", "kills"), [
    pytest.param(80, 2, id="short"),
    pytest.param(2000, 8, id="long", marks=pytest.mark.slow),
])
def test_workers_killed_with_sigkill_mid_import_lose_and_duplicate_nothing(store_defaults, tmp_path, orders, kills):
    app, url, stop = http_sandbox()
    try:
        app.generate(orders)
        account = connect_http(url)
        run_killing_workers(tmp_path, account, app, kills=kills)
        assert_exactly_once(account)
        assert_ledger_whole()
    finally:
        stop()


def test_a_sender_killed_with_sigkill_mid_sending_sends_each_package_once(store_defaults, tmp_path, clock, policy,
                                                                         client_for):
    from saleschannel.channel.outbox.models import OutboxMessage

    app, url, stop = http_sandbox()
    try:
        account = connect_http(url)
        from django.utils import timezone

        put_unshipped(app, 12, timezone.now())
        account_sync_leased(account=account, policy=policy)
        from saleschannel.channel.outbox.services import amazon_order_ship

        messages = [amazon_order_ship(order=ao.store_order, carrier_code="UPS", tracking_number=f"1Z{ao.pk}")[1]
                    for ao in AmazonOrder.objects.filter(account=account, channel="FBM", import_state="imported")]
        assert len(messages) >= 5
        sender = start_sender(tmp_path, pause=True)
        assert read_line(sender, timeout=120) == "sent\n"
        assert sender.stdin is not None
        sender.stdin.write("go on\n")
        sender.stdin.flush()
        assert read_line(sender, timeout=120) == "sent\n"  # two sent, the rest waiting: killed mid-run
        kill(sender)
        assert OutboxMessage.objects.filter(state="sent").count() == 2
        assert OutboxMessage.objects.filter(state="pending").count() == len(messages) - 2
        OutboxMessage.objects.filter(state="pending").update(claimed_until=None)  # the claim ran out
        sender = start_sender(tmp_path)
        _, err = sender.communicate(timeout=120)
        assert sender.returncode == 0, err[-2000:]
        assert_each_package_once(app, messages)
        assert_ledger_whole()
    finally:
        stop()
