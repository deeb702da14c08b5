"""Scale-out on PostgreSQL: several workers share 20 accounts through leases in the database.

Each account has its own sandbox (rate limits off) whose clock stands still, so that the
orders do not move while the workers run; the workers run on the real clock, in threads,
each with its own database connection, exactly as separate processes would share rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
import time

import pytest
from django.db import connection

from saleschannel.channel.models import AmazonOrder, SyncRun
from saleschannel.channel.services.sync.client import account_client
from saleschannel.channel.services.sync.scheduler import SyncPolicy
from saleschannel.spapi.clock import FakeClock
from saleschannel.workers.leases import account_lease_key, lease_try
from saleschannel.workers.loop import Worker
from saleschannel.workers.models import Lease
from tests.sync.conftest import connect, sandbox_app, stock_catalog
from tests.sync.helpers import assert_exactly_once, channel_statuses, sandbox_statuses

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
ACCOUNTS = 20
ORDERS = 8
POLICY = dataclasses.replace(SyncPolicy(), lease_ttl=2.0, min_interval=0.5, idle_poll=0.1, failure_backoff=0.5)


@pytest.fixture
def fleet():
    """20 accounts, each with its own sandbox of orders in every status."""
    from saleschannel.commerce.stores.services import stores_init

    stores_init()
    stock_catalog(qty=10_000)
    apps, accounts = {}, []
    for i in range(ACCOUNTS):
        endpoint = f"https://sandbox-{i}.test"
        app = sandbox_app(FakeClock(T0), seed=100 + i)
        app.generate(ORDERS)
        account = connect(name=f"acct-{i}", seller_id=f"ASELLER{i:03d}", now=T0 - dt.timedelta(hours=1),
                          endpoint=endpoint)
        apps[endpoint] = app
        accounts.append(account)
    yield accounts, apps
    for app in apps.values():
        app.close()


def start_workers(n, apps, stop):
    def factory(account, clock):
        return account_client(account=account, clock=clock, transport=apps[account.endpoint].transport())

    workers = [Worker(policy=POLICY, client_factory=factory, stop=stop, holder=f"worker-{i}") for i in range(n)]

    def run(worker):
        try:
            worker.run()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    return workers, threads


def all_synced(accounts, apps) -> bool:
    return all(channel_statuses(a) == sandbox_statuses(apps[a.endpoint]) for a in accounts)


def assert_one_cycle_at_a_time(accounts) -> None:
    """The lease at work: no two cycles of one account ever overlapped."""
    for account in accounts:
        runs = list(SyncRun.objects.filter(account=account).order_by("started_at").values_list("started_at",
                                                                                              "finished_at"))
        for (_, finished), (started, _) in itertools.pairwise(runs):
            assert started >= finished, f"two cycles of {account.name} overlapped"


def wait_until(condition, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"not reached within {timeout} s")


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_share_every_account_and_import_nothing_twice(fleet, workers):
    accounts, apps = fleet
    stop = threading.Event()
    running, threads = start_workers(workers, apps, stop)
    try:
        wait_until(lambda: all_synced(accounts, apps), timeout=240)
        time.sleep(1.0)  # let them run more cycles over the same orders
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a worker did not stop"
    for account in accounts:
        assert_exactly_once(account)
        assert SyncRun.objects.filter(account=account, outcome="ok").exists()
    assert all(w.cycles > 0 for w in running), "every worker should have taken a share"
    assert_one_cycle_at_a_time(accounts)
    assert not SyncRun.objects.filter(outcome="failed").exists()
    assert AmazonOrder.objects.filter(import_state="imported").count() > 0


def test_a_dead_workers_accounts_are_taken_over_within_the_lease_time(fleet):
    accounts, apps = fleet
    dead = accounts[:5]
    now = dt.datetime.now(dt.UTC)
    for account in dead:
        # What a worker killed mid-cycle leaves behind: a lease held, renewed no more.
        assert lease_try(key=account_lease_key(account.pk), holder="killed-worker", ttl=POLICY.lease_ttl, now=now)
    stop = threading.Event()
    _, threads = start_workers(2, apps, stop)
    try:
        wait_until(lambda: all_synced(dead, apps), timeout=240)  # a generous deadline, not a measure
        wait_until(lambda: all_synced(accounts, apps), timeout=240)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    expired_at = now + dt.timedelta(seconds=POLICY.lease_ttl)
    for account in dead:
        lease = Lease.objects.get(key=account_lease_key(account.pk))
        assert lease.taken_over == 1 and lease.holder != "killed-worker"
        # Nobody worked the account while the dead worker's lease still held it.
        first_run = SyncRun.objects.filter(account=account).order_by("started_at").first()
        assert first_run is not None and first_run.started_at >= expired_at
        assert_exactly_once(account)


def test_a_worker_process_killed_mid_cycle_is_taken_over(transactional_db):
    """A real ``saleschannel worker`` killed with SIGKILL mid-cycle: its lease expires, another worker
    takes the account over and finishes it, and no order is imported twice."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from saleschannel.commerce.stores.services import stores_init
    from saleschannel.spapi.sandbox import MARKETPLACES, SandboxApp, run_in_thread

    stores_init()
    stock_catalog(qty=10_000)
    app = SandboxApp(clock=FakeClock(T0), seed=5, rate_limits=False, marketplaces=[MARKETPLACES[0]])
    app.generate(150)
    url, stop_server = run_in_thread(app)
    account = connect(name="killed", seller_id="AKILLED001", now=T0 - dt.timedelta(hours=1), endpoint=url)
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
                                         f"{db['NAME']}", "SALESCHANNEL_LOG_LEVEL": "WARNING"}
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "saleschannel", "worker", "--lease-seconds", "3"], env=env,
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        wait_until(lambda: AmazonOrder.objects.filter(account=account).count() >= 10, timeout=120)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        lease = Lease.objects.get(key=account_lease_key(account.pk))
        assert lease.holder, "the killed worker held the lease"
        assert AmazonOrder.objects.filter(account=account).count() < 150, "killed before it finished"

        def factory(acct, clock):
            return account_client(account=acct, clock=clock)

        worker = Worker(policy=POLICY, client_factory=factory, stop=stop, holder="successor")
        thread = threading.Thread(target=lambda: (worker.run(), connection.close()), daemon=True)
        threads.append(thread)
        thread.start()
        wait_until(lambda: Lease.objects.filter(key=account_lease_key(account.pk), holder="successor").exists(),
                   timeout=240)  # a generous deadline: the lease time and the successor's polling, on a loaded machine
        wait_until(lambda: channel_statuses(account) == sandbox_statuses(app), timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        stop_server()
        app.close()
    assert Lease.objects.get(key=account_lease_key(account.pk)).taken_over >= 1
    assert_exactly_once(account)
