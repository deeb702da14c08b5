"""S1: one sync cycle reads every order once, moves the watermark safely, and imports by the rules."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.models import Account, AmazonOrder, SyncCursor, SyncRun
from saleschannel.workers.leases import account_sync_leased
from tests.sync.helpers import (
    assert_exactly_once,
    channel_statuses,
    expected_reservations,
    reservations_balance,
    sandbox_statuses,
)

pytestmark = pytest.mark.django_db


def sync(account, sandbox, client_for, clock, policy, **kwargs):
    return account_sync_leased(account=account, client=client_for(account, sandbox), clock=clock, policy=policy, **kwargs)


def test_s1_first_cycle_reads_from_integration_and_imports(account, sandbox, client_for, clock, policy):
    sandbox.generate(30)
    run = sync(account, sandbox, client_for, clock, policy)
    assert run.outcome == "ok", run.error
    assert run.fetched == 30 and run.pages == 1
    assert channel_statuses(account) == sandbox_statuses(sandbox)
    assert run.created == AmazonOrder.objects.filter(account=account, import_state="imported").count() > 0
    assert run.api_calls_by_operation["searchOrders"] == 1
    assert run.api_calls == sum(run.api_calls_by_operation.values())
    # The watermark is Amazon's lastUpdatedBefore (the sandbox: the moment of the request).
    assert SyncCursor.objects.get(account=account).watermark == clock.now()
    assert_exactly_once(account)


def test_s1_orders_updated_before_integration_are_not_asked_for(account, sandbox, client_for, clock, policy):
    sandbox.generate(5)
    clock.advance(60)
    account.integrated_at = clock.now()
    account.save(update_fields=["integrated_at"])
    run = sync(account, sandbox, client_for, clock, policy)
    assert run.fetched == 0


def test_s1_a_second_cycle_repeats_nothing(account, sandbox, client_for, clock, policy):
    from saleschannel.channel.models import AmazonStatusEvent

    sandbox.generate(40)
    first = sync(account, sandbox, client_for, clock, policy)
    events = AmazonStatusEvent.objects.count()
    before = sandbox_statuses(sandbox)
    clock.advance(1)
    second = sync(account, sandbox, client_for, clock, policy)
    assert sandbox_statuses(sandbox) == before  # nothing moved at Amazon in that second
    # The overlap reads the same 40 orders again: seen, changed nothing, created nothing.
    assert second.outcome == "ok" and second.fetched == 40
    assert second.created == 0 and AmazonStatusEvent.objects.count() == events
    assert_exactly_once(account)
    assert first.created > 0


def test_s1_statuses_move_on_and_the_store_follows(account, sandbox, client_for, clock, policy):
    sandbox.generate(25)
    for _ in range(12):  # an hour of sandbox time, a cycle every 5 minutes
        sync(account, sandbox, client_for, clock, policy)
        clock.advance(300)
    sync(account, sandbox, client_for, clock, policy)
    assert channel_statuses(account) == sandbox_statuses(sandbox)
    assert_exactly_once(account)
    assert reservations_balance() == expected_reservations()
    imported = AmazonOrder.objects.filter(account=account, import_state="imported")
    assert imported.filter(status="Canceled", store_order__state="canceled").count() == imported.filter(
        status="Canceled"
    ).count()


def test_s1_the_watermark_never_goes_back(account, sandbox, client_for, clock, policy):
    sandbox.generate(3)
    sync(account, sandbox, client_for, clock, policy)
    mark = SyncCursor.objects.get(account=account).watermark
    SyncCursor.objects.filter(account=account).update(watermark=mark + dt.timedelta(hours=1))
    sync(account, sandbox, client_for, clock, policy)
    assert SyncCursor.objects.get(account=account).watermark == mark + dt.timedelta(hours=1)


def test_s1_pages_are_streamed_and_each_committed(account, sandbox, client_for, clock, policy):
    import dataclasses

    sandbox.generate(120)
    run = sync(account, sandbox, client_for, clock, dataclasses.replace(policy, page_size=50))
    assert run.pages == 3 and run.fetched == 120
    assert AmazonOrder.objects.filter(account=account).count() == 120
    assert_exactly_once(account)


def test_auth_failure_marks_the_account_and_stops_calling(account, sandbox, client_for, clock, policy):
    sandbox.generate(3)
    sandbox.lwa.revoke("Atzr|sync-test-refresh-token")
    run = sync(account, sandbox, client_for, clock, policy)
    assert run.outcome == "failed" and "reconnect" in run.error
    assert "Atzr|" not in run.error
    account.refresh_from_db()
    assert account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING
    calls = sandbox.calls()["operations"]
    again = sync(account, sandbox, client_for, clock, policy)
    assert again.outcome == "failed" and again.api_calls == 0
    assert sandbox.calls()["operations"] == calls  # no retry storm
    assert SyncRun.objects.filter(account=account).count() == 2


def test_a_transient_failure_fails_the_cycle_and_keeps_the_watermark(account, sandbox, client_for, clock, policy):
    sandbox.generate(5)
    sync(account, sandbox, client_for, clock, policy)
    mark = SyncCursor.objects.get(account=account).watermark
    sandbox.faults.rate = 1.0
    clock.advance(300)
    run = sync(account, sandbox, client_for, clock, policy)
    assert run.outcome == "failed" and run.error
    assert SyncCursor.objects.get(account=account).watermark == mark
