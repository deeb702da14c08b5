"""Work under an account's lease at its edges, where mutation testing found the other tests silent
(docs/mutation.md): when the lease is given back for, the stop and the wait passed through, the clock."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from saleschannel.channel.models import Account, SyncCursor, SyncRun
from saleschannel.channel.stock.models import Offer, StockSettings
from saleschannel.channel.stock.services import stock_settings_update
from saleschannel.spapi.sandbox import DEFAULT_SKUS
from saleschannel.workers.leases import (
    LeaseBusy,
    account_lease_key,
    account_sync_leased,
    lease_try,
    next_due_at,
    under_lease,
)
from saleschannel.workers.models import Lease
from tests.sync.conftest import connect

pytestmark = pytest.mark.django_db


def test_work_that_raises_gives_the_lease_back_due_after_the_back_off(account, clock, policy):
    def work(stopping):
        raise RuntimeError("the cycle broke")

    with pytest.raises(RuntimeError):
        under_lease(account=account, work=work, clock=clock, policy=policy, holder="A")
    lease = Lease.objects.get(key=account_lease_key(account.pk))
    assert (lease.holder, lease.expires_at) == ("", None)
    assert lease.due_at == clock.now() + dt.timedelta(seconds=policy.failure_backoff)


def test_an_account_that_needs_reconnecting_after_its_work_is_not_due_again(account, clock, policy):
    def work(stopping):
        Account.objects.filter(pk=account.pk).update(credentials_state=Account.CredentialsState.NEEDS_RECONNECTING)
        return SyncRun.objects.create(account=account, started_at=clock.now(), outcome=SyncRun.Outcome.OK)

    under_lease(account=account, work=work, clock=clock, policy=policy, holder="A")
    lease = Lease.objects.get(key=account_lease_key(account.pk))
    assert lease.holder == "" and lease.due_at is None


def test_work_that_ends_well_gives_the_lease_back_due_when_the_scheduler_says(account, clock, policy):
    def work(stopping):
        assert not stopping()
        return SyncRun.objects.create(account=account, started_at=clock.now(), outcome=SyncRun.Outcome.OK)

    under_lease(account=account, work=work, clock=clock, policy=policy, holder="A")
    lease = Lease.objects.get(key=account_lease_key(account.pk))
    assert lease.holder == "" and lease.due_at is not None and lease.due_at > clock.now()


def test_a_sync_by_hand_stops_when_told(account, sandbox, client_for, clock, policy):
    sandbox.generate(3)
    run = account_sync_leased(account=account, client=client_for(account, sandbox), clock=clock, policy=policy,
                              stop=lambda: True)
    assert run.outcome == "partial" and run.error == "stopped on request"


def test_a_sync_by_hand_runs_on_the_clock_it_is_given(account, sandbox, client_for, clock, policy):
    run = account_sync_leased(account=account, client=client_for(account, sandbox), clock=clock, policy=policy)
    # The fake clock's day (November 2026), not the machine's: the cycle reads no other clock.
    assert abs((run.started_at - clock.now()).total_seconds()) < 3600


def test_a_sync_by_hand_waits_as_long_as_it_is_told_not_the_policys_wait(account, clock, policy):
    patient = dataclasses.replace(policy, lease_wait=5.0)
    assert lease_try(key=account_lease_key(account.pk), holder="another", ttl=3600, now=clock.now())
    with pytest.raises(LeaseBusy):
        account_sync_leased(account=account, clock=clock, policy=patient, wait=0)
    assert clock.slept == 0
    with pytest.raises(LeaseBusy):
        account_sync_leased(account=account, clock=clock, policy=patient)
    assert clock.slept == 5.0


def _run(account, clock, outcome):
    return SyncRun.objects.create(account=account, started_at=clock.now(), outcome=outcome)


def _in_progress(account, clock, value):
    SyncCursor.objects.update_or_create(account=account, defaults={"query_after": value})


def test_a_failed_cycle_is_next_due_after_the_back_off(account, clock, policy):
    due = next_due_at(account=account, run=_run(account, clock, SyncRun.Outcome.FAILED), clock=clock, policy=policy)
    assert due == clock.now() + dt.timedelta(seconds=policy.failure_backoff)  # not the scheduler's 10 s


def test_a_cycle_that_ran_out_of_tokens_mid_query_resumes_at_the_next_token(account, clock, policy):
    assert policy.idle_poll != policy.min_interval
    _in_progress(account, clock, clock.now() - dt.timedelta(hours=1))
    partial = _run(account, clock, SyncRun.Outcome.PARTIAL)
    assert next_due_at(account=account, run=partial, clock=clock, policy=policy) == (
        clock.now() + dt.timedelta(seconds=policy.idle_poll))  # a full bucket: at once (the idle poll)
    ok = _run(account, clock, SyncRun.Outcome.OK)
    assert next_due_at(account=account, run=ok, clock=clock, policy=policy) == (
        clock.now() + dt.timedelta(seconds=policy.min_interval))


def test_a_partial_cycle_with_no_query_in_progress_is_not_paused(account, clock, policy):
    _in_progress(account, clock, None)
    other = connect(name="us-other", seller_id="A2OTHERSELLER", now=clock.now() - dt.timedelta(hours=1))
    _in_progress(other, clock, clock.now() - dt.timedelta(hours=1))  # another account's query, in progress
    partial = _run(account, clock, SyncRun.Outcome.PARTIAL)
    assert next_due_at(account=account, run=partial, clock=clock, policy=policy) == (
        clock.now() + dt.timedelta(seconds=policy.min_interval))


def test_a_sync_by_hand_then_pushes_with_its_client_on_its_clock(account, sandbox, client_for, clock, policy):
    """T10, C48: with push on, the cycle run by hand reads the offers from Amazon under the same lease."""
    stock_settings_update(account=account, changes={"push_stock": "enabled"}, now=clock.now())
    run = account_sync_leased(account=account, client=client_for(account, sandbox), clock=clock, policy=policy)
    assert run.outcome == "ok"
    settings = StockSettings.objects.get(account=account)
    assert settings.offers_read_at == clock.now()  # read through the sandbox's client, at the fake clock's time
    assert Offer.objects.filter(account=account).count() == len(DEFAULT_SKUS)



def test_a_busy_lease_is_refused_in_words_that_name_the_account(account, clock, policy):
    assert lease_try(key=account_lease_key(account.pk), holder="another", ttl=3600, now=clock.now())
    with pytest.raises(LeaseBusy) as refused:
        under_lease(account=account, work=lambda stopping: None, clock=clock, policy=policy, holder="A", wait=0)
    assert str(refused.value) == f"account {account.name}: another worker is syncing it and keeps its lease"


def test_a_sync_by_hand_starts_at_the_time_it_is_given(account, sandbox, client_for, clock, policy):
    earlier = clock.now() - dt.timedelta(hours=5)
    run = account_sync_leased(account=account, client=client_for(account, sandbox), clock=clock, policy=policy,
                              now=earlier)
    assert run.started_at == earlier


def test_a_sync_by_hand_runs_on_the_policy_it_is_given(account, sandbox, client_for, clock, policy):
    """Pages of two orders: five new orders take three searchOrders pages, not the default's one."""
    sandbox.generate(5)
    before = sandbox.calls()["operations"]["searchOrders"]
    account_sync_leased(account=account, client=client_for(account, sandbox), clock=clock,
                        policy=dataclasses.replace(policy, page_size=2))
    assert sandbox.calls()["operations"]["searchOrders"] - before >= 3
