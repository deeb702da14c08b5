"""The worker loop: leases, the scheduler's pacing under Amazon's usage plan, notifications, stopping."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading

import pytest

from saleschannel.channel.models import Account, AmazonOrder, SyncRun
from saleschannel.channel.services.sync.client import account_client
from saleschannel.workers.leases import account_lease_key, lease_try
from saleschannel.workers.loop import Worker
from saleschannel.workers.models import Lease
from tests.sync.conftest import sandbox_app
from tests.sync.helpers import assert_exactly_once, channel_statuses, sandbox_statuses

pytestmark = pytest.mark.django_db


def make_worker(clock, policy, app, **kwargs):
    def factory(account, worker_clock):
        return account_client(account=account, clock=worker_clock, transport=app.transport())

    return Worker(clock=clock, policy=policy, client_factory=factory, **kwargs)


def run_for(worker, clock, seconds: float) -> None:
    """Let the worker work for ``seconds`` of fake time, jumping over idle stretches."""
    end = clock.now() + dt.timedelta(seconds=seconds)
    while clock.now() < end:
        if worker.tick():
            continue
        due = Lease.objects.exclude(due_at__isnull=True).order_by("due_at").values_list("due_at", flat=True).first()
        left = (end - clock.now()).total_seconds()
        step = (due - clock.now()).total_seconds() if due else left  # nothing due at all: jump to the end
        clock.advance(max(worker.policy.idle_poll, min(step, left)))


def test_the_worker_syncs_a_due_account_and_schedules_the_next(account, sandbox, clock, policy):
    sandbox.generate(10)
    worker = make_worker(clock, policy, sandbox)
    assert worker.tick()
    assert channel_statuses(account) == sandbox_statuses(sandbox)
    lease = Lease.objects.get(key=account_lease_key(account.pk))
    assert lease.holder == "" and lease.due_at == clock.now() + dt.timedelta(seconds=policy.min_interval)
    assert not worker.tick()  # nothing due yet: the loop idles
    clock.advance(policy.min_interval)
    assert worker.tick()
    assert SyncRun.objects.filter(account=account).count() == 2


def test_s2_steady_state_under_amazons_usage_plan_earns_no_429(account, clock, policy):
    from saleschannel.channel.models import SyncCursor

    app = sandbox_app(clock, rate_limits=True, generate_per_minute=0.2)
    worker = make_worker(clock, policy, app)
    run_for(worker, clock, 2 * 3600)
    calls = app.calls()
    assert calls["throttled"] == 0
    # The burst of 20, then about 20 an hour (0.0056/s), never more.
    assert calls["operations"]["searchOrders"] <= 20 + 2 * 3600 * 0.0056 + 1
    last_hour = SyncRun.objects.filter(started_at__gte=clock.now() - dt.timedelta(hours=1))
    # S1 gets at least its three quarters (one cycle per ~240 s) and what the sweeps leave over.
    assert 14 <= last_hour.count() <= 21
    cursor = SyncCursor.objects.get(account=account)
    assert cursor.hourly_sweep_done_at >= clock.now() - dt.timedelta(hours=1, minutes=5)
    assert not SyncRun.objects.filter(outcome="failed").exists()
    app.generate_per_minute = 0
    run_for(worker, clock, 3600)
    assert channel_statuses(account) == sandbox_statuses(app)
    assert_exactly_once(account)
    app.close()


def test_s3_a_notification_imports_its_order_without_waiting_for_a_poll(account, sandbox, clock, policy, client,
                                                                         monkeypatch):
    monkeypatch.setenv("SALESCHANNEL_NOTIFY_SECRET", "worker-test-secret")
    worker = make_worker(clock, policy, sandbox)
    worker.tick()  # the account's first cycle; its next is not due for a while
    (order_id,) = sandbox.generate(1)
    sandbox.change_status(order_id, "UNSHIPPED")
    from tests.sync.test_notifications import notification

    body = notification(order_id=order_id, seller=account.seller_id, marketplace=account.marketplace_id)
    response = client.post("/notifications/amazon/order-change", data=json.dumps(body),
                           content_type="application/json", headers={"x-api-key": "worker-test-secret"})
    assert response.status_code == 202
    searches = sandbox.calls()["operations"]["searchOrders"]
    clock.advance(1)
    assert worker.tick()
    imported = AmazonOrder.objects.get(account=account, amazon_order_id=order_id)
    assert imported.import_state == "imported" and imported.status == "Unshipped"
    assert sandbox.calls()["operations"]["searchOrders"] == searches  # served by getOrder alone
    assert sandbox.calls()["operations"]["getOrder"] == 1
    # Repeated, late, out of order: the same notification again changes nothing.
    for _ in range(2):
        client.post("/notifications/amazon/order-change", data=json.dumps(body),
                    content_type="application/json", headers={"x-api-key": "worker-test-secret"})
    clock.advance(1)
    worker.tick()
    assert_exactly_once(account)


def test_an_account_needing_reconnecting_is_parked_until_reconnected(account, sandbox, clock, policy):
    sandbox.lwa.revoke("Atzr|sync-test-refresh-token")
    worker = make_worker(clock, policy, sandbox)
    worker.tick()
    account.refresh_from_db()
    assert account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING
    calls = sandbox.calls()["operations"]
    run_for(worker, clock, 1800)
    assert sandbox.calls()["operations"] == calls  # parked: no call at all
    assert Lease.objects.get(key=account_lease_key(account.pk)).due_at is None
    from saleschannel.channel.services.accounts import account_connect

    account_connect(name=account.name, seller_id=account.seller_id, marketplace_id=account.marketplace_id,
                    region="na", refresh_token="Atzr|a-new-refresh-token", client_id="amzn1.application-oa2-client.sync",
                    client_secret="sync-client-secret", endpoint=account.endpoint, token_url=account.token_url)
    run_for(worker, clock, 60)
    assert SyncRun.objects.filter(account=account, outcome="ok").exists()


def test_a_held_lease_keeps_a_second_worker_away_until_it_expires(account, sandbox, clock, policy):
    short = dataclasses.replace(policy, lease_ttl=30.0)
    assert lease_try(key=account_lease_key(account.pk), holder="a-worker-that-died", ttl=30, now=clock.now())
    worker = make_worker(clock, short, sandbox)
    assert not worker.tick()
    clock.advance(31)
    assert worker.tick()  # taken over
    assert Lease.objects.get(key=account_lease_key(account.pk)).taken_over == 1


def test_stop_finishes_cleanly(account, sandbox, clock, policy):
    stop = threading.Event()
    worker = make_worker(clock, policy, sandbox, stop=stop)
    stop.set()
    worker.run()  # returns at once, having started nothing
    assert not SyncRun.objects.exists()


def test_a_refused_token_while_serving_a_notification_parks_the_account(account, sandbox, clock, policy):
    from saleschannel.channel.models import OrderFetchRequest
    from saleschannel.channel.services.notifications import fetch_request_add

    worker = make_worker(clock, policy, sandbox)
    worker.tick()
    (order_id,) = sandbox.generate(1)
    sandbox.lwa.revoke("Atzr|sync-test-refresh-token")
    worker._clients.clear()  # a fresh process: no access token cached
    fetch_request_add(account=account, amazon_order_id=order_id, now=clock.now())
    clock.advance(1)
    worker.tick()
    account.refresh_from_db()
    assert account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING
    calls = sandbox.calls()["operations"]
    run_for(worker, clock, 600)
    assert sandbox.calls()["operations"] == calls  # no retry storm
    assert OrderFetchRequest.objects.filter(done_at__isnull=True).count() == 1  # served once reconnected
